"""A studio's public pages: its home page with this week's timetable (read-only for now)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, render_template, request, url_for

from nexphys.classes.services import week_of, week_timetable
from nexphys.tenancy.context import require_tenant

bp = Blueprint("studio", __name__)


def _requested_week(zone: ZoneInfo) -> date:
    raw = request.args.get("week")
    if not raw:
        return week_of(datetime.now(zone).date())
    try:
        return week_of(date.fromisoformat(raw))
    except ValueError:
        abort(400, description="week must be a date such as 2026-11-23")


def studio_home():
    """The studio's home page: its name and the week's timetable in the studio's time zone."""
    tenant = require_tenant()
    zone = ZoneInfo(tenant.time_zone)
    monday = _requested_week(zone)
    today = datetime.now(zone).date()
    days = [
        {
            "date": day,
            "label": day.strftime("%a %d %b"),
            "is_today": day == today,
            "sessions": [
                {"starts": e.starts_at.strftime("%H:%M"), "ends": e.ends_at.strftime("%H:%M"), "name": e.name,
                 "instructor": e.instructor, "color": e.color, "capacity": e.capacity, "booked": e.booked,
                 "spots_left": e.spots_left}
                for e in entries
            ],
        }
        for day, entries in week_timetable(monday, zone).items()
    ]
    return render_template(
        "tenant/home.html", tenant=tenant, brand_color=tenant.brand_color, days=days,
        week_label=f"Week of {monday.strftime('%d %b %Y')}", time_zone=tenant.time_zone,
        prev_week_url=url_for("pages.home", week=date.fromordinal(monday.toordinal() - 7).isoformat()),
        next_week_url=url_for("pages.home", week=date.fromordinal(monday.toordinal() + 7).isoformat()),
    )
