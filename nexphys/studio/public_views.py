"""The studio page (/about) and instructors' profile pages, and where instructors edit their own."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.bookings.cards import CARD_SETTINGS
from nexphys.errors import Invalid
from nexphys.extensions import db
from nexphys.settings.services import cached_settings
from nexphys.storage.services import uploaded
from nexphys.studio import branding, profiles
from nexphys.studio.forms import ProfileForm
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import current_principal, public, require_principal, requires
from nexphys.web.forms import attach_errors

bp = Blueprint("studio_page", __name__)


def _timetable_hidden() -> bool:
    """The studio shows its timetable to signed-in people only, and nobody is signed in."""
    return bool(cached_settings(CARD_SETTINGS).get("timetable_requires_sign_in")) and current_principal() is None


@bp.get("/about")
@public
def about():
    """The studio: where it is (with a map link), how to reach it, when it is open, who teaches, what it is about."""
    return render_template("studio/about.html", face=branding.face(), team=profiles.team())


@bp.get("/instructors/<int:instructor_id>")
@public
def instructor(instructor_id: int):
    """One instructor: photo, bio and their classes of the next two weeks."""
    user = profiles.instructor(instructor_id)
    principal = current_principal()
    return render_template("studio/instructor.html", person=profiles.profile(instructor_id),
                           classes=[] if _timetable_hidden() else profiles.upcoming_classes(instructor_id),
                           zone=require_tenant().zone,
                           may_edit=principal is not None and profiles.may_edit(principal, user))


def _edit_page(form: ProfileForm, user, status: int = 200):
    return render_template("studio/instructor_edit.html", form=form, person=profiles.profile(user.id)), status


@bp.route("/instructors/<int:instructor_id>/edit", methods=["GET", "POST"])
@requires("members", "update")
def edit_profile(instructor_id: int):
    """An instructor's photo and bio: their own, or anyone's for managers and owners."""
    user = profiles.instructor(instructor_id)
    principal = require_principal()
    if not profiles.may_edit(principal, user):
        abort(403, description="You can change your own instructor profile only.")
    if request.method == "GET":
        form = ProfileForm(formdata=None)
        form.bio.data = user.bio
        return _edit_page(form, user)
    form = ProfileForm()
    if not form.validate():
        return _edit_page(form, user, 400)
    photo = uploaded("photo")
    try:
        changed = profiles.update_profile(user, principal, form.bio.data, photo, bool(form.remove_photo.data))
    except Invalid as exc:
        db.session.rollback()
        user = profiles.instructor(instructor_id)
        unplaced = attach_errors(form, exc.errors, aliases={"image": "photo"})
        if unplaced:
            flash(" ".join(unplaced), "error")
        return _edit_page(form, user, 422)
    db.session.commit()
    flash("Profile saved." if changed else "Nothing to save: no changes.", "success" if changed else "info")
    return redirect(url_for("studio_page.instructor", instructor_id=instructor_id))
