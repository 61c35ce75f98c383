"""Tables of the shared web layer (tenant schema): stored answers of idempotent API requests."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class IdempotentRequest(TenantModel):
    """The first answer to a request sent with an Idempotency-Key, replayed for the same key and body."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (sa.UniqueConstraint("caller", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caller: Mapped[str] = mapped_column(sa.String(80))  # whose key: "user:12" or "api_key:3"
    key: Mapped[str] = mapped_column(sa.String(255))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))  # SHA-256 of method, path and body
    status_code: Mapped[int]
    response: Mapped[dict] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, index=True)
