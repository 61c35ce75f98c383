"""A studio's home page: its timetable, by week or by day, filtered by class type and instructor.

The most visited page (W1's page twin), so its cost is fixed: one settings query and one timetable
query for anyone, plus one query for a signed-in member's own statuses. The filters narrow the
range's sessions in Python, and their choices come from that same range, so they cost nothing more.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request, url_for

from nexphys.bookings.cards import CARD_SETTINGS, build_card, viewer_for
from nexphys.bookings.queries import statuses_for
from nexphys.bookings.services import upcoming_confirmed_count
from nexphys.calendar.services import STUDIO_TOKEN_SETTING, studio_token
from nexphys.classes.queries import Slot, slots_between, week_start
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.security.http import allow_framing
from nexphys.settings.services import cached_settings
from nexphys.studio.embedding import EMBED_SETTING, framing_origins
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import current_principal, public
from nexphys.web.navigation import sign_in_redirect, this_page
from nexphys.workouts.program_queries import timetable_workouts

VIEWS = ("week", "day")
# A cancelled class stays on the timetable, struck through, this long after it was cancelled (members who
# look see why it is gone), then leaves it.
CANCELLED_SHOWN = timedelta(hours=48)

bp = Blueprint("timetable", __name__)


def _default_view() -> str:
    """The day view on a phone (its browser says so in Sec-CH-UA-Mobile, as Chromium's do), else the week."""
    return "day" if request.headers.get("Sec-CH-UA-Mobile") == "?1" else "week"


def _requested_day(today: date) -> date:
    """?date= (any day; the week view shows its week), or the older ?week=, or today."""
    name = "date" if request.args.get("date") else "week" if request.args.get("week") else None
    if name is None:
        return today
    try:
        return date.fromisoformat(request.args[name])
    except ValueError:
        abort(400, description=f"{name} must be a date such as 2026-11-23")


def _chosen(name: str) -> int | None:
    return request.args.get(name, type=int)


def _choices(slots: list[Slot]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Class types and instructors that appear in the range, by name."""
    types = {s.class_type_id: s.name for s in slots}
    people = {s.instructor_id: s.instructor for s in slots if s.instructor_id is not None}
    by_name = lambda pairs: sorted(pairs.items(), key=lambda p: (p[1] or "").casefold())  # noqa: E731
    return by_name(types), by_name(people)


def studio_home():
    """The studio's timetable (week or day view, filters, spots left, the viewer's own bookings)."""
    tenant = require_tenant()
    zone = tenant.zone
    values = cached_settings([*CARD_SETTINGS, STUDIO_TOKEN_SETTING, EMBED_SETTING])
    principal = current_principal()
    if values.get("timetable_requires_sign_in") and principal is None:
        return sign_in_redirect()
    now = utcnow()
    today = now.astimezone(zone).date()
    view = request.args.get("view") if request.args.get("view") in VIEWS else _default_view()
    day = _requested_day(today)
    first, length = (day, 1) if view == "day" else (week_start(day), 7)
    slots = slots_between(*tenant.days(first, length), cancelled_since=now - CANCELLED_SHOWN)
    type_id, instructor_id = _chosen("type"), _chosen("instructor")
    type_choices, instructor_choices = _choices(slots)
    shown = [s for s in slots if (type_id is None or s.class_type_id == type_id)
             and (instructor_id is None or s.instructor_id == instructor_id)]
    viewer = viewer_for(principal, values, zone, now,
                        upcoming=lambda member_id: upcoming_confirmed_count(member_id, now))
    mine = statuses_for(viewer.member_id, [s.id for s in shown]) if viewer.signed_in and shown else {}
    # The classes' workouts of the day, in one query (not cached: a changed workout shows at once).
    workouts = timetable_workouts(shown) if shown else {}
    days = {first + timedelta(days=i): [] for i in range(length)}
    for slot in shown:
        card = build_card(slot, mine.get(slot.id), viewer, workouts.get(slot.id))
        days.setdefault(card.starts.date(), []).append(card)

    feed_token = studio_token(values.get(STUDIO_TOKEN_SETTING))
    if feed_token != values.get(STUDIO_TOKEN_SETTING):
        db.session.commit()  # the feed token was made just now (once per studio)

    filters = {k: v for k, v in (("type", type_id), ("instructor", instructor_id)) if v is not None}

    # The page it is on: the home page ("/", members and visitors) or /timetable (staff, whose home is theirs).
    # Its path is built once; each of the page's dozen links only adds its query (url_for each time cost
    # about 40 µs a link, a visible share of the most visited page).
    here_path = url_for(request.endpoint)

    def link(**changes) -> str:
        args = {"view": view if view != "week" else None, **filters, **changes}
        query = urlencode({k: v for k, v in args.items() if v is not None})
        return f"{here_path}?{query}" if query else here_path

    allow_framing(framing_origins(values.get(EMBED_SETTING)))  # the studio's own sites may show the timetable
    strip = [(d, link(view="day", date=d.isoformat())) for d in (week_start(day) + timedelta(days=n) for n in range(7))]
    step = timedelta(days=length)
    here = this_page()
    return render_template(
        "studio/home.html", view=view, time_zone=tenant.time_zone,
        days=[{"date": d, "label": d.strftime("%a %d %b") if view == "week" else d.strftime("%A %d %B %Y"),
               "is_today": d == today, "cards": cards} for d, cards in days.items()],
        heading=(f"Week of {first:%d %b %Y}" if view == "week" else f"{first:%A %d %b %Y}"),
        prev_url=link(date=(first - step).isoformat()), next_url_nav=link(date=(first + step).isoformat()),
        today_url=link(date=None), week_url=link(view=None, date=day.isoformat()),
        day_url=link(view="day", date=(day if view == "day" else (today if week_start(today) == first else first))
                     .isoformat()),
        filters=filters, type_choices=type_choices, instructor_choices=instructor_choices,
        type_id=type_id, instructor_id=instructor_id, form_date=day.isoformat(),
        total=len(shown), unfiltered_total=len(slots), clear_url=link(type=None, instructor=None, date=day.isoformat()),
        next_url=here, login_url=url_for("auth.login", next=here), viewer_signed_in=viewer.signed_in,
        feed_url=url_for("calendar.feed", token=feed_token, _external=True), day_strip=strip, day=day, today=today,
        # A phone whose browser does not say so (no Sec-CH-UA-Mobile) is sent to the day view by nexphys.js.
        phone_day_url=link(view="day", date=today.isoformat()) if "view" not in request.args and view == "week"
        else None,
    ), {"Vary": "Sec-CH-UA-Mobile"}


@bp.get("/timetable")
@public
def page():
    """The timetable at an address of its own: staff reach it here, since their home page is the staff home."""
    return studio_home()
