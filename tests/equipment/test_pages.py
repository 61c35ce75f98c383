"""The equipment pages: the list with its filters, an asset's page and its forms, labels, reporting, due lists."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa

from tests.equipment.factories import add_asset, add_schedule
from tests.factories import audit_entries, person, unique
from tests.pictures import picture
from tests.requests import csrf_token_from, host, login, staff_client
from tests.running import in_studio, rows


def _post(client, studio, path: str, data: dict, form_path: str | None = None, **kwargs):
    token = csrf_token_from(client, studio, form_path or path)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **data}, **kwargs)


def test_the_list_filters_counts_and_pages(app, studio):
    client, _ = staff_client(app, studio, "instructor")
    marker = unique("Zq")
    for n in range(27):
        add_asset(app, studio, name=f"{marker} rower {n:02}", category="Rower")
    add_asset(app, studio, name=f"{marker} broken", status="out_of_service")
    page = client.get(f"/equipment?q={marker}", headers=host(studio)).get_data(as_text=True)
    assert "28 pieces of equipment match your search" in page and "Page 1 of 2" in page
    assert f"{marker} rower 00" in page and f"{marker} rower 26" not in page
    second = client.get(f"/equipment?q={marker}&page=2", headers=host(studio)).get_data(as_text=True)
    assert f"{marker} rower 26" in second
    broken = client.get(f"/equipment?q={marker}&status=out_of_service", headers=host(studio)).get_data(as_text=True)
    assert f"{marker} broken" in broken and f"{marker} rower 01" not in broken
    assert re.search(r"<strong>\d+</strong> out of service", broken)
    none = client.get("/equipment?q=nothing-matches-this", headers=host(studio)).get_data(as_text=True)
    assert "Nothing matches" in none
    assert client.get("/equipment?status=nonsense&page=-3&room=x", headers=host(studio)).status_code == 200


def test_a_manager_adds_edits_and_changes_the_status_with_a_reason(app, studio):
    client, manager = staff_client(app, studio)
    bad = _post(client, studio, "/equipment/new", {"name": "", "cost": "lots", "purchased_on": "2026-13-45"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Nothing was saved" in text and "Use an amount such as 1250 or 89.90." in text
    name = unique("Rack")
    created = _post(client, studio, "/equipment/new", {"name": name, "category": "Rack", "cost": "899.00",
                                                       "serial": "SN-1", "status": "in_service"})
    assert created.status_code == 302
    asset_path = created.headers["Location"]
    page = client.get(asset_path, headers=host(studio)).get_data(as_text=True)
    assert name in page and "EUR 899.00" in page and "SN-1" in page
    asset_id = int(asset_path.rsplit("/", 1)[1])
    edited = _post(client, studio, f"/equipment/{asset_id}/edit", {"name": name + " B", "category": "Rack",
                                                                    "location": "Back wall"})
    assert edited.status_code == 302
    no_reason = _post(client, studio, f"/equipment/{asset_id}/status", {"status": "out_of_service",
                                                                         "status_reason": ""}, form_path=asset_path)
    assert no_reason.status_code == 422 and "Say why the status changes" in no_reason.get_data(as_text=True)
    changed = _post(client, studio, f"/equipment/{asset_id}/status",
                    {"status": "out_of_service", "status_reason": "J-hook cracked"}, form_path=asset_path)
    assert changed.status_code == 302
    page = client.get(asset_path, headers=host(studio)).get_data(as_text=True)
    assert "Out of service" in page and "J-hook cracked" in page and "Back wall" in page
    assert audit_entries(app, studio, "equipment.status_changed", f"asset:{asset_id}")[0]["actor_user_id"] == manager


def test_schedules_and_the_log_on_the_asset_page(app, studio):
    client, _ = staff_client(app, studio)
    coach, _ = person(app, studio, "instructor", full_name="Cora Coach")
    asset_id = add_asset(app, studio)
    path = f"/equipment/{asset_id}"
    bad = _post(client, studio, f"{path}/schedules", {"title": "Oil"}, form_path=path)
    assert bad.status_code == 422 and "Say how often" in bad.get_data(as_text=True)
    added = _post(client, studio, f"{path}/schedules", {"title": "Oil the chain", "every_days": "30",
                                                         "responsible_id": str(coach)}, form_path=path)
    assert added.status_code == 302
    page = client.get(path, headers=host(studio)).get_data(as_text=True)
    assert "Oil the chain" in page and "due in 30 days" in page and "Cora Coach" in page
    token = csrf_token_from(client, studio, path)
    logged = client.post(f"{path}/records", headers=host(studio), content_type="multipart/form-data",
                         data={"csrf_token": token, "what": "Replaced the pedals", "cost": "45.5",
                               "attachments": [(io.BytesIO(picture()), "receipt.png")]})
    assert logged.status_code == 302
    page = client.get(path, headers=host(studio)).get_data(as_text=True)
    assert "Replaced the pedals" in page and "EUR 45.50" in page and "Attachment 1" in page
    refused = client.post(f"{path}/records", headers=host(studio), content_type="multipart/form-data",
                          data={"csrf_token": token, "what": "x", "attachments": [(io.BytesIO(b"not a picture"),
                                                                                  "r.png")]})
    assert refused.status_code == 422 and "not a picture" in refused.get_data(as_text=True)


def test_a_member_reports_a_problem_from_the_label_with_a_photo(app, studio):
    from nexphys.equipment.models import Asset, ProblemReport

    asset_id = add_asset(app, studio, name=unique("Spin bike"))
    _id, email = person(app, studio, "member")
    member = app.test_client()
    assert login(member, studio, email).status_code == 302
    assert member.get(f"/equipment/{asset_id}", headers=host(studio)).status_code == 403  # only the report page
    path = f"/equipment/{asset_id}/report"
    assert "Report a problem" in member.get(path, headers=host(studio)).get_data(as_text=True)
    empty = _post(member, studio, path, {"text": ""})
    assert empty.status_code == 422 and "This field is required." in empty.get_data(as_text=True)
    token = csrf_token_from(member, studio, path)
    sent = member.post(path, headers=host(studio), content_type="multipart/form-data",
                       data={"csrf_token": token, "text": "Pedal wobbles", "photo": (io.BytesIO(picture()), "p.jpg")})
    assert sent.status_code == 302
    assert "the staff have been told" in member.get(path, headers=host(studio)).get_data(as_text=True)
    report = rows(app, studio, sa.select(ProblemReport).where(ProblemReport.asset_id == asset_id))[0]
    assert report.text == "Pedal wobbles" and report.photo_key
    assert rows(app, studio, sa.select(Asset).where(Asset.id == asset_id))[0].status == "needs_attention"
    anonymous = app.test_client().get(path, headers=host(studio))
    assert anonymous.status_code in (302, 401)
    staff, _ = staff_client(app, studio, "instructor")
    assert "Pedal wobbles" in staff.get(f"/equipment/{asset_id}", headers=host(studio)).get_data(as_text=True)


def test_the_label_sheet_links_each_qr_to_the_report_page(app, studio):
    client, _ = staff_client(app, studio, "instructor")
    name = unique("Labelled rower")
    asset_id = add_asset(app, studio, name=name)
    retired = add_asset(app, studio, name=unique("Gone"), status="retired")
    page = client.get("/equipment/labels", headers=host(studio)).get_data(as_text=True)
    assert name in page and page.count("<svg") >= 1 and "qr-code" in page
    assert f"QR code to report a problem with {name}" in page
    with in_studio(app, studio):
        from nexphys.equipment.models import Asset
        from nexphys.extensions import db
        gone = db.session.get(Asset, retired).name
    assert gone not in page and asset_id


def test_the_maintenance_page_lists_overdue_and_due_soon(app, studio):
    client, _ = staff_client(app, studio, "instructor")
    with in_studio(app, studio):
        from nexphys.tenancy.context import require_tenant
        today = require_tenant().today()
    asset_id = add_asset(app, studio, name=unique("Treadmill"))
    add_schedule(app, studio, asset_id, title="Belt tension", every_days=5,
                 starts_on=(today - timedelta(days=8)).isoformat())
    add_schedule(app, studio, asset_id, title="Deck wax", every_days=5,
                 starts_on=(today - timedelta(days=2)).isoformat())
    page = client.get("/equipment/maintenance", headers=host(studio)).get_data(as_text=True)
    overdue, soon = page.split('id="soon-title"')
    assert "Belt tension" in overdue and "overdue by 3 days" in overdue and "Deck wax" in soon


def test_members_and_instructors_cannot_change_equipment(app, studio):
    asset_id = add_asset(app, studio)
    coach, _ = staff_client(app, studio, "instructor")
    token = csrf_token_from(coach, studio, f"/equipment/{asset_id}")
    for path in ("/equipment/new", f"/equipment/{asset_id}/edit", f"/equipment/{asset_id}/status",
                 f"/equipment/{asset_id}/delete", f"/equipment/{asset_id}/schedules"):
        assert coach.post(path, headers=host(studio), data={"csrf_token": token}).status_code == 403, path
    page = coach.get(f"/equipment/{asset_id}", headers=host(studio)).get_data(as_text=True)
    assert "Change status" not in page and "Add a schedule" not in page
    member, _ = staff_client(app, studio, "member")
    for path in ("/equipment", "/equipment/labels", "/equipment/maintenance", f"/equipment/{asset_id}"):
        assert member.get(path, headers=host(studio)).status_code == 403, path
