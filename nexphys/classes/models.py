"""Class types, rooms, recurring series and scheduled class sessions (tenant schema).

Instants are stored in UTC. A series keeps its local wall-clock time (`start_time` in the studio's
zone), so each generated session lands at the same local hour on both sides of a DST change.
"""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.members.models import User


class SessionStatus:
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class ClassType(TenantModel):
    __tablename__ = "class_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    default_capacity: Mapped[int] = mapped_column(default=12)
    color: Mapped[str] = mapped_column(sa.String(7), default="#2563eb")
    level: Mapped[str] = mapped_column(sa.String(20), default="all")
    image_key: Mapped[str | None] = mapped_column(sa.String(200))  # a picture in storage (nexphys.storage)
    # Types with sessions behind them are archived rather than deleted, so history keeps its names.
    archived_at: Mapped[datetime | None] = mapped_column(TimestampTZ())


class Room(TenantModel):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    capacity: Mapped[int]


class ClassSeries(TenantModel):
    """A weekly rule: on these weekdays at this local time, from `starts_on` until `ends_on` (if set)."""

    __tablename__ = "class_series"
    __table_args__ = (
        sa.CheckConstraint("cardinality(weekdays) > 0", name="has_weekdays"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("duration_minutes > 0", name="duration_positive"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_type_id: Mapped[int] = mapped_column(sa.ForeignKey(ClassType.id), index=True)
    instructor_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id))
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Room.id))
    weekdays: Mapped[list[int]] = mapped_column(ARRAY(sa.SmallInteger))  # 0 = Monday
    start_time: Mapped[time] = mapped_column(sa.Time)  # studio-local wall-clock time
    duration_minutes: Mapped[int]
    capacity: Mapped[int]
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    generated_until: Mapped[date | None] = mapped_column(sa.Date)  # last local day sessions exist for
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)

    class_type: Mapped[ClassType] = relationship(lazy="joined")
    instructor: Mapped[User | None] = relationship(lazy="joined")
    room: Mapped[Room | None] = relationship(lazy="joined")


class ClassSession(TenantModel):
    __tablename__ = "class_sessions"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint(sa.column("status").in_((SessionStatus.SCHEDULED, SessionStatus.CANCELLED)),
                           name="status_known"),
        # The seat invariant, held by the database itself: never more seats taken than the capacity.
        sa.CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name="booked_within_capacity"),
        # One session per series occurrence, so generating ahead twice cannot duplicate a class.
        sa.UniqueConstraint("series_id", "occurrence_on"),
        sa.Index("ix_class_sessions_starts_at_scheduled", "starts_at",
                 postgresql_where=sa.text("status = 'scheduled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_type_id: Mapped[int] = mapped_column(sa.ForeignKey(ClassType.id), index=True)
    instructor_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id), index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Room.id))
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey(ClassSeries.id, ondelete="SET NULL"))
    occurrence_on: Mapped[date | None] = mapped_column(sa.Date)  # the series day this session stands for
    # Edited on its own, apart from its series (an edit to all future sessions leaves it alone).
    is_modified: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    starts_at: Mapped[datetime] = mapped_column(TimestampTZ(), index=True)
    ends_at: Mapped[datetime] = mapped_column(TimestampTZ())
    capacity: Mapped[int]
    booked_count: Mapped[int] = mapped_column(default=0, server_default="0")  # seats held (see bookings)
    notes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=SessionStatus.SCHEDULED)
    cancelled_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    class_type: Mapped[ClassType] = relationship(lazy="joined")
    instructor: Mapped[User | None] = relationship(lazy="joined")
    room: Mapped[Room | None] = relationship(lazy="joined")
    series: Mapped[ClassSeries | None] = relationship()

    @property
    def spots_left(self) -> int:
        return max(self.capacity - self.booked_count, 0)
