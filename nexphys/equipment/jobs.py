"""Scheduled maintenance reminders: the responsible staff are emailed once per due occurrence.

The scheduler runs `remind_all_studios` (a platform job) every hour; it queues `remind_due_maintenance` per
active studio. A schedule remembers the due day it reminded about (`reminded_for`), written in the same
transaction as the email, so each occurrence is emailed once; logging the work makes a new occurrence.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.equipment.models import MaintenanceSchedule
from nexphys.equipment.queries import due_by, due_day
from nexphys.equipment.requirements import use_based_due
from nexphys.extensions import db
from nexphys.jobs.wrapper import enqueue_for_active_tenants, tenant_job
from nexphys.mail.services import queue_letter
from nexphys.members.models import UserStatus
from nexphys.tenancy.context import require_tenant
from nexphys.tenancy.urls import studio_url

REMINDER_SENT = "equipment.reminder_sent"


def send_due_reminders(today: date | None = None) -> int:
    """Email the responsible person of every schedule due today or earlier, once per due day; returns how many."""
    today = today or require_tenant().today()
    due = list(db.session.scalars(
        due_by(today).where(MaintenanceSchedule.responsible_id.is_not(None),
                            sa.or_(MaintenanceSchedule.reminded_for.is_(None),
                                   MaintenanceSchedule.reminded_for != due_day))
        .with_for_update(of=MaintenanceSchedule, skip_locked=True)))
    sent = 0
    for schedule in due:
        person, asset = schedule.responsible, schedule.asset
        schedule.reminded_for = schedule.due_on  # even for someone who left: no email piles up for them
        if person.status != UserStatus.ACTIVE or not person.email:
            continue
        late = (today - schedule.due_on).days
        when = "today" if late == 0 else f"{late} day{'s' if late != 1 else ''} ago"
        queue_letter(person.email, f"Maintenance due: {schedule.title} ({asset.name})", name=person.full_name,
                     kind="equipment_maintenance_due",
                     paragraphs=[f"“{schedule.title}” on {asset.name} was due {when} "
                                 f"({schedule.due_on.strftime('%d %b %Y')}).",
                                 "Log the work on the equipment's page once it is done."],
                     action=("Open the equipment", studio_url(require_tenant().slug) + f"equipment/{asset.id}"))
        record(REMINDER_SENT, "system", None, target=f"asset:{asset.id}",
               details={"schedule": schedule.id, "due_on": schedule.due_on.isoformat(), "to": person.id})
        sent += 1
    sent += _remind_used_up()
    db.session.flush()
    return sent


def _remind_used_up() -> int:
    """Use-based schedules that are due: one email per cycle (`reminded_for` holds the day the cycle began)."""
    due, _soon = use_based_due(0)
    sent = 0
    for schedule in due:
        person, asset = schedule.responsible, schedule.asset
        if person is None or schedule.reminded_for == schedule.counted_from:
            continue
        schedule.reminded_for = schedule.counted_from
        if person.status != UserStatus.ACTIVE or not person.email:
            continue
        queue_letter(person.email, f"Maintenance due: {schedule.title} ({asset.name})", name=person.full_name,
                     kind="equipment_maintenance_due",
                     paragraphs=[f"“{schedule.title}” on {asset.name} is due: it has been used in {schedule.uses} "
                                 f"classes since {schedule.counted_from.strftime('%d %b %Y')} (every "
                                 f"{schedule.every_uses} uses).",
                                 "Log the work on the equipment's page once it is done."],
                     action=("Open the equipment", studio_url(require_tenant().slug) + f"equipment/{asset.id}"))
        record(REMINDER_SENT, "system", None, target=f"asset:{asset.id}",
               details={"schedule": schedule.id, "uses": schedule.uses, "to": person.id})
        sent += 1
    return sent


@tenant_job
def remind_due_maintenance(today: str | None = None) -> int:
    """One studio's maintenance reminders (`today`: an ISO day, for tests and replays)."""
    return send_due_reminders(date.fromisoformat(today) if today else None)


@tenant_job(platform=True)
def remind_all_studios() -> list[int]:
    """Scheduler job: enqueue remind_due_maintenance for every active studio; returns their ids."""
    return enqueue_for_active_tenants(remind_due_maintenance, job_id=lambda tenant_id: f"equipment-due-{tenant_id}",
                                      queue="low")
