"""Classes API: the public timetable (W1's read path), and planning the schedule.

Planning (class types, one-off sessions, edits, cancelling, weekly series) goes through
nexphys.classes.schedule, the same service the staff pages use. Times in answers are ISO-8601 in the
studio's zone (with the offset); a start may be sent as `starts_at` with an offset, or as the studio's
local `date` (YYYY-MM-DD) and `time` (HH:MM).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, jsonify, request, url_for

from nexphys.classes import schedule
from nexphys.classes.models import ClassSeries, ClassSession, ClassType, Room
from nexphys.classes.queries import Slot, slots_between
from nexphys.extensions import db
from nexphys.settings.services import cached_setting
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import current_principal, public, requires
from nexphys.web.api import ValidationFailed, created, json_body

bp = Blueprint("classes_api", __name__, url_prefix="/api/v1")
MAX_RANGE_DAYS = 62


def _day(name: str) -> date:
    try:
        return date.fromisoformat(request.args[name])
    except ValueError as exc:
        raise ValidationFailed({name: ["Use a date such as 2026-01-07."]}) from exc


def _requested_days(zone: ZoneInfo) -> tuple[date, date]:
    """[first, last] local days from ?date= or ?from=&to= (default: today)."""
    if "date" in request.args:
        day = _day("date")
        return day, day
    if "from" in request.args or "to" in request.args:
        if not ("from" in request.args and "to" in request.args):
            raise ValidationFailed({"from": ["Send both from and to."]})
        first, last = _day("from"), _day("to")
        if last < first:
            raise ValidationFailed({"to": ["to is before from."]})
        if (last - first).days >= MAX_RANGE_DAYS:
            raise ValidationFailed({"to": [f"Ask for at most {MAX_RANGE_DAYS} days at once."]})
        return first, last
    today = datetime.now(zone).date()
    return today, today


def entry_json(entry: Slot, zone: ZoneInfo) -> dict:
    return {"id": entry.id, "name": entry.name, "instructor": entry.instructor,
            "starts_at": entry.starts_at.astimezone(zone).isoformat(),
            "ends_at": entry.ends_at.astimezone(zone).isoformat(),
            "capacity": entry.capacity, "booked": entry.booked, "spots_left": entry.spots_left,
            "color": entry.color}


def _require_sign_in_if_studio_says() -> None:
    """The timetable is public unless the studio requires sign-in (a cached setting: no query per request)."""
    if cached_setting("timetable_requires_sign_in") and current_principal() is None:
        abort(401, description="This studio shows its timetable to signed-in people only.")


@bp.get("/classes")
@public
def list_classes():
    """The timetable for ?date=YYYY-MM-DD or ?from=&to= (studio-local days): public unless the studio says not."""
    _require_sign_in_if_studio_says()
    zone = require_tenant().zone
    first, last = _requested_days(zone)
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    entries = slots_between(start, end, include_cancelled=False)
    return jsonify(items=[entry_json(e, zone) for e in entries], time_zone=zone.key, **{
        "from": first.isoformat(), "to": last.isoformat()})


# --- planning the schedule (see nexphys.classes.schedule) ------------------------------------------

# Sent back as read, these are ignored by PATCH (they are derived, or changed through other fields).
SESSION_READ_ONLY = ("id", "class_type", "name", "ends_at", "local_date", "local_time", "booked", "spots_left",
                     "waitlisted", "instructor", "room", "series_id", "occurrence_on", "is_modified", "status",
                     "cancelled_at", "cancel_reason")
TYPE_READ_ONLY = ("id", "archived", "archived_at")
SERIES_READ_ONLY = ("id", "class_type", "weekday_names", "instructor", "room", "generated_until")


def _without(data: dict, names: tuple[str, ...]) -> dict:
    return {key: value for key, value in data.items() if key not in names}


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes")


def class_type_json(class_type: ClassType) -> dict:
    """A class type as JSON."""
    return {"id": class_type.id, "name": class_type.name, "description": class_type.description,
            "duration_minutes": class_type.duration_minutes, "default_capacity": class_type.default_capacity,
            "color": class_type.color, "level": class_type.level, "archived": class_type.archived_at is not None,
            "archived_at": class_type.archived_at.isoformat() if class_type.archived_at else None}


def _person(user) -> dict | None:
    return {"id": user.id, "full_name": user.full_name} if user else None


def _room(room) -> dict | None:
    return {"id": room.id, "name": room.name, "capacity": room.capacity} if room else None


def session_json(session: ClassSession, zone: ZoneInfo) -> dict:
    """One class session as JSON, times in the studio's zone."""
    starts_at, ends_at = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return {"id": session.id, "name": session.class_type.name,
            "class_type": {"id": session.class_type.id, "name": session.class_type.name,
                           "color": session.class_type.color, "level": session.class_type.level},
            "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
            "local_date": starts_at.date().isoformat(), "local_time": starts_at.strftime("%H:%M"),
            "duration_minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
            "capacity": session.capacity, "booked": session.booked_count, "spots_left": session.spots_left,
            "waitlisted": schedule.waiting_count(session.id),
            "instructor": _person(session.instructor), "room": _room(session.room),
            "series_id": session.series_id,
            "occurrence_on": session.occurrence_on.isoformat() if session.occurrence_on else None,
            "is_modified": session.is_modified, "notes": session.notes, "status": session.status,
            "cancelled_at": session.cancelled_at.isoformat() if session.cancelled_at else None,
            "cancel_reason": session.cancel_reason}


def series_json(series: ClassSeries) -> dict:
    """A weekly series as JSON (weekdays 0 = Monday; start_time on the studio's wall clock)."""
    return {"id": series.id, "class_type": {"id": series.class_type.id, "name": series.class_type.name},
            "weekdays": sorted(series.weekdays),
            "weekday_names": [schedule.WEEKDAY_NAMES[d] for d in sorted(series.weekdays)],
            "start_time": series.start_time.strftime("%H:%M"), "duration_minutes": series.duration_minutes,
            "capacity": series.capacity, "instructor": _person(series.instructor), "room": _room(series.room),
            "starts_on": series.starts_on.isoformat(),
            "ends_on": series.ends_on.isoformat() if series.ends_on else None,
            "generated_until": series.generated_until.isoformat() if series.generated_until else None}


@bp.get("/class-types")
@requires("classes", "read")
def list_class_types():
    """Class types by name (?include_archived=true adds archived ones)."""
    types = schedule.list_class_types(include_archived=_flag("include_archived"))
    return jsonify(items=[class_type_json(t) for t in types])


@bp.post("/class-types")
@requires("classes", "create")
def create_class_type():
    """Create a class type {name, description?, duration_minutes, default_capacity, color? "#rrggbb", level?}."""
    class_type = schedule.create_class_type(json_body())
    db.session.commit()
    return created(class_type_json(class_type), url_for("classes_api.get_class_type", id=class_type.id))


@bp.get("/class-types/<int:id>")
@requires("classes", "read")
def get_class_type(id: int):
    """One class type (archived ones too)."""
    return jsonify(class_type_json(schedule.get_class_type(id)))


@bp.patch("/class-types/<int:id>")
@requires("classes", "update")
def update_class_type(id: int):
    """Change a class type's fields; existing sessions keep their own times and capacities."""
    class_type = schedule.get_class_type(id)
    schedule.update_class_type(class_type, _without(json_body(), TYPE_READ_ONLY))
    db.session.commit()
    return jsonify(class_type_json(class_type))


@bp.delete("/class-types/<int:id>")
@requires("classes", "delete")
def delete_class_type(id: int):
    """Delete an unused class type (204); one with sessions or series is archived instead (200 with it)."""
    class_type = schedule.get_class_type(id)
    outcome = schedule.delete_class_type(class_type)
    db.session.commit()
    if outcome == "deleted":
        return "", 204
    return jsonify(class_type_json(class_type))


def room_json(room: Room) -> dict:
    """A room as JSON."""
    return {"id": room.id, "name": room.name, "capacity": room.capacity}


@bp.get("/rooms")
@requires("classes", "read")
def list_rooms():
    """The studio's rooms by name (their ids go in a class's or series' room_id)."""
    return jsonify(items=[room_json(room) for room in schedule.list_rooms()])


@bp.post("/rooms")
@requires("classes", "create")
def create_room():
    """Add a room {name, capacity 1–500}."""
    room = schedule.create_room(json_body())
    db.session.commit()
    return created(room_json(room), url_for("classes_api.get_room", id=room.id))


@bp.get("/rooms/<int:id>")
@requires("classes", "read")
def get_room(id: int):
    """One room."""
    return jsonify(room_json(schedule.get_room(id)))


@bp.patch("/rooms/<int:id>")
@requires("classes", "update")
def update_room(id: int):
    """Rename a room or change its capacity (never below an upcoming class's capacity in it: 422)."""
    room = schedule.get_room(id)
    schedule.update_room(room, json_body())
    db.session.commit()
    return jsonify(room_json(room))


@bp.post("/classes")
@requires("classes", "create")
def create_class():
    """Schedule a one-off class: class_type_id, and starts_at (ISO-8601 with offset) or local date + time.

    Also: duration_minutes (default: the type's), instructor_id, room_id, capacity (default: the type's, at
    most the room's), notes. `date` is YYYY-MM-DD and `time` HH:MM on the studio's wall clock; a local time
    skipped by a daylight-saving change is a 422.
    """
    session = schedule.create_session(json_body())
    db.session.commit()
    return created(session_json(session, require_tenant().zone), url_for("classes_api.get_class", id=session.id))


@bp.get("/classes/<int:id>")
@public
def get_class(id: int):
    """One class session: public like the timetable, unless the studio requires sign-in."""
    _require_sign_in_if_studio_says()
    return jsonify(session_json(schedule.get_session(id), require_tenant().zone))


@bp.patch("/classes/<int:id>")
@requires("classes", "update")
def update_class(id: int):
    """Edit a class: this occurrence only, or with "scope": "future" this and all later ones of its series."""
    session = schedule.get_session(id)
    data = _without(json_body(), SESSION_READ_ONLY)
    scope = data.pop("scope", "one")
    session = schedule.update_session(session, data, scope=scope)
    db.session.commit()
    return jsonify(session_json(session, require_tenant().zone))


@bp.post("/classes/<int:id>/cancel")
@requires("classes", "delete")
def cancel_class(id: int):
    """Cancel a class {reason?}: booked and waiting members are released and emailed."""
    data = json_body() if request.get_data() else {}
    unknown = {name: ["Unknown field: send only a reason."] for name in data if name != "reason"}
    if unknown:
        raise ValidationFailed(unknown)
    session = schedule.get_session(id)
    released = schedule.cancel_session(session, data.get("reason"), current_principal())
    db.session.commit()
    return jsonify({**session_json(session, require_tenant().zone), "released": len(released)})


@bp.get("/class-series")
@requires("classes", "read")
def list_class_series():
    """Weekly series (?include_ended=true adds those that have ended)."""
    return jsonify(items=[series_json(s) for s in schedule.list_series(include_ended=_flag("include_ended"))])


@bp.post("/class-series")
@requires("classes", "create")
def create_class_series():
    """Create a weekly series (weekdays 0=Mon…6=Sun at a local start_time); its sessions are generated ahead.

    Body: class_type_id, weekdays, start_time "HH:MM", starts_on (default today), ends_on, duration_minutes,
    capacity, instructor_id, room_id.
    """
    series = schedule.create_series(json_body())
    db.session.commit()
    return created(series_json(series), url_for("classes_api.get_class_series", id=series.id))


@bp.get("/class-series/<int:id>")
@requires("classes", "read")
def get_class_series(id: int):
    """One weekly series."""
    return jsonify(series_json(schedule.get_series(id)))


@bp.patch("/class-series/<int:id>")
@requires("classes", "update")
def update_class_series(id: int):
    """Change a series from the local day "from" (default today); later sessions follow the new rule.

    Answers with the series that carries the rule from then: a new one when the old had earlier sessions.
    """
    series = schedule.get_series(id)
    data = _without(json_body(), SERIES_READ_ONLY)
    from_day = None
    if data.get("from") is not None:
        try:
            from_day = date.fromisoformat(str(data.pop("from")))
        except ValueError as exc:
            raise ValidationFailed({"from": ["Use a date such as 2026-01-07."]}) from exc
    data.pop("from", None)
    series = schedule.update_series(series, data, from_day=from_day)
    db.session.commit()
    return jsonify(series_json(series))
