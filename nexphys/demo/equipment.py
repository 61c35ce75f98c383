"""The demo studios' equipment: gym-abc's racks, bikes and rowers (one rower out of service, with its
maintenance history); studio-xyz's mats and props. Given once: a studio with equipment keeps its own."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from nexphys.classes.models import ClassType, Room
from nexphys.equipment import requirements, services
from nexphys.equipment.models import Asset
from nexphys.extensions import db
from nexphys.settings.services import save_settings

# name, category, make, model, room (or location), cost
ASSETS = {
    "gym-abc": [
        *((f"Squat rack {n}", "Rack", "Rogue", "RML-390F", "Main floor", "1150") for n in (1, 2, 3, 4)),
        *((f"Bike {n}", "Bike", "Keiser", "M3i", "Turf", "1890") for n in range(1, 7)),
        ("Rower 1", "Rower", "Concept2", "RowErg", "Turf", "1050"),
        ("Rower 2", "Rower", "Concept2", "RowErg", "Turf", "1050"),
    ],
    "studio-xyz": [
        *((f"Mat {n}", "Mat", "Manduka", "PRO 6 mm", "Storage cupboard", "120") for n in range(1, 9)),
        ("Block set", "Props", "Manduka", "Cork blocks", "Storage cupboard", "180"),
        ("Strap set", "Props", "Hugger Mugger", "Cotton straps", "Storage cupboard", "90"),
    ],
}


def _room_id(name: str) -> int | None:
    return db.session.scalar(sa.select(Room.id).where(Room.name == name))


CURRENCY = {"gym-abc": "GBP", "studio-xyz": "USD"}


# class type → (category, quantity, one per place?): gym-abc's Metcon uses the six bikes in the Turf, so a bike
# out of service makes every Metcon short (the schedule's badge, the roster's notice, the capacity offer).
REQUIREMENTS = {"gym-abc": {"Metcon": ("Bike", 6, False)}}


def seed_demo_equipment(slug: str, today: date) -> int:
    """The studio's demo equipment and what its classes need, once; returns how many pieces were added."""
    added = _seed_assets(slug, today)
    _seed_requirements(slug)
    return added


def _seed_requirements(slug: str) -> None:
    """The equipment the demo's class types need (a type that already names some keeps its own)."""
    for type_name, (category, quantity, per_member) in REQUIREMENTS.get(slug, {}).items():
        class_type = db.session.scalar(sa.select(ClassType).where(ClassType.name == type_name))
        if class_type is None or requirements.requirements_of(class_type_id=class_type.id):
            continue
        requirements.set_requirements([{"category": category, "quantity": quantity, "per_member": per_member}],
                                      None, class_type=class_type)


def _seed_assets(slug: str, today: date) -> int:
    """The studio's demo equipment, once; returns how many pieces were added."""
    if slug not in ASSETS or db.session.scalar(sa.select(sa.func.count()).select_from(Asset)):
        return 0
    save_settings({"equipment_currency": CURRENCY[slug]})  # the demo studios' own (Manchester, New York)
    staff = services.staff()
    responsible = staff[0].id if staff else None
    added = []
    for name, category, make, model, place, cost in ASSETS[slug]:
        room_id = _room_id(place)
        added.append(services.create_asset({
            "name": name, "category": category, "make": make, "model": model, "room_id": room_id,
            "location": "" if room_id else place, "cost": cost, "purchased_on": today - timedelta(days=400)}, None))
    for asset in added[:2]:
        services.add_schedule(asset, {"title": "Check the safety pins and J-hooks", "every_days": 30,
                                      "starts_on": today - timedelta(days=33), "responsible_id": responsible}, None)
    if slug == "gym-abc":
        rower = next(a for a in added if a.name == "Rower 2")
        schedule = services.add_schedule(rower, {"title": "Clean the rail and oil the chain", "every_days": 14,
                                                 "starts_on": today - timedelta(days=60),
                                                 "responsible_id": responsible}, None)
        for days_ago, what in ((46, "Cleaned the rail and oiled the chain"), (32, "Cleaned the rail; seat squeaks")):
            services.log_record(rower, {"what": what, "done_on": today - timedelta(days=days_ago),
                                        "schedule_id": schedule.id}, [], None)
        services.log_record(rower, {"what": "Seat rollers replaced", "cost": "38.50",
                                    "done_on": today - timedelta(days=20)}, [], None)
        services.change_status(rower, "out_of_service", "Seat rail cracked; a new rail is on order", None)
    return len(added)
