"""Instructors' public profiles: a photo and a few words, shown on the studio page, class pages and the timetable.

Anyone who may teach (active staff at manager level or above) has a profile page. Instructors change
their own (`members:update` for their own record, which everyone holds); managers and owners anyone's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.classes.models import ClassSession, SessionStatus
from nexphys.classes.queries import Slot, slots_between
from nexphys.db import utcnow
from nexphys.errors import Invalid, NotAllowed, NotFound
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.roles.models import Role, RoleLevel
from nexphys.storage.services import discard, file_url, store_image
from nexphys.validation import FieldErrors, text
from nexphys.web.access import Principal

BIO_MAX = 3000
UPCOMING_DAYS = 14
PROFILE_UPDATED = "profile.updated"


class ProfileInvalid(Invalid):
    """The bio cannot be saved (a picture that cannot is ImageRefused, under "image")."""


@dataclass(frozen=True)
class Profile:
    """An instructor as the public sees them."""

    id: int
    full_name: str
    bio: str
    photo_url: str | None

    @property
    def bio_paragraphs(self) -> list[str]:
        return [p.strip() for p in self.bio.replace("\r\n", "\n").split("\n\n") if p.strip()]

    @property
    def initial(self) -> str:
        return (self.full_name.strip()[:1] or "?").upper()


def _profile(user: User) -> Profile:
    return Profile(user.id, user.full_name, user.bio or "", file_url(user.photo_key))


def _teaching() -> sa.Select:
    return (sa.select(User).join(Role, Role.id == User.role_id)
            .where(Role.level >= RoleLevel.MANAGER, User.status == UserStatus.ACTIVE))


def instructor(user_id: int) -> User:
    """A person who may teach, or NotFound (members have no public page)."""
    user = db.session.scalar(_teaching().where(User.id == user_id))
    if user is None:
        raise NotFound("There is no such instructor at this studio.")
    return user


def profile(user_id: int) -> Profile:
    return _profile(instructor(user_id))


def team() -> list[Profile]:
    """The instructors the studio page shows: those with a profile written or a class coming up (one query)."""
    teaching_soon = sa.exists().where(ClassSession.instructor_id == User.id, ClassSession.starts_at >= utcnow(),
                                      ClassSession.status == SessionStatus.SCHEDULED)
    rows = db.session.scalars(_teaching().where(sa.or_(User.bio != "", User.photo_key.is_not(None), teaching_soon))
                              .order_by(sa.func.lower(User.full_name)))
    return [_profile(user) for user in rows]


def upcoming_classes(user_id: int) -> list[Slot]:
    """The instructor's scheduled classes of the next two weeks (the timetable's one query, then filtered)."""
    now = utcnow()
    return [s for s in slots_between(now, now + timedelta(days=UPCOMING_DAYS), include_cancelled=False)
            if s.instructor_id == user_id]


def may_edit(principal: Principal, user: User) -> bool:
    """Managers and owners edit anyone's profile; an instructor their own."""
    scope = principal.scope("members", "update")
    return scope == "all" or (scope == "own" and principal.person_id == user.id)


def update_profile(user: User, actor: Principal, bio: str | None, photo: bytes | None = None,
                   remove_photo: bool = False) -> list[str]:
    """Change the bio and the photo (ImageRefused or Invalid say why not); returns what changed. Flushes."""
    if not may_edit(actor, user):
        raise NotAllowed("You can change your own profile only.")
    errors = FieldErrors()
    bio = text(errors, "bio", bio, BIO_MAX)
    errors.raise_if_any(ProfileInvalid)
    changed = []
    if bio != (user.bio or ""):
        user.bio = bio
        changed.append("bio")
    old_photo = user.photo_key
    if photo:
        user.photo_key = store_image(photo, "instructor_photo", actor, about=f"user:{user.id}").key
        changed.append("photo")
    elif remove_photo and old_photo:
        user.photo_key = None
        changed.append("photo removed")
    if user.photo_key != old_photo:
        discard(old_photo)
    db.session.flush()
    if changed:
        record(PROFILE_UPDATED, actor.label, actor.person_id, target=f"user:{user.id}", details={"changed": changed})
    return changed
