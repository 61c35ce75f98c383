"""A studio's people: members and staff (tenant schema). The same email may exist in two studios."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.roles.models import Role


class User(TenantModel):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index("uq_users_email_lower", sa.func.lower(sa.column("email")), unique=True),
        sa.CheckConstraint(sa.column("status").in_(("active", "invited", "inactive")), name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    role_id: Mapped[int] = mapped_column(sa.ForeignKey(Role.id), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="active")
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    role: Mapped[Role] = relationship(lazy="joined")
