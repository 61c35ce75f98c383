"""Text PostgreSQL cannot store (the NUL character) is refused as it arrives, on every kind of input."""

from __future__ import annotations

from tests.requests import host, page_csrf


def test_nul_in_a_form_a_path_or_a_query_is_a_clear_400(client, tenant_a):
    page = client.get("/login", headers=host(tenant_a)).get_data(as_text=True)
    form = client.post("/login", headers=host(tenant_a),
                       data={"csrf_token": page_csrf(page), "email": "a\x00b@example.com", "password": "x"})
    assert form.status_code == 400 and "NUL character" in form.get_data(as_text=True)
    assert client.get("/check-in/abc%00def", headers=host(tenant_a)).status_code == 400
    api = client.get("/api/v1/classes?date=2026-01-01%00", headers=host(tenant_a))
    assert api.status_code == 400 and api.mimetype == "application/problem+json"
    assert "NUL character" in api.get_json()["detail"]


def test_ordinary_text_passes(client, tenant_a):
    assert client.get("/api/v1/classes", headers=host(tenant_a)).status_code == 200
