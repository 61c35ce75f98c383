"""The rest of the equipment API: categories, problem reports, schedules, requirements, shortfalls and usage."""

from __future__ import annotations

from datetime import timedelta

from tests.equipment.schedule_setup import bikes_and_classes
from tests.factories import unique


def test_categories_are_listed_and_added_once_whatever_the_case(client, manager, instructor, member):
    name = unique("Kettlebells")
    made = client.post("/api/v1/equipment/categories", headers=manager, json={"name": f"  {name} "})
    assert made.status_code == 201 and made.json == {"id": made.json["id"], "name": name, "assets": 0}
    again = client.post("/api/v1/equipment/categories", headers=manager, json={"name": name.upper()})
    assert again.status_code == 200 and again.json["id"] == made.json["id"]
    assert client.post("/api/v1/equipment/categories", headers=manager, json={"name": ""}).status_code == 422
    assert client.post("/api/v1/equipment/categories", headers=instructor, json={"name": "x"}).status_code == 403
    listed = client.get("/api/v1/equipment/categories", headers=instructor).json
    assert name in [c["name"] for c in listed["items"]]
    assert client.get("/api/v1/equipment/categories", headers=member).status_code == 403


def test_problems_are_reported_listed_and_resolved(client, manager, instructor):
    asset = client.post("/api/v1/equipment", headers=manager, json={"name": unique("Rower")}).json
    path = f"/api/v1/equipment/{asset['id']}/problems"
    bad = client.post(path, headers=instructor, json={"text": ""})
    assert bad.status_code == 422 and bad.headers["Content-Type"].startswith("application/problem+json")
    reported = client.post(path, headers=instructor, json={"text": "The seat wobbles"})
    assert reported.status_code == 201 and reported.json["status"] == "open"
    assert client.get(f"/api/v1/equipment/{asset['id']}", headers=manager).json["status"] == "needs_attention"
    pid = reported.json["id"]
    assert client.post(f"{path}/{pid}/resolve", headers=instructor).status_code == 403
    resolved = client.post(f"{path}/{pid}/resolve", headers=manager)
    assert resolved.status_code == 200 and resolved.json["status"] == "resolved" and resolved.json["resolved_by"]
    assert client.post(f"{path}/{pid}/resolve", headers=manager).status_code == 409
    assert client.get(f"{path}?status=open", headers=manager).json["items"] == []
    assert [p["id"] for p in client.get(path, headers=manager).json["items"]] == [pid]
    assert client.post(f"{path}/999999/resolve", headers=manager).status_code == 404


def test_schedules_are_added_changed_and_stopped(client, manager, instructor):
    asset = client.post("/api/v1/equipment", headers=manager, json={"name": unique("Bike")}).json
    path = f"/api/v1/equipment/{asset['id']}/schedules"
    both = client.post(path, headers=manager, json={"title": "Oil", "every_days": 7, "every_uses": 3})
    assert both.status_code == 422 and "every_uses" in both.json["errors"]
    made = client.post(path, headers=manager, json={"title": "Oil the chain", "every_uses": 30})
    assert made.status_code == 201 and made.json["uses"] == 0 and made.json["due_on"] is None
    sid = made.json["id"]
    assert client.patch(f"{path}/{sid}", headers=instructor, json={"title": "x"}).status_code == 403
    changed = client.patch(f"{path}/{sid}", headers=manager, json={"every_days": 14, "title": "Oil it"})
    assert changed.status_code == 200, changed.json
    assert (changed.json["every_days"], changed.json["every_uses"], changed.json["title"]) == (14, None, "Oil it")
    assert client.patch(f"{path}/{sid}", headers=manager, json={"every_days": 0}).status_code == 422
    assert [s["id"] for s in client.get(path, headers=instructor).json["items"]] == [sid]
    assert client.delete(f"{path}/{sid}", headers=manager).status_code == 204
    assert client.get(path, headers=manager).json["items"] == []
    assert client.delete(f"{path}/{sid}", headers=manager).status_code == 404


def test_requirements_of_a_type_and_a_class_and_the_shortfalls(app, studio, client, manager, instructor):
    setup = bikes_and_classes(app, studio, starts_in=[timedelta(days=1)])
    type_path, class_path = f"/api/v1/class-types/{setup.type_id}/equipment", \
        f"/api/v1/classes/{setup.session_ids[0]}/equipment"
    got = client.get(type_path, headers=instructor).json
    assert got["items"][0]["category"]["name"] == setup.category and got["items"][0]["quantity"] == 3
    assert client.put(type_path, headers=instructor, json={"items": []}).status_code == 403
    bad = client.put(type_path, headers=manager, json={"items": [{"category": "Mats", "quantity": -1}]})
    assert bad.status_code == 422 and "0.quantity" in bad.json["errors"]
    put = client.put(class_path, headers=manager, json={"items": [{"category": setup.category, "quantity": 4}]})
    assert put.status_code == 200 and put.json["items"][0]["quantity"] == 4 and put.json["inherited"]
    found = client.get("/api/v1/equipment/shortfalls", headers=instructor).json["items"]
    mine = [f for f in found if f["class_id"] == setup.session_ids[0]]
    assert mine and (mine[0]["needed"], mine[0]["available"], mine[0]["missing"]) == (4, 3, 1)
    assert client.get("/api/v1/equipment/shortfalls?from=2026-02-10&to=2026-01-01",
                      headers=manager).status_code == 422
    assert client.get("/api/v1/equipment/shortfalls?from=2026-01-01&to=2026-12-01",
                      headers=manager).status_code == 422
    usage = client.get(f"/api/v1/equipment/{setup.asset_ids[0]}", headers=manager).json["usage"]
    assert usage["classes"] == 0 and usage["since"]
    assert client.get("/api/v1/class-types/999999/equipment", headers=manager).status_code == 404
