"""The maintenance reminder job: the responsible staff are emailed once per due occurrence."""

from __future__ import annotations

from datetime import timedelta

from tests.equipment.factories import add_asset, add_schedule
from tests.factories import audit_entries, outbox_for, person
from tests.running import in_studio, run


def _today(app, studio):
    from nexphys.tenancy.context import require_tenant

    with in_studio(app, studio):
        return require_tenant().today()


def _remind(app, studio, day) -> int:
    """Run the studio's reminder job for `day` as a worker would (an app context, the studio bound by the job)."""
    from nexphys.equipment import jobs

    with app.app_context():
        return jobs.remind_due_maintenance(today=str(day), tenant_id=studio.id)


def test_a_due_item_is_emailed_once_and_again_after_its_next_occurrence(app, studio):
    from nexphys.equipment.services import get_asset, log_record

    coach, email = person(app, studio, "instructor")
    today = _today(app, studio)
    asset_id = add_asset(app, studio, name="Rower by the window")
    schedule_id = add_schedule(app, studio, asset_id, title="Clean the rail", every_days=14, responsible_id=coach,
                               starts_on=(today - timedelta(days=15)).isoformat())
    add_schedule(app, studio, asset_id, title="Not yet", every_days=14, responsible_id=coach)

    assert _remind(app, studio, today.isoformat()) == 1
    letters = outbox_for(app, studio, email)
    assert len(letters) == 1 and "Clean the rail" in letters[0]["subject"] and "Rower by the window" in \
        letters[0]["subject"] and letters[0]["kind"] == "equipment_maintenance_due"
    assert f"/equipment/{asset_id}" in letters[0]["body"]
    # the next run, and the next day's: the same occurrence is not emailed again
    assert _remind(app, studio, today.isoformat()) == 0
    assert _remind(app, studio, (today + timedelta(days=1)).isoformat()) == 0
    assert len(outbox_for(app, studio, email)) == 1
    assert audit_entries(app, studio, "equipment.reminder_sent", f"asset:{asset_id}")[0]["details"]["schedule"] \
        == schedule_id

    # done today: the next occurrence is due in 14 days, and is emailed then, once
    run(app, studio, lambda: log_record(get_asset(asset_id), {"what": "Cleaned", "schedule_id": schedule_id}, [],
                                        None))
    assert _remind(app, studio, (today + timedelta(days=13)).isoformat()) == 0
    later = (today + timedelta(days=14)).isoformat()
    assert _remind(app, studio, later) == 2  # with "Not yet", due that day too
    assert _remind(app, studio, later) == 0
    assert len(outbox_for(app, studio, email)) == 3


def test_nobody_responsible_or_retired_equipment_sends_nothing(app, studio):
    coach, email = person(app, studio, "instructor")
    today = _today(app, studio)
    start = (today - timedelta(days=30)).isoformat()
    add_schedule(app, studio, add_asset(app, studio), title="Nobody", every_days=7, starts_on=start)
    add_schedule(app, studio, add_asset(app, studio, status="retired"), title="Retired", every_days=7,
                 responsible_id=coach, starts_on=start)
    add_schedule(app, studio, add_asset(app, studio), title="By uses", every_uses=50, responsible_id=coach)
    _remind(app, studio, today.isoformat())
    assert outbox_for(app, studio, email) == []


def test_the_scheduler_job_queues_one_run_per_active_studio(app, studio):
    from nexphys.equipment import jobs
    from nexphys.extensions import db

    with app.app_context():
        ids = jobs.remind_all_studios()
        db.session.commit()
    assert studio.id in ids
