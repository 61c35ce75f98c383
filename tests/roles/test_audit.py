"""The audit log page: role and key events, newest first, filterable, owners only."""

from __future__ import annotations

import re

from tests.factories import unique
from tests.requests import host, post_form
from tests.roles.factories import role_row


def test_role_and_key_events_are_listed_newest_first(app, tenant_a, owner_client, owner_email):
    name = unique("Audited")
    post_form(owner_client, tenant_a, "/roles/new", {"name": name, "level": "1", "permissions": ["classes:read"]})
    rid = role_row(app, tenant_a, name)[0]
    post_form(owner_client, tenant_a, f"/roles/{rid}/edit",
              {"name": name, "level": "1", "permissions": ["members:read"]})
    post_form(owner_client, tenant_a, "/roles", {"confirm": "yes"}, action=f"/roles/{rid}/delete")
    key_name = unique("Audited key")
    post_form(owner_client, tenant_a, "/settings/api-keys/new", {"name": key_name, "permissions": ["roles:read"]})

    response = owner_client.get("/audit", headers=host(tenant_a))

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = [row for row in page.split("<tbody>", 1)[1].split("<tr>") if owner_email in row]
    kinds = [re.search(r"<strong>([^<]+)</strong>", row).group(1) for row in rows]
    assert kinds[:4] == ["API key: created", "Role: deleted", "Role: updated", "Role: created"]
    assert key_name in rows[0] and "roles:read" in rows[0]
    assert "added </span>+ members:read" in rows[2] and "removed </span>− classes:read" in rows[2]
    assert "added </span>+ classes:read" in rows[3]
    assert all("127.0.0.1" in row for row in rows[:4])  # from where
    assert all("<time datetime=" in row for row in rows[:4])  # when


def test_filter_by_action_and_paginate(tenant_a, owner_client):
    for _ in range(2):
        post_form(owner_client, tenant_a, "/roles/new", {"name": unique("Paged"), "level": "1"})

    page = owner_client.get("/audit?action=role.created&per_page=1", headers=host(tenant_a)).get_data(as_text=True)

    table = page.split("<tbody>", 1)[1].split("</tbody>")[0]
    assert table.count("<time datetime=") == 1 and "Role: created" in table
    assert '<option value="role.created" selected>' in page
    assert re.search(r"Page 1 of \d+", page) and 'rel="next"' in page and "action=role.created" in page


def test_empty_state_and_unknown_filters(app, make_tenant):
    from tests.requests import login
    from tests.roles.factories import person

    studio = make_tenant()  # a fresh studio, so no other test has recorded this action in it
    owner_client = app.test_client()
    assert login(owner_client, studio, person(app, studio, "owner")).status_code == 302
    empty = owner_client.get("/audit?action=auth.refresh_token_reused", headers=host(studio)).get_data(as_text=True)
    assert "Nothing recorded" in empty and "Show all actions" in empty
    unknown = owner_client.get("/audit?action=nope", headers=host(studio))
    assert unknown.status_code == 200 and "Nothing recorded" not in unknown.get_data(as_text=True)
    assert owner_client.get("/audit?page=x", headers=host(studio)).status_code == 400


def test_managers_cannot_read_the_audit_log(tenant_a, manager_client):
    assert manager_client.get("/audit", headers=host(tenant_a)).status_code == 403


def test_audit_is_per_studio(app, tenant_a, tenant_b, owner_client):
    from tests.requests import login
    from tests.roles.factories import person

    name = unique("Alpha only")
    post_form(owner_client, tenant_a, "/roles/new", {"name": name, "level": "1"})
    other = app.test_client()
    login(other, tenant_b, person(app, tenant_b, "owner"))
    assert name not in other.get("/audit", headers=host(tenant_b)).get_data(as_text=True)
