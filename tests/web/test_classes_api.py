"""The public timetable API (GET /api/v1/classes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.settings.models import StudioSetting
from nexphys.tenancy.context import tenant_bound
from tests.factories import add_class, make_user
from tests.requests import api_token, bearer, host


def test_a_day_of_classes_with_counts_in_the_studio_time_zone(app, client, make_tenant):
    tenant = make_tenant(time_zone="America/New_York")
    # 23:30 UTC on 7 Jan is 18:30 in New York (still the 7th there); 05:00 UTC on the 8th is 00:00 local.
    add_class(app, tenant, "Evening Flow", starts_at=datetime(2026, 1, 7, 23, 30, tzinfo=UTC), capacity=12)
    add_class(app, tenant, "Midnight Lift", starts_at=datetime(2026, 1, 8, 5, 0, tzinfo=UTC))
    body = client.get("/api/v1/classes?date=2026-01-07", headers=host(tenant)).get_json()
    assert [item["name"] for item in body["items"]] == ["Evening Flow"]
    item = body["items"][0]
    assert item["starts_at"] == "2026-01-07T18:30:00-05:00" and item["capacity"] == 12
    assert item["booked"] == 0 and item["spots_left"] == 12 and body["time_zone"] == "America/New_York"
    week = client.get("/api/v1/classes?from=2026-01-05&to=2026-01-11", headers=host(tenant)).get_json()
    assert [item["name"] for item in week["items"]] == ["Evening Flow", "Midnight Lift"]


def test_each_studio_sees_only_its_classes(client, tenant_a, tenant_b):
    # The class was made an hour after the suite began (tests/conftest.py), which may be yesterday by now.
    today = datetime.now(UTC).date()
    first, last = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    names_a = {i["name"] for i in client.get(f"/api/v1/classes?from={first}&to={last}", headers=host(tenant_a))
               .get_json()["items"]}
    assert "Alpha Only Kettlebells" in names_a and "Beta Only Pilates" not in names_a


def test_bad_dates_are_422(client, tenant_a):
    bad = ("date=07/01/2026", "from=2026-01-10&to=2026-01-01", "from=2026-01-01", "from=2026-01-01&to=2026-06-01")
    for query in bad:
        response = client.get(f"/api/v1/classes?{query}", headers=host(tenant_a))
        assert response.status_code == 422 and response.mimetype == "application/problem+json", query


def test_a_studio_can_require_sign_in(app, client, make_tenant):
    tenant = make_tenant()
    with app.app_context(), tenant_bound(tenant):
        db.session.execute(sa.update(StudioSetting).where(StudioSetting.key == "timetable_requires_sign_in")
                           .values(value=True))
        db.session.commit()
    assert client.get("/api/v1/classes", headers=host(tenant)).status_code == 401
    email = "timetable-member@example.com"
    make_user(app, tenant, "member", email)
    token = api_token(client, tenant, email)["access_token"]
    assert client.get("/api/v1/classes", headers=bearer(tenant, token)).status_code == 200
