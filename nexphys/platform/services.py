"""Platform administrators: sign-in (apex host only)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.platform.models import PlatformAdmin
from nexphys.security.passwords import hash_password, verify_password


def find_admin(email: str) -> PlatformAdmin | None:
    return db.session.scalar(
        sa.select(PlatformAdmin).where(sa.func.lower(PlatformAdmin.email) == (email or "").strip().lower()))


def authenticate_admin(email: str, password: str) -> PlatformAdmin | None:
    """The active administrator with these credentials, or None (same work either way)."""
    admin = find_admin(email)
    ok = verify_password(admin.password_hash if admin else None, password or "")
    if not ok or admin is None or not admin.is_active:
        return None
    admin.last_login_at = datetime.now(UTC)
    return admin


def create_admin(email: str, full_name: str, password: str) -> PlatformAdmin:
    admin = PlatformAdmin(email=email.strip().lower(), full_name=full_name, password_hash=hash_password(password))
    db.session.add(admin)
    db.session.flush()
    return admin
