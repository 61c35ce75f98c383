"""The equipment API: assets with filters and pages, changes with a reason, maintenance records, permissions."""

from __future__ import annotations

from tests.factories import person, unique
from tests.requests import host


def _asset(client, headers, **fields) -> dict:
    response = client.post("/api/v1/equipment", headers=headers, json={"name": unique("Bike"), **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_read_change_and_delete(client, manager, instructor):
    created = client.post("/api/v1/equipment", headers=manager,
                          json={"name": "Rower 1", "category": "Rower", "make": "Concept2", "cost": 899.9,
                                "purchased_on": "2025-01-02"})
    assert created.status_code == 201 and created.headers["Location"].endswith(f"/equipment/{created.json['id']}")
    body = created.json
    assert body["cost"] == "899.90" and body["currency"] == "EUR" and body["status"] == "in_service"
    assert body["category"]["name"] == "Rower" and body["report_url"].endswith(f"/equipment/{body['id']}/report")
    got = client.get(f"/api/v1/equipment/{body['id']}", headers=instructor)
    assert got.status_code == 200 and got.json["problems"] == [] and got.json["schedules"] == []
    no_reason = client.patch(f"/api/v1/equipment/{body['id']}", headers=manager, json={"status": "out_of_service"})
    assert no_reason.status_code == 422 and no_reason.mimetype == "application/problem+json"
    assert "status_reason" in no_reason.json["errors"]
    changed = client.patch(f"/api/v1/equipment/{body['id']}", headers=manager,
                           json={**got.json, "status": "out_of_service", "status_reason": "Chain broke"})
    assert changed.status_code == 200 and changed.json["status"] == "out_of_service"
    assert client.patch(f"/api/v1/equipment/{body['id']}", headers=instructor, json={"name": "x"}).status_code == 403
    assert client.delete(f"/api/v1/equipment/{body['id']}", headers=instructor).status_code == 403
    assert client.delete(f"/api/v1/equipment/{body['id']}", headers=manager).status_code == 204
    assert client.get(f"/api/v1/equipment/{body['id']}", headers=manager).status_code == 404


def test_bad_bodies_are_problem_json_naming_the_fields(client, manager):
    unknown = client.post("/api/v1/equipment", headers=manager, json={"name": "x", "colour": "red"})
    assert unknown.status_code == 422 and unknown.json["errors"] == {"colour": ["Unknown field."]}
    bad = client.post("/api/v1/equipment", headers=manager,
                      json={"name": "", "cost": "1.234", "status": "broken", "room_id": 987654})
    assert bad.status_code == 422 and {"name", "cost", "status", "room_id"} <= set(bad.json["errors"])
    assert client.post("/api/v1/equipment", headers=manager, data="{", content_type="application/json"
                       ).status_code == 400


def test_the_list_filters_and_pages(client, manager):
    marker = unique("Flt")
    ids = [_asset(client, manager, name=f"{marker} {n}", category="Kettlebell")["id"] for n in range(3)]
    retired = _asset(client, manager, name=f"{marker} old", status="retired")
    page = client.get(f"/api/v1/equipment?q={marker}&per_page=2", headers=manager).get_json()
    assert page["total"] == 4 and page["pages"] == 2 and len(page["items"]) == 2 and page["per_page"] == 2
    only = client.get(f"/api/v1/equipment?q={marker}&status=retired", headers=manager).get_json()
    assert [a["id"] for a in only["items"]] == [retired["id"]]
    category = only["items"][0]["category"]
    assert category is None
    by_category = client.get(f"/api/v1/equipment?q={marker}&category_id="
                             f"{client.get(f'/api/v1/equipment/{ids[0]}', headers=manager).json['category']['id']}",
                             headers=manager).get_json()
    assert sorted(a["id"] for a in by_category["items"]) == sorted(ids)
    assert client.get("/api/v1/equipment?status=broken", headers=manager).status_code == 422
    assert client.get("/api/v1/equipment?page=x", headers=manager).status_code == 400


def test_maintenance_records(client, manager, instructor):
    asset = _asset(client, manager)
    path = f"/api/v1/equipment/{asset['id']}/maintenance"
    logged = client.post(path, headers=manager, json={"what": "New belt", "cost": "120", "done_on": "2025-06-01"})
    assert logged.status_code == 201 and logged.json["cost"] == "120.00" and logged.json["done_on"] == "2025-06-01"
    future = client.post(path, headers=manager, json={"what": "x", "done_on": "2999-01-01"})
    assert future.status_code == 422 and "done_on" in future.json["errors"]
    assert client.post(path, headers=manager, json={"what": "x", "schedule_id": 987654}).status_code == 422
    assert client.post(path, headers=instructor, json={"what": "x"}).status_code == 403
    listed = client.get(path, headers=instructor).get_json()
    assert listed["total"] == 1 and listed["items"][0]["what"] == "New belt"
    assert client.get("/api/v1/equipment/987654/maintenance", headers=manager).status_code == 404


def test_members_and_strangers_are_refused(app, client, studio, member):
    assert client.get("/api/v1/equipment", headers=member).status_code == 403
    assert client.post("/api/v1/equipment", headers=member, json={"name": "x"}).status_code == 403
    assert client.get("/api/v1/equipment", headers=host(studio)).status_code == 401


def test_the_openapi_document_describes_the_equipment_endpoints(client, studio):
    document = client.get("/api/v1/openapi.json", headers=host(studio)).get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/equipment"]) and \
        {"get", "patch", "delete"} <= set(paths["/api/v1/equipment/{id}"])
    assert {"get", "post"} <= set(paths["/api/v1/equipment/{id}/maintenance"])
    assert {"NewAsset", "AssetChanges", "AssetDetail", "NewMaintenanceRecord"} <= set(document["components"]["schemas"])


def test_the_list_counts_open_problems_in_one_query_per_page(app, client, studio, manager):
    from tests.requests import csrf_token_from, login
    from tests.running import count_statements

    marker = unique("Cnt")
    first = _asset(client, manager, name=f"{marker} a")
    _asset(client, manager, name=f"{marker} b")
    _id, email = person(app, studio, "member")
    browser = app.test_client()
    assert login(browser, studio, email).status_code == 302
    path = f"/equipment/{first['id']}/report"
    token = csrf_token_from(browser, studio, path)
    assert browser.post(path, headers=host(studio), data={"csrf_token": token, "text": "Loose"}).status_code == 302
    listed = client.get(f"/api/v1/equipment?q={marker}", headers=manager).get_json()["items"]
    assert [a["open_problems"] for a in listed] == [1, 0]
    few = count_statements(app, lambda: client.get(f"/api/v1/equipment?q={marker}", headers=manager))
    for n in range(4):
        _asset(client, manager, name=f"{marker} more {n}")
    assert count_statements(app, lambda: client.get(f"/api/v1/equipment?q={marker}", headers=manager)) == few
