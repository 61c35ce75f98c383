"""Equipment meets the schedule: what classes need, which sessions are short of it, and how much assets are used.

A requirement belongs to a class type (every session of it) or to one session, which overrides its type's
requirement of the same category (a quantity of 0 there: not needed this time). What a session needs of a
category is `quantity`, or `quantity` per place when `per_member` (one bike per person: needed = places).
What it has is the assets of that category in its room that are in service or need attention. Every read here
answers for many sessions in one statement: the staff schedule asks once per page, never once per class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from nexphys.audit.services import record
from nexphys.classes.models import ClassSession, ClassType, Room, SessionStatus
from nexphys.db import utcnow
from nexphys.equipment.errors import EquipmentInvalid
from nexphys.equipment.models import Asset, AssetStatus, EquipmentCategory, EquipmentRequirement, MaintenanceSchedule
from nexphys.equipment.services import SHORT_MAX, category_named
from nexphys.extensions import db
from nexphys.settings.services import cached_setting
from nexphys.tenancy.context import require_tenant
from nexphys.validation import FieldErrors, NumberWords, text, whole_number
from nexphys.web.access import Principal

USABLE = (AssetStatus.IN_SERVICE, AssetStatus.NEEDS_ATTENTION)  # what a class can use
QUANTITY_MAX, REQUIREMENTS_MAX = 1000, 10
REQUIREMENTS_CHANGED = "equipment.requirements_changed"
QUANTITY_WORDS = NumberWords(missing="Say how many are needed.", not_number="Use a number such as 12.")


@dataclass(frozen=True)
class Shortfall:
    """A session that needs more of a category than its room has usable."""

    session_id: int
    category_id: int
    category: str
    room_id: int
    room: str
    needed: int
    available: int
    quantity: int
    per_member: bool

    @property
    def missing(self) -> int:
        return self.needed - self.available

    @property
    def words(self) -> str:
        """E.g. "needs 12 Bikes in Room 2, has 11"."""
        return f"needs {self.needed} {self.category} in {self.room}, has {self.available}"


def warning_days() -> int:
    """How many days ahead a change of equipment warns about the classes it touches."""
    try:
        return max(int(cached_setting("equipment_warning_days") or 14), 1)
    except (TypeError, ValueError):
        return 14


# --- requirements -----------------------------------------------------------------------------------------

def requirements_of(*, class_type_id: int | None = None, session_id: int | None = None
                    ) -> list[EquipmentRequirement]:
    """A class type's or a session's own requirements, by category name."""
    owner = EquipmentRequirement.class_type_id == class_type_id if class_type_id is not None \
        else EquipmentRequirement.session_id == session_id
    return list(db.session.scalars(sa.select(EquipmentRequirement).join(EquipmentRequirement.category)
                                   .where(owner).order_by(sa.func.lower(EquipmentCategory.name))))


def clean_requirements(items: Iterable[dict[str, Any]], *, for_session: bool) -> list[dict[str, Any]]:
    """Validate requirement rows {category, quantity, per_member}; blank rows are dropped. Errors are keyed
    "<row>.<field>" (row from 0). A session's row may ask for 0 (not needed this time); a type's may not."""
    errors = FieldErrors()
    cleaned, seen = [], set()
    items = list(items)
    if len(items) > REQUIREMENTS_MAX:
        errors.add("requirements", f"List at most {REQUIREMENTS_MAX} kinds of equipment.")
    for index, item in enumerate(items[:REQUIREMENTS_MAX]):
        if not isinstance(item, dict):
            errors.add(f"{index}.category", "Each line needs a kind of equipment and how many.")
            continue
        name = text(errors, f"{index}.category", item.get("category"), SHORT_MAX, collapse=True)
        quantity_given = item.get("quantity") not in (None, "")
        if not name and not quantity_given:
            continue  # an empty line of the form
        if not name:
            errors.add(f"{index}.category", "Say which kind of equipment (for example “Bikes”).")
        least = 0 if for_session else 1
        quantity = whole_number(errors, f"{index}.quantity", item.get("quantity"), least, QUANTITY_MAX,
                                "The number", words=QUANTITY_WORDS) if quantity_given else None
        if not quantity_given:
            errors.add(f"{index}.quantity", "Say how many are needed.")
        if name and name.lower() in seen:
            errors.add(f"{index}.category", f"“{name}” is listed twice: keep one line for it.")
        seen.add((name or "").lower())
        per_member = item.get("per_member")
        if per_member not in (None, "", True, False, "y", "on", "true", "1"):
            errors.add(f"{index}.per_member", "Choose yes or no.")
        cleaned.append({"category": name, "quantity": quantity,
                        "per_member": per_member in (True, "y", "on", "true", "1")})
    errors.raise_if_any(EquipmentInvalid)
    return cleaned


def set_requirements(items: Iterable[dict[str, Any]], actor: Principal | None, *, class_type: ClassType | None = None,
                     session: ClassSession | None = None) -> list[EquipmentRequirement]:
    """Replace a class type's or a session's requirements with `items` (new categories are made); audited."""
    cleaned = clean_requirements(items, for_session=session is not None)
    owner = {"class_type_id": class_type.id} if class_type is not None else {"session_id": session.id}
    column = next(iter(owner))
    db.session.execute(sa.delete(EquipmentRequirement)
                       .where(getattr(EquipmentRequirement, column) == owner[column]))
    rows = [EquipmentRequirement(**owner, category_id=category_named(item["category"]).id,
                                 quantity=item["quantity"], per_member=item["per_member"]) for item in cleaned]
    db.session.add_all(rows)
    db.session.flush()
    target = f"class_type:{class_type.id}" if class_type is not None else f"class_session:{session.id}"
    label, person = (actor.label, actor.person_id) if actor else ("system", None)
    record(REQUIREMENTS_CHANGED, label, person, target=target,
           details={"requirements": [{k: v for k, v in item.items()} for item in cleaned]})
    return requirements_of(**{column: owner[column]})


# --- what sessions need, and what they are short of ----------------------------------------------------------

def _effective(*where: sa.ColumnElement) -> sa.Subquery:
    """(session_id, category_id, quantity, per_member) in effect for the sessions matching `where`: a session's
    own rows, and its type's rows of categories it does not name itself."""
    own, inherited, override = aliased(EquipmentRequirement), aliased(EquipmentRequirement), \
        aliased(EquipmentRequirement)
    sessions = ClassSession.__table__
    mine = (sa.select(own.session_id.label("session_id"), own.category_id, own.quantity, own.per_member)
            .join(sessions, sessions.c.id == own.session_id).where(*where))
    typed = (sa.select(sessions.c.id.label("session_id"), inherited.category_id, inherited.quantity,
                       inherited.per_member)
             .select_from(sessions).join(inherited, inherited.class_type_id == sessions.c.class_type_id)
             .where(*where, ~sa.exists().where(override.session_id == sessions.c.id,
                                               override.category_id == inherited.category_id)))
    return sa.union_all(mine, typed).subquery("needs")


def _available(excluding_asset_id: int | None = None) -> sa.Subquery:
    """Usable assets per (room, category), leaving one asset out when asked (to see what taking it away does)."""
    query = (sa.select(Asset.room_id, Asset.category_id, sa.func.count().label("count"))
             .where(Asset.status.in_(USABLE), Asset.room_id.is_not(None), Asset.category_id.is_not(None))
             .group_by(Asset.room_id, Asset.category_id))
    if excluding_asset_id is not None:
        query = query.where(Asset.id != excluding_asset_id)
    return query.subquery("available")


def _shortfalls(*where: sa.ColumnElement, excluding_asset_id: int | None = None,
                category_id: int | None = None) -> list[Shortfall]:
    sessions = ClassSession.__table__
    needs, available = _effective(*where), _available(excluding_asset_id)
    needed = sa.case((needs.c.per_member, needs.c.quantity * sessions.c.capacity), else_=needs.c.quantity)
    have = sa.func.coalesce(available.c.count, 0)
    query = (sa.select(needs.c.session_id, needs.c.category_id, EquipmentCategory.name, sessions.c.room_id, Room.name,
                       needed, have, needs.c.quantity, needs.c.per_member)
             .select_from(needs).join(sessions, sessions.c.id == needs.c.session_id)
             .join(EquipmentCategory, EquipmentCategory.id == needs.c.category_id)
             .join(Room, Room.id == sessions.c.room_id)
             .outerjoin(available, sa.and_(available.c.room_id == sessions.c.room_id,
                                           available.c.category_id == needs.c.category_id))
             .where(needed > have)
             .order_by(sessions.c.starts_at, needs.c.session_id, EquipmentCategory.name))
    if category_id is not None:
        query = query.where(needs.c.category_id == category_id)
    return [Shortfall(*row) for row in db.session.execute(query)]


def shortfalls_for(session_ids: Iterable[int]) -> dict[int, list[Shortfall]]:
    """What each of these sessions is short of (only short ones are keys): one query for them all."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    found: dict[int, list[Shortfall]] = {}
    for shortfall in _shortfalls(ClassSession.__table__.c.id.in_(ids)):
        found.setdefault(shortfall.session_id, []).append(shortfall)
    return found


def _upcoming(start: datetime, end: datetime) -> tuple[sa.ColumnElement, ...]:
    sessions = ClassSession.__table__
    return (sessions.c.status == SessionStatus.SCHEDULED, sessions.c.starts_at < end, sessions.c.ends_at > start)


def shortfalls_between(start: datetime, end: datetime) -> list[Shortfall]:
    """Every scheduled session of [start, end) that is short of something, in start order."""
    return _shortfalls(*_upcoming(start, end))


def _upcoming_of(asset: Asset, days: int | None) -> tuple[sa.ColumnElement, ...]:
    now = utcnow()
    sessions = ClassSession.__table__
    return (*_upcoming(now, now + timedelta(days=days or warning_days())), sessions.c.starts_at > now,
            sessions.c.room_id == asset.room_id)


def short_without(asset: Asset, days: int | None = None) -> list[Shortfall]:
    """The classes of the next days that would be short of the asset's category were it out of service."""
    if asset.room_id is None or asset.category_id is None:
        return []
    return _shortfalls(*_upcoming_of(asset, days), category_id=asset.category_id,
                       excluding_asset_id=asset.id if asset.status in USABLE else None)


def short_now(asset: Asset, days: int | None = None) -> list[Shortfall]:
    """The classes of the next days (not started) short of the asset's category in its room, as things are."""
    if asset.room_id is None or asset.category_id is None:
        return []
    return _shortfalls(*_upcoming_of(asset, days), category_id=asset.category_id)


# --- uses -------------------------------------------------------------------------------------------------

def uses_between(asset: Asset, start: datetime, end: datetime) -> int:
    """Held sessions (not cancelled) in the asset's room, starting in [start, end), that need its category."""
    if asset.room_id is None or asset.category_id is None:
        return 0
    sessions = ClassSession.__table__
    needs = _effective(sessions.c.room_id == asset.room_id, sessions.c.status == SessionStatus.SCHEDULED,
                       sessions.c.starts_at >= start, sessions.c.starts_at < end)
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(needs.c.session_id)))
                             .where(needs.c.category_id == asset.category_id, needs.c.quantity > 0)) or 0


def counted_since(asset: Asset) -> date:
    """The day its uses are counted from: its purchase, else the day it was added."""
    return asset.purchased_on or require_tenant().local(asset.created_at).date()


def uses_since(asset: Asset, day: date, now: datetime | None = None) -> int:
    """Classes the asset served (ended by now) since the start of `day` (studio time)."""
    return uses_between_ended(asset, require_tenant().days(day)[0], now or utcnow())


def uses_between_ended(asset: Asset, start: datetime, now: datetime) -> int:
    """Uses from `start` of classes already over at `now` (a class under way has not been used yet)."""
    if asset.room_id is None or asset.category_id is None:
        return 0
    sessions = ClassSession.__table__
    needs = _effective(sessions.c.room_id == asset.room_id, sessions.c.status == SessionStatus.SCHEDULED,
                       sessions.c.starts_at >= start, sessions.c.ends_at <= now)
    return db.session.scalar(sa.select(sa.func.count(sa.distinct(needs.c.session_id)))
                             .where(needs.c.category_id == asset.category_id, needs.c.quantity > 0)) or 0


def count_uses(schedules: Iterable[MaintenanceSchedule], now: datetime | None = None) -> None:
    """Set `uses` on each use-based schedule: classes its asset served since it was last done (or started)."""
    now = now or utcnow()
    for schedule in schedules:
        if schedule.every_uses is not None:
            schedule.uses = uses_since(schedule.asset, schedule.counted_from, now)


def use_based_due(soon_days: int, now: datetime | None = None
                  ) -> tuple[list[MaintenanceSchedule], list[MaintenanceSchedule]]:
    """(due: used at least every_uses times, due soon: the classes booked in the next `soon_days` reach it).

    One count per use-based schedule (a studio has a handful), never one per class."""
    now = now or utcnow()
    schedules = list(db.session.scalars(
        sa.select(MaintenanceSchedule).join(Asset, Asset.id == MaintenanceSchedule.asset_id)
        .where(MaintenanceSchedule.every_uses.is_not(None), Asset.status != AssetStatus.RETIRED)
        .order_by(MaintenanceSchedule.id)))
    count_uses(schedules, now)
    due = [s for s in schedules if s.uses >= s.every_uses]
    soon = [s for s in schedules if s.uses < s.every_uses
            and s.uses + uses_between(s.asset, now, now + timedelta(days=soon_days)) >= s.every_uses]
    return due, soon
