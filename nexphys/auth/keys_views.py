"""API key pages: create (the secret is shown once, on the result page), list, revoke.

The rules (what a key may carry, auditing) are the service functions at the top of this module; they
flush and the views commit. Nobody gives a key a permission they do not hold themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for

from nexphys.audit.services import AuditAction, record
from nexphys.auth import secret_reveals
from nexphys.auth.access import Principal, require_principal, requires
from nexphys.auth.models import ApiKey
from nexphys.auth.tokens import create_api_key
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.roles import services as roles
from nexphys.roles.forms import ApiKeyForm
from nexphys.tenancy.context import require_tenant

bp = Blueprint("api_keys", __name__)
NAME_MAX = 80


# --- services -----------------------------------------------------------------------------------

class ApiKeyInvalid(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(" ".join(m) for m in errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class KeyRow:
    key: ApiKey
    created_by: str | None


def list_api_keys() -> list[KeyRow]:
    """Every key of this studio, active ones first, newest first, with who created it."""
    rows = db.session.execute(
        sa.select(ApiKey, User.email).outerjoin(User, User.id == ApiKey.created_by_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.id.desc())
    ).all()
    return [KeyRow(key, email) for key, email in rows]


def grantable_catalogue(actor: Principal) -> list[tuple[str, list]]:
    """The catalogue narrowed to what `actor` holds (and so may put on a key)."""
    groups = [(resource, [p for p in perms if p.code in actor.permissions])
              for resource, perms in roles.permission_catalogue()]
    return [(resource, perms) for resource, perms in groups if perms]


def issue_api_key(name: object, permission_codes: object, actor: Principal) -> tuple[ApiKey, str]:
    """Create a key with the given permissions; returns (key, secret shown once). Flushes; audited."""
    errors: dict[str, list[str]] = {}
    if not isinstance(name, str) or not name.strip():
        errors["name"] = ["Name the key after the integration that will use it."]
    elif len(name.strip()) > NAME_MAX:
        errors["name"] = [f"Keep the name to {NAME_MAX} characters or fewer."]
    permissions = roles.resolve_codes(permission_codes, errors)
    codes = [p.code for p in permissions]
    if not errors.get("permissions") and not codes:
        errors["permissions"] = ["Choose at least one permission."]
    refused = roles.check_grantable(codes, actor)
    if refused:
        errors.setdefault("permissions", []).extend(
            f"You cannot give a key {code}: you do not hold it yourself." for code in refused)
    if errors:
        raise ApiKeyInvalid(errors)
    key, secret = create_api_key(" ".join(name.split()), codes, actor.id if actor.kind == "user" else None)
    record(AuditAction.API_KEY_CREATED, actor=actor.label, actor_user_id=actor.id if actor.kind == "user" else None,
           target=f"api_key:{key.prefix}", details={"key_id": key.id, "name": key.name, "prefix": key.prefix,
                                                     "permissions": codes})
    return key, secret


def revoke_api_key(key: ApiKey, actor: Principal) -> bool:
    """Revoke a key at once (its next call is a 401); False if it already was. Flushes; audited."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = datetime.now(UTC)
    db.session.flush()
    record(AuditAction.API_KEY_REVOKED, actor=actor.label, actor_user_id=actor.id if actor.kind == "user" else None,
           target=f"api_key:{key.prefix}", details={"key_id": key.id, "name": key.name, "prefix": key.prefix})
    return True


# --- pages --------------------------------------------------------------------------------------

def _page(template: str, **context):
    tenant = require_tenant()
    return render_template(template, tenant=tenant, brand_color=tenant.brand_color, zone=ZoneInfo(tenant.time_zone),
                           **context)


@bp.get("/settings/api-keys")
@requires("api_keys", "read")
def index():
    """The studio's API keys: name, prefix, permissions, created, last used, revoked."""
    actor = require_principal()
    return _page("api_keys/index.html", rows=list_api_keys(), can_create=actor.can("api_keys", "create"),
                 can_revoke=actor.can("api_keys", "delete"))


@bp.route("/settings/api-keys/new", methods=["GET", "POST"])
@requires("api_keys", "create")
def new():
    """Create an API key with chosen permissions; its secret is shown once."""
    actor = require_principal()
    form = ApiKeyForm()
    if form.is_submitted():
        if form.validate():
            try:
                key, secret = issue_api_key(form.name.data, form.permissions.data or [], actor)
            except ApiKeyInvalid as exc:
                for name, messages in exc.errors.items():
                    field = getattr(form, name)
                    field.errors = [*field.errors, *messages]
            else:
                db.session.commit()
                # Post/Redirect/Get, so a reload cannot make a second key; the secret waits in Redis
                # for one read (never in the session cookie). Without Redis it is rendered right here.
                reveal = secret_reveals.keep(secret)
                if reveal is None:
                    return _created_page(key, secret)
                return redirect(url_for("api_keys.created", key_id=key.id, reveal=reveal), 303)
        return _page("api_keys/new.html", form=form, catalogue=grantable_catalogue(actor),
                     ticked=set(form.permissions.data or [])), 422
    return _page("api_keys/new.html", form=form, catalogue=grantable_catalogue(actor), ticked=set())


def _created_page(key, secret: str | None):
    response = make_response(_page("api_keys/created.html", key=key, secret=secret))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/settings/api-keys/<int:key_id>/created")
@requires("api_keys", "create")
def created(key_id: int):
    """The new key's secret, shown once: reloading shows that it can no longer be shown."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404)
    return _created_page(key, secret_reveals.take(request.args.get("reveal", "")))


@bp.post("/settings/api-keys/<int:key_id>/revoke")
@requires("api_keys", "delete")
def revoke(key_id: int):
    """Revoke an API key: its next call is refused."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404, description="There is no such API key.")
    if revoke_api_key(key, require_principal()):
        db.session.commit()
        flash(f"The key “{key.name}” ({key.prefix}…) is revoked: it no longer works.", "success")
    else:
        flash(f"The key “{key.name}” was already revoked.", "info")
    return redirect(url_for("api_keys.index"))
