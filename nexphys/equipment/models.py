"""Equipment: categories, assets with their status history, problem reports, maintenance schedules and records.

Costs are Numeric amounts in the studio's currency (the `equipment_currency` setting, a code such as
"EUR"). Pictures and receipts are keys in storage (nexphys.storage), never paths.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.classes.models import ClassSession, ClassType, Room
from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.members.models import User


class AssetStatus:
    IN_SERVICE = "in_service"
    NEEDS_ATTENTION = "needs_attention"
    OUT_OF_SERVICE = "out_of_service"
    RETIRED = "retired"
    ALL = (IN_SERVICE, NEEDS_ATTENTION, OUT_OF_SERVICE, RETIRED)
    LABELS = {IN_SERVICE: "In service", NEEDS_ATTENTION: "Needs attention", OUT_OF_SERVICE: "Out of service",
              RETIRED: "Retired"}


class ProblemStatus:
    OPEN = "open"
    RESOLVED = "resolved"


class EquipmentCategory(TenantModel):
    __tablename__ = "equipment_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)


class Asset(TenantModel):
    __tablename__ = "assets"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(AssetStatus.ALL), name="status_known"),
        sa.CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey(EquipmentCategory.id), index=True)
    make: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    model: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    serial: Mapped[str] = mapped_column(sa.String(80), default="", server_default="")
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Room.id, ondelete="SET NULL"), index=True)
    location: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")  # when not in a room
    purchased_on: Mapped[date | None] = mapped_column(sa.Date)
    cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    status: Mapped[str] = mapped_column(sa.String(20), default=AssetStatus.IN_SERVICE, index=True)
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)

    category: Mapped[EquipmentCategory | None] = relationship(lazy="joined")
    room: Mapped[Room | None] = relationship(lazy="joined")

    @property
    def status_label(self) -> str:
        return AssetStatus.LABELS.get(self.status, self.status)

    @property
    def place(self) -> str:
        """Where it is: its room, else the free-text location."""
        return self.room.name if self.room else self.location


class AssetEvent(TenantModel):
    """One status change of an asset: from, to, who and why (its history)."""

    __tablename__ = "asset_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey(Asset.id, ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    by_label: Mapped[str] = mapped_column(sa.String(254), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)


class ProblemReport(TenantModel):
    __tablename__ = "problem_reports"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_((ProblemStatus.OPEN, ProblemStatus.RESOLVED)),
                           name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey(Asset.id, ondelete="CASCADE"), index=True)
    reported_by: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20), default=ProblemStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    resolved_by: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None] = mapped_column(TimestampTZ())

    reporter: Mapped[User | None] = relationship(foreign_keys=[reported_by], lazy="joined")


class MaintenanceSchedule(TenantModel):
    """Recurring care of an asset: every N days (or after N uses, once uses are counted)."""

    __tablename__ = "maintenance_schedules"
    __table_args__ = (
        sa.CheckConstraint("(every_days IS NULL) <> (every_uses IS NULL)", name="one_interval"),
        sa.CheckConstraint("every_days IS NULL OR every_days > 0", name="days_positive"),
        sa.CheckConstraint("every_uses IS NULL OR every_uses > 0", name="uses_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey(Asset.id, ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    every_days: Mapped[int | None]
    every_uses: Mapped[int | None]
    responsible_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    starts_on: Mapped[date] = mapped_column(sa.Date)  # counted from here until it is first done
    last_done_on: Mapped[date | None] = mapped_column(sa.Date)
    # The due day a reminder was emailed for: one email per due occurrence (a new one once it is done).
    reminded_for: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    asset: Mapped[Asset] = relationship(lazy="joined")
    responsible: Mapped[User | None] = relationship(lazy="joined")

    uses = None  # a use-based schedule's uses since counted_from, when a read counted them

    @property
    def counted_from(self) -> date:
        """The day its interval runs from: last done, else its start."""
        return self.last_done_on or self.starts_on

    @property
    def due_on(self) -> date | None:
        """The day it is next due (None for a use-based schedule: it is due by uses, see requirements)."""
        if self.every_days is None:
            return None
        return (self.last_done_on or self.starts_on) + timedelta(days=self.every_days)


class MaintenanceRecord(TenantModel):
    __tablename__ = "maintenance_records"
    __table_args__ = (sa.CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(sa.ForeignKey(Asset.id, ondelete="CASCADE"), index=True)
    schedule_id: Mapped[int | None] = mapped_column(sa.ForeignKey(MaintenanceSchedule.id, ondelete="SET NULL"))
    done_on: Mapped[date] = mapped_column(sa.Date)
    by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(sa.Text)
    cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    attachment_keys: Mapped[list[str]] = mapped_column(ARRAY(sa.String(200)), default=list, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined")
    schedule: Mapped[MaintenanceSchedule | None] = relationship(lazy="joined")


class EquipmentRequirement(TenantModel):
    """Equipment a class needs: of a class type (every session of it) or of one session (which overrides its type's
    for that category; a quantity of 0 there means "not needed this time"). `per_member`: one per place booked."""

    __tablename__ = "equipment_requirements"
    __table_args__ = (
        sa.CheckConstraint("(class_type_id IS NULL) <> (session_id IS NULL)", name="type_or_session"),
        sa.CheckConstraint("quantity >= 0 AND quantity <= 1000", name="quantity_in_range"),
        sa.UniqueConstraint("class_type_id", "category_id"),
        sa.UniqueConstraint("session_id", "category_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey(ClassType.id, ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey(ClassSession.id, ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey(EquipmentCategory.id, ondelete="CASCADE"), index=True)
    quantity: Mapped[int]
    per_member: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    category: Mapped[EquipmentCategory] = relationship(lazy="joined")
