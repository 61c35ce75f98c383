"""Class types, rooms and scheduled class sessions (tenant schema). Times are stored in UTC."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.members.models import User


class ClassType(TenantModel):
    __tablename__ = "class_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    duration_minutes: Mapped[int] = mapped_column(default=60)
    default_capacity: Mapped[int] = mapped_column(default=12)
    color: Mapped[str] = mapped_column(sa.String(7), default="#2563eb")
    level: Mapped[str] = mapped_column(sa.String(20), default="all")


class Room(TenantModel):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    capacity: Mapped[int]


class ClassSession(TenantModel):
    __tablename__ = "class_sessions"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint(sa.column("status").in_(("scheduled", "cancelled")), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_type_id: Mapped[int] = mapped_column(sa.ForeignKey(ClassType.id), index=True)
    instructor_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id), index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey(Room.id))
    starts_at: Mapped[datetime] = mapped_column(TimestampTZ(), index=True)
    ends_at: Mapped[datetime] = mapped_column(TimestampTZ())
    capacity: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(20), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    class_type: Mapped[ClassType] = relationship(lazy="joined")
    instructor: Mapped[User | None] = relationship(lazy="joined")
    room: Mapped[Room | None] = relationship(lazy="joined")
