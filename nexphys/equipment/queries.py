"""Reads for the equipment pages and API: the asset list with its filters, counts, and maintenance due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

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
from nexphys.equipment.requirements import use_based_due
from nexphys.extensions import db

SEARCH_MAX = 100


@dataclass(frozen=True)
class AssetFilters:
    """What the list is narrowed to (every one optional)."""

    q: str = ""
    category_id: int | None = None
    status: str | None = None
    room_id: int | None = None

    def args(self) -> dict[str, str | int]:
        """The active filters as query arguments (for pagination links)."""
        found = {"q": self.q, "category": self.category_id, "status": self.status, "room": self.room_id}
        return {name: value for name, value in found.items() if value}


def _filtered(filters: AssetFilters) -> sa.Select:
    query = sa.select(Asset)
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(sa.or_(*(column.ilike(pattern) for column in
                                     (Asset.name, Asset.make, Asset.model, Asset.serial, Asset.location))))
    if filters.category_id:
        query = query.where(Asset.category_id == filters.category_id)
    if filters.status:
        query = query.where(Asset.status == filters.status)
    if filters.room_id:
        query = query.where(Asset.room_id == filters.room_id)
    return query


def list_assets(filters: AssetFilters, page: int = 1, per_page: int = 25):
    """Assets matching the filters by name; a Flask-SQLAlchemy page."""
    query = _filtered(filters).order_by(sa.func.lower(Asset.name), Asset.id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def status_counts() -> dict[str, int]:
    """How many assets have each status (every status present, possibly 0)."""
    counts = dict(db.session.execute(sa.select(Asset.status, sa.func.count()).group_by(Asset.status)).all())
    return {status: counts.get(status, 0) for status in AssetStatus.ALL}


def categories_in_use() -> list[EquipmentCategory]:
    """Categories by name (for the list's filter)."""
    return list(db.session.scalars(sa.select(EquipmentCategory).order_by(sa.func.lower(EquipmentCategory.name))))


def open_problems(asset_id: int) -> list[ProblemReport]:
    """The asset's unresolved problem reports, newest first."""
    return list(db.session.scalars(sa.select(ProblemReport).where(
        ProblemReport.asset_id == asset_id, ProblemReport.status == ProblemStatus.OPEN)
        .order_by(ProblemReport.created_at.desc())))


def problems_of(asset_id: int, status: str | None = None, page: int = 1, per_page: int = 25):
    """The asset's problem reports (open or resolved ones only, when asked), newest first; a page."""
    query = sa.select(ProblemReport).where(ProblemReport.asset_id == asset_id)
    if status:
        query = query.where(ProblemReport.status == status)
    return db.paginate(query.order_by(ProblemReport.created_at.desc(), ProblemReport.id.desc()), page=page,
                       per_page=per_page, error_out=False)


def category_counts() -> list[tuple[EquipmentCategory, int]]:
    """Every category by name with how many assets are of it."""
    return list(db.session.execute(
        sa.select(EquipmentCategory, sa.func.count(Asset.id))
        .outerjoin(Asset, Asset.category_id == EquipmentCategory.id).group_by(EquipmentCategory.id)
        .order_by(sa.func.lower(EquipmentCategory.name))).all())


def open_problem_counts(asset_ids: list[int]) -> dict[int, int]:
    """How many unresolved problems each of these assets has (one query for a page of them)."""
    if not asset_ids:
        return {}
    counts = db.session.execute(sa.select(ProblemReport.asset_id, sa.func.count()).where(
        ProblemReport.asset_id.in_(asset_ids), ProblemReport.status == ProblemStatus.OPEN)
        .group_by(ProblemReport.asset_id)).all()
    return dict(counts)


def history(asset_id: int, limit: int = 20) -> list[AssetEvent]:
    """The asset's latest status changes."""
    return list(db.session.scalars(sa.select(AssetEvent).where(AssetEvent.asset_id == asset_id)
                                   .order_by(AssetEvent.created_at.desc(), AssetEvent.id.desc()).limit(limit)))


def schedules_of(asset_id: int) -> list[MaintenanceSchedule]:
    """The asset's maintenance schedules by title."""
    return list(db.session.scalars(sa.select(MaintenanceSchedule).where(MaintenanceSchedule.asset_id == asset_id)
                                   .order_by(sa.func.lower(MaintenanceSchedule.title))))


def records_of(asset_id: int, page: int = 1, per_page: int = 20):
    """The asset's maintenance log, latest first; a Flask-SQLAlchemy page."""
    query = sa.select(MaintenanceRecord).where(MaintenanceRecord.asset_id == asset_id) \
        .order_by(MaintenanceRecord.done_on.desc(), MaintenanceRecord.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


# The day a day-based schedule is next due, in SQL (date + integer is a date in PostgreSQL).
due_day = sa.func.coalesce(MaintenanceSchedule.last_done_on, MaintenanceSchedule.starts_on) \
    + MaintenanceSchedule.every_days


def due_by(day: date) -> sa.Select:
    """Day-based schedules of assets still in use that are due on or before `day`, soonest first."""
    return (sa.select(MaintenanceSchedule).join(Asset, Asset.id == MaintenanceSchedule.asset_id)
            .where(MaintenanceSchedule.every_days.is_not(None), Asset.status != AssetStatus.RETIRED,
                   due_day <= sa.literal(day, sa.Date))
            .order_by(due_day, MaintenanceSchedule.id))


def due_lists(today: date, soon_days: int) -> tuple[list[MaintenanceSchedule], list[MaintenanceSchedule]]:
    """(overdue: due before today or used up, due soon: due from today to `soon_days` ahead, or used up by the
    classes of those days)."""
    due = list(db.session.scalars(due_by(today + timedelta(days=soon_days))))
    used_up, used_soon = use_based_due(soon_days)
    return [s for s in due if s.due_on < today] + used_up, [s for s in due if s.due_on >= today] + used_soon
