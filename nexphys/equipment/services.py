"""The equipment rules: assets and their status, problem reports, maintenance schedules and records.

Functions flush; the caller (request, CLI command, job) commits once. Values may be Python objects (from the
forms) or JSON values, so the pages and the API share one set of rules and messages. Every status change is an
AssetEvent row (who and why) and an audit entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.classes.models import Room
from nexphys.db import utcnow
from nexphys.equipment.errors import EquipmentConflict, EquipmentInvalid, found
from nexphys.equipment.models import (
    Asset,
    AssetEvent,
    AssetStatus,
    EquipmentCategory,
    MaintenanceRecord,
    MaintenanceSchedule,
    ProblemReport,
    ProblemStatus,
)
from nexphys.extensions import db
from nexphys.mail.services import queue_letter
from nexphys.members.models import User, UserStatus
from nexphys.roles.models import Role, RoleLevel
from nexphys.storage.documents import is_pdf
from nexphys.storage.services import discard, store_document, store_image
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.urls import studio_url
from nexphys.validation import FieldErrors, day, optional_id, text, unknown_fields, whole_number
from nexphys.web.access import Principal

NAME_MAX, SHORT_MAX, PLACE_MAX, NOTES_MAX, REASON_MAX = 120, 80, 120, 4000, 500
COST_MAX = Decimal("9999999999.99")
INTERVAL_MAX = 3650  # days or uses: ten years of daily care at most
ATTACHMENTS_MAX = 5
ASSET_FIELDS = ("name", "category", "make", "model", "serial", "room_id", "location", "purchased_on", "cost",
                "notes", "status", "status_reason")
SCHEDULE_FIELDS = ("title", "every_days", "every_uses", "responsible_id", "starts_on")
RECORD_FIELDS = ("done_on", "what", "cost", "schedule_id")
CREATED, UPDATED, DELETED = "equipment.created", "equipment.updated", "equipment.deleted"
STATUS_CHANGED, REPORTED, RESOLVED = "equipment.status_changed", "equipment.problem_reported", \
    "equipment.problem_resolved"
SCHEDULED, MAINTAINED = "equipment.schedule_added", "equipment.maintained"
SCHEDULE_CHANGED = "equipment.schedule_changed"


def _target(asset: Asset) -> str:
    return f"asset:{asset.id}"


def money(errors: FieldErrors, field: str, value: Any) -> Decimal | None:
    """An amount of money (at most two decimals, not negative), or None for nothing."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors.add(field, "Use an amount such as 1250 or 89.90.")
        return None
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(str(value))
    except InvalidOperation:
        errors.add(field, "Use an amount such as 1250 or 89.90.")
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        errors.add(field, "Use an amount with at most two decimals, such as 89.90.")
        return None
    if amount < 0 or amount > COST_MAX:
        errors.add(field, "The cost must be between 0 and 9,999,999,999.99.")
        return None
    return amount


def _not_future(errors: FieldErrors, field: str, value: date | None, what: str) -> date | None:
    if value is not None and value > require_tenant().today():
        errors.add(field, f"The {what} cannot be in the future.")
        return None
    return value


# --- categories ------------------------------------------------------------------------------------

def list_categories() -> list[EquipmentCategory]:
    """The studio's equipment categories by name."""
    return list(db.session.scalars(sa.select(EquipmentCategory).order_by(sa.func.lower(EquipmentCategory.name))))


def clean_category(name: Any) -> str:
    """A category's name, checked (EquipmentInvalid says why not)."""
    errors = FieldErrors()
    cleaned = text(errors, "name", name, SHORT_MAX, required=True, collapse=True)
    errors.raise_if_any(EquipmentInvalid)
    return cleaned


def find_category(name: str) -> EquipmentCategory | None:
    """The category of this name regardless of case, or None."""
    return db.session.scalar(sa.select(EquipmentCategory)
                             .where(sa.func.lower(EquipmentCategory.name) == name.lower()))


def category_named(name: str) -> EquipmentCategory:
    """The category of this name (regardless of case), made if it is new."""
    category = db.session.scalar(sa.select(EquipmentCategory)
                                 .where(sa.func.lower(EquipmentCategory.name) == name.lower()))
    if category is None:
        category = EquipmentCategory(name=name)
        db.session.add(category)
        db.session.flush()
    return category


# --- assets ------------------------------------------------------------------------------------------

def get_asset(asset_id: int) -> Asset:
    """The asset with this id, or EquipmentNotFound."""
    return found(db.session.get(Asset, asset_id), "piece of equipment")


def clean_asset(values: dict[str, Any], current: Asset | None = None) -> dict[str, Any]:
    """Validate asset fields; with `current`, only the fields given are checked (a partial update)."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    given = set(values) if current is not None else set(ASSET_FIELDS)
    unknown_fields(errors, values, ASSET_FIELDS)
    if "name" in given:
        cleaned["name"] = text(errors, "name", values.get("name"), NAME_MAX, required=True, collapse=True)
    if "category" in given:
        cleaned["category"] = text(errors, "category", values.get("category"), SHORT_MAX, collapse=True)
    for name in ("make", "model", "serial"):
        if name in given:
            cleaned[name] = text(errors, name, values.get(name), SHORT_MAX, collapse=True)
    if "location" in given:
        cleaned["location"] = text(errors, "location", values.get("location"), PLACE_MAX, collapse=True)
    if "notes" in given:
        cleaned["notes"] = text(errors, "notes", values.get("notes"), NOTES_MAX)
    if "room_id" in given:
        room_id = optional_id(errors, "room_id", values.get("room_id"))
        if room_id is not None and db.session.get(Room, room_id) is None:
            errors.add("room_id", "Choose one of the studio's rooms.")
        cleaned["room_id"] = room_id
    if "purchased_on" in given:
        bought = day(errors, "purchased_on", values.get("purchased_on"), required=False)
        cleaned["purchased_on"] = _not_future(errors, "purchased_on", bought, "purchase date")
    if "cost" in given:
        cleaned["cost"] = money(errors, "cost", values.get("cost"))
    if "status" in given:
        status = values.get("status") or (AssetStatus.IN_SERVICE if current is None else None)
        if status not in AssetStatus.ALL:
            errors.add("status", "Choose in service, needs attention, out of service or retired.")
        cleaned["status"] = status
    if "status_reason" in given:
        cleaned["status_reason"] = text(errors, "status_reason", values.get("status_reason"), REASON_MAX)
    if current is not None and cleaned.get("status") not in (None, current.status) \
            and not cleaned.get("status_reason"):
        errors.add("status_reason", "Say why the status changes (for example “belt worn, part ordered”).")
    errors.raise_if_any(EquipmentInvalid)
    return cleaned


def _event(asset: Asset, before: str | None, reason: str, actor: Principal | None) -> AssetEvent:
    event = AssetEvent(asset_id=asset.id, from_status=before, to_status=asset.status, reason=reason,
                       by_user_id=actor.person_id if actor else None, by_label=actor.label if actor else "")
    db.session.add(event)
    return event


def _actor(actor: Principal | None) -> tuple[str, int | None]:
    return (actor.label, actor.person_id) if actor else ("system", None)


def create_asset(values: dict[str, Any], actor: Principal | None) -> Asset:
    """A new asset; its first status is the first row of its history."""
    cleaned = clean_asset(values)
    category = cleaned.pop("category")
    reason = cleaned.pop("status_reason") or "Added"
    asset = Asset(**cleaned, category_id=category_named(category).id if category else None)
    db.session.add(asset)
    db.session.flush()
    _event(asset, None, reason, actor)
    record(CREATED, *_actor(actor), target=_target(asset), details={"name": asset.name, "status": asset.status})
    db.session.flush()
    return asset


def update_asset(asset: Asset, values: dict[str, Any], actor: Principal | None) -> bool:
    """Change the fields given (a status change needs `status_reason`); returns whether anything changed."""
    cleaned = clean_asset(values, current=asset)
    status, reason = cleaned.pop("status", None), cleaned.pop("status_reason", None) or ""
    if "category" in cleaned:
        category = cleaned.pop("category")
        cleaned["category_id"] = category_named(category).id if category else None
    changed = [name for name, value in cleaned.items() if getattr(asset, name) != value]
    for name in changed:
        setattr(asset, name, cleaned[name])
    db.session.flush()
    if changed:
        record(UPDATED, *_actor(actor), target=_target(asset), details={"name": asset.name, "fields": changed})
    moved = status is not None and change_status(asset, status, reason, actor)
    db.session.expire(asset, ["category", "room"])
    return bool(changed) or moved


def change_status(asset: Asset, status: str, reason: str, actor: Principal | None) -> bool:
    """Move the asset to `status`, saying why (kept in its history and the audit log); False if unchanged."""
    errors = FieldErrors()
    if status not in AssetStatus.ALL:
        errors.add("status", "Choose in service, needs attention, out of service or retired.")
    reason = text(errors, "status_reason", reason, REASON_MAX) or ""
    if status != asset.status and not reason and not errors:
        errors.add("status_reason", "Say why the status changes (for example “belt worn, part ordered”).")
    errors.raise_if_any(EquipmentInvalid)
    if status == asset.status:
        return False
    before, asset.status = asset.status, status
    _event(asset, before, reason, actor)
    record(STATUS_CHANGED, *_actor(actor), target=_target(asset),
           details={"name": asset.name, "from": before, "to": status, "reason": reason})
    db.session.flush()
    return True


def set_asset_photo(asset: Asset, data: bytes | None, actor: Principal) -> bool:
    """A new photo of the asset (`data`), or none (None); the old one is deleted. ImageRefused says why not."""
    old = asset.photo_key
    if data is None and old is None:
        return False
    asset.photo_key = store_image(data, "asset_photo", actor, _target(asset)).key if data is not None else None
    discard(old)
    db.session.flush()
    return True


def delete_asset(asset: Asset, actor: Principal | None) -> None:
    """Remove an asset with its history, reports, schedules and records (and their files)."""
    keys = [asset.photo_key, *db.session.scalars(sa.select(ProblemReport.photo_key)
                                                  .where(ProblemReport.asset_id == asset.id))]
    for attachments in db.session.scalars(sa.select(MaintenanceRecord.attachment_keys)
                                          .where(MaintenanceRecord.asset_id == asset.id)):
        keys += attachments
    record(DELETED, *_actor(actor), target=_target(asset), details={"name": asset.name})
    db.session.delete(asset)
    db.session.flush()
    for key in keys:
        discard(key)


# --- problem reports ------------------------------------------------------------------------------------

def report_problem(asset: Asset, description: Any, photo: bytes | None, actor: Principal) -> ProblemReport:
    """Someone reports a problem (with a photo, maybe); an asset in service then needs attention."""
    errors = FieldErrors()
    description = text(errors, "text", description, NOTES_MAX, required=True,)
    errors.raise_if_any(EquipmentInvalid)
    if asset.status == AssetStatus.RETIRED:
        raise EquipmentConflict("This equipment is retired: there is nothing to report.")
    report = ProblemReport(asset_id=asset.id, reported_by=actor.person_id, text=description,
                           photo_key=store_image(photo, "problem_photo", actor, _target(asset)).key if photo else None)
    db.session.add(report)
    db.session.flush()
    record(REPORTED, *_actor(actor), target=_target(asset), details={"name": asset.name, "report": report.id})
    if asset.status == AssetStatus.IN_SERVICE:
        change_status(asset, AssetStatus.NEEDS_ATTENTION, f"Problem reported: {description[:200]}", actor)
    _tell_about_problem(asset, description, actor)
    return report


def _tell_about_problem(asset: Asset, description: str, actor: Principal) -> None:
    """Email whoever looks after the asset (its schedules' responsible staff, else every manager) of a report."""
    people = list(db.session.scalars(
        sa.select(User).join(MaintenanceSchedule, MaintenanceSchedule.responsible_id == User.id)
        .where(MaintenanceSchedule.asset_id == asset.id, User.status == UserStatus.ACTIVE).distinct())) or staff()
    link = studio_url(require_tenant().slug) + f"equipment/{asset.id}"
    reporter = db.session.get(User, actor.person_id) if actor.person_id else None
    who = reporter.full_name if reporter else actor.label
    for person in people:
        if person.id == actor.person_id:
            continue  # who reported it knows
        queue_letter(person.email, f"Problem reported: {asset.name}", name=person.full_name, kind="equipment",
                     paragraphs=[f"{who} reported a problem with {asset.name}:", f"“{description}”"],
                     action=("Open the equipment", link))


def get_report(asset: Asset, report_id: int) -> ProblemReport:
    """One problem report of this asset, or EquipmentNotFound."""
    report = db.session.get(ProblemReport, report_id)
    return found(report if report is not None and report.asset_id == asset.id else None, "problem report")


def resolve_problem(report: ProblemReport, actor: Principal) -> None:
    """Mark a problem fixed (the asset's status is the staff's separate choice)."""
    if report.status == ProblemStatus.RESOLVED:
        raise EquipmentConflict("That problem is already marked fixed.")
    report.status, report.resolved_by, report.resolved_at = ProblemStatus.RESOLVED, actor.person_id, utcnow()
    record(RESOLVED, *_actor(actor), target=f"asset:{report.asset_id}", details={"report": report.id})
    db.session.flush()


# --- maintenance ----------------------------------------------------------------------------------------

def staff() -> list[User]:
    """Active people of manager level or above, who may be responsible for maintenance."""
    return list(db.session.scalars(
        sa.select(User).join(Role, Role.id == User.role_id)
        .where(Role.level >= RoleLevel.MANAGER, User.status == UserStatus.ACTIVE)
        .order_by(sa.func.lower(User.full_name))))


def clean_schedule(values: dict[str, Any]) -> dict[str, Any]:
    """Validate a schedule: a title, every N days or after N uses (one of them), someone responsible."""
    errors = FieldErrors()
    unknown_fields(errors, values, SCHEDULE_FIELDS)
    cleaned: dict[str, Any] = {"title": text(errors, "title", values.get("title"), NAME_MAX, required=True,
                                             collapse=True)}
    for name, label in (("every_days", "The number of days"), ("every_uses", "The number of uses")):
        given = values.get(name) not in (None, "")
        cleaned[name] = whole_number(errors, name, values.get(name), 1, INTERVAL_MAX, label) if given else None
    if values.get("every_days") in (None, "") and values.get("every_uses") in (None, ""):
        errors.add("every_days", "Say how often: every so many days, or after so many uses.")
    elif values.get("every_days") not in (None, "") and values.get("every_uses") not in (None, ""):
        errors.add("every_uses", "Choose days or uses, not both.")
    responsible = optional_id(errors, "responsible_id", values.get("responsible_id"))
    if responsible is not None and responsible not in {user.id for user in staff()}:
        errors.add("responsible_id", "Choose one of the studio's staff.")
    cleaned["responsible_id"] = responsible
    cleaned["starts_on"] = day(errors, "starts_on", values.get("starts_on"), required=False) \
        or require_tenant().today()
    errors.raise_if_any(EquipmentInvalid)
    return cleaned


def add_schedule(asset: Asset, values: dict[str, Any], actor: Principal | None) -> MaintenanceSchedule:
    """A recurring maintenance task for the asset (first due `every_days` after `starts_on`, default today)."""
    schedule = MaintenanceSchedule(asset_id=asset.id, **clean_schedule(values))
    db.session.add(schedule)
    db.session.flush()
    record(SCHEDULED, *_actor(actor), target=_target(asset), details={"schedule": schedule.id,
                                                                      "title": schedule.title})
    return schedule


def get_schedule(asset: Asset, schedule_id: int) -> MaintenanceSchedule:
    """One maintenance schedule of this asset, or EquipmentNotFound."""
    schedule = db.session.get(MaintenanceSchedule, schedule_id)
    return found(schedule if schedule is not None and schedule.asset_id == asset.id else None, "schedule")


def update_schedule(schedule: MaintenanceSchedule, values: dict[str, Any], actor: Principal | None) -> bool:
    """Change the fields given (checked together with the others as they are); returns whether anything changed."""
    merged = {name: getattr(schedule, name) for name in SCHEDULE_FIELDS}
    if values.get("every_days") not in (None, ""):
        merged["every_uses"] = None  # switching to days: the uses go (and the other way round)
    if values.get("every_uses") not in (None, ""):
        merged["every_days"] = None
    cleaned = clean_schedule({**merged, **values})
    changed = [name for name, value in cleaned.items() if getattr(schedule, name) != value]
    for name in changed:
        setattr(schedule, name, cleaned[name])
    db.session.flush()
    if changed:
        record(SCHEDULE_CHANGED, *_actor(actor), target=f"asset:{schedule.asset_id}",
               details={"schedule": schedule.id, "fields": changed})
    return bool(changed)


def delete_schedule(schedule: MaintenanceSchedule) -> None:
    """Stop a recurring task (its past records stay)."""
    db.session.delete(schedule)
    db.session.flush()


def clean_record(asset: Asset, values: dict[str, Any]) -> dict[str, Any]:
    """Validate a maintenance record: what was done, when (not in the future), its cost, its schedule."""
    errors = FieldErrors()
    unknown_fields(errors, values, RECORD_FIELDS)
    done = day(errors, "done_on", values.get("done_on"), required=False) or require_tenant().today()
    cleaned: dict[str, Any] = {"done_on": _not_future(errors, "done_on", done, "day it was done"),
                               "what": text(errors, "what", values.get("what"), NOTES_MAX, required=True),
                               "cost": money(errors, "cost", values.get("cost"))}
    schedule_id = optional_id(errors, "schedule_id", values.get("schedule_id"))
    if schedule_id is not None:
        schedule = db.session.get(MaintenanceSchedule, schedule_id)
        if schedule is None or schedule.asset_id != asset.id:
            errors.add("schedule_id", "Choose one of this equipment's schedules.")
    cleaned["schedule_id"] = schedule_id
    errors.raise_if_any(EquipmentInvalid)
    return cleaned


def log_record(asset: Asset, values: dict[str, Any], attachments: Iterable[bytes], actor: Principal | None
               ) -> MaintenanceRecord:
    """Log maintenance done (receipts as PDFs or pictures attached); a schedule it answers counts from that day."""
    cleaned = clean_record(asset, values)
    files = [data for data in attachments if data]
    if len(files) > ATTACHMENTS_MAX:
        raise EquipmentInvalid({"attachments": [f"Attach at most {ATTACHMENTS_MAX} files."]})
    keys = [(store_document(data, "maintenance_document", actor, _target(asset)) if is_pdf(data)
             else store_image(data, "maintenance_receipt", actor, _target(asset))).key for data in files]
    entry = MaintenanceRecord(asset_id=asset.id, by_user_id=actor.person_id if actor else None,
                              attachment_keys=keys, **cleaned)
    db.session.add(entry)
    if entry.schedule_id is not None:
        schedule = db.session.get(MaintenanceSchedule, entry.schedule_id)
        if schedule.last_done_on is None or schedule.last_done_on < entry.done_on:
            schedule.last_done_on = entry.done_on
    db.session.flush()
    record(MAINTAINED, *_actor(actor), target=_target(asset),
           details={"record": entry.id, "schedule": entry.schedule_id, "cost": str(entry.cost or "")})
    return entry
