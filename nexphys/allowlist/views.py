"""The owners' page of allowed networks: see and change the list, with a guard against locking yourself out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from nexphys.allowlist import enforcement, services
from nexphys.allowlist import networks as nets
from nexphys.allowlist.forms import AllowedNetworksForm
from nexphys.extensions import db
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors

bp = Blueprint("allowlist", __name__)
bp.record_once(lambda state: enforcement.init_app(state.app))  # the check on every request, with the blueprint


def _page(form: AllowedNetworksForm, saved: list[str], status: int = 200):
    address = services.caller_address()
    return render_template("allowlist/edit.html", form=form, saved=saved, address=address,
                           address_inside=nets.allows(nets.stored(saved), address),
                           ask_confirmation=bool(form.confirm_lockout.errors or form.confirm_lockout.data),
                           example=nets.EXAMPLE, limit=nets.MAX_NETWORKS), status


@bp.get("/settings/allowed-networks")
@requires("security", "update", own=False)
def edit():
    """The studio's allowed networks (one range per line) and the caller's current address."""
    saved = services.saved_networks()
    form = AllowedNetworksForm(formdata=None)
    form.networks.data = "\n".join(saved)
    return _page(form, saved)


@bp.post("/settings/allowed-networks")
@requires("security", "update", own=False)
def save():
    """Save the list (owners): bad ranges, or a list leaving out your own address unconfirmed, re-render it."""
    saved = services.saved_networks()
    form = AllowedNetworksForm()
    if not form.validate():
        return _page(form, saved, 400)  # only the CSRF token can fail here
    try:
        cleaned = services.clean(form.networks.data or "", services.caller_address(), form.confirm_lockout.data)
    except services.NetworksInvalid as exc:
        attach_errors(form, exc.errors)
        return _page(form, saved, 422)
    changed = services.save(cleaned, require_principal())
    db.session.commit()
    if not changed:
        flash("Nothing to save: the allowed networks are unchanged.", "info")
    elif cleaned:
        flash("Allowed networks saved. Staff sign-in and API keys now work only from these networks.", "success")
    else:
        flash("The list is empty: staff can sign in and API keys work from anywhere.", "success")
    return redirect(url_for("allowlist.edit"))
