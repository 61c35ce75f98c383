"""API credentials (tenant schema): refresh-token families (API keys: nexphys.api_keys)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class RefreshToken(TenantModel):
    """One refresh token; tokens of one sign-in share a family, revoked together on reuse."""

    __tablename__ = "auth_refresh_tokens"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)  # the token's jti
    family_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TimestampTZ())
    used_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    revoked_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
