"""Two studios: one cannot read or change the other's equipment, through the pages or the API."""

from __future__ import annotations

import sqlalchemy as sa

from tests.equipment.factories import add_asset
from tests.factories import create_tenant, drop_tenant, person
from tests.requests import api_token, bearer, csrf_token_from, host, staff_client
from tests.running import rows


def test_studio_b_cannot_reach_studio_a_equipment(app, studio):
    from nexphys.equipment.models import Asset

    other = create_tenant(app, name="Equipment Other Studio")
    try:
        # ids repeat across studios: studio A's asset gets an id studio B does not have
        for _ in range(2):
            add_asset(app, studio)
        secret = add_asset(app, studio, name="Studio A only bike")
        mine = add_asset(app, other, name="Studio B rower")
        assert secret != mine
        client, _ = staff_client(app, other)
        pages = client.get("/equipment", headers=host(other)).get_data(as_text=True)
        assert "Studio B rower" in pages and "Studio A only bike" not in pages
        assert client.get(f"/equipment/{secret}", headers=host(other)).status_code == 404
        assert client.get(f"/equipment/{secret}/report", headers=host(other)).status_code == 404
        token = csrf_token_from(client, other, "/equipment")
        hijack = {"csrf_token": token, "status": "retired", "status_reason": "hijack"}
        assert client.post(f"/equipment/{secret}/status", headers=host(other), data=hijack).status_code == 404
        _id, email = person(app, other, "manager")
        headers = bearer(other, api_token(app.test_client(), other, email)["access_token"])
        listed = app.test_client().get("/api/v1/equipment", headers=headers).get_json()
        assert [a["name"] for a in listed["items"]] == ["Studio B rower"]
        api = app.test_client()
        assert api.get(f"/api/v1/equipment/{secret}", headers=headers).status_code == 404
        assert api.patch(f"/api/v1/equipment/{secret}", headers=headers,
                         json={"status": "retired", "status_reason": "x"}).status_code == 404
        assert api.delete(f"/api/v1/equipment/{secret}", headers=headers).status_code == 404
        assert api.post(f"/api/v1/equipment/{secret}/maintenance", headers=headers,
                        json={"what": "x"}).status_code == 404
        # Studio B's token on studio A's host is refused outright
        assert api.get("/api/v1/equipment", headers={**headers, "Host": host(studio)["Host"]}).status_code == 401
        still = rows(app, studio, sa.select(Asset).where(Asset.id == secret))
        assert still and still[0].status == "in_service" and still[0].name == "Studio A only bike"
    finally:
        drop_tenant(app, other.slug)


def test_studio_b_cannot_reach_studio_a_requirements_problems_or_schedules(app, studio):
    from nexphys.equipment.models import EquipmentRequirement, MaintenanceSchedule
    from tests.equipment.factories import add_schedule
    from tests.equipment.schedule_setup import bikes_and_classes

    other = create_tenant(app, name="Equipment Other Studio B")
    try:
        for _ in range(3):  # studio A's ids run ahead of studio B's
            bikes_and_classes(app, studio)
        setup = bikes_and_classes(app, studio)
        schedule = add_schedule(app, studio, setup.asset_ids[0], every_days=7)
        asset, kind, session = setup.asset_ids[0], setup.type_id, setup.session_ids[0]
        client, _ = staff_client(app, other)
        for path in (f"/schedule/class-types/{kind}/equipment", f"/schedule/sessions/{session}/equipment",
                     f"/equipment/{asset}/reduce-capacity"):
            assert client.get(path, headers=host(other)).status_code == 404, path
        token = csrf_token_from(client, other, "/equipment")
        hijack = {"csrf_token": token, "lines": "1", "category-0": "Stolen", "quantity-0": "1"}
        assert client.post(f"/schedule/class-types/{kind}/equipment", headers=host(other), data=hijack
                           ).status_code == 404
        assert client.post(f"/equipment/{asset}/reduce-capacity", headers=host(other),
                           data={"csrf_token": token, "session_id": str(session)}).status_code == 404
        _id, email = person(app, other, "manager")
        headers = bearer(other, api_token(app.test_client(), other, email)["access_token"])
        api = app.test_client()
        for path in (f"/api/v1/class-types/{kind}/equipment", f"/api/v1/classes/{session}/equipment",
                     f"/api/v1/equipment/{asset}/problems", f"/api/v1/equipment/{asset}/schedules"):
            assert api.get(path, headers=headers).status_code == 404, path
        assert api.put(f"/api/v1/class-types/{kind}/equipment", headers=headers,
                       json={"items": [{"category": "Stolen", "quantity": 1}]}).status_code == 404
        assert api.post(f"/api/v1/equipment/{asset}/problems", headers=headers, json={"text": "x"}).status_code == 404
        assert api.patch(f"/api/v1/equipment/{asset}/schedules/{schedule}", headers=headers,
                         json={"title": "x"}).status_code == 404
        assert api.delete(f"/api/v1/equipment/{asset}/schedules/{schedule}", headers=headers).status_code == 404
        assert api.get("/api/v1/equipment/shortfalls", headers=headers).get_json()["items"] == []
        assert setup.category not in [c["name"] for c in
                                      api.get("/api/v1/equipment/categories", headers=headers).get_json()["items"]]
        kept = rows(app, studio, sa.select(EquipmentRequirement).where(EquipmentRequirement.class_type_id == kind))
        assert [r.quantity for r in kept] == [3]
        assert rows(app, studio, sa.select(MaintenanceSchedule).where(MaintenanceSchedule.id == schedule))
    finally:
        drop_tenant(app, other.slug)
