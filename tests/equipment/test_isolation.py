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
