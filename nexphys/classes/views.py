"""Staff schedule pages under /schedule: the week's sessions, class types, rooms, series, one-off classes,
editing one or all future sessions, and cancelling. Thin views over the schedule's services (catalog, sessions,
series)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from nexphys.classes import catalog, clashes, series, sessions
from nexphys.classes.errors import ScheduleConflict, ScheduleInvalid
from nexphys.classes.forms import (
    CancelForm,
    ClassTypeForm,
    ConfirmForm,
    RoomForm,
    SeriesEditForm,
    SeriesForm,
    SessionEditForm,
    SessionForm,
)
from nexphys.classes.models import ClassSession, SessionStatus
from nexphys.classes.queries import week_start
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.storage.forms import PictureForm
from nexphys.storage.images import ImageRefused
from nexphys.storage.services import uploaded
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import require_principal, requires
from nexphys.web.forms import attach_errors, has_errors

bp = Blueprint("classes", __name__)

# The session forms' fields: a local date and time (only the API sends starts_at with an offset).
SESSION_FIELDS = ("class_type_id", "date", "time", "duration_minutes", "capacity", "instructor_id", "room_id", "notes")
EDIT_FIELDS = ("date", "time", "duration_minutes", "capacity", "instructor_id", "room_id", "notes")


def _page(template: str, status: int = 200, **context):
    return render_template(template, weekday_label=series.weekday_label, **context), status


def _apply_errors(form, errors: dict[str, list[str]]) -> None:
    """The service's field errors next to the form's fields; any others as a flash."""
    unplaced = attach_errors(form, errors, aliases={"starts_at": "date"})
    if unplaced:
        flash(" ".join(unplaced), "error")


def _values(form, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: form[name].data for name in names if name in form._fields and not form[name].errors}


def _submit(form, names: tuple[str, ...], action: Callable[[dict], Any],
            check: Callable[[dict], Any] | None = None) -> tuple[Any, int]:
    """Parse the form and call the service: (result, 200) on success, (None, 422/409) with messages otherwise.

    When a field does not even parse, `check` (a side-effect-free validation) still reports the others."""
    form.validate()
    values = _values(form, names)
    try:
        if has_errors(form):
            if check is not None:
                check(values)
            return None, 422
        return action(values), 200
    except ScheduleInvalid as exc:
        db.session.rollback()
        _apply_errors(form, exc.errors)
        return None, 422
    except ScheduleConflict as exc:
        db.session.rollback()
        _apply_errors(form, exc.errors)
        flash(exc.message, "error")
        return None, 409


def _week_link(day: date) -> str:
    return url_for("classes.index", week=week_start(day).isoformat())


def _local_day(moment: datetime) -> date:
    return require_tenant().local(moment).date()


# --- overview ----------------------------------------------------------------------------------------

@bp.get("/schedule")
@requires("schedule", "read")
def index():
    """The schedule for staff: this week's sessions, class types, rooms and weekly series."""
    zone = require_tenant().zone
    today = require_tenant().today()
    try:
        monday = week_start(date.fromisoformat(request.args["week"])) if request.args.get("week") else \
            week_start(today)
    except ValueError:
        monday = week_start(today)
    week = sessions.sessions_in_range(*require_tenant().days(monday, 7))
    days: dict[date, list[ClassSession]] = {monday + timedelta(days=i): [] for i in range(7)}
    for session in week:
        days[session.starts_at.astimezone(zone).date()].append(session)
    return _page("classes/index.html", days=days, monday=monday, today=today, now=utcnow(),
                 prev_week=(monday - timedelta(days=7)).isoformat(), next_week=(monday + timedelta(days=7)).isoformat(),
                 session_count=len(week), class_types=catalog.list_class_types(include_archived=True),
                 rooms=catalog.list_rooms(), series=series.list_series(today=today), **_may_change())


def _may_change() -> dict[str, bool]:
    """What the viewer may change on the schedule (instructors read it only)."""
    principal = require_principal()
    return {"may_" + action: principal.can("classes", action) for action in ("create", "update", "delete")}


# --- class types -------------------------------------------------------------------------------------------

def _form_view(form, names: tuple[str, ...], action: Callable[[dict], Any], check: Callable[[dict], Any] | None,
               done: Callable[[Any], tuple[str, str, str]], template: str,
               planned: Callable[[Any], list[int]] | None = None, **context):
    """GET shows the form; a POST that the service accepts commits, flashes and redirects (Post/Redirect/Get);
    one it refuses shows the form again with the messages (422, or 409 for a conflict).
    `done(result)` gives (message, category, where to go). With `planned(result)` (the sessions the change
    scheduled), one that clashes with other classes is undone and the form shown again with the clashes and
    "Schedule it anyway" (409), unless that was ticked."""
    status = 200
    if form.is_submitted():
        result, status = _submit(form, names, action, check)
        if status == 200:
            found = clashes.clashes_of(planned(result)) if planned is not None else []
            if found and not form.allow_clashes.data:
                db.session.rollback()
                return _page(template, 409, form=form, clashes=found[:clashes.SHOWN],
                             more_clashes=max(0, len(found) - clashes.SHOWN), **context)
            db.session.commit()
            message, category, target = done(result)
            if found:
                message += f" It overlaps {_count(len(found), 'other class', 'other classes')} (kept as you chose)."
            flash(message, category)
            return redirect(target)
    return _page(template, status, form=form, **context)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _saved(label: str, target: str) -> Callable[[bool], tuple[str, str, str]]:
    return lambda changed: (f"{label} saved." if changed else "Nothing to save: no changes.",
                            "success" if changed else "info", target)


@bp.route("/schedule/class-types/new", methods=["GET", "POST"])
@requires("classes", "create")
def new_class_type():
    """Add a class type: name, description, duration, default capacity, colour and level."""
    return _form_view(ClassTypeForm(), catalog.CLASS_TYPE_FIELDS, catalog.create_class_type,
                      catalog.clean_class_type,
                      lambda t: (f"Class type “{t.name}” added.", "success",
                                 url_for("classes.index") + "#class-types"),
                      "classes/class_type_form.html", class_type=None)


@bp.route("/schedule/class-types/<int:type_id>/edit", methods=["GET", "POST"])
@requires("classes", "update")
def edit_class_type(type_id: int):
    """Change a class type (sessions already scheduled keep their own times and capacities)."""
    class_type = catalog.get_class_type(type_id)
    return _form_view(ClassTypeForm(obj=class_type), catalog.CLASS_TYPE_FIELDS,
                      lambda v: catalog.update_class_type(class_type, v),
                      lambda v: catalog.clean_class_type(v, current=class_type),
                      _saved("Class type", url_for("classes.index") + "#class-types"),
                      "classes/class_type_form.html", class_type=class_type,
                      in_use=catalog.class_type_in_use(class_type), picture=PictureForm(formdata=None))


@bp.route("/schedule/class-types/<int:type_id>/delete", methods=["GET", "POST"])
@requires("classes", "delete")
def delete_class_type(type_id: int):
    """Delete a class type after confirmation (archived instead when sessions use it)."""
    class_type = catalog.get_class_type(type_id)
    form = ConfirmForm()
    in_use = catalog.class_type_in_use(class_type)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page("classes/class_type_delete.html", 422, form=form, class_type=class_type, in_use=in_use)
        name = class_type.name
        outcome = catalog.delete_class_type(class_type)
        db.session.commit()
        flash(f"Class type “{name}” {outcome}.", "success")
        return redirect(url_for("classes.index") + "#class-types")
    return _page("classes/class_type_delete.html", form=form, class_type=class_type, in_use=in_use)


@bp.post("/schedule/class-types/<int:type_id>/restore")
@requires("classes", "update")
def restore_class_type(type_id: int):
    """Bring an archived class type back into use."""
    class_type = catalog.get_class_type(type_id)
    if ConfirmForm().validate_on_submit():
        catalog.restore_class_type(class_type)
        db.session.commit()
        flash(f"Class type “{class_type.name}” is back in use.", "success")
    else:
        flash("The form expired: please try again.", "error")
    return redirect(url_for("classes.index") + "#class-types")


# --- rooms ------------------------------------------------------------------------------------------------------

def _picture_refused(class_type, picture: PictureForm, message: str):
    form = ClassTypeForm(formdata=None, obj=class_type)
    picture.image.errors = [message]
    return _page("classes/class_type_form.html", 422, form=form, class_type=class_type, picture=picture,
                 in_use=catalog.class_type_in_use(class_type))


@bp.post("/schedule/class-types/<int:type_id>/picture")
@requires("classes", "update")
def class_type_picture(type_id: int):
    """A picture for the class type (PNG, JPEG or WebP), shown on its class pages and timetable cards."""
    class_type = catalog.get_class_type(type_id)
    picture = PictureForm()
    try:
        catalog.set_class_type_picture(class_type, uploaded("image") or b"", require_principal())
    except ImageRefused as exc:
        db.session.rollback()
        return _picture_refused(catalog.get_class_type(type_id), picture, exc.message)
    db.session.commit()
    flash(f"Picture saved for “{class_type.name}”.", "success")
    return redirect(url_for("classes.edit_class_type", type_id=type_id))


@bp.post("/schedule/class-types/<int:type_id>/picture/remove")
@requires("classes", "update")
def remove_class_type_picture(type_id: int):
    """Remove the class type's picture."""
    class_type = catalog.get_class_type(type_id)
    removed = catalog.set_class_type_picture(class_type, None, require_principal())
    db.session.commit()
    flash("Picture removed." if removed else "There was no picture to remove.", "success" if removed else "info")
    return redirect(url_for("classes.edit_class_type", type_id=type_id))


@bp.route("/schedule/rooms/new", methods=["GET", "POST"])
@requires("classes", "create")
def new_room():
    """Add a room with its capacity."""
    return _form_view(RoomForm(), catalog.ROOM_FIELDS, catalog.create_room, catalog.clean_room,
                      lambda r: (f"Room “{r.name}” added.", "success", url_for("classes.index") + "#rooms"),
                      "classes/room_form.html", room=None)


@bp.route("/schedule/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@requires("classes", "update")
def edit_room(room_id: int):
    """Rename a room or change its capacity."""
    room = catalog.get_room(room_id)
    return _form_view(RoomForm(obj=room), catalog.ROOM_FIELDS, lambda v: catalog.update_room(room, v),
                      lambda v: catalog.clean_room(v, current=room),
                      _saved("Room", url_for("classes.index") + "#rooms"), "classes/room_form.html", room=room)


# --- series ------------------------------------------------------------------------------------------------------

def _planning_choices(form, include_types: bool = True) -> None:
    form.set_choices(catalog.instructors(), catalog.list_rooms(),
                     catalog.list_class_types() if include_types else None)


@bp.route("/schedule/series/new", methods=["GET", "POST"])
@requires("classes", "create")
def new_series():
    """Add a weekly series: class type, weekdays, local start time, first and last day; sessions are generated."""
    form = SeriesForm()
    _planning_choices(form)
    if request.method == "GET":
        form.starts_on.data = require_tenant().today()
    return _form_view(form, series.SERIES_FIELDS, lambda v: series.create_series(v, actor=require_principal()),
                      None, lambda added: (
        f"Series added: {added.class_type.name}, {series.weekday_label(added.weekdays)} at "
        f"{added.start_time:%H:%M}. Sessions are scheduled until {added.generated_until:%d %b %Y}.",
        "success", url_for("classes.index") + "#series"), "classes/series_form.html",
        planned=lambda added: clashes.series_session_ids(added.id), series=None)


@bp.route("/schedule/series/<int:series_id>/edit", methods=["GET", "POST"])
@requires("classes", "update")
def edit_series(series_id: int):
    """Change a weekly series from a chosen day on: later sessions that were not edited on their own follow."""
    current = series.get_series(series_id)
    form = SeriesEditForm(obj=current)
    _planning_choices(form)
    today = require_tenant().today()
    if request.method == "GET":
        form.class_type_id.data = str(current.class_type_id)
        form.weekdays.data = [str(d) for d in current.weekdays]
        form.instructor_id.data = str(current.instructor_id or "")
        form.room_id.data = str(current.room_id or "")
        form.changes_from.data = max(today, current.starts_on)
    from_day = None
    if form.is_submitted():
        form.validate()
        from_day = None if form.changes_from.errors else form.changes_from.data
    names = tuple(name for name in series.SERIES_FIELDS if name != "starts_on")
    update = lambda v: series.update_series(current, v, from_day=from_day, actor=require_principal())  # noqa: E731
    return _form_view(form, names, update, None,
                      lambda result: (f"Series saved: sessions from {from_day or today:%d %b %Y} follow the new rule.",
                                      "success", url_for("classes.edit_series", series_id=result.id)),
                      "classes/series_form.html", planned=lambda result: clashes.series_session_ids(result.id),
                      series=current, upcoming=series.upcoming_sessions(current))


# --- one-off sessions ----------------------------------------------------------------------------------------------

@bp.route("/schedule/sessions/new", methods=["GET", "POST"])
@requires("classes", "create")
def new_session():
    """Schedule a one-off class at a local date and time."""
    form = SessionForm()
    _planning_choices(form)
    return _form_view(form, SESSION_FIELDS, lambda v: sessions.create_session(v, actor=require_principal()),
                      None, lambda session: (
        f"{session.class_type.name} scheduled for {require_tenant().local(session.starts_at):%a %d %b %Y at %H:%M}.",
        "success", _week_link(_local_day(session.starts_at))), "classes/session_form.html",
        planned=lambda session: [session.id])


def _session_facts(session: ClassSession) -> dict:
    return {"waiting": sessions.waiting_count(session.id),
            "editable": session.status == SessionStatus.SCHEDULED and session.ends_at > utcnow(),
            "deletable": sessions.deletable(session)}


@bp.route("/schedule/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@requires("classes", "update")
def edit_session(session_id: int):
    """Edit a class: this session only, or this and all future sessions of its series."""
    session = sessions.get_session(session_id)
    form = SessionEditForm(obj=session)
    _planning_choices(form, include_types=False)
    if request.method == "GET":
        local = require_tenant().local(session.starts_at)
        form.date.data, form.time.data = local.date(), local.time().replace(tzinfo=None)
        form.duration_minutes.data = int((session.ends_at - session.starts_at).total_seconds() // 60)
        form.instructor_id.data = str(session.instructor_id or "")
        form.room_id.data = str(session.room_id or "")
    scope = form.scope.data if session.series_id is not None and form.is_submitted() else "one"
    edit = lambda v: series.edit_session(session, v, scope=scope, actor=require_principal())  # noqa: E731
    return _form_view(form, EDIT_FIELDS, edit, None,
                      lambda result: ("Saved for this and all future sessions of the series." if scope == "future"
                                      else "Saved for this session.", "success",
                                      _week_link(_local_day(result.starts_at))),
                      "classes/session_edit.html",
                      planned=lambda result: ([result.id] if scope == "one" or result.series_id is None else
                                              clashes.series_session_ids(result.series_id, result.starts_at)),
                      session=session, **_session_facts(session))


@bp.route("/schedule/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@requires("classes", "delete")
def cancel_session(session_id: int):
    """Cancel a class after confirmation, with a reason: booked and waiting members are told."""
    session = sessions.get_session(session_id)
    form = CancelForm()
    facts = _session_facts(session)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _page("classes/session_cancel.html", 422, form=form, session=session, **facts)
        try:
            released = sessions.cancel_session(session, form.reason.data, require_principal())
        except ScheduleInvalid as exc:
            db.session.rollback()
            _apply_errors(form, exc.errors)
            return _page("classes/session_cancel.html", 422, form=form, session=session, **facts)
        except ScheduleConflict as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(_week_link(_local_day(session.starts_at)))
        db.session.commit()
        told = len(released)
        flash(f"{session.class_type.name} is cancelled" + (f"; {told} member{'s' if told != 1 else ''} told."
                                                             if told else "."), "success")
        return redirect(_week_link(_local_day(session.starts_at)))
    return _page("classes/session_cancel.html", form=form, session=session, **facts)


@bp.route("/schedule/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@requires("classes", "delete")
def delete_session(session_id: int):
    """Delete a cancelled class that nobody booked, after confirmation (others stay as history)."""
    session = sessions.get_session(session_id)
    form = ConfirmForm()
    week = _week_link(_local_day(session.starts_at))
    if request.method == "POST" and form.validate_on_submit():
        name, when = session.class_type.name, require_tenant().local(session.starts_at)
        try:
            sessions.delete_session(session, require_principal())
        except ScheduleConflict as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(week)
        db.session.commit()
        flash(f"{name} on {when:%a %d %b at %H:%M} is deleted.", "success")
        return redirect(week)
    return _page("classes/session_delete.html", 422 if request.method == "POST" else 200, form=form,
                 session=session, deletable=sessions.deletable(session), back=week)
