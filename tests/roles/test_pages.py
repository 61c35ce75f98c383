"""Roles pages: the permission matrix, creating, editing and deleting roles through the browser forms."""

from __future__ import annotations

import re

from nexphys.roles.catalog import ALL_CODES
from tests.factories import make_user, unique
from tests.requests import csrf_token_from, host, login, post_form, ticked
from tests.roles.factories import person, role_id, role_row


def test_owner_creates_a_custom_role_and_it_appears_in_the_matrix(app, tenant_a, owner_client):
    matrix = owner_client.get("/roles", headers=host(tenant_a))
    assert matrix.status_code == 200
    page = matrix.get_data(as_text=True)
    assert 'href="/roles/new"' in page
    assert "See every member&#39;s profile" in page or "See every member's profile" in page  # descriptions shown
    name = unique("Front desk")

    response = post_form(owner_client, tenant_a, "/roles/new",
                         {"name": name, "level": "2", "permissions": ["classes:read", "bookings:read"]})

    assert response.status_code == 302 and response.headers["Location"].endswith("/roles")
    _id, key, level, is_system, codes = role_row(app, tenant_a, name)
    assert (level, is_system, codes) == (2, False, {"classes:read", "bookings:read"})
    assert re.fullmatch(r"front_desk_[0-9a-f]{6}", key)
    page = owner_client.get("/roles", headers=host(tenant_a)).get_data(as_text=True)
    header = re.search(rf'<th scope="col" id="role-{_id}"[^>]*>(.*?)</th>', page, re.S)
    assert header and name in header.group(1) and "custom" in header.group(1)
    # one cell per role in every permission row: the new column has exactly its two ticks
    column = list(re.findall(r'<th scope="col" id="role-(\d+)"', page)).index(str(_id))
    granted = []
    matrix_row = r'<tr>\s*<th scope="row">[^<]*<small class="muted"><code>([^<]+)</code></small></th>(.*?)</tr>'
    for row in re.findall(matrix_row, page, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row[1], re.S)
        if "Granted" in cells[column] and "Not granted" not in cells[column]:
            granted.append(row[0])
    assert sorted(granted) == ["bookings:read", "classes:read"]


def test_the_matrix_uses_accessible_table_markup(tenant_a, owner_client):
    page = owner_client.get("/roles", headers=host(tenant_a)).get_data(as_text=True)
    assert "<caption" in page and 'scope="rowgroup"' in page and 'scope="row"' in page
    assert page.count('<span class="visually-hidden">Granted</span>') >= len(ALL_CODES)  # the owner column


def test_a_manager_sees_the_matrix_but_cannot_create_roles(tenant_a, manager_client):
    matrix = manager_client.get("/roles", headers=host(tenant_a))
    assert matrix.status_code == 200
    assert 'href="/roles/new"' not in matrix.get_data(as_text=True)
    assert manager_client.get("/roles/new", headers=host(tenant_a)).status_code == 403
    token = csrf_token_from(manager_client, tenant_a, "/roles")
    response = manager_client.post("/roles/new", headers=host(tenant_a),
                                   data={"csrf_token": token, "name": unique("Sneaky"), "level": "1"})
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, tenant_a):
    response = client.get("/roles", headers=host(tenant_a))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_form_is_keyboard_usable(tenant_a, owner_client):
    page = owner_client.get("/roles/new", headers=host(tenant_a)).get_data(as_text=True)
    assert page.count("<fieldset") >= 7 and "<legend>API keys</legend>" in page
    for code in ("members:read", "bookings:read:own"):
        box_id = "perm-" + code.replace(":", "-")
        assert f'<label for="{box_id}">' in page and f'id="{box_id}" name="permissions" value="{code}"' in page
    assert '<option value="1">1 · Member level</option>' in page and "3 · Staff level" in page
    assert "4 · Owner level" not in page


def test_validation_errors_rerender_with_422_and_keep_the_ticks(app, tenant_a, owner_client):
    ticks = ["members:read", "classes:read", "bookings:create:own"]

    response = post_form(owner_client, tenant_a, "/roles/new", {"name": "  ", "level": "2", "permissions": ticks})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the role a name." in page and 'aria-invalid="true"' in page
    assert ticked(page) == set(ticks)
    assert '<option selected value="2">' in page or 'value="2" selected' in page


def test_unknown_codes_level_four_and_duplicate_names_are_refused(app, tenant_a, owner_client):
    name = unique("Coach")
    assert post_form(owner_client, tenant_a, "/roles/new", {"name": name, "level": "1"}).status_code == 302

    response = post_form(owner_client, tenant_a, "/roles/new",
                         {"name": name.upper(), "level": "4", "permissions": ["members:read", "members:fly"]})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "There is already a role called" in page
    assert "only the owner role is level 4" in page
    assert "Unknown permission: members:fly." in page
    assert ticked(page) == {"members:read"}  # a tick on an unknown code has no box to show
    assert role_row(app, tenant_a, name.upper()) is None


def test_owner_edits_a_custom_role(app, tenant_a, owner_client):
    name = unique("Coach")
    post_form(owner_client, tenant_a, "/roles/new", {"name": name, "level": "1", "permissions": ["classes:read"]})
    rid = role_row(app, tenant_a, name)[0]
    form = owner_client.get(f"/roles/{rid}/edit", headers=host(tenant_a))
    assert form.status_code == 200 and ticked(form.get_data(as_text=True)) == {"classes:read"}

    renamed = unique("Head coach")
    response = post_form(owner_client, tenant_a, f"/roles/{rid}/edit",
                         {"name": renamed, "level": "3", "permissions": ["members:read", "bookings:read"]})

    assert response.status_code == 302
    assert role_row(app, tenant_a, renamed)[2:] == (3, False, {"members:read", "bookings:read"})


def test_the_owner_role_cannot_lose_permissions(app, tenant_a, owner_client):
    owner_role = role_id(app, tenant_a, "owner")
    assert owner_client.get(f"/roles/{owner_role}/edit", headers=host(tenant_a)).status_code == 403
    token = csrf_token_from(owner_client, tenant_a, "/roles")

    response = owner_client.post(f"/roles/{owner_role}/edit", headers=host(tenant_a),
                                 data={"csrf_token": token, "name": "Owner", "level": "4",
                                       "permissions": ["members:read"]})

    assert response.status_code == 403
    assert role_row(app, tenant_a, "Owner")[4] == set(ALL_CODES)


def test_owners_may_change_built_in_roles_below_them(app, make_tenant):
    tenant = make_tenant()  # a studio of its own: the change must not leak into other tests
    client = app.test_client()
    login(client, tenant, person(app, tenant, "owner"))
    premium = role_id(app, tenant, "premium_member")
    response = post_form(client, tenant, f"/roles/{premium}/edit",
                         {"name": "Premium member", "level": "2",
                          "permissions": ["classes:read", "bookings:read:own", "bookings:create:own"]})
    assert response.status_code == 302
    assert role_row(app, tenant, "Premium member")[4] == {"classes:read", "bookings:read:own", "bookings:create:own"}


def test_delete_is_confirmed_and_refused_while_the_role_is_held(app, tenant_a, owner_client):
    name = unique("Temp")
    post_form(owner_client, tenant_a, "/roles/new", {"name": name, "level": "1", "permissions": ["classes:read"]})
    rid, key, *_ = role_row(app, tenant_a, name)
    make_user(app, tenant_a, key)

    asked = post_form(owner_client, tenant_a, f"/roles/{rid}/edit", {}, action=f"/roles/{rid}/delete")
    assert asked.status_code == 200 and "1 person holds this role" in asked.get_data(as_text=True)
    refused = post_form(owner_client, tenant_a, f"/roles/{rid}/edit", {"confirm": "yes"},
                        action=f"/roles/{rid}/delete")

    assert refused.status_code == 409
    assert "give them another role before deleting it" in refused.get_data(as_text=True)
    assert role_row(app, tenant_a, name) is not None


def test_an_unheld_custom_role_is_deleted_after_confirmation(app, tenant_a, owner_client):
    name = unique("Gone")
    post_form(owner_client, tenant_a, "/roles/new", {"name": name, "level": "1"})
    rid = role_row(app, tenant_a, name)[0]

    asked = post_form(owner_client, tenant_a, f"/roles/{rid}/edit", {}, action=f"/roles/{rid}/delete")
    assert asked.status_code == 200 and "Yes, delete" in asked.get_data(as_text=True)
    assert role_row(app, tenant_a, name) is not None
    done = post_form(owner_client, tenant_a, f"/roles/{rid}/edit", {"confirm": "yes"}, action=f"/roles/{rid}/delete")

    assert done.status_code == 302
    assert role_row(app, tenant_a, name) is None
    assert owner_client.get(f"/roles/{rid}/edit", headers=host(tenant_a)).status_code == 404


def test_built_in_roles_cannot_be_deleted(app, tenant_a, owner_client):
    member = role_id(app, tenant_a, "member")
    token = csrf_token_from(owner_client, tenant_a, "/roles")
    response = owner_client.post(f"/roles/{member}/delete", headers=host(tenant_a),
                                 data={"csrf_token": token, "confirm": "yes"})
    assert response.status_code == 403
    assert "built-in role" in response.get_data(as_text=True)


def test_forms_need_a_csrf_token(tenant_a, owner_client):
    response = owner_client.post("/roles/new", headers=host(tenant_a), data={"name": unique("No token"), "level": "1"})
    assert response.status_code == 400
