"""Equipment API: assets (list with filters and pages, create, read, change, remove) and their maintenance
records. The same services as the staff pages (nexphys.equipment.services); errors are problem+json."""

from __future__ import annotations

from flask import Blueprint, url_for

from nexphys.equipment import queries, requirements, services
from nexphys.equipment.models import Asset as AssetRow
from nexphys.equipment.models import MaintenanceRecord as RecordRow
from nexphys.equipment.schemas import (
    Asset,
    AssetChanges,
    AssetDetail,
    AssetsQuery,
    CategoryWithCount,
    MaintenanceRecord,
    NewAsset,
    NewCategory,
    NewMaintenanceRecord,
    NewProblem,
    NewSchedule,
    ProblemReport,
    ProblemsQuery,
    ScheduleChanges,
    ScheduleDetail,
)
from nexphys.extensions import db
from nexphys.settings.services import cached_setting
from nexphys.storage.services import file_url, is_document
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import require_principal, requires
from nexphys.web.schemas import Items, Page, PageQuery, api, no_content, respond

bp = Blueprint("equipment_api", __name__, url_prefix="/api/v1")


def _zone_iso(moment) -> str:
    return moment.astimezone(require_tenant().zone).isoformat()


def asset_json(asset: AssetRow, open_problems: int | None = None) -> dict:
    """An asset as JSON (`open_problems` counted unless given)."""
    if open_problems is None:
        open_problems = len(queries.open_problems(asset.id))
    return {"id": asset.id, "name": asset.name,
            "category": {"id": asset.category.id, "name": asset.category.name} if asset.category else None,
            "make": asset.make, "model": asset.model, "serial": asset.serial,
            "room": {"id": asset.room.id, "name": asset.room.name} if asset.room else None,
            "location": asset.location, "purchased_on": asset.purchased_on.isoformat() if asset.purchased_on else None,
            "cost": str(asset.cost) if asset.cost is not None else None,
            "currency": cached_setting("equipment_currency") or "", "status": asset.status,
            "photo_url": file_url(asset.photo_key, external=True), "notes": asset.notes,
            "report_url": url_for("equipment.report", asset_id=asset.id, _external=True),
            "open_problems": open_problems, "created_at": _zone_iso(asset.created_at),
            "updated_at": _zone_iso(asset.updated_at)}


def schedule_json(s) -> dict:
    """A maintenance schedule as JSON (`uses` for a use-based one, counted by requirements.count_uses)."""
    return {"id": s.id, "title": s.title, "every_days": s.every_days, "every_uses": s.every_uses,
            "responsible_id": s.responsible_id, "last_done_on": s.last_done_on.isoformat() if s.last_done_on else None,
            "due_on": s.due_on.isoformat() if s.due_on else None}


def detail_json(asset: AssetRow) -> dict:
    """An asset with its open problems, schedules and usage."""
    problems = queries.open_problems(asset.id)
    since = requirements.counted_since(asset)
    return {**asset_json(asset, len(problems)),
            "problems": [{"id": p.id, "text": p.text, "reported_at": _zone_iso(p.created_at),
                          "photo_url": file_url(p.photo_key, external=True)} for p in problems],
            "schedules": [schedule_json(s) for s in queries.schedules_of(asset.id)],
            "usage": {"classes": requirements.uses_since(asset, since), "since": since.isoformat()}}


def _attachment_url(entry: RecordRow, key: str) -> str | None:
    """A picture's address, or a document's staff-only download."""
    if is_document(key):
        return url_for("equipment_schedule.attachment", asset_id=entry.asset_id, record_id=entry.id,
                       name=key.rsplit("/", 1)[-1], _external=True)
    return file_url(key, external=True)


def record_json(entry: RecordRow) -> dict:
    """A maintenance record as JSON."""
    return {"id": entry.id, "asset_id": entry.asset_id, "schedule_id": entry.schedule_id,
            "done_on": entry.done_on.isoformat(), "by": entry.by_user_id, "what": entry.what,
            "cost": str(entry.cost) if entry.cost is not None else None,
            "attachment_urls": [_attachment_url(entry, key) for key in entry.attachment_keys],
            "created_at": _zone_iso(entry.created_at)}


@bp.get("/equipment")
@requires("equipment", "read", own=False)
@api(query=AssetsQuery, responses={200: Page[Asset]}, problems=(400, 422))
def list_equipment(query: AssetsQuery):
    """Equipment by name (paginated; ?q=, ?category_id=, ?status=, ?room_id= filter)."""
    filters = queries.AssetFilters(q=(query.q or "").strip()[:queries.SEARCH_MAX], category_id=query.category_id,
                                   status=query.status, room_id=query.room_id)
    pagination = queries.list_assets(filters, query.page, query.per_page)
    problems = queries.open_problem_counts([a.id for a in pagination.items])  # one query for the page
    return respond(Page[Asset], Page.of(pagination, [asset_json(a, problems.get(a.id, 0)) for a in pagination.items]))


@bp.post("/equipment")
@requires("equipment", "create")
@api(body=NewAsset, responses={201: AssetDetail}, problems=(422,), check=services.clean_asset)
def create_equipment(body: NewAsset):
    """Add a piece of equipment {name, category?, make?, model?, serial?, room_id?, location?, purchased_on?,
    cost?, status?, notes?}."""
    asset = services.create_asset(body.values(), require_principal())
    db.session.commit()
    return respond(AssetDetail, detail_json(asset), 201, url_for("equipment_api.get_equipment", id=asset.id))


@bp.get("/equipment/<int:id>")
@requires("equipment", "read", own=False)
@api(responses={200: AssetDetail}, problems=(404,))
def get_equipment(id: int):
    """One piece of equipment, with its open problems and maintenance schedules."""
    return respond(AssetDetail, detail_json(services.get_asset(id)))


@bp.patch("/equipment/<int:id>")
@requires("equipment", "update")
@api(body=AssetChanges, responses={200: AssetDetail}, problems=(404, 422))
def update_equipment(id: int, body: AssetChanges):
    """Change the fields sent; a new status needs status_reason (kept in the asset's history)."""
    asset = services.get_asset(id)
    services.update_asset(asset, body.values(), require_principal())
    db.session.commit()
    return respond(AssetDetail, detail_json(asset))


@bp.delete("/equipment/<int:id>")
@requires("equipment", "delete")
@api(responses={204: None}, problems=(404,))
def delete_equipment(id: int):
    """Remove a piece of equipment with its history and maintenance log (retire it to keep them)."""
    services.delete_asset(services.get_asset(id), require_principal())
    db.session.commit()
    return no_content()


@bp.get("/equipment/<int:id>/maintenance")
@requires("equipment", "read", own=False)
@api(query=PageQuery, responses={200: Page[MaintenanceRecord]}, problems=(400, 404))
def list_maintenance(id: int, query: PageQuery):
    """The asset's maintenance records, latest first (paginated)."""
    asset = services.get_asset(id)
    pagination = queries.records_of(asset.id, query.page, query.per_page)
    return respond(Page[MaintenanceRecord], Page.of(pagination, [record_json(r) for r in pagination.items]))


@bp.post("/equipment/<int:id>/maintenance")
@requires("equipment", "create")
@api(body=NewMaintenanceRecord, responses={201: MaintenanceRecord}, problems=(404, 422))
def create_maintenance(id: int, body: NewMaintenanceRecord):
    """Log maintenance done {what, done_on?, cost?, schedule_id?}; a schedule it answers counts from done_on."""
    asset = services.get_asset(id)
    entry = services.log_record(asset, body.values(), (), require_principal())
    db.session.commit()
    return respond(MaintenanceRecord, record_json(entry), 201, url_for("equipment_api.list_maintenance", id=asset.id))


# --- categories -------------------------------------------------------------------------------------------

@bp.get("/equipment/categories")
@requires("equipment", "read", own=False)
@api(responses={200: Items[CategoryWithCount]})
def list_categories():
    """The studio's equipment categories by name, with how many assets each has."""
    found = queries.category_counts()
    return respond(Items[CategoryWithCount], {"items": [{"id": c.id, "name": c.name, "assets": n} for c, n in found],
                                              "total": len(found)})


@bp.post("/equipment/categories")
@requires("equipment", "create")
@api(body=NewCategory, responses={200: CategoryWithCount, 201: CategoryWithCount}, problems=(422,))
def create_category(body: NewCategory):
    """Add a category {name} (one of the same name regardless of case is answered with 200 as it is)."""
    name = services.clean_category(body.name)
    existing = services.find_category(name)
    category = existing or services.category_named(name)
    db.session.commit()
    count = dict((c.id, n) for c, n in queries.category_counts()).get(category.id, 0)
    return respond(CategoryWithCount, {"id": category.id, "name": category.name, "assets": count},
                   200 if existing else 201)


# --- problem reports ----------------------------------------------------------------------------------------

def problem_json(p) -> dict:
    """A problem report as JSON."""
    return {"id": p.id, "text": p.text, "status": p.status, "reported_at": _zone_iso(p.created_at),
            "reported_by": p.reported_by, "photo_url": file_url(p.photo_key, external=True),
            "resolved_at": _zone_iso(p.resolved_at) if p.resolved_at else None, "resolved_by": p.resolved_by}


@bp.get("/equipment/<int:id>/problems")
@requires("equipment", "read", own=False)
@api(query=ProblemsQuery, responses={200: Page[ProblemReport]}, problems=(400, 404))
def list_problems(id: int, query: ProblemsQuery):
    """The asset's problem reports, newest first (paginated; ?status=open or resolved)."""
    asset = services.get_asset(id)
    pagination = queries.problems_of(asset.id, query.status, query.page, query.per_page)
    return respond(Page[ProblemReport], Page.of(pagination, [problem_json(p) for p in pagination.items]))


@bp.post("/equipment/<int:id>/problems")
@requires("equipment", "read", own=False)
@api(body=NewProblem, responses={201: ProblemReport}, problems=(404, 409, 422))
def report_problem(id: int, body: NewProblem):
    """Report a problem {text}: whoever looks after the asset is emailed; an asset in service then needs
    attention."""
    report = services.report_problem(services.get_asset(id), body.text, None, require_principal())
    db.session.commit()
    return respond(ProblemReport, problem_json(report), 201, url_for("equipment_api.list_problems", id=id))


@bp.post("/equipment/<int:id>/problems/<int:pid>/resolve")
@requires("equipment", "update")
@api(responses={200: ProblemReport}, problems=(404, 409))
def resolve_problem(id: int, pid: int):
    """Mark a problem fixed (the asset's status is changed separately)."""
    report = services.get_report(services.get_asset(id), pid)
    services.resolve_problem(report, require_principal())
    db.session.commit()
    return respond(ProblemReport, problem_json(report))


# --- maintenance schedules --------------------------------------------------------------------------------

def _schedule_detail(schedule) -> dict:
    requirements.count_uses([schedule])
    return {**schedule_json(schedule), "starts_on": schedule.starts_on.isoformat(), "uses": schedule.uses}


@bp.get("/equipment/<int:id>/schedules")
@requires("equipment", "read", own=False)
@api(responses={200: Items[ScheduleDetail]}, problems=(404,))
def list_schedules(id: int):
    """The asset's maintenance schedules by title, with what is due (a use-based one's uses counted)."""
    found = queries.schedules_of(services.get_asset(id).id)
    return respond(Items[ScheduleDetail], {"items": [_schedule_detail(s) for s in found], "total": len(found)})


@bp.post("/equipment/<int:id>/schedules")
@requires("equipment", "create")
@api(body=NewSchedule, responses={201: ScheduleDetail}, problems=(404, 422))
def create_schedule(id: int, body: NewSchedule):
    """Schedule recurring care {title, every_days | every_uses, responsible_id?, starts_on?}."""
    schedule = services.add_schedule(services.get_asset(id), body.values(), require_principal())
    db.session.commit()
    return respond(ScheduleDetail, _schedule_detail(schedule), 201, url_for("equipment_api.list_schedules", id=id))


@bp.patch("/equipment/<int:id>/schedules/<int:sid>")
@requires("equipment", "update")
@api(body=ScheduleChanges, responses={200: ScheduleDetail}, problems=(404, 422))
def update_schedule(id: int, sid: int, body: ScheduleChanges):
    """Change the fields sent (sending every_days drops every_uses, and the other way round)."""
    schedule = services.get_schedule(services.get_asset(id), sid)
    services.update_schedule(schedule, body.values(), require_principal())
    db.session.commit()
    return respond(ScheduleDetail, _schedule_detail(schedule))


@bp.delete("/equipment/<int:id>/schedules/<int:sid>")
@requires("equipment", "delete")
@api(responses={204: None}, problems=(404,))
def delete_schedule(id: int, sid: int):
    """Stop a schedule (its records stay in the log)."""
    services.delete_schedule(services.get_schedule(services.get_asset(id), sid))
    db.session.commit()
    return no_content()
