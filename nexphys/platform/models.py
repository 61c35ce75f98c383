"""Platform administrators (public schema): they sign in on the apex host only."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TimestampTZ, utcnow
from nexphys.extensions import db


class PlatformAdmin(db.Model):
    __tablename__ = "platform_admins"
    __table_args__ = (sa.Index("uq_platform_admins_email_lower", sa.func.lower(sa.column("email")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
