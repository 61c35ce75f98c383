"""Studio settings pages: the booking rules (owners change them; managers may look)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from nexphys.auth.access import require_principal, requires
from nexphys.bookings.rules import ROLE_OVERRIDABLE, ROLE_RULES_SETTING, RULE_SETTINGS
from nexphys.extensions import db
from nexphys.members.services import all_roles
from nexphys.studio import rule_settings
from nexphys.studio.forms import BookingRulesForm, booking_rules_form
from nexphys.studio.rule_settings import SIGN_IN_SETTING, override_field
from nexphys.tenancy.context import require_tenant

bp = Blueprint("settings", __name__)


def _render(form: BookingRulesForm, roles: list, values: dict, status: int = 200):
    tenant = require_tenant()
    principal = require_principal()
    errors = [(f.id, message) for f in form if f.errors for message in f.errors]
    return render_template(
        "settings/booking.html", tenant=tenant, brand_color=tenant.brand_color, form=form, roles=roles,
        values=values, rule_settings=RULE_SETTINGS, errors=errors,
        can_save=principal.scope("settings", "update") == "all",
        can_see_notifications=principal.can("settings", "read"),
    ), status


def _fill(form: BookingRulesForm, values: dict, roles: list) -> None:
    for key in RULE_SETTINGS:
        form[key].data = values.get(key)
    overrides = values.get(ROLE_RULES_SETTING) or {}
    for role in roles:
        for key in ROLE_OVERRIDABLE:
            form[override_field(role.key, key)].data = (overrides.get(role.key) or {}).get(key)
    form[SIGN_IN_SETTING].data = bool(values.get(SIGN_IN_SETTING))


@bp.get("/settings/booking")
@requires("settings", "read")
def booking_rules():
    """The booking rules: studio defaults, per-role overrides and whether the timetable needs sign-in."""
    roles = all_roles()
    values = rule_settings.current_values()
    form = booking_rules_form([role.key for role in roles], values, formdata=None)
    _fill(form, values, roles)
    return _render(form, roles, values)


@bp.post("/settings/booking")
@requires("settings", "update")
def save_booking_rules():
    """Save the booking rules (owners): out-of-bounds values re-render the form with their messages."""
    principal = require_principal()
    roles = all_roles()
    stored = rule_settings.current_values()
    form = booking_rules_form([role.key for role in roles], stored)
    form.validate()  # parses the numbers; the bounds are the service's
    defaults = {key: form[key].data for key in RULE_SETTINGS}
    overrides = {role.key: {key: form[override_field(role.key, key)].data for key in ROLE_OVERRIDABLE}
                 for role in roles}
    try:
        cleaned = rule_settings.clean(defaults, overrides, form[SIGN_IN_SETTING].data)
    except rule_settings.RulesInvalid as exc:
        for name, messages in exc.errors.items():
            if not form[name].errors:  # a field that did not parse already says so
                form[name].errors = [*form[name].errors, *messages]
    if any(field.errors for field in form):
        return _render(form, roles, stored, 422)
    changes = rule_settings.save(cleaned, principal)
    db.session.commit()
    if changes:
        flash("Booking rules saved. They apply to every booking from now on.", "success")
    else:
        flash("Nothing to save: the booking rules are unchanged.", "info")
    return redirect(url_for("settings.booking_rules"))
