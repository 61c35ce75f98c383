"""What an audit entry touched, in words and with a link: "Barbell Basics, Tue 01 Dec 18:00" rather than
"class_session:12". The entry's details carry the names as they were when it was recorded (a class renamed
later keeps its old name here), so nothing is looked up again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import url_for
from werkzeug.routing import BuildError

# target kind → (endpoint, its id argument): where the thing lives now, if it still has a page
PAGES = {"class_session": ("bookings.class_detail", "session_id"), "user": ("members.detail", "member_id"),
         "class_series": ("classes.edit_series", "series_id"), "role": ("roles.edit", "role_id")}


@dataclass(frozen=True)
class Subject:
    text: str
    url: str | None


def subject(target: str | None, details: dict, zone: ZoneInfo) -> Subject | None:
    """The entry's subject, or None when it has no target."""
    if not target:
        return None
    kind, _, raw_id = target.partition(":")
    return Subject(_words(kind, details, zone) or kind.replace("_", " "), _url(kind, raw_id))


def _words(kind: str, d: dict, zone: ZoneInfo) -> str | None:
    when = _local(d.get("starts_at"), zone)
    if kind == "class_session" and d.get("class"):
        return f"{d['class']}, {when}" if when else d["class"]
    if kind == "booking" and d.get("member"):
        return f"{d['member']} in {d.get('class', 'a class')}" + (f", {when}" if when else "")
    if kind == "class_series" and d.get("class"):
        return f"{d['class']} series, {d.get('weekdays', '')} at {d.get('start_time', '')}".replace(",  at ", " at ")
    if kind == "api_key":
        return f"API key “{d['name']}”" if d.get("name") else "an API key"
    if kind == "settings":
        return "the studio's settings"
    return d.get("member") or d.get("name") or d.get("email")


def _url(kind: str, raw_id: str) -> str | None:
    page = PAGES.get(kind)
    if page is None or not raw_id.isdigit():
        return None
    try:
        return url_for(page[0], **{page[1]: int(raw_id)})
    except BuildError:
        return None


def _local(iso: str | None, zone: ZoneInfo) -> str | None:
    try:
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%a %d %b %Y, %H:%M") if iso else None
    except (TypeError, ValueError):
        return None
