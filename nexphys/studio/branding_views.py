"""The branding and details page (Settings → Logo and details): owners change them, managers read them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from nexphys.extensions import db
from nexphys.storage.forms import PictureForm
from nexphys.storage.images import ImageRefused
from nexphys.storage.services import uploaded
from nexphys.studio import branding
from nexphys.studio.forms import DetailsForm
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors

bp = Blueprint("branding", __name__)


def _details_form(face: branding.Face) -> DetailsForm:
    """The form filled with what is saved."""
    form = DetailsForm(formdata=None)
    form.brand_color.data = require_tenant().brand_color
    for name in (*branding.ADDRESS_FIELDS, "email", "phone", "about", *branding.SOCIAL_FIELDS):
        form[name].data = face.details.get(name, "")
    for i, day in enumerate((face.details.get("hours") or [None] * 7)[:7]):
        form[f"open_{i}"].data = bool(day)
        form[f"from_{i}"].data, form[f"to_{i}"].data = day if day else ("", "")
    return form


def _values(form: DetailsForm) -> dict:
    values = {name: form[name].data for name in ("brand_color", *branding.ADDRESS_FIELDS, "email", "phone", "about",
                                                 *branding.SOCIAL_FIELDS)}
    values["hours"] = [(form[f"from_{i}"].data, form[f"to_{i}"].data) if form[f"open_{i}"].data else None
                       for i in range(7)]
    return values


def _page(details: DetailsForm, picture: PictureForm | None = None, status: int = 200):
    face = branding.fresh_face()
    return render_template("studio/branding.html", form=details, picture=picture or PictureForm(formdata=None),
                           face=face, can_save=require_principal().can("settings", "update"),
                           weekdays=list(enumerate(branding.WEEKDAYS))), status


@bp.get("/settings/branding")
@requires("settings", "read")
def page():
    """The studio's logo, colour, address, contact, opening hours, about text and social links."""
    return _page(_details_form(branding.fresh_face()))


@bp.post("/settings/branding")
@requires("settings", "update")
def save():
    """Save the details: anything that cannot be saved re-renders the form with why, the rest kept as typed."""
    form = DetailsForm()
    if not form.validate():
        return _page(form, status=400)  # only the CSRF token can fail here
    try:
        changed = branding.save_details(_values(form), require_principal())
    except branding.DetailsInvalid as exc:
        db.session.rollback()
        # a day's message sits with its "opens at" time
        unplaced = attach_errors(form, exc.errors, aliases={f"hours_{i}": f"from_{i}" for i in range(7)})
        if unplaced:
            flash(" ".join(unplaced), "error")
        return _page(form, status=422)
    db.session.commit()
    flash("Saved. Members see the new details on the studio page, the timetable and in emails."
          if changed else "Nothing to save: no changes.", "success" if changed else "info")
    return redirect(url_for("branding.page"))


@bp.post("/settings/branding/logo")
@requires("settings", "update")
def upload_logo():
    """A new logo (PNG, JPEG or WebP); a file that is no picture, or too big, says so on the page."""
    picture = PictureForm()
    if not picture.validate():
        return _page(_details_form(branding.fresh_face()), picture, 400)
    try:
        branding.set_logo(uploaded("image") or b"", require_principal())
    except ImageRefused as exc:
        db.session.rollback()
        picture.image.errors = [exc.message]
        return _page(_details_form(branding.fresh_face()), picture, 422)
    db.session.commit()
    flash("Logo saved. It is in the header of every page and in your emails.", "success")
    return redirect(url_for("branding.page"))


@bp.post("/settings/branding/logo/remove")
@requires("settings", "update")
def remove_logo():
    """Remove the logo: the header shows the studio's initial again."""
    removed = branding.remove_logo(require_principal())
    db.session.commit()
    flash("Logo removed." if removed else "There was no logo to remove.", "success" if removed else "info")
    return redirect(url_for("branding.page"))
