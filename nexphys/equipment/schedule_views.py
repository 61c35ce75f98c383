"""Equipment meets the schedule, as pages: the equipment a class type or a session needs, shrinking the classes
an asset out of service leaves short, and a maintenance record's attached documents (staff only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from nexphys.bookings.services import BookingError
from nexphys.classes import catalog, sessions
from nexphys.classes.errors import ScheduleError
from nexphys.db import utcnow
from nexphys.equipment import capacity, parts, requirements, services
from nexphys.equipment.errors import EquipmentInvalid
from nexphys.equipment.models import MaintenanceRecord
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.storage.base import StorageUnavailable, storage
from nexphys.storage.services import is_document
from nexphys.web.access import require_principal, requires

bp = Blueprint("equipment_schedule", __name__)
LINES_MAX = requirements.REQUIREMENTS_MAX + parts.BLANK_LINES


def _posted_lines() -> list[dict[str, Any]]:
    """The requirement lines of the posted form (category-N, quantity-N, per_member-N)."""
    count = min(request.form.get("lines", 0, type=int) or 0, LINES_MAX)
    return [{"category": request.form.get(f"category-{i}", ""), "quantity": request.form.get(f"quantity-{i}", ""),
             "per_member": request.form.get(f"per_member-{i}") == "y"} for i in range(count)]


def _save(owner: dict[str, Any], back: str, title: str):
    """Save the posted lines for a class type or a session; the page again with messages when they are wrong."""
    given = _posted_lines()
    try:
        requirements.set_requirements(given, require_principal(), **owner)
    except EquipmentInvalid as exc:
        db.session.rollback()
        return render_template("equipment/requirements_page.html", title=title, back=back,
                               section=parts.section(**owner, given=given, errors=exc.errors)), 422
    db.session.commit()
    flash("Equipment needed saved.", "success")
    return redirect(back + "#equipment-needed")


@bp.route("/schedule/class-types/<int:type_id>/equipment", methods=["GET", "POST"])
@requires("equipment", "read", own=False)
def class_type_equipment(type_id: int):
    """The equipment every class of a type needs (also a section of the type's edit page)."""
    class_type = catalog.get_class_type(type_id)
    return _requirements_page({"class_type": class_type}, url_for("classes.edit_class_type", type_id=type_id),
                              f"Equipment needed for {class_type.name}")


@bp.route("/schedule/sessions/<int:session_id>/equipment", methods=["GET", "POST"])
@requires("equipment", "read", own=False)
def session_equipment(session_id: int):
    """The equipment one class needs, over its type's (also a section of the session's edit page)."""
    session = sessions.get_session(session_id)
    return _requirements_page({"session": session}, url_for("classes.edit_session", session_id=session_id),
                              f"Equipment needed for {session.class_type.name}")


def _requirements_page(owner: dict, back: str, title: str):
    """Show what `owner` (a class type or a session) needs; save it on POST (managers)."""
    if request.method == "POST":
        if not require_principal().can("equipment", "update"):
            abort(403)
        return _save(owner, back, title)
    return render_template("equipment/requirements_page.html", title=title, back=back,
                           section=parts.section(**owner))


# --- shrinking the classes an asset leaves short -------------------------------------------------------------

def _staff() -> User:
    principal = require_principal()
    user = db.session.get(User, principal.person_id) if principal.person_id is not None else None
    if user is None:
        abort(403, description="Only a signed-in staff member can do this.")
    return user


@bp.route("/equipment/<int:asset_id>/reduce-capacity", methods=["GET", "POST"])
@requires("classes", "update")
def reduce_capacity(asset_id: int):
    """Confirm, then shrink the classes of the next days that are short of this asset's kind in its room."""
    asset = services.get_asset(asset_id)
    back = url_for("equipment.detail", asset_id=asset_id)
    if request.method == "GET":
        return render_template("equipment/reduce.html", asset=asset, plan=capacity.plan(asset),
                               days=requirements.warning_days(), now=utcnow())
    chosen = [int(value) for value in request.form.getlist("session_id") if value.isdigit()]
    if not chosen:
        flash("Choose at least one class to make smaller.", "error")
        return redirect(url_for("equipment_schedule.reduce_capacity", asset_id=asset_id))
    staff = _staff()
    planned = capacity.plan(asset)
    if any(r.going for r in planned if r.session.id in chosen) and not require_principal().can("bookings", "delete"):
        abort(403, description="Only staff who may cancel bookings can remove members from classes.")
    try:
        done = capacity.reduce(asset, chosen, staff, require_principal())
    except (ScheduleError, BookingError) as exc:  # e.g. a class changed meanwhile: say so, change nothing
        db.session.rollback()
        flash(f"Nothing was changed: {exc.message}", "error")
        return redirect(url_for("equipment_schedule.reduce_capacity", asset_id=asset_id))
    db.session.commit()
    removed = sum(len(r.going) for r in done)
    if done:
        flash(f"{len(done)} class{'es' if len(done) != 1 else ''} made smaller"
              + (f"; {removed} member{'s' if removed != 1 else ''} told by email that their place is cancelled."
                 if removed else "; nobody had to lose a place."), "success")
    else:
        flash("Nothing to change: those classes are no longer short.", "info")
    return redirect(back)


# --- a maintenance record's documents ------------------------------------------------------------------------

@bp.get("/equipment/<int:asset_id>/records/<int:record_id>/files/<name>")
@requires("equipment", "read", own=False)
def attachment(asset_id: int, record_id: int, name: str):
    """One document attached to a maintenance record, as a download, to the studio's staff on its own host."""
    entry = db.session.get(MaintenanceRecord, record_id)
    if entry is None or entry.asset_id != asset_id:
        abort(404)
    key = next((k for k in entry.attachment_keys if k.rsplit("/", 1)[-1] == name and is_document(k)), None)
    if key is None:
        abort(404)
    try:
        stream = storage().open(key)
    except StorageUnavailable:
        abort(503)
    if stream is None:
        abort(404)
    response = send_file(stream, mimetype="application/pdf", as_attachment=True,
                         download_name=f"maintenance-{record_id}-{name}")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
