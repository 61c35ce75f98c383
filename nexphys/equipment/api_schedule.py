"""Equipment meets the schedule, as JSON: the equipment a class type or a class needs (read and replace), and the
classes short of equipment over a range of days. The same services as the pages (nexphys.equipment.requirements).

Paths follow the schedule's API: a class type is /class-types/{id}, a class (session) is /classes/{id}.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint

from nexphys.classes import catalog, sessions
from nexphys.classes.models import ClassSession
from nexphys.equipment import requirements
from nexphys.equipment.schemas import Requirements, RequirementsIn, Shortfall, ShortfallsQuery
from nexphys.extensions import db
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import require_principal, requires
from nexphys.web.api import ValidationFailed
from nexphys.web.schemas import Items, api, respond

bp = Blueprint("equipment_schedule_api", __name__, url_prefix="/api/v1")
MAX_RANGE_DAYS = 62


def _lines(rows) -> list[dict]:
    return [{"category": {"id": r.category.id, "name": r.category.name}, "quantity": r.quantity,
             "per_member": r.per_member} for r in rows]


def _type_json(type_id: int) -> dict:
    return {"items": _lines(requirements.requirements_of(class_type_id=type_id)), "inherited": None}


def _session_json(session: ClassSession) -> dict:
    return {"items": _lines(requirements.requirements_of(session_id=session.id)),
            "inherited": _lines(requirements.requirements_of(class_type_id=session.class_type_id))}


@bp.get("/class-types/<int:id>/equipment")
@requires("equipment", "read", own=False)
@api(responses={200: Requirements}, problems=(404,))
def class_type_equipment(id: int):
    """The equipment every class of this type needs in its room."""
    return respond(Requirements, _type_json(catalog.get_class_type(id).id))


@bp.put("/class-types/<int:id>/equipment")
@requires("equipment", "update")
@api(body=RequirementsIn, responses={200: Requirements}, problems=(404, 422))
def set_class_type_equipment(id: int, body: RequirementsIn):
    """Replace what the type's classes need {items: [{category, quantity, per_member}]} (categories made if new)."""
    class_type = catalog.get_class_type(id)
    requirements.set_requirements(body.lines(), require_principal(), class_type=class_type)
    db.session.commit()
    return respond(Requirements, _type_json(class_type.id))


@bp.get("/classes/<int:id>/equipment")
@requires("equipment", "read", own=False)
@api(responses={200: Requirements}, problems=(404,))
def class_equipment(id: int):
    """What this class itself names (over its type's: `inherited`)."""
    return respond(Requirements, _session_json(sessions.get_session(id)))


@bp.put("/classes/<int:id>/equipment")
@requires("equipment", "update")
@api(body=RequirementsIn, responses={200: Requirements}, problems=(404, 422))
def set_class_equipment(id: int, body: RequirementsIn):
    """Replace this class's own lines (each overrides its type's line of that category; quantity 0: not needed)."""
    session = sessions.get_session(id)
    requirements.set_requirements(body.lines(), require_principal(), session=session)
    db.session.commit()
    return respond(Requirements, _session_json(session))


@bp.get("/equipment/shortfalls")
@requires("equipment", "read", own=False)
@api(query=ShortfallsQuery, responses={200: Items[Shortfall]}, problems=(400, 422))
def shortfalls(query: ShortfallsQuery):
    """Scheduled classes of ?from=&to= (studio-local days; default today and the warning days after) that are short
    of equipment, in start order."""
    tenant = require_tenant()
    first = query.from_ or tenant.today()
    last = query.to or first + timedelta(days=requirements.warning_days())
    if last < first:
        raise ValidationFailed({"to": ["to is before from."]})
    if (last - first).days >= MAX_RANGE_DAYS:
        raise ValidationFailed({"to": [f"Ask for at most {MAX_RANGE_DAYS} days at once."]})
    start, end = tenant.days(first, (last - first).days + 1)
    found = requirements.shortfalls_between(start, end)
    classes = {s.id: s for s in db.session.query(ClassSession).filter(
        ClassSession.id.in_({f.session_id for f in found}))} if found else {}
    items = [{"class_id": f.session_id, "class_type": classes[f.session_id].class_type.name,
              "starts_at": tenant.local(classes[f.session_id].starts_at).isoformat(),
              "room": {"id": f.room_id, "name": f.room}, "category": {"id": f.category_id, "name": f.category},
              "needed": f.needed, "available": f.available, "missing": f.missing, "per_member": f.per_member,
              "capacity": classes[f.session_id].capacity, "booked": classes[f.session_id].booked_count}
             for f in found]
    return respond(Items[Shortfall], {"items": items, "total": len(items)})
