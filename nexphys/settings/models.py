"""Studio-wide settings (tenant schema): one JSON value per key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class StudioSetting(TenantModel):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[dict | list | str | int | bool | None] = mapped_column(JSONB)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)
