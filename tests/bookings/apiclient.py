"""Helpers for the bookings API tests: bearer tokens without the (deliberately slow) password check."""

from __future__ import annotations

import uuid

from tests.factories import person
from tests.requests import bearer
from tests.running import in_studio


def token_headers(app, tenant, user_id: int) -> dict:
    """Headers for a signed-in person's API calls (an access token as /auth/token would issue)."""
    from nexphys.auth.tokens import issue_access_token

    with in_studio(app, tenant):
        return bearer(tenant, issue_access_token(user_id, tenant.id, str(uuid.uuid4())))


def caller(app, tenant, role_key: str = "member", **kwargs) -> tuple[int, dict]:
    """A new person of `role_key` and their API headers."""
    user_id, _ = person(app, tenant, role_key, **kwargs)
    return user_id, token_headers(app, tenant, user_id)


def api_key_headers(app, tenant, permissions: list[str]) -> tuple[int, dict]:
    """A new API key with these permissions; returns (key id, headers)."""
    from nexphys.api_keys.services import create_api_key
    from nexphys.extensions import db

    with in_studio(app, tenant):
        key, secret = create_api_key(f"test-{uuid.uuid4().hex[:6]}", permissions, None)
        db.session.commit()
        return key.id, bearer(tenant, secret)


def book(client, headers: dict, session_id: int, member_id: int | None = None, key: str | None = None):
    """POST /api/v1/bookings."""
    body = {"session_id": session_id} if member_id is None else {"session_id": session_id, "member_id": member_id}
    extra = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/bookings", headers={**headers, **extra}, json=body)
