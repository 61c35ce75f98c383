"""Equipment meets the schedule, as pages: "Equipment needed" on the class pages, the warning before an asset goes,
the schedule's badge, the roster's notice, shrinking classes, usage, and receipts as PDFs."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from tests.equipment.schedule_setup import bikes_and_classes
from tests.factories import outbox_for, person, unique
from tests.requests import csrf_token_from, host, login, staff_client
from tests.running import in_studio, rows, run

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _post(client, studio, path: str, data: dict, form_path: str | None = None, **kwargs):
    token = csrf_token_from(client, studio, form_path or path)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **data}, **kwargs)


def test_a_class_types_edit_page_edits_the_equipment_it_needs(app, studio):
    from nexphys.equipment.requirements import requirements_of

    setup = bikes_and_classes(app, studio)
    client, _ = staff_client(app, studio)
    edit = f"/schedule/class-types/{setup.type_id}/edit"
    page = client.get(edit, headers=host(studio)).get_data(as_text=True)
    assert "Equipment needed" in page and f'value="{setup.category}"' in page
    action = f"/schedule/class-types/{setup.type_id}/equipment"
    bad = _post(client, studio, action, {"lines": "2", "category-0": "Mats", "quantity-0": "lots"}, form_path=edit)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Use a number such as 12." in text and 'value="lots"' in text
    saved = _post(client, studio, action, {"lines": "3", "category-0": setup.category, "quantity-0": "1",
                                           "per_member-0": "y", "category-1": "Yoga mats", "quantity-1": "4"},
                  form_path=edit)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(edit + "#equipment-needed")
    found = run(app, studio, lambda: [(r.category.name, r.quantity, r.per_member)
                                      for r in requirements_of(class_type_id=setup.type_id)])
    assert sorted(found) == sorted([(setup.category, 1, True), ("Yoga mats", 4, False)])


def test_instructors_see_the_equipment_needed_but_cannot_change_it(app, studio):
    setup = bikes_and_classes(app, studio)
    client, _ = staff_client(app, studio, "instructor")
    page = client.get(f"/schedule/sessions/{setup.session_ids[0]}/equipment", headers=host(studio))
    assert page.status_code == 200 and "Save equipment needed" not in page.get_data(as_text=True)
    token = csrf_token_from(client, studio, "/schedule")
    refused = client.post(f"/schedule/class-types/{setup.type_id}/equipment", headers=host(studio),
                          data={"csrf_token": token, "lines": "1", "category-0": "Mats", "quantity-0": "1"})
    assert refused.status_code == 403
    member = app.test_client()
    _id, email = person(app, studio, "member")
    login(member, studio, email)
    assert member.get(f"/schedule/class-types/{setup.type_id}/equipment", headers=host(studio)).status_code == 403


def test_taking_a_bike_out_warns_then_the_schedule_roster_and_asset_page_show_it(app, studio):
    setup = bikes_and_classes(app, studio, starts_in=[timedelta(days=1), timedelta(days=30)])
    client, _ = staff_client(app, studio)
    asset = f"/equipment/{setup.asset_ids[0]}"
    warned = _post(client, studio, f"{asset}/status", {"status": "out_of_service", "status_reason": "Belt snapped"},
                   form_path=asset)
    text = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "These 1 class in the next 14 days need" in text
    assert f"/classes/{setup.session_ids[0]}/roster" in text and f"/classes/{setup.session_ids[1]}/roster" not in text
    assert rows(app, studio, _asset_status(setup.asset_ids[0])) == ["in_service"]  # not yet
    done = _post(client, studio, f"{asset}/status", {"status": "out_of_service", "status_reason": "Belt snapped",
                                                     "confirmed": "y"}, form_path=asset)
    assert done.status_code == 302
    page = client.get(asset, headers=host(studio)).get_data(as_text=True)
    assert f"Classes short of {setup.category}" in page and "Reduce capacity of the affected classes" in page
    with in_studio(app, studio):
        from nexphys.classes.models import ClassSession
        from nexphys.extensions import db
        from nexphys.tenancy.context import require_tenant

        week = require_tenant().local(db.session.get(ClassSession, setup.session_ids[0]).starts_at).date()
    schedule = client.get(f"/schedule?week={week.isoformat()}", headers=host(studio)).get_data(as_text=True)
    assert "Short of equipment" in schedule and f"2 of 3 {setup.category}" in schedule
    roster = client.get(f"/classes/{setup.session_ids[0]}/roster", headers=host(studio)).get_data(as_text=True)
    assert "Short of equipment." in roster and f"needs 3 {setup.category}" in roster
    edit = client.get(f"/schedule/sessions/{setup.session_ids[0]}/edit", headers=host(studio)).get_data(as_text=True)
    assert "Short of equipment: needs 3" in edit


def _asset_status(asset_id: int):
    from nexphys.equipment.models import Asset

    return sa.select(Asset.status).where(Asset.id == asset_id)


def test_the_timetable_members_see_carries_no_equipment_words(app, studio):
    from nexphys.equipment.services import change_status, get_asset

    setup = bikes_and_classes(app, studio)
    run(app, studio, lambda: change_status(get_asset(setup.asset_ids[0]), "retired", "Gone", None))
    page = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    assert "Short of equipment" not in page


def test_reducing_capacity_confirms_then_cancels_the_latest_booking_even_one_made_since(app, studio):
    from nexphys.bookings.models import Booking
    from nexphys.bookings.services import book
    from nexphys.classes.models import ClassSession
    from nexphys.equipment.services import change_status, get_asset

    setup = bikes_and_classes(app, studio, bikes=3, quantity=1, per_member=True, capacity=3)
    session_id = setup.session_ids[0]
    first, second, late = (person(app, studio, "member") for _ in range(3))
    for member_id, _ in (first, second):
        run(app, studio, book, session_id, member_id)
    run(app, studio, lambda: change_status(get_asset(setup.asset_ids[0]), "out_of_service", "Snapped", None))
    run(app, studio, lambda: change_status(get_asset(setup.asset_ids[1]), "out_of_service", "Snapped", None))
    client, _ = staff_client(app, studio)
    path = f"/equipment/{setup.asset_ids[0]}/reduce-capacity"
    page = client.get(path, headers=host(studio)).get_data(as_text=True)
    assert "3 → <strong>1</strong>" in page and "1 booking would be cancelled" in page
    token = csrf_token_from(client, studio, path)
    run(app, studio, book, session_id, late[0])  # sneaks in after the page was shown
    nothing = client.post(path, headers=host(studio), data={"csrf_token": token})
    assert nothing.status_code == 302  # nothing chosen: asked again
    done = client.post(path, headers=host(studio), data={"csrf_token": token, "session_id": str(session_id)})
    assert done.status_code == 302
    state = rows(app, studio, sa.select(ClassSession).where(ClassSession.id == session_id))[0]
    assert (state.capacity, state.booked_count) == (1, 1)
    kept = rows(app, studio, sa.select(Booking).where(Booking.session_id == session_id,
                                                      Booking.status == "confirmed"))
    assert [b.member_id for b in kept] == [first[0]]
    assert [m for m in outbox_for(app, studio, late[1]) if m["kind"] == "booking_removed_equipment"]
    assert [m for m in outbox_for(app, studio, second[1]) if m["kind"] == "booking_removed_equipment"]
    assert not [m for m in outbox_for(app, studio, first[1]) if m["kind"] == "booking_removed_equipment"]
    again = client.get(path, headers=host(studio)).get_data(as_text=True)
    assert "No class is short" in again
    member = app.test_client()
    login(member, studio, first[1])
    assert member.get(path, headers=host(studio)).status_code == 403


def test_the_asset_page_counts_its_uses_and_a_receipt_can_be_a_pdf(app, studio):
    from nexphys.equipment.models import MaintenanceRecord

    setup = bikes_and_classes(app, studio)
    client, _ = staff_client(app, studio)
    path = f"/equipment/{setup.asset_ids[0]}"
    page = client.get(path, headers=host(studio)).get_data(as_text=True)
    assert "Used in 0 classes since" in page
    token = csrf_token_from(client, studio, path)
    fake = client.post(f"{path}/records", headers=host(studio), content_type="multipart/form-data",
                       data={"csrf_token": token, "what": "New belt",
                             "attachments": [(io.BytesIO(b"%PDF-1.4 but cut short"), "receipt.pdf")]})
    assert fake.status_code == 422 and "That PDF is incomplete" in fake.get_data(as_text=True)
    saved = client.post(f"{path}/records", headers=host(studio), content_type="multipart/form-data",
                        data={"csrf_token": token, "what": "New belt",
                              "attachments": [(io.BytesIO(PDF), "receipt.pdf")]})
    assert saved.status_code == 302
    entry = rows(app, studio, sa.select(MaintenanceRecord).where(MaintenanceRecord.asset_id == setup.asset_ids[0]))[0]
    key = entry.attachment_keys[0]
    assert key.endswith(".pdf") and "/maintenance_document/" in key
    page = client.get(path, headers=host(studio)).get_data(as_text=True)
    link = f"/equipment/{setup.asset_ids[0]}/records/{entry.id}/files/{key.rsplit('/', 1)[1]}"
    assert "Receipt (PDF) 1" in page and link in page
    served = client.get(link, headers=host(studio))
    assert served.status_code == 200 and served.data == PDF and served.mimetype == "application/pdf"
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert client.get(link.replace(".pdf", "0.pdf"), headers=host(studio)).status_code == 404
    assert app.test_client().get(link, headers=host(studio)).status_code in (302, 401, 403)
    member = app.test_client()
    _id, email = person(app, studio, "member")
    login(member, studio, email)
    assert member.get(link, headers=host(studio)).status_code == 403
    assert client.get(f"/files/maintenance_document/{key.rsplit('/', 1)[1]}", headers=host(studio)).status_code == 404


def test_the_exercise_form_offers_the_studios_equipment_and_keeps_other_names(app, studio):
    from nexphys.equipment.services import category_named
    from nexphys.workouts.models import Exercise

    kit = run(app, studio, lambda: category_named(unique("Kettlebell")).name)
    client, _ = staff_client(app, studio)
    form = client.get("/exercises/new", headers=host(studio)).get_data(as_text=True)
    assert f'name="kit" value="{kit}"' in form and "Other equipment" in form
    name = unique("Swing")
    added = _post(client, studio, "/exercises/new", {"name": name, "category": "strength", "kit": [kit],
                                                     "equipment": f"Chalk, {kit.lower()}"})
    assert added.status_code == 302
    saved = rows(app, studio, sa.select(Exercise).where(Exercise.name == name))[0]
    assert saved.equipment == [kit, "Chalk"]  # one spelling per piece, the category's
    edit = client.get(f"/exercises/{saved.id}/edit", headers=host(studio)).get_data(as_text=True)
    assert f'value="{kit}" checked' in edit and 'value="Chalk"' in edit


def test_the_staff_home_marks_a_short_class_and_the_schedule_asks_once_however_many(app, studio):
    from nexphys.classes.models import ClassSession
    from nexphys.equipment.services import change_status, get_asset
    from nexphys.extensions import db
    from nexphys.tenancy.context import require_tenant
    from tests.running import count_statements

    soon = bikes_and_classes(app, studio, starts_in=[timedelta(hours=2)])
    run(app, studio, lambda: change_status(get_asset(soon.asset_ids[0]), "out_of_service", "Snapped", None))
    client, _ = staff_client(app, studio)
    home = client.get("/", headers=host(studio)).get_data(as_text=True)
    assert "Short of equipment" in home and f"2 of 3 {soon.category}" in home

    def week_of(setup) -> str:
        with in_studio(app, studio):
            return require_tenant().local(db.session.get(ClassSession, setup.session_ids[0]).starts_at).date() \
                .isoformat()

    def statements(setup) -> int:
        path = f"/schedule?week={week_of(setup)}"
        client.get(path, headers=host(studio))  # warm: the first request of a client loads more
        return count_statements(app, lambda: client.get(path, headers=host(studio)))

    few = bikes_and_classes(app, studio, starts_in=[timedelta(days=50)])
    many = bikes_and_classes(app, studio, starts_in=[timedelta(days=57, minutes=5 * h) for h in range(6)])
    for setup in (few, many):
        run(app, studio, lambda s=setup: change_status(get_asset(s.asset_ids[0]), "retired", "Sold", None))
    assert statements(many) <= statements(few)
    page = client.get(f"/schedule?week={week_of(many)}", headers=host(studio)).get_data(as_text=True)
    assert page.count("Short of equipment") == 6
