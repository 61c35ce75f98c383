"""API keys: what a key may carry, making and revoking keys, auditing both.

Nobody gives a key a permission they do not hold themselves. Functions flush; the caller commits.
The secret is 256 random bits, shown once and stored as a SHA-256 hash; `nxp_<prefix>_<secret>`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from nexphys.api_keys.models import ApiKey
from nexphys.audit.services import AuditAction, record
from nexphys.errors import Invalid
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.roles import services as roles
from nexphys.validation import FieldErrors, TextWords, text
from nexphys.web.access import Principal

API_KEY_PREFIX = "nxp_"
NAME_MAX = 80


class ApiKeyInvalid(Invalid):
    """Field → messages for a key that cannot be made as asked."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, "; ".join(" ".join(messages) for messages in errors.values()))


_NAME_TEXT = TextWords(not_text="Name the key after the integration that will use it.",
                      missing="Name the key after the integration that will use it.",
                      too_long="Keep the name to {limit} characters or fewer.")


@dataclass(frozen=True)
class KeyRow:
    key: ApiKey
    created_by: str | None


def key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(name: str, permissions: list[str], created_by_id: int | None) -> tuple[ApiKey, str]:
    """Make a key; the full secret is returned once and only its hash is stored. Flushes."""
    prefix = secrets.token_hex(4)
    secret = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, prefix=prefix, key_hash=key_hash(secret), permissions=sorted(set(permissions)),
                 created_by_id=created_by_id)
    db.session.add(key)
    db.session.flush()
    return key, secret


def list_api_keys() -> list[KeyRow]:
    """Every key of this studio, active ones first, newest first, with who created it."""
    rows = db.session.execute(
        sa.select(ApiKey, User.email).outerjoin(User, User.id == ApiKey.created_by_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
    ).all()
    return [KeyRow(key, email) for key, email in rows]


def get_api_key(key_id: int) -> ApiKey | None:
    return db.session.get(ApiKey, key_id)


def grantable_catalogue(actor: Principal) -> list[tuple[str, list]]:
    """The catalogue narrowed to what `actor` holds (and so may put on a key)."""
    groups = [(resource, [p for p in perms if p.code in actor.permissions])
              for resource, perms in roles.permission_catalogue()]
    return [(resource, perms) for resource, perms in groups if perms]


def issue_api_key(name: object, permission_codes: object, actor: Principal) -> tuple[ApiKey, str]:
    """Create a key with the given permissions; returns (key, secret shown once). Flushes; audited."""
    errors = FieldErrors()
    name = text(errors, "name", name, NAME_MAX, required=True, words=_NAME_TEXT)
    permissions = roles.resolve_codes(errors, permission_codes)
    codes = [p.code for p in permissions]
    if not errors.get("permissions") and not codes:
        errors.add("permissions", "Choose at least one permission.")
    for code in roles.check_grantable(codes, actor):
        errors.add("permissions", f"You cannot give a key {code}: you do not hold it yourself.")
    errors.raise_if_any(ApiKeyInvalid)
    # Checked as typed (stripped), stored with inner runs of spaces made one.
    key, secret = create_api_key(" ".join(name.split()), codes, actor.person_id)
    record(AuditAction.API_KEY_CREATED, actor=actor.label, actor_user_id=actor.person_id,
           target=f"api_key:{key.prefix}", details={"key_id": key.id, "name": key.name, "prefix": key.prefix,
                                                     "permissions": codes})
    return key, secret


def revoke_api_key(key: ApiKey, actor: Principal) -> bool:
    """Revoke a key at once (its next call is a 401); False if it already was. Flushes; audited."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = datetime.now(UTC)
    db.session.flush()
    record(AuditAction.API_KEY_REVOKED, actor=actor.label, actor_user_id=actor.person_id,
           target=f"api_key:{key.prefix}", details={"key_id": key.id, "name": key.name, "prefix": key.prefix})
    return True
