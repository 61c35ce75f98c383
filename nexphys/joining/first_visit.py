"""Before the first visit: who to call in an emergency, date of birth, anything the coaches should know, and
how the member heard of the studio. Emergency contact, birth date and health notes are the member's profile
fields (encrypted at rest); only how they heard of the studio is kept here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from nexphys.extensions import db
from nexphys.joining.models import FirstVisit
from nexphys.members import services as members
from nexphys.members.models import User
from nexphys.validation import FieldErrors, TextWords, text
from nexphys.web.access import Principal

HEARD_MAX = 200
FIRST_VISIT_SAVED = "joining.first_visit_saved"
HEARD_OPTIONS = ("A friend or family member", "Walking past", "Search engine", "Social media", "An event",
                 "Something else")

_NAME_WORDS = TextWords(missing="Enter the name of someone we can call in an emergency.",
                        too_long="Use at most {limit} characters for their name.")
_HEARD_WORDS = TextWords(too_long="Use at most {limit} characters.")


class FirstVisitInvalid(members.ProfileInvalid):
    """Field → messages of the first-visit form."""


@dataclass(frozen=True)
class Answers:
    emergency_name: str
    emergency_phone: str
    date_of_birth: object
    health_notes: str | None
    heard_about: str | None


def split_contact(contact: str | None) -> tuple[str, str]:
    """(name, phone) of an emergency contact stored as "Name, phone" (anything else: all name)."""
    if not contact:
        return "", ""
    name, sep, phone = contact.rpartition(", ")
    return (name, phone) if sep and members.PHONE_PATTERN.match(phone) else (contact, "")


def of(user_id: int) -> FirstVisit | None:
    return db.session.get(FirstVisit, user_id)


def save(user: User, answers: Answers, actor: Principal) -> None:
    """Save the first-visit form: the profile fields through the members' rules, the rest here. Flushes."""
    errors = FieldErrors()
    name = text(errors, "emergency_name", answers.emergency_name, 120, required=True, words=_NAME_WORDS)
    if not (answers.emergency_phone or "").strip():
        errors.add("emergency_phone", "Enter their phone number.")
    else:
        members._clean_phone(errors, "emergency_phone", answers.emergency_phone)  # the profile's phone rule
    heard = text(errors, "heard_about", answers.heard_about, HEARD_MAX, words=_HEARD_WORDS) or None
    changes = {"emergency_contact": f"{name}, {(answers.emergency_phone or '').strip()}",
               "date_of_birth": answers.date_of_birth, "health_notes": answers.health_notes}
    try:
        cleaned = members.clean_profile(changes)
    except members.ProfileInvalid as exc:
        for field, messages in exc.errors.items():
            if field != "emergency_contact":  # too long: the name's own check says it in its words
                errors[field] = messages
        cleaned = None
    errors.raise_if_any(FirstVisitInvalid)
    members.update_profile(user, cleaned, actor)
    visit = of(user.id)
    if visit is None:
        db.session.add(FirstVisit(user_id=user.id, heard_about=heard, completed_at=datetime.now(UTC)))
    else:
        visit.heard_about = heard
    db.session.flush()
