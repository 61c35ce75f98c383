"""The studio's public details and look: logo, colour, address and map link, contact, opening hours, about
text and social links. Shown in the header, on the studio page, under the timetable and in every email.

Details and logo are studio settings (DETAILS_SETTING, LOGO_SETTING), read on hot paths through the
settings cache; the colour is the registry's `tenants.brand_color` (the tenant cache carries it to every
page). Services flush; the request commits once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote_plus, urlsplit

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from nexphys.audit.services import record
from nexphys.errors import Invalid
from nexphys.extensions import db
from nexphys.settings.models import StudioSetting
from nexphys.settings.services import save_settings, settings
from nexphys.storage.services import discard, file_url, store_image
from nexphys.tenancy import cache
from nexphys.tenancy.cache import cached_tenant_value
from nexphys.tenancy.context import current_tenant, require_tenant
from nexphys.tenancy.models import Tenant
from nexphys.tenancy.transactions import after_commit
from nexphys.validation import FieldErrors, clock_time, email_address, text
from nexphys.web.access import Principal

DETAILS_SETTING, LOGO_SETTING = "studio_details", "studio_logo"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "postcode", "country")
SOCIAL_FIELDS = ("website", "instagram", "facebook")
TEXT_LIMITS = {"address_line1": 120, "address_line2": 120, "city": 80, "postcode": 20, "country": 80,
               "phone": 40, "about": 4000}
SOCIAL_HOSTS = {"instagram": ("instagram.com",), "facebook": ("facebook.com", "fb.com")}
SOCIAL_LABELS = {"website": "Website", "instagram": "Instagram", "facebook": "Facebook"}
COLOR = re.compile(r"#[0-9a-fA-F]{6}")
PHONE = re.compile(r"\+?[0-9 ()./-]{5,40}")
HANDLE = re.compile(r"@?([A-Za-z0-9._]{1,60})")
FILLED_FIELDS = ("address_line1", "city", "about", "email", "phone")  # any one: the checklist's "brand" is done
DETAILS_CHANGED, COLOR_CHANGED = "studio.details_updated", "studio.colour_changed"
LOGO_CHANGED, LOGO_REMOVED = "studio.logo_changed", "studio.logo_removed"


class DetailsInvalid(Invalid):
    """Some details cannot be saved; messages under each field name."""


@dataclass(frozen=True)
class Face:
    """What pages and emails show of the studio. Kept in process per studio (see `face`), so each figure is
    worked out once, not on every page: read it, never change it."""

    details: dict[str, Any]
    logo_key: str | None

    @cached_property
    def logo_url(self) -> str | None:
        return file_url(self.logo_key)

    def logo_url_external(self) -> str | None:
        return file_url(self.logo_key, external=True)

    @cached_property
    def address_lines(self) -> list[str]:
        d = self.details
        town = " ".join(p for p in (d.get("postcode"), d.get("city")) if p)
        return [line for line in (d.get("address_line1"), d.get("address_line2"), town, d.get("country")) if line]

    @cached_property
    def address(self) -> str:
        return ", ".join(self.address_lines)

    @cached_property
    def map_url(self) -> str | None:
        """An OpenStreetMap search for the address (a link: no embedded map, no third-party script)."""
        return f"https://www.openstreetmap.org/search?query={quote_plus(self.address)}" if self.address else None

    @cached_property
    def hours(self) -> list[tuple[str, str | None]]:
        """(weekday, "06:00–21:00" or None for closed), Monday first; [] when no hours are given."""
        days = self.details.get("hours") or []
        if len(days) != 7 or not any(days):
            return []
        return [(WEEKDAYS[i], f"{d[0]}–{d[1]}" if d else None) for i, d in enumerate(days)]

    @cached_property
    def socials(self) -> list[tuple[str, str]]:
        return [(SOCIAL_LABELS[k], self.details[k]) for k in SOCIAL_FIELDS if self.details.get(k)]

    @cached_property
    def about_paragraphs(self) -> list[str]:
        return [p.strip() for p in re.split(r"\n\s*\n", self.details.get("about") or "") if p.strip()]

    @cached_property
    def has_details(self) -> bool:
        return bool(self.address_lines or self.details.get("email") or self.details.get("phone")
                    or self.hours or self.socials or self.details.get("about"))


def face() -> Face:
    """The bound studio's details and logo, kept in process like its settings (a save forgets it)."""
    return cached_tenant_value("studio:face", fresh_face)


def template_values() -> dict[str, Any]:
    """`studio_face` for every page and email of a studio (nothing on the apex host, or with the database away)."""
    if current_tenant() is None or (has_request_context() and g.get("database_unavailable")):
        return {}
    try:
        return {"studio_face": face()}
    except sa.exc.SQLAlchemyError:  # an error page after a failed statement: the header shows the initial
        return {}


def fresh_face() -> Face:
    """The same, read from the database now (the branding page shows what is saved)."""
    values = settings((DETAILS_SETTING, LOGO_SETTING))
    details, logo = values.get(DETAILS_SETTING), values.get(LOGO_SETTING)
    return Face(details if isinstance(details, dict) else {}, logo if isinstance(logo, str) else None)


# --- checking what owners type ----------------------------------------------------------------------

def _url(errors: FieldErrors, field: str, value: Any) -> str:
    """A web address (https:// added when left out); Instagram and Facebook also take a name or @handle."""
    raw = text(errors, field, value, 300) or ""
    if not raw:
        return ""
    hosts = SOCIAL_HOSTS.get(field)
    if hosts and "/" not in raw and "." not in raw.lstrip("@") and HANDLE.fullmatch(raw):
        return f"https://www.{hosts[0]}/{HANDLE.fullmatch(raw).group(1)}"
    candidate = raw if re.match(r"(?i)https?://", raw) else "https://" + raw
    try:
        parts = urlsplit(candidate)
        host = (parts.hostname or "").lower()
    except ValueError:
        host = ""
    if not host or "." not in host or " " in candidate or parts.username or parts.password:
        errors.add(field, "Enter a web address such as https://www.example.com.")
        return ""
    if hosts and not any(host == h or host.endswith("." + h) for h in hosts):
        errors.add(field, f"Enter the address of your {SOCIAL_LABELS[field]} page (on {hosts[0]}), or your name there.")
        return ""
    return candidate


def _hours(errors: FieldErrors, days: list[Any]) -> list[list[str] | None]:
    """Seven days, each None (closed) or [opens, closes] as HH:MM, closing after opening."""
    cleaned: list[list[str] | None] = []
    for i, name in enumerate(WEEKDAYS):
        day = days[i] if i < len(days) else None
        if not day:
            cleaned.append(None)
            continue
        field = f"hours_{i}"
        day_errors = FieldErrors()
        opens, closes = clock_time(day_errors, field, day[0]), clock_time(day_errors, field, day[1])
        if day_errors:
            errors.add(field, f"{name}: give opening and closing times such as 06:30 and 21:00, or mark it closed.")
        elif closes <= opens:
            errors.add(field, f"{name}: closing time must be after opening time.")
        else:
            cleaned.append([f"{opens:%H:%M}", f"{closes:%H:%M}"])
            continue
        cleaned.append(None)
    return cleaned


def clean_details(values: dict[str, Any]) -> dict[str, Any]:
    """Validated details (every field optional); DetailsInvalid names each field in trouble."""
    errors = FieldErrors()
    cleaned: dict[str, Any] = {}
    for name in (*ADDRESS_FIELDS, "about"):
        cleaned[name] = text(errors, name, values.get(name), TEXT_LIMITS[name], collapse=name != "about") or ""
    cleaned["email"] = (email_address(errors, "email", values["email"]) or "") if values.get("email") else ""
    phone = text(errors, "phone", values.get("phone"), TEXT_LIMITS["phone"], collapse=True) or ""
    if phone and not PHONE.fullmatch(phone):
        errors.add("phone", "Use digits, spaces and + ( ) - only, such as +44 20 7946 0000.")
    cleaned["phone"] = phone
    for name in SOCIAL_FIELDS:
        cleaned[name] = _url(errors, name, values.get(name))
    cleaned["hours"] = _hours(errors, list(values.get("hours") or []))
    errors.raise_if_any(DetailsInvalid)
    return cleaned


def clean_color(errors: FieldErrors, value: Any) -> str | None:
    if not isinstance(value, str) or not COLOR.fullmatch(value.strip()):
        errors.add("brand_color", "Use a colour such as #2563eb.")
        return None
    return value.strip().lower()


# --- saving ---------------------------------------------------------------------------------------------

def save_details(values: dict[str, Any], actor: Principal) -> list[str]:
    """Store the cleaned details (and the colour, when given); returns the names of what changed. Flushes."""
    errors = FieldErrors()
    color = clean_color(errors, values["brand_color"]) if "brand_color" in values else None
    try:
        cleaned = clean_details(values)
    except DetailsInvalid as exc:
        errors.update(exc.errors)
    errors.raise_if_any(DetailsInvalid)
    before = fresh_face().details
    changed = [k for k in cleaned if before.get(k, "" if k != "hours" else None) != cleaned[k]
               and not (k == "hours" and not any(cleaned[k]) and not any(before.get(k) or []))]
    if changed:
        save_settings({DETAILS_SETTING: cleaned})
        record(DETAILS_CHANGED, actor.label, actor.person_id, target="settings:branding", details={"fields": changed})
    if color is not None and _set_color(color, actor):
        changed.append("brand_color")
    return changed


def _set_color(color: str, actor: Principal) -> bool:
    """The registry's colour of the bound studio; every process's tenant cache forgets it once committed."""
    tenant = db.session.get(Tenant, require_tenant().id)
    if tenant.brand_color == color:
        return False
    before, tenant.brand_color = tenant.brand_color, color
    keys = cache.lookup_keys(tenant.id, tenant.slug, [(d.kind, d.domain) for d in tenant.domains])
    app = current_app._get_current_object()
    after_commit(lambda: cache.invalidate(keys, app))
    db.session.flush()
    record(COLOR_CHANGED, actor.label, actor.person_id, target="settings:branding",
           details={"changes": {"brand_color": [before, color]}})
    return True


def set_logo(data: bytes, actor: Principal) -> str:
    """A new logo (checked, scaled to 600 px, metadata dropped); the old one is deleted. Returns its key."""
    row = store_image(data, "logo", actor, about="settings:branding")
    old = fresh_face().logo_key
    save_settings({LOGO_SETTING: row.key})
    discard(old)
    record(LOGO_CHANGED, actor.label, actor.person_id, target="settings:branding", details={"key": row.key})
    return row.key


def remove_logo(actor: Principal) -> bool:
    """Back to the studio's initial in the header; False when there was no logo."""
    old = fresh_face().logo_key
    if old is None:
        return False
    save_settings({LOGO_SETTING: None})
    discard(old)
    record(LOGO_REMOVED, actor.label, actor.person_id, target="settings:branding", details={"key": old})
    return True


def has_brand() -> sa.ColumnElement[bool]:
    """For the setup checklist: whether the studio has a logo or has filled in its details (an SQL test)."""
    value = StudioSetting.value
    logo = sa.and_(StudioSetting.key == LOGO_SETTING, sa.func.jsonb_typeof(value) == "string")
    filled = sa.and_(StudioSetting.key == DETAILS_SETTING,
                     sa.or_(*(sa.func.coalesce(value[name].astext, "") != "" for name in FILLED_FIELDS)))
    return sa.exists().where(sa.or_(logo, filled))
