"""Auth API: tokens for studio people (tenant hosts) and platform administrators (apex host)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app

from nexphys.audit.services import AuditAction, record
from nexphys.auth import everywhere, services, tokens
from nexphys.auth.principals import load_active_user
from nexphys.auth.schemas import Credentials, Me, RefreshRequest, RevokeRequest, SignOutEverywhere, Tokens
from nexphys.auth.throttle import sign_in_limits
from nexphys.extensions import db
from nexphys.platform.services import authenticate_admin
from nexphys.tenancy.context import current_tenant
from nexphys.web.access import public, require_principal, requires, signed_in
from nexphys.web.schemas import api, no_content, respond

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


@bp.post("/auth/token")
@public
@sign_in_limits
@api(body=Credentials, responses={200: Tokens}, problems=(401, 403, 422, 429))
def issue_token(body: Credentials):
    """Exchange email and password for an access token and a refresh token."""
    if current_tenant() is None:
        admin = authenticate_admin(body.email, body.password)
        db.session.commit()
        if admin is None:
            abort(401, description=services.GENERIC_FAILURE)
        token = tokens.issue_access_token(admin.id, None, uuid.uuid4().hex, kind="platform_admin")
        return respond(Tokens, {"access_token": token, "token_type": "Bearer",
                                "expires_in": current_app.config["ACCESS_TOKEN_SECONDS"]})
    try:
        user = services.authenticate(body.email, body.password)
    except services.AuthError:
        db.session.commit()  # keep the audit entry
        abort(401, description=services.GENERIC_FAILURE)
    pair = tokens.token_pair(user.id)
    record(AuditAction.TOKEN_ISSUED, actor=user.email, actor_user_id=user.id)
    db.session.commit()
    return respond(Tokens, pair)


@bp.post("/auth/refresh")
@public
@api(body=RefreshRequest, responses={200: Tokens}, problems=(401, 404, 422))
def refresh_token(body: RefreshRequest):
    """Rotate a refresh token: a new pair; reusing a spent token revokes every token of that sign-in."""
    if current_tenant() is None:
        abort(404)
    try:
        pair, _user_id = tokens.rotate_refresh_token(body.refresh_token)
    except tokens.ReusedRefreshToken as exc:
        record(AuditAction.TOKEN_REUSE_DETECTED, actor="system", actor_user_id=exc.user_id,
               details={"family": exc.family})
        db.session.commit()
        abort(401, description=str(exc))
    except tokens.InvalidToken as exc:
        abort(401, description=str(exc))
    db.session.commit()
    return respond(Tokens, pair)


@bp.post("/auth/revoke")
@signed_in
@api(body=RevokeRequest, body_optional=True, responses={204: None}, problems=(400, 401))
def revoke_token(body: RevokeRequest):
    """Revoke the calling token's sign-in (or the refresh token sent in the body): stops working at once."""
    principal = require_principal()
    family = principal.token_family
    if body.refresh_token and current_tenant() is not None:
        family = tokens.family_of_refresh_token(body.refresh_token) or family
    if family is None:
        abort(400, description="Send the request with the bearer access token (or a refresh token) to revoke.")
    tokens.revoke_family(family)
    if principal.kind == "user":
        record(AuditAction.TOKEN_REVOKED, actor=principal.label, actor_user_id=principal.id)
    db.session.commit()
    return no_content()


@bp.get("/me")
@signed_in
@api(responses={200: Me}, problems=(401,))
def me():
    """The caller: id, email, name, role and permissions."""
    principal = require_principal()
    if principal.kind == "platform_admin":
        return respond(Me, {"id": principal.id, "email": principal.label, "kind": "platform_admin", "role": None,
                            "permissions": []})
    if principal.kind == "api_key":
        return respond(Me, {"id": principal.id, "name": principal.label, "kind": "api_key", "role": None,
                            "permissions": sorted(principal.permissions)})
    user = load_active_user(principal.id)
    return respond(Me, {"id": user.id, "email": user.email, "name": user.full_name, "kind": "user",
                        "role": {"id": user.role.id, "key": user.role.key, "name": user.role.name,
                                 "level": user.role.level},
                        "permissions": sorted(principal.permissions)})


@bp.post("/me/sign-out-everywhere")
@signed_in
@api(body=SignOutEverywhere, body_optional=True, responses={204: None}, problems=(401, 403, 404))
def sign_out_everywhere(body: SignOutEverywhere):
    """End every session, remember cookie and API token of the caller, this one included (204)."""
    principal = require_principal()
    if current_tenant() is None:
        abort(404)
    if principal.kind != "user":
        abort(403, description="Only people sign out; revoke an API key on the API keys page.")
    everywhere.sign_out_everywhere(load_active_user(principal.id), principal)
    db.session.commit()
    return no_content()


@bp.post("/members/<int:id>/sign-out-everywhere")
@requires("members", "update")
@api(body=SignOutEverywhere, body_optional=True, responses={204: None}, problems=(401, 403, 404))
def sign_out_member(id: int, body: SignOutEverywhere):
    """Staff: end every session, remember cookie and API token of one person (204). Audited."""
    principal = require_principal()
    if current_tenant() is None:
        abort(404)
    user = everywhere.person_to_sign_out(id, principal)  # 404 / 403 (nexphys.web.errors)
    everywhere.sign_out_everywhere(user, principal)
    db.session.commit()
    return no_content()
