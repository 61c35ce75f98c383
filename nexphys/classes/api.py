"""Classes API: the public timetable (W1's read path), and planning the schedule.

Planning (class types, one-off sessions, edits, cancelling, weekly series) goes through the schedule's
services (nexphys.classes.catalog, .sessions and .series), the same ones the staff pages use. Times in answers
are ISO-8601 in the studio's zone (with the offset); a start may be sent as `starts_at` with an offset, or as
the studio's local `date` (YYYY-MM-DD) and `time` (HH:MM).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, url_for

from nexphys.classes import catalog, models, series, sessions
from nexphys.classes.queries import Slot, local_iso, slots_between
from nexphys.classes.schemas import (
    Cancellation,
    CancelledClass,
    Class,
    ClassChanges,
    ClassType,
    ClassTypeChanges,
    Flags,
    NewClass,
    NewClassType,
    NewRoom,
    NewSeries,
    Room,
    RoomChanges,
    Series,
    SeriesChanges,
    Timetable,
    TimetableQuery,
)
from nexphys.extensions import db
from nexphys.settings.services import cached_setting
from nexphys.storage.services import file_url, url_builder
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import current_principal, public, require_principal, requires
from nexphys.web.api import ValidationFailed
from nexphys.web.schemas import Items, api, no_content, respond

bp = Blueprint("classes_api", __name__, url_prefix="/api/v1")
MAX_RANGE_DAYS = 62


def _requested_days(query: TimetableQuery) -> tuple[date, date]:
    """[first, last] local days from ?date= or ?from=&to= (default: today)."""
    if query.date is not None:
        return query.date, query.date
    if query.from_ is not None or query.to is not None:
        if query.from_ is None or query.to is None:
            raise ValidationFailed({"from": ["Send both from and to."]})
        if query.to < query.from_:
            raise ValidationFailed({"to": ["to is before from."]})
        if (query.to - query.from_).days >= MAX_RANGE_DAYS:
            raise ValidationFailed({"to": [f"Ask for at most {MAX_RANGE_DAYS} days at once."]})
        return query.from_, query.to
    today = require_tenant().today()
    return today, today


def entry_json(entry: Slot, zone: ZoneInfo, picture: Callable[[str | None], str | None]) -> dict:
    return {"id": entry.id, "name": entry.name, "instructor": entry.instructor,
            "starts_at": local_iso(entry.starts_at, zone), "ends_at": local_iso(entry.ends_at, zone),
            "capacity": entry.capacity, "booked": entry.booked, "spots_left": entry.spots_left,
            "color": entry.color, "image_url": picture(entry.image) if entry.image else None}


def _require_sign_in_if_studio_says() -> None:
    """The timetable is public unless the studio requires sign-in (a cached setting: no query per request)."""
    if cached_setting("timetable_requires_sign_in") and current_principal() is None:
        abort(401, description="This studio shows its timetable to signed-in people only.")


@bp.get("/classes")
@public
@api(query=TimetableQuery, responses={200: Timetable}, problems=(401, 422))
def list_classes(query: TimetableQuery):
    """The timetable for ?date=YYYY-MM-DD or ?from=&to= (studio-local days): public unless the studio says not."""
    _require_sign_in_if_studio_says()
    tenant = require_tenant()
    zone = tenant.zone
    first, last = _requested_days(query)
    start, end = tenant.days(first, (last - first).days + 1)
    entries = slots_between(start, end, include_cancelled=False)
    picture = url_builder(external=True)  # one address built for all the entries' pictures
    return respond(Timetable, {"items": [entry_json(e, zone, picture) for e in entries], "time_zone": zone.key,
                               "from": first.isoformat(), "to": last.isoformat()})


# --- planning the schedule (see nexphys.classes.catalog, .sessions, .series) -----------------------

def class_type_json(class_type: models.ClassType) -> dict:
    """A class type as JSON."""
    return {"id": class_type.id, "name": class_type.name, "description": class_type.description,
            "duration_minutes": class_type.duration_minutes, "default_capacity": class_type.default_capacity,
            "color": class_type.color, "level": class_type.level, "archived": class_type.archived_at is not None,
            "archived_at": class_type.archived_at.isoformat() if class_type.archived_at else None,
            "image_url": file_url(class_type.image_key, external=True)}


def _person(user) -> dict | None:
    return {"id": user.id, "full_name": user.full_name} if user else None


def _instructor(user) -> dict | None:
    """The instructor with their public profile."""
    if user is None:
        return None
    return {"id": user.id, "full_name": user.full_name, "bio": user.bio or "",
            "photo_url": file_url(user.photo_key, external=True),
            "profile_url": url_for("studio_page.instructor", instructor_id=user.id, _external=True)}


def _room(room) -> dict | None:
    return {"id": room.id, "name": room.name, "capacity": room.capacity} if room else None


def session_json(session: models.ClassSession, zone: ZoneInfo) -> dict:
    """One class session as JSON, times in the studio's zone."""
    starts_at, ends_at = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return {"id": session.id, "name": session.class_type.name,
            "class_type": {"id": session.class_type.id, "name": session.class_type.name,
                           "color": session.class_type.color, "level": session.class_type.level,
                           "description": session.class_type.description,
                           "image_url": file_url(session.class_type.image_key, external=True)},
            "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
            "local_date": starts_at.date().isoformat(), "local_time": starts_at.strftime("%H:%M"),
            "duration_minutes": int((session.ends_at - session.starts_at).total_seconds() // 60),
            "capacity": session.capacity, "booked": session.booked_count, "spots_left": session.spots_left,
            "waitlisted": sessions.waiting_count(session.id),
            "instructor": _instructor(session.instructor), "room": _room(session.room),
            "series_id": session.series_id,
            "occurrence_on": session.occurrence_on.isoformat() if session.occurrence_on else None,
            "is_modified": session.is_modified, "notes": session.notes, "status": session.status,
            "cancelled_at": session.cancelled_at.isoformat() if session.cancelled_at else None,
            "cancel_reason": session.cancel_reason}


def series_json(weekly: models.ClassSeries) -> dict:
    """A weekly series as JSON (weekdays 0 = Monday; start_time on the studio's wall clock)."""
    return {"id": weekly.id, "class_type": {"id": weekly.class_type.id, "name": weekly.class_type.name},
            "weekdays": sorted(weekly.weekdays),
            "weekday_names": [series.WEEKDAY_NAMES[d] for d in sorted(weekly.weekdays)],
            "start_time": weekly.start_time.strftime("%H:%M"), "duration_minutes": weekly.duration_minutes,
            "capacity": weekly.capacity, "instructor": _person(weekly.instructor), "room": _room(weekly.room),
            "starts_on": weekly.starts_on.isoformat(),
            "ends_on": weekly.ends_on.isoformat() if weekly.ends_on else None,
            "generated_until": weekly.generated_until.isoformat() if weekly.generated_until else None}


@bp.get("/class-types")
@requires("classes", "read")
@api(query=Flags, responses={200: Items[ClassType]})
def list_class_types(query: Flags):
    """Class types by name (?include_archived=true adds archived ones)."""
    types = catalog.list_class_types(include_archived=query.include_archived)
    return respond(Items[ClassType], {"items": [class_type_json(t) for t in types]})


@bp.post("/class-types")
@requires("classes", "create")
@api(body=NewClassType, responses={201: ClassType}, problems=(422,), check=catalog.clean_class_type)
def create_class_type(body: NewClassType):
    """Create a class type {name, description?, duration_minutes, default_capacity, color? "#rrggbb", level?}."""
    class_type = catalog.create_class_type(body.values())
    db.session.commit()
    return respond(ClassType, class_type_json(class_type), 201,
                   url_for("classes_api.get_class_type", id=class_type.id))


@bp.get("/class-types/<int:id>")
@requires("classes", "read")
@api(responses={200: ClassType}, problems=(404,))
def get_class_type(id: int):
    """One class type (archived ones too)."""
    return respond(ClassType, class_type_json(catalog.get_class_type(id)))


@bp.patch("/class-types/<int:id>")
@requires("classes", "update")
@api(body=ClassTypeChanges, responses={200: ClassType}, problems=(404, 422))
def update_class_type(id: int, body: ClassTypeChanges):
    """Change a class type's fields; existing sessions keep their own times and capacities."""
    class_type = catalog.get_class_type(id)
    catalog.update_class_type(class_type, body.values())
    db.session.commit()
    return respond(ClassType, class_type_json(class_type))


@bp.delete("/class-types/<int:id>")
@requires("classes", "delete")
@api(responses={200: ClassType, 204: None}, problems=(404,))
def delete_class_type(id: int):
    """Delete an unused class type (204); one with sessions or series is archived instead (200 with it)."""
    class_type = catalog.get_class_type(id)
    outcome = catalog.delete_class_type(class_type)
    db.session.commit()
    if outcome == "deleted":
        return no_content()
    return respond(ClassType, class_type_json(class_type))


def room_json(room: models.Room) -> dict:
    """A room as JSON."""
    return {"id": room.id, "name": room.name, "capacity": room.capacity}


@bp.get("/rooms")
@requires("classes", "read")
@api(responses={200: Items[Room]})
def list_rooms():
    """The studio's rooms by name (their ids go in a class's or series' room_id)."""
    return respond(Items[Room], {"items": [room_json(room) for room in catalog.list_rooms()]})


@bp.post("/rooms")
@requires("classes", "create")
@api(body=NewRoom, responses={201: Room}, problems=(422,), check=catalog.clean_room)
def create_room(body: NewRoom):
    """Add a room {name, capacity 1–500}."""
    room = catalog.create_room(body.values())
    db.session.commit()
    return respond(Room, room_json(room), 201, url_for("classes_api.get_room", id=room.id))


@bp.get("/rooms/<int:id>")
@requires("classes", "read")
@api(responses={200: Room}, problems=(404,))
def get_room(id: int):
    """One room."""
    return respond(Room, room_json(catalog.get_room(id)))


@bp.patch("/rooms/<int:id>")
@requires("classes", "update")
@api(body=RoomChanges, responses={200: Room}, problems=(404, 422))
def update_room(id: int, body: RoomChanges):
    """Rename a room or change its capacity (never below an upcoming class's capacity in it: 422)."""
    room = catalog.get_room(id)
    catalog.update_room(room, body.values())
    db.session.commit()
    return respond(Room, room_json(room))


@bp.post("/classes")
@requires("classes", "create")
@api(body=NewClass, responses={201: Class}, problems=(422,), check=sessions.clean_session)
def create_class(body: NewClass):
    """Schedule a one-off class: class_type_id, and starts_at (ISO-8601 with offset) or local date + time.

    Also: duration_minutes (default: the type's), instructor_id, room_id, capacity (default: the type's, at
    most the room's), notes. `date` is YYYY-MM-DD and `time` HH:MM on the studio's wall clock; a local time
    skipped by a daylight-saving change is a 422.
    """
    session = sessions.create_session(body.values(), actor=require_principal())
    db.session.commit()
    return respond(Class, session_json(session, require_tenant().zone), 201,
                   url_for("classes_api.get_class", id=session.id))


@bp.get("/classes/<int:id>")
@public
@api(responses={200: Class}, problems=(401, 404))
def get_class(id: int):
    """One class session: public like the timetable, unless the studio requires sign-in."""
    _require_sign_in_if_studio_says()
    return respond(Class, session_json(sessions.get_session(id), require_tenant().zone))


@bp.patch("/classes/<int:id>")
@requires("classes", "update")
@api(body=ClassChanges, responses={200: Class}, problems=(404, 409, 422))
def update_class(id: int, body: ClassChanges):
    """Edit a class: this occurrence only, or with "scope": "future" this and all later ones of its series."""
    session = sessions.get_session(id)
    values = body.values()
    scope = values.pop("scope", None) or "one"
    session = series.edit_session(session, values, scope=scope, actor=require_principal())
    db.session.commit()
    return respond(Class, session_json(session, require_tenant().zone))


@bp.post("/classes/<int:id>/cancel")
@requires("classes", "delete")
@api(body=Cancellation, body_optional=True, responses={200: CancelledClass}, problems=(404, 409, 422))
def cancel_class(id: int, body: Cancellation):
    """Cancel a class {reason?}: booked and waiting members are released and emailed."""
    session = sessions.get_session(id)
    released = sessions.cancel_session(session, body.reason, current_principal())
    db.session.commit()
    return respond(CancelledClass, {**session_json(session, require_tenant().zone), "released": len(released)})


@bp.get("/class-series")
@requires("classes", "read")
@api(query=Flags, responses={200: Items[Series]})
def list_class_series(query: Flags):
    """Weekly series (?include_ended=true adds those that have ended)."""
    return respond(Items[Series], {"items": [series_json(s) for s in series.list_series(
        include_ended=query.include_ended)]})


@bp.post("/class-series")
@requires("classes", "create")
@api(body=NewSeries, responses={201: Series}, problems=(422,), check=series.clean_series)
def create_class_series(body: NewSeries):
    """Create a weekly series (weekdays 0=Mon…6=Sun at a local start_time); its sessions are generated ahead.

    Body: class_type_id, weekdays, start_time "HH:MM", starts_on (default today), ends_on, duration_minutes,
    capacity, instructor_id, room_id.
    """
    weekly = series.create_series(body.values(), actor=require_principal())
    db.session.commit()
    return respond(Series, series_json(weekly), 201, url_for("classes_api.get_class_series", id=weekly.id))


@bp.get("/class-series/<int:id>")
@requires("classes", "read")
@api(responses={200: Series}, problems=(404,))
def get_class_series(id: int):
    """One weekly series."""
    return respond(Series, series_json(series.get_series(id)))


@bp.patch("/class-series/<int:id>")
@requires("classes", "update")
@api(body=SeriesChanges, responses={200: Series}, problems=(404, 409, 422))
def update_class_series(id: int, body: SeriesChanges):
    """Change a series from the local day "from" (default today); later sessions follow the new rule.

    Answers with the series that carries the rule from then: a new one when the old had earlier sessions.
    """
    weekly = series.get_series(id)
    values = body.values()
    from_day = values.pop("from_", None)
    weekly = series.update_series(weekly, values, from_day=from_day, actor=require_principal())
    db.session.commit()
    return respond(Series, series_json(weekly))
