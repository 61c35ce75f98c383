"""Classes API: the public timetable (W1's read path)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, jsonify, request

from nexphys.auth.access import current_principal, public
from nexphys.classes.services import TimetableEntry, sessions_between
from nexphys.studio.services import setting
from nexphys.tenancy.context import require_tenant
from nexphys.web.api import ValidationFailed

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


def entry_json(entry: TimetableEntry) -> dict:
    return {"id": entry.id, "name": entry.name, "instructor": entry.instructor,
            "starts_at": entry.starts_at.isoformat(), "ends_at": entry.ends_at.isoformat(),
            "capacity": entry.capacity, "booked": entry.booked, "spots_left": entry.spots_left,
            "color": entry.color}


@bp.get("/classes")
@public
def list_classes():
    """The timetable for ?date=YYYY-MM-DD or ?from=&to= (studio-local days): public unless the studio says not."""
    if setting("timetable_requires_sign_in") and current_principal() is None:
        abort(401, description="This studio shows its timetable to signed-in people only.")
    zone = ZoneInfo(require_tenant().time_zone)
    first, last = _requested_days(zone)
    start = datetime.combine(first, time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone)
    entries = sessions_between(start, end, zone)
    return jsonify(items=[entry_json(e) for e in entries], time_zone=zone.key, **{
        "from": first.isoformat(), "to": last.isoformat()})
