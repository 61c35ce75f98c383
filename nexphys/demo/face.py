"""The demo studios' public face: their details, the instructors' bios and longer class descriptions.

Given once: a studio whose owner has written their own details, or an instructor with a bio, keeps them.
"""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.classes.models import ClassType
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.settings.services import save_settings, setting
from nexphys.studio.branding import DETAILS_SETTING

_WEEKDAYS_6_TO_21 = [["06:00", "21:00"]] * 5
DETAILS = {
    "gym-abc": {
        "address_line1": "Unit 4, Canal Works", "address_line2": "Wharf Street", "city": "Manchester",
        "postcode": "M1 2HN", "country": "United Kingdom", "email": "hello@gym-abc.example",
        "phone": "+44 161 496 0123",
        "about": "ABC is a coached strength gym: barbells, kettlebells and a turf track, and coaches who know "
                 "your name.\n\nNew to lifting? Start with Barbell Basics: we teach the squat, press and "
                 "deadlift from the first "
                 "rep, in groups of twelve at most.",
        "website": "https://www.gym-abc.example", "instagram": "https://www.instagram.com/gymabc", "facebook": "",
        "hours": [*_WEEKDAYS_6_TO_21, ["08:00", "14:00"], ["09:00", "13:00"]],
    },
    "studio-xyz": {
        "address_line1": "210 Bedford Avenue", "address_line2": "2nd floor", "city": "Brooklyn, NY",
        "postcode": "11249", "country": "United States", "email": "namaste@studio-xyz.example",
        "phone": "+1 718 555 0142",
        "about": "Studio XYZ is a small yoga studio with two warm rooms and a lot of natural light.\n\nEvery level is "
                 "welcome: mats, blocks and straps are provided, and Beginners' Yoga is the place to start.",
        "website": "https://www.studio-xyz.example", "instagram": "https://www.instagram.com/studioxyz",
        "facebook": "https://www.facebook.com/studioxyz",
        "hours": [["06:30", "20:30"]] * 5 + [["08:30", "13:00"], ["09:30", "18:00"]],
    },
}
BIOS = {
    "Sam Okafor": "Sam has coached strength for ten years, from first-time lifters to national-level powerlifters."
                  "\n\nExpect clear cues, patient progressions and a lot of encouragement.",
    "Jess Whitfield": "Jess came to lifting from rowing and never left. She runs Metcon and loves a good sled push.",
    "Tomás Ortega": "Tomás is a physiotherapist by training: his Mobility classes keep lifters moving well.",
    "Casey Moreau": "Casey has taught Vinyasa for eight years and trained in Mysore and Lisbon.",
    "Amara Obi": "Amara teaches strong, playful Power Yoga, with music and a lot of breath.",
    "Lena Brandt": "Lena teaches Yin and Beginners' Yoga: slow, kind and precise.",
}
LONGER = {
    "Barbell Basics": "Squat, press and deadlift technique with a coach. We start light, film a set or two if you "
                      "like, and build each lift step by step. Bring flat shoes and water; everything else is here.",
    "Vinyasa Flow": "Breath-led flowing sequences that build heat gently, ending with a long rest. "
                    "Suitable for every level: your teacher offers options for each pose.",
}


def seed_demo_face(slug: str) -> None:
    """Details, bios and longer descriptions for a demo studio, where none are written yet. Flushes."""
    if slug in DETAILS and not setting(DETAILS_SETTING):
        save_settings({DETAILS_SETTING: DETAILS[slug]})
    for user in db.session.scalars(sa.select(User).where(User.full_name.in_(BIOS), User.bio == "")):
        user.bio = BIOS[user.full_name]
    for class_type in db.session.scalars(sa.select(ClassType).where(ClassType.name.in_(LONGER))):
        if len(class_type.description) < len(LONGER[class_type.name]):
            class_type.description = LONGER[class_type.name]
    db.session.flush()
