"""Bookings of class sessions (tenant schema)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.classes.models import ClassSession
from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.members.models import User


class Booking(TenantModel):
    __tablename__ = "bookings"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "member_id"),
        sa.CheckConstraint(
            sa.column("status").in_(("confirmed", "waitlisted", "cancelled", "attended", "no_show")),
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey(ClassSession.id, ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="confirmed")
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
