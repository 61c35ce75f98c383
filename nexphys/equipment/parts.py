"""What the equipment domain adds to the schedule's pages (Domain.page_parts): the "Short of equipment" badge on
the staff schedule, the notice on a roster, and the "Equipment needed" section of a class type's and a session's
edit page. The classes and bookings domains only name the slots; they never import this."""

from __future__ import annotations

from typing import Any

from flask import g, render_template, request
from markupsafe import Markup

from nexphys.classes.models import ClassSession, ClassType
from nexphys.db import utcnow
from nexphys.equipment import requirements
from nexphys.equipment.requirements import Shortfall
from nexphys.equipment.services import list_categories
from nexphys.web.access import require_principal

BLANK_LINES = 2  # empty lines below the listed ones, to add a kind of equipment without script


def _week_shortfalls(week: dict[Any, list[Any]]) -> dict[int, list[Shortfall]]:
    """The shortfalls of every session on the page, asked once per page (then kept for the other rows). `week` maps
    days to sessions (or to anything with a `.slot` that has id, status and ends_at, as the staff home's lines)."""
    now = utcnow()  # a class over is not short any more: the equipment's status is today's
    shown = (getattr(item, "slot", item) for items in week.values() for item in items)  # sessions, or staff home lines
    ids = tuple(sorted(s.id for s in shown if s.status == "scheduled" and s.ends_at > now))
    cached = getattr(g, "_equipment_week", None)
    if cached is None or cached[0] != ids:
        cached = (ids, requirements.shortfalls_for(ids))
        g._equipment_week = cached
    return cached[1]


def schedule_badge(session: Any, week: dict[Any, list[Any]]) -> str:
    """The badge of a short session on the staff schedule ("" for the others)."""
    found = _week_shortfalls(week).get(session.id)
    if not found:
        return ""
    return render_template("equipment/_short_badge.html", shortfalls=found)


def roster_notice(session: ClassSession) -> str:
    """A notice on the roster naming what the class is short of."""
    found = requirements.shortfalls_for([session.id]).get(session.id) \
        if session.status == "scheduled" and session.ends_at > utcnow() else None
    if not found:
        return ""
    return render_template("equipment/_short_notice.html", shortfalls=found, session=session)


def lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form's lines: those given and a few blank ones."""
    return [*rows, *({"category": "", "quantity": "", "per_member": False} for _ in range(BLANK_LINES))]


def rows_of(found) -> list[dict[str, Any]]:
    """Requirement rows as the form shows them."""
    return [{"category": r.category.name, "quantity": r.quantity, "per_member": r.per_member} for r in found]


def section(*, class_type: ClassType | None = None, session: ClassSession | None = None,
            given: list[dict[str, Any]] | None = None, errors: dict[str, list[str]] | None = None) -> str:
    """The "Equipment needed" section (shown to equipment readers; a form for those who may change it)."""
    principal = require_principal()
    if not principal.can("equipment", "read"):
        return ""
    own = requirements.requirements_of(class_type_id=class_type.id) if class_type is not None \
        else requirements.requirements_of(session_id=session.id)
    inherited = requirements.requirements_of(class_type_id=session.class_type_id) if session is not None else []
    short = requirements.shortfalls_for([session.id]).get(session.id, []) if session is not None else []
    return Markup(render_template(  # our own template's output, escaped as it was rendered
        "equipment/_requirements.html", class_type=class_type, session=session,
        lines=lines(given if given is not None else rows_of(own)), errors=errors or {}, inherited=inherited,
        shortfalls=short, categories=list_categories(), may_change=principal.can("equipment", "update")))


def class_type_section(class_type: ClassType) -> str:
    """The section on a class type's edit page."""
    return section(class_type=class_type)


def session_section(session: ClassSession) -> str:
    """The section on a session's edit page."""
    return section(session=session)


def exercise_equipment(form: Any) -> str:
    """The exercise form's equipment: the studio's categories as boxes to tick (posted as "kit"), and a line for
    other names (posted as the form's own "equipment" field), which stay free text until such a category exists."""
    field = form.equipment
    names = field.data if isinstance(field.data, list) else \
        [name.strip() for name in (field.data or "").replace("\n", ",").split(",") if name.strip()]
    categories = list_categories()
    known = {c.name.lower() for c in categories}
    ticked = {name.lower() for name in (request.form.getlist("kit") if request.method == "POST" else names)}
    others = [name for name in names if name.lower() not in known]
    return Markup(render_template(  # our own template's output, escaped as it was rendered
        "equipment/_exercise_equipment.html", field=field, categories=categories, ticked=ticked,
        others=", ".join(others)))
