"""Recording to the studio's audit log. Callers pass what happened; who and where come from the request."""

from __future__ import annotations

import sqlalchemy as sa
from flask import has_request_context, request

from nexphys.audit.models import AuditEntry
from nexphys.extensions import db


class AuditAction:
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    SIGN_OUT = "auth.sign_out"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested"
    PASSWORD_CHANGED = "auth.password_changed"
    TOKEN_ISSUED = "auth.token_issued"
    TOKEN_REUSE_DETECTED = "auth.refresh_token_reused"
    TOKEN_REVOKED = "auth.token_revoked"
    SIGNED_OUT_EVERYWHERE = "auth.signed_out_everywhere"
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    ROLE_CHANGED = "member.role_changed"
    ROLE_CREATED = "role.created"
    ROLE_UPDATED = "role.updated"
    ROLE_DELETED = "role.deleted"
    MEMBER_INVITED = "member.invited"
    MEMBER_DEACTIVATED = "member.deactivated"
    MEMBER_UPDATED = "member.updated"
    BOOKING_ADDED_BY_STAFF = "booking.added_by_staff"
    BOOKING_REMOVED_BY_STAFF = "booking.removed_by_staff"
    BOOKING_CHECKED_IN = "booking.checked_in"
    BOOKING_CHECK_IN_UNDONE = "booking.check_in_undone"
    SESSION_CREATED = "class.created"
    SESSION_UPDATED = "class.updated"
    SERIES_CREATED = "series.created"
    SERIES_UPDATED = "series.updated"
    SESSION_CANCELLED = "class.cancelled"
    SESSION_DELETED = "class.deleted"
    SETTINGS_UPDATED = "settings.updated"


def record(action: str, actor: str, actor_user_id: int | None = None, target: str | None = None,
           details: dict | None = None) -> AuditEntry:
    """Add one audit entry (flushed with the caller's transaction). Never pass sensitive values."""
    entry = AuditEntry(action=action, actor=actor[:254], actor_user_id=actor_user_id, target=target,
                       details=details or {})
    if has_request_context():
        entry.ip = (request.remote_addr or "")[:64]
        entry.user_agent = (request.user_agent.string or "")[:300]
    db.session.add(entry)
    db.session.flush()
    return entry


def recent_entries(page: int = 1, per_page: int = 50, action: str | None = None):
    """Newest first, paginated (Flask-SQLAlchemy's Pagination)."""
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
