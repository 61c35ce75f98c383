"""API key pages: create (the secret is shown once, on the result page), list, revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for

from nexphys.api_keys import services
from nexphys.api_keys.forms import ApiKeyForm
from nexphys.auth import secret_reveals
from nexphys.extensions import db
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors

bp = Blueprint("api_keys", __name__)


@bp.get("/settings/api-keys")
@requires("api_keys", "read")
def index():
    """The studio's API keys: name, prefix, permissions, created, last used, revoked."""
    actor = require_principal()
    return render_template("api_keys/index.html", rows=services.list_api_keys(),
                           can_create=actor.can("api_keys", "create"), can_revoke=actor.can("api_keys", "delete"))


@bp.route("/settings/api-keys/new", methods=["GET", "POST"])
@requires("api_keys", "create")
def new():
    """Create an API key with chosen permissions; its secret is shown once."""
    actor = require_principal()
    form = ApiKeyForm()
    catalogue = services.grantable_catalogue(actor)
    if not form.is_submitted():
        return render_template("api_keys/new.html", form=form, catalogue=catalogue, ticked=set())
    if form.validate():
        try:
            key, secret = services.issue_api_key(form.name.data, form.permissions.data or [], actor)
        except services.ApiKeyInvalid as exc:
            attach_errors(form, exc.errors)
        else:
            db.session.commit()
            # Post/Redirect/Get, so a reload cannot make a second key; the secret waits in Redis
            # for one read (never in the session cookie). Without Redis it is rendered right here.
            reveal = secret_reveals.keep(secret)
            if reveal is None:
                return _created_page(key, secret)
            return redirect(url_for("api_keys.created", key_id=key.id, reveal=reveal), 303)
    return render_template("api_keys/new.html", form=form, catalogue=catalogue,
                           ticked=set(form.permissions.data or [])), 422


def _created_page(key, secret: str | None):
    response = make_response(render_template("api_keys/created.html", key=key, secret=secret))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/settings/api-keys/<int:key_id>/created")
@requires("api_keys", "create")
def created(key_id: int):
    """The new key's secret, shown once: reloading shows that it can no longer be shown."""
    key = services.get_api_key(key_id)
    if key is None:
        abort(404)
    return _created_page(key, secret_reveals.take(request.args.get("reveal", "")))


def _key_or_404(key_id: int):
    key = services.get_api_key(key_id)
    if key is None:
        abort(404, description="There is no such API key.")
    return key


@bp.get("/settings/api-keys/<int:key_id>/revoke")
@requires("api_keys", "delete")
def confirm_revoke(key_id: int):
    """Ask before revoking: integrations using the key stop at once, and it cannot be undone."""
    return render_template("api_keys/revoke.html", key=_key_or_404(key_id), error=None)


@bp.post("/settings/api-keys/<int:key_id>/revoke")
@requires("api_keys", "delete")
def revoke(key_id: int):
    """Revoke an API key once its name is typed to confirm: its next call is refused."""
    key = _key_or_404(key_id)
    if not key.revoked_at and (request.form.get("confirm") or "").strip().casefold() != key.name.casefold():
        error = f"Nothing was revoked: type the key's name, “{key.name}”, to confirm."
        return render_template("api_keys/revoke.html", key=key, error=error), 422
    if services.revoke_api_key(key, require_principal()):
        db.session.commit()
        flash(f"The key “{key.name}” ({key.prefix}…) is revoked: it no longer works.", "success")
    else:
        flash(f"The key “{key.name}” was already revoked.", "info")
    return redirect(url_for("api_keys.index"))
