"""Settings → Joining and terms: who can join, and the studio's terms and waiver in published versions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from nexphys.extensions import db
from nexphys.joining import services, terms
from nexphys.joining.forms import PolicyForm, TermsForm
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors

bp = Blueprint("joining_settings", __name__)


def _page(policy_form: PolicyForm | None = None, terms_form: TermsForm | None = None, status: int = 200):
    current = terms.current()
    if policy_form is None:
        policy_form = PolicyForm(formdata=None, data={"policy": services.policy()})
    if terms_form is None:
        terms_form = TermsForm(formdata=None, data={"body": current.body if current else ""})
    return render_template("joining/settings.html", policy_form=policy_form, terms_form=terms_form, current=current,
                           versions=terms.versions(), hints=services.POLICY_HINTS,
                           can_save=require_principal().scope("settings", "update") == "all",
                           waiting=services.waiting_count()), status


@bp.get("/settings/joining")
@requires("settings", "read")
def edit():
    """Who can join (invite only, open, staff approval) and the terms people accept when they join."""
    return _page()


@bp.post("/settings/joining/policy")
@requires("settings", "update")
def save_policy():
    """Save who can join."""
    form = PolicyForm()
    if not form.validate_on_submit() or form.policy.data not in services.POLICIES:
        form.policy.errors = ["Choose one of the three ways to join."]
        return _page(policy_form=form, status=422)
    changed = services.set_policy(form.policy.data, require_principal())
    db.session.commit()
    flash(f"Saved: {services.POLICIES[form.policy.data]}." if changed else "Nothing to save: it is unchanged.",
          "success" if changed else "info")
    return redirect(url_for("joining_settings.edit"))


@bp.post("/settings/joining/terms")
@requires("settings", "update")
def publish_terms():
    """Publish the terms as a new version: members accept it before their next booking."""
    form = TermsForm()
    if not form.validate_on_submit():
        form.body.errors = ["The page had expired. Please publish again."]
        return _page(terms_form=form, status=400)
    current = terms.current()
    if current is not None and (form.body.data or "").strip() == current.body:
        flash(f"Nothing to publish: the text is the same as version {current.number}.", "info")
        return redirect(url_for("joining_settings.edit"))
    try:
        version = terms.publish(form.body.data, require_principal())
    except terms.TermsInvalid as exc:
        attach_errors(form, exc.errors)
        return _page(terms_form=form, status=422)
    db.session.commit()
    flash(f"Version {version.number} of the terms is published. Members accept it before their next booking.",
          "success")
    return redirect(url_for("joining_settings.edit"))
