"""The equipment rules: assets and their status history, problem reports, schedules and records."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from tests.equipment.factories import add_asset, add_schedule
from tests.factories import audit_entries, person, principal_for
from tests.pictures import picture
from tests.running import in_studio, refused, rows, run


def _actor(app, studio, role="manager"):
    user_id, _ = person(app, studio, role)
    return user_id


def test_an_asset_is_created_with_its_category_and_first_history_row(app, studio):
    from nexphys.equipment.models import Asset, AssetEvent
    from nexphys.equipment.services import create_asset

    manager = _actor(app, studio)
    with in_studio(app, studio):
        asset = create_asset({"name": "  Bike   7 ", "category": "bike", "make": "Keiser", "model": "M3i",
                              "cost": "1,250.50", "purchased_on": "2025-03-01"}, principal_for(manager))
        again = create_asset({"name": "Bike 8", "category": "BIKE"}, principal_for(manager))
        from nexphys.extensions import db
        db.session.commit()
        asset_id, again_category = asset.id, again.category_id
        assert asset.name == "Bike 7" and asset.cost == Decimal("1250.50") and asset.status == "in_service"
        assert asset.category_id == again_category  # one category, regardless of case
    events = rows(app, studio, sa.select(AssetEvent).where(AssetEvent.asset_id == asset_id))
    assert [(e.from_status, e.to_status, e.by_user_id) for e in events] == [(None, "in_service", manager)]
    assert audit_entries(app, studio, "equipment.created", f"asset:{asset_id}")
    assert rows(app, studio, sa.select(Asset).where(Asset.id == asset_id))[0].make == "Keiser"


def test_bad_asset_fields_are_refused_together_in_plain_words(app, studio):
    from nexphys.equipment.errors import EquipmentInvalid
    from nexphys.equipment.services import create_asset

    error = refused(app, studio, EquipmentInvalid, create_asset,
                    {"name": "", "cost": "12.345", "room_id": 987654, "status": "broken",
                     "purchased_on": "2999-01-01"}, None)
    assert set(error.errors) == {"name", "cost", "room_id", "status", "purchased_on"}
    assert error.errors["cost"] == ["Use an amount with at most two decimals, such as 89.90."]
    assert refused(app, studio, EquipmentInvalid, create_asset, {"name": "x", "cost": "-1"}, None).errors["cost"]


def test_a_status_change_needs_a_reason_and_is_kept_in_the_history(app, studio):
    from nexphys.equipment.errors import EquipmentInvalid
    from nexphys.equipment.models import AssetEvent
    from nexphys.equipment.services import change_status, get_asset

    asset_id = add_asset(app, studio)
    manager = _actor(app, studio)
    error = refused(app, studio, EquipmentInvalid, lambda: change_status(get_asset(asset_id), "out_of_service", " ",
                                                                          principal_for(manager)))
    assert "status_reason" in error.errors
    assert run(app, studio, lambda: change_status(get_asset(asset_id), "out_of_service", "Belt snapped",
                                                  principal_for(manager))) is True
    assert run(app, studio, lambda: change_status(get_asset(asset_id), "out_of_service", "again", None)) is False
    events = rows(app, studio, sa.select(AssetEvent).where(AssetEvent.asset_id == asset_id).order_by(AssetEvent.id))
    assert [(e.from_status, e.to_status, e.reason) for e in events][-1] == ("in_service", "out_of_service",
                                                                              "Belt snapped")
    assert audit_entries(app, studio, "equipment.status_changed", f"asset:{asset_id}")[-1]["details"]["reason"] \
        == "Belt snapped"


def test_a_problem_report_with_a_photo_makes_the_asset_need_attention(app, studio):
    from nexphys.equipment.models import Asset, ProblemReport
    from nexphys.equipment.services import get_asset, report_problem, resolve_problem

    asset_id = add_asset(app, studio)
    member = _actor(app, studio, "member")
    report_id = run(app, studio, lambda: report_problem(get_asset(asset_id), "Seat slips", picture(),
                                                        principal_for(member)).id)
    report = rows(app, studio, sa.select(ProblemReport).where(ProblemReport.id == report_id))[0]
    assert report.photo_key and report.reported_by == member and report.status == "open"
    assert rows(app, studio, sa.select(Asset).where(Asset.id == asset_id))[0].status == "needs_attention"
    assert audit_entries(app, studio, "equipment.problem_reported", f"asset:{asset_id}")
    manager = _actor(app, studio)
    with in_studio(app, studio):
        from nexphys.extensions import db
        resolve_problem(db.session.get(ProblemReport, report_id), principal_for(manager))
        db.session.commit()
    assert rows(app, studio, sa.select(ProblemReport).where(ProblemReport.id == report_id))[0].status == "resolved"


def test_an_empty_report_is_refused(app, studio):
    from nexphys.equipment.errors import EquipmentInvalid
    from nexphys.equipment.services import get_asset, report_problem

    asset_id = add_asset(app, studio)
    member = _actor(app, studio, "member")
    error = refused(app, studio, EquipmentInvalid, lambda: report_problem(get_asset(asset_id), "  ", None,
                                                                          principal_for(member)))
    assert error.errors == {"text": ["This field is required."]}


def test_a_schedule_needs_days_or_uses_and_a_staff_member(app, studio):
    from nexphys.equipment.errors import EquipmentInvalid
    from nexphys.equipment.services import add_schedule as add
    from nexphys.equipment.services import get_asset

    asset_id = add_asset(app, studio)
    member = _actor(app, studio, "member")
    neither = refused(app, studio, EquipmentInvalid, lambda: add(get_asset(asset_id), {"title": "Oil"}, None))
    assert "every_days" in neither.errors
    both = refused(app, studio, EquipmentInvalid, lambda: add(get_asset(asset_id), {
        "title": "Oil", "every_days": 7, "every_uses": 10, "responsible_id": member}, None))
    assert "every_uses" in both.errors and both.errors["responsible_id"] == ["Choose one of the studio's staff."]


def test_a_record_for_a_schedule_moves_its_next_due_day(app, studio):
    from nexphys.equipment.models import MaintenanceRecord, MaintenanceSchedule
    from nexphys.equipment.services import get_asset, log_record

    asset_id = add_asset(app, studio)
    with in_studio(app, studio):
        from nexphys.tenancy.context import require_tenant
        today = require_tenant().today()
    schedule_id = add_schedule(app, studio, asset_id, every_days=30, starts_on=(today - timedelta(days=40)).isoformat())
    record_id = run(app, studio, lambda: log_record(get_asset(asset_id), {
        "what": "Chain oiled", "cost": "12.5", "schedule_id": schedule_id}, [picture()], None).id)
    entry = rows(app, studio, sa.select(MaintenanceRecord).where(MaintenanceRecord.id == record_id))[0]
    assert entry.cost == Decimal("12.50") and len(entry.attachment_keys) == 1 and entry.done_on == today
    schedule = rows(app, studio, sa.select(MaintenanceSchedule).where(MaintenanceSchedule.id == schedule_id))[0]
    assert schedule.last_done_on == today and schedule.due_on == today + timedelta(days=30)
    assert audit_entries(app, studio, "equipment.maintained", f"asset:{asset_id}")


def test_overdue_and_due_soon_lists(app, studio):
    from nexphys.equipment.queries import due_lists

    asset_id = add_asset(app, studio)
    retired = add_asset(app, studio, status="retired")
    with in_studio(app, studio):
        from nexphys.tenancy.context import require_tenant
        today = require_tenant().today()
    late = add_schedule(app, studio, asset_id, title="Late", every_days=10,
                        starts_on=(today - timedelta(days=12)).isoformat())
    soon = add_schedule(app, studio, asset_id, title="Soon", every_days=10,
                        starts_on=(today - timedelta(days=7)).isoformat())
    later = add_schedule(app, studio, asset_id, title="Later", every_days=30)
    by_uses = add_schedule(app, studio, asset_id, title="Uses", every_uses=100)
    ignored = add_schedule(app, studio, retired, title="Retired", every_days=1,
                           starts_on=(today - timedelta(days=5)).isoformat())
    with in_studio(app, studio):
        overdue, due_soon = due_lists(today, 7)
        overdue_ids, soon_ids = {s.id for s in overdue}, {s.id for s in due_soon}
    assert late in overdue_ids and soon in soon_ids
    assert not {later, by_uses, ignored} & (overdue_ids | soon_ids)


def test_deleting_an_asset_removes_its_rows(app, studio):
    from nexphys.equipment.models import Asset, AssetEvent, MaintenanceSchedule
    from nexphys.equipment.services import delete_asset, get_asset

    asset_id = add_asset(app, studio)
    add_schedule(app, studio, asset_id, every_days=5)
    run(app, studio, lambda: delete_asset(get_asset(asset_id), None))
    assert rows(app, studio, sa.select(Asset).where(Asset.id == asset_id)) == []
    assert rows(app, studio, sa.select(AssetEvent).where(AssetEvent.asset_id == asset_id)) == []
    assert rows(app, studio, sa.select(MaintenanceSchedule).where(MaintenanceSchedule.asset_id == asset_id)) == []


def test_a_report_is_emailed_to_whoever_looks_after_the_asset(app, studio):
    """The staff responsible for its schedules hear of it; with none, every manager does; never the reporter."""
    from nexphys.equipment.services import get_asset, report_problem
    from tests.factories import outbox_for

    looked_after, unattended = add_asset(app, studio), add_asset(app, studio)
    carer, carer_email = person(app, studio, "manager", full_name="Cara Carer")
    add_schedule(app, studio, looked_after, every_days=30, responsible_id=carer)
    member, _ = person(app, studio, "member", full_name="Remi Reporter")
    run(app, studio, lambda: report_problem(get_asset(looked_after), "The seat slips", None, principal_for(member)))
    letters = [m for m in outbox_for(app, studio, carer_email) if m["subject"].startswith("Problem reported")]
    assert len(letters) == 1 and "Remi Reporter reported a problem" in letters[0]["body"]
    assert "“The seat slips”" in letters[0]["body"] and f"/equipment/{looked_after}" in letters[0]["body"]

    other_manager, other_email = person(app, studio, "manager", full_name="Otto Other")
    run(app, studio, lambda: report_problem(get_asset(unattended), "Wobbles", None, principal_for(other_manager)))
    assert [m for m in outbox_for(app, studio, carer_email) if "Wobbles" in m["body"]]  # no schedule: managers
    assert not [m for m in outbox_for(app, studio, other_email) if "Wobbles" in m["body"]]  # not the reporter
