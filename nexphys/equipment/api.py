"""Equipment API: assets (list with filters and pages, create, read, change, remove) and their maintenance
records. The same services as the staff pages (nexphys.equipment.services); errors are problem+json."""

from __future__ import annotations

from flask import Blueprint, url_for

from nexphys.equipment import queries, services
from nexphys.equipment.models import Asset as AssetRow
from nexphys.equipment.models import MaintenanceRecord as RecordRow
from nexphys.equipment.schemas import (
    Asset,
    AssetChanges,
    AssetDetail,
    AssetsQuery,
    MaintenanceRecord,
    NewAsset,
    NewMaintenanceRecord,
)
from nexphys.extensions import db
from nexphys.settings.services import cached_setting
from nexphys.storage.services import file_url
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import require_principal, requires
from nexphys.web.schemas import Page, PageQuery, api, no_content, respond

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


def detail_json(asset: AssetRow) -> dict:
    """An asset with its open problems and schedules."""
    problems = queries.open_problems(asset.id)
    return {**asset_json(asset, len(problems)),
            "problems": [{"id": p.id, "text": p.text, "reported_at": _zone_iso(p.created_at),
                          "photo_url": file_url(p.photo_key, external=True)} for p in problems],
            "schedules": [{"id": s.id, "title": s.title, "every_days": s.every_days, "every_uses": s.every_uses,
                           "responsible_id": s.responsible_id,
                           "last_done_on": s.last_done_on.isoformat() if s.last_done_on else None,
                           "due_on": s.due_on.isoformat() if s.due_on else None}
                          for s in queries.schedules_of(asset.id)]}


def record_json(entry: RecordRow) -> dict:
    """A maintenance record as JSON."""
    return {"id": entry.id, "asset_id": entry.asset_id, "schedule_id": entry.schedule_id,
            "done_on": entry.done_on.isoformat(), "by": entry.by_user_id, "what": entry.what,
            "cost": str(entry.cost) if entry.cost is not None else None,
            "attachment_urls": [file_url(key, external=True) for key in entry.attachment_keys],
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
