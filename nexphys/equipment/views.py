"""Equipment pages under /equipment: the list, an asset's page (status, problems, maintenance), adding and
editing, the printable QR label sheet, the report-a-problem page a label opens, and maintenance due.
Thin views over nexphys.equipment.services and .queries (the API calls the same services)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from nexphys.checkin.codes import qr_svg
from nexphys.classes.catalog import list_rooms
from nexphys.classes.models import ClassSession
from nexphys.equipment import queries, requirements, services
from nexphys.equipment.errors import EquipmentConflict, EquipmentInvalid
from nexphys.equipment.forms import (
    AssetForm,
    ConfirmForm,
    NewAssetForm,
    PhotoForm,
    RecordForm,
    ReportForm,
    ScheduleForm,
    StatusForm,
)
from nexphys.equipment.models import Asset, AssetStatus
from nexphys.extensions import db
from nexphys.settings.services import cached_setting
from nexphys.storage.documents import DocumentRefused
from nexphys.storage.images import MAX_UPLOAD_BYTES, ImageRefused
from nexphys.storage.services import is_document, picture_url, uploaded
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import require_principal, requires, signed_in
from nexphys.web.forms import attach_errors, has_errors

bp = Blueprint("equipment", __name__)
PER_PAGE = 25
ASSET_FIELDS = ("name", "category", "make", "model", "serial", "room_id", "location", "purchased_on", "cost",
                "notes")


def _refused(form, exc: EquipmentInvalid | ImageRefused, aliases: dict[str, str] | None = None) -> None:
    db.session.rollback()
    unplaced = attach_errors(form, exc.errors, aliases=aliases)
    if unplaced:
        flash(" ".join(unplaced), "error")


def _may() -> dict[str, bool]:
    principal = require_principal()
    return {"may_" + action: principal.can("equipment", action) for action in ("create", "update", "delete")}


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value and value > 0 else None


# --- the list ------------------------------------------------------------------------------------------

@bp.get("/equipment")
@requires("equipment", "read", own=False)
def index():
    """The studio's equipment: counts by status, search and filters by category, status and room, pages."""
    status = request.args.get("status", "").strip()
    filters = queries.AssetFilters(q=request.args.get("q", "").strip()[:queries.SEARCH_MAX],
                                   category_id=_int_arg("category"), room_id=_int_arg("room"),
                                   status=status if status in AssetStatus.ALL else None)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    assets = queries.list_assets(filters, page=page, per_page=PER_PAGE)
    return render_template("equipment/index.html", assets=assets, filters=filters, args=filters.args(),
                           counts=queries.status_counts(), categories=queries.categories_in_use(), rooms=list_rooms(),
                           labels=AssetStatus.LABELS, **_may())


def _asset_form(form_class: type[AssetForm], asset: Asset | None = None) -> AssetForm:
    form = form_class(obj=asset) if asset is not None and not request.form else form_class()
    if asset is not None and not request.form:
        form.category.data = asset.category.name if asset.category else ""
        form.cost.data = str(asset.cost) if asset.cost is not None else ""
        form.room_id.data = str(asset.room_id or "")
    form.set_choices(list_rooms())
    return form


def _values(form, names: tuple[str, ...]) -> dict:
    return {name: form[name].data for name in names if not form[name].errors}


def _asset_form_page(form: AssetForm, asset: Asset | None, status: int = 200):
    return render_template("equipment/form.html", form=form, asset=asset, categories=services.list_categories(),
                           photo=PhotoForm() if asset else None, picture=picture_url), status


@bp.route("/equipment/new", methods=["GET", "POST"])
@requires("equipment", "create")
def new():
    """Add a piece of equipment."""
    form = _asset_form(NewAssetForm)
    if not form.is_submitted():
        return _asset_form_page(form, None)
    form.validate()
    try:
        if has_errors(form):
            services.clean_asset(_values(form, (*ASSET_FIELDS, "status")))
            return _asset_form_page(form, None, 422)
        asset = services.create_asset(_values(form, (*ASSET_FIELDS, "status")), require_principal())
    except EquipmentInvalid as exc:
        _refused(form, exc)
        return _asset_form_page(form, None, 422)
    db.session.commit()
    flash(f"“{asset.name}” added.", "success")
    return redirect(url_for("equipment.detail", asset_id=asset.id))


@bp.route("/equipment/<int:asset_id>/edit", methods=["GET", "POST"])
@requires("equipment", "update")
def edit(asset_id: int):
    """Change an asset's facts (its status changes on its page, with a reason)."""
    asset = services.get_asset(asset_id)
    form = _asset_form(AssetForm, asset)
    if not form.is_submitted():
        return _asset_form_page(form, asset)
    form.validate()
    try:
        if has_errors(form):
            services.clean_asset(_values(form, ASSET_FIELDS), current=asset)
            return _asset_form_page(form, asset, 422)
        services.update_asset(asset, _values(form, ASSET_FIELDS), require_principal())
    except EquipmentInvalid as exc:
        _refused(form, exc)
        return _asset_form_page(form, services.get_asset(asset_id), 422)
    db.session.commit()
    flash(f"“{asset.name}” saved.", "success")
    return redirect(url_for("equipment.detail", asset_id=asset.id))


@bp.post("/equipment/<int:asset_id>/photo")
@requires("equipment", "update")
def photo(asset_id: int):
    """A photo of the asset (PNG, JPEG or WebP)."""
    asset = services.get_asset(asset_id)
    try:
        services.set_asset_photo(asset, uploaded("image") or b"", require_principal())
    except ImageRefused as exc:
        form = _asset_form(AssetForm, services.get_asset(asset_id))
        db.session.rollback()
        flash(exc.message, "error")
        return _asset_form_page(form, services.get_asset(asset_id), 422)
    db.session.commit()
    flash("Photo saved.", "success")
    return redirect(url_for("equipment.detail", asset_id=asset_id))


@bp.post("/equipment/<int:asset_id>/photo/remove")
@requires("equipment", "update")
def remove_photo(asset_id: int):
    """Remove the asset's photo."""
    removed = services.set_asset_photo(services.get_asset(asset_id), None, require_principal())
    db.session.commit()
    flash("Photo removed." if removed else "There was no photo to remove.", "success" if removed else "info")
    return redirect(url_for("equipment.detail", asset_id=asset_id))


@bp.post("/equipment/<int:asset_id>/delete")
@requires("equipment", "delete")
def delete(asset_id: int):
    """Remove an asset with its history and maintenance log (the edit page asks first)."""
    asset = services.get_asset(asset_id)
    name = asset.name
    services.delete_asset(asset, require_principal())
    db.session.commit()
    flash(f"“{name}” removed.", "success")
    return redirect(url_for("equipment.index"))


# --- one asset -------------------------------------------------------------------------------------------

def _attachment_url(asset_id: int, record_id: int, key: str) -> str | None:
    """Where staff open an attachment: a document through the staff-only route, a picture as any picture."""
    if is_document(key):
        return url_for("equipment_schedule.attachment", asset_id=asset_id, record_id=record_id,
                       name=key.rsplit("/", 1)[-1])
    return picture_url(key)


def _detail(asset: Asset, status: int = 200, **forms):
    """The asset's page with its forms (any given one keeps what was typed and its messages)."""
    status_form = forms.get("status_form") or StatusForm(formdata=None, status=asset.status)
    schedule_form = forms.get("schedule_form") or ScheduleForm(formdata=None)
    schedule_form.set_choices(services.staff())
    schedules = queries.schedules_of(asset.id)
    record_form = forms.get("record_form") or RecordForm(formdata=None)
    record_form.set_choices(schedules)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    requirements.count_uses(schedules)
    short = requirements.short_now(asset)
    return render_template("equipment/detail.html", asset=asset, problems=queries.open_problems(asset.id),
                           uses=requirements.uses_since(asset, requirements.counted_since(asset)),
                           uses_since=requirements.counted_since(asset), short=short,
                           short_sessions={s.session_id: db.session.get(ClassSession, s.session_id) for s in short},
                           warning_days=requirements.warning_days(), attachment_url=_attachment_url,
                           schedules=schedules, records=queries.records_of(asset.id, page=page),
                           history=queries.history(asset.id), status_form=status_form, schedule_form=schedule_form,
                           record_form=record_form, confirm=ConfirmForm(), today=require_tenant().today(),
                           currency=cached_setting("equipment_currency"), labels=AssetStatus.LABELS,
                           picture=picture_url, **_may()), status


@bp.get("/equipment/<int:asset_id>")
@requires("equipment", "read", own=False)
def detail(asset_id: int):
    """An asset's page: facts, photo, status (with a change form), open problems, schedules and its log."""
    return _detail(services.get_asset(asset_id))


@bp.post("/equipment/<int:asset_id>/status")
@requires("equipment", "update")
def change_status(asset_id: int):
    """Change the asset's status, saying why."""
    asset = services.get_asset(asset_id)
    form = StatusForm()
    form.validate()
    status = form.status.data or ""
    if status in (AssetStatus.OUT_OF_SERVICE, AssetStatus.RETIRED) and asset.status in requirements.USABLE \
            and (form.status_reason.data or "").strip() and request.form.get("confirmed") != "y":
        short = requirements.short_without(asset)
        if short:  # say which classes need it before it goes
            return render_template("equipment/status_confirm.html", asset=asset, status=status,
                                   status_label=AssetStatus.LABELS[status], reason=form.status_reason.data,
                                   shortfalls=short, days=requirements.warning_days(),
                                   sessions={s.session_id: db.session.get(ClassSession, s.session_id)
                                             for s in short})
    try:
        changed = services.change_status(asset, form.status.data or "", form.status_reason.data or "",
                                         require_principal())
    except EquipmentInvalid as exc:
        _refused(form, exc)
        return _detail(services.get_asset(asset_id), 422, status_form=form)
    db.session.commit()
    flash(f"“{asset.name}” is now {asset.status_label.lower()}." if changed else "The status was already that.",
          "success" if changed else "info")
    if changed and requirements.short_now(asset):
        flash("Some classes are now short of equipment: see them below, and make them smaller if need be.", "warning")
    return redirect(url_for("equipment.detail", asset_id=asset_id))


@bp.post("/equipment/<int:asset_id>/schedules")
@requires("equipment", "create")
def add_schedule(asset_id: int):
    """Add a recurring maintenance task to the asset."""
    asset = services.get_asset(asset_id)
    form = ScheduleForm()
    form.validate()
    names = ("title", "every_days", "every_uses", "responsible_id", "starts_on")
    try:
        if has_errors(form):
            services.clean_schedule(_values(form, names))
            return _detail(asset, 422, schedule_form=form)
        schedule = services.add_schedule(asset, _values(form, names), require_principal())
    except EquipmentInvalid as exc:
        _refused(form, exc)
        return _detail(services.get_asset(asset_id), 422, schedule_form=form)
    db.session.commit()
    flash(f"“{schedule.title}” scheduled.", "success")
    return redirect(url_for("equipment.detail", asset_id=asset_id) + "#maintenance")


@bp.post("/equipment/<int:asset_id>/schedules/<int:schedule_id>/delete")
@requires("equipment", "delete")
def delete_schedule(asset_id: int, schedule_id: int):
    """Stop a recurring task (its records stay in the log)."""
    schedule = services.get_schedule(services.get_asset(asset_id), schedule_id)
    title = schedule.title
    services.delete_schedule(schedule)
    db.session.commit()
    flash(f"“{title}” is no longer scheduled.", "success")
    return redirect(url_for("equipment.detail", asset_id=asset_id) + "#maintenance")


@bp.post("/equipment/<int:asset_id>/records")
@requires("equipment", "create")
def log_record(asset_id: int):
    """Log maintenance done on the asset, with receipts or photos."""
    asset = services.get_asset(asset_id)
    form = RecordForm()
    form.set_choices(queries.schedules_of(asset.id))
    form.validate()
    names = ("what", "done_on", "cost", "schedule_id")
    files = [upload.read(MAX_UPLOAD_BYTES + 1) for upload in request.files.getlist("attachments") if upload.filename]
    try:
        if has_errors(form):
            services.clean_record(asset, _values(form, names))
            return _detail(asset, 422, record_form=form)
        services.log_record(asset, _values(form, names), files, require_principal())
    except (EquipmentInvalid, ImageRefused, DocumentRefused) as exc:
        _refused(form, exc, aliases={"image": "attachments", "document": "attachments"})
        return _detail(services.get_asset(asset_id), 422, record_form=form)
    db.session.commit()
    flash("Maintenance logged.", "success")
    return redirect(url_for("equipment.detail", asset_id=asset_id) + "#log")


@bp.post("/equipment/<int:asset_id>/problems/<int:report_id>/resolve")
@requires("equipment", "update")
def resolve(asset_id: int, report_id: int):
    """Mark a reported problem fixed."""
    report = services.get_report(services.get_asset(asset_id), report_id)
    try:
        services.resolve_problem(report, require_principal())
    except EquipmentConflict as exc:
        db.session.rollback()
        flash(exc.message, "info")
        return redirect(url_for("equipment.detail", asset_id=asset_id))
    db.session.commit()
    flash("Problem marked fixed. Change the status too if the equipment is back in service.", "success")
    return redirect(url_for("equipment.detail", asset_id=asset_id))


# --- labels and reporting a problem -----------------------------------------------------------------------

@bp.get("/equipment/labels")
@requires("equipment", "read", own=False)
def labels():
    """A printable sheet of QR labels (every asset not retired, or those of a category or room)."""
    filters = queries.AssetFilters(category_id=_int_arg("category"), room_id=_int_arg("room"))
    assets = [asset for asset in queries.list_assets(filters, per_page=500).items
              if asset.status != AssetStatus.RETIRED]
    codes = [(asset, qr_svg(url_for("equipment.report", asset_id=asset.id, _external=True),
                            f"QR code to report a problem with {asset.name}")) for asset in assets]
    return render_template("equipment/labels.html", codes=codes)


def _report_page(asset: Asset, form: ReportForm, status: int = 200):
    principal = require_principal()
    return render_template("equipment/report.html", asset=asset, form=form,
                           staff_view=principal.can("equipment", "read")), status


@bp.route("/equipment/<int:asset_id>/report", methods=["GET", "POST"])
@signed_in
def report(asset_id: int):
    """Report a problem with a piece of equipment (what its QR label opens): any signed-in person."""
    asset = services.get_asset(asset_id)
    form = ReportForm()
    if not form.is_submitted():
        return _report_page(asset, form)
    form.validate()
    try:
        if has_errors(form):
            return _report_page(asset, form, 422)
        services.report_problem(asset, form.text.data, uploaded("photo"), require_principal())
    except (EquipmentInvalid, ImageRefused) as exc:
        _refused(form, exc, aliases={"image": "photo"})
        return _report_page(services.get_asset(asset_id), form, 422)
    except EquipmentConflict as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _report_page(services.get_asset(asset_id), form, 409)
    db.session.commit()
    flash("Thank you: the staff have been told about the problem.", "success")
    return redirect(url_for("equipment.report", asset_id=asset_id))


# --- maintenance due ------------------------------------------------------------------------------------

@bp.get("/equipment/maintenance")
@requires("equipment", "read", own=False)
def maintenance():
    """Maintenance overdue and due soon, across the studio's equipment."""
    today = require_tenant().today()
    soon = int(cached_setting("equipment_due_soon_days") or 7)
    overdue, due_soon = queries.due_lists(today, soon)
    return render_template("equipment/maintenance.html", overdue=overdue, due_soon=due_soon, today=today,
                           soon_days=soon)
