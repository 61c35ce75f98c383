"""Roles of a studio's people (tenant schema)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class RoleLevel:
    BASIC = 1
    PREMIUM = 2
    MANAGER = 3
    OWNER = 4


class Role(TenantModel):
    __tablename__ = "roles"
    __table_args__ = (sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    level: Mapped[int]
    is_system: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
