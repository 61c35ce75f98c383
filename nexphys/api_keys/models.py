"""Integration API keys (tenant schema)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class ApiKey(TenantModel):
    """An integration's key: shown once, stored as a SHA-256 hash (the secret is 256 random bits)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    permissions: Mapped[list] = mapped_column(JSONB, default=list)  # ["members:read", ...]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    revoked_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
