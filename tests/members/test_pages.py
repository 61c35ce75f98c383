"""Member pages through the client: list, detail, invite, deactivate, role changes, own profile."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.factories import audit_entries, email_for, load_user, make_user, outbox_for, person
from tests.requests import host, login, page_csrf, set_password_path


def _get(client, tenant, path):
    return client.get(path, headers=host(tenant))


def _post(client, tenant, path, data):
    return client.post(path, headers=host(tenant), data=data)


def _signed_in(app, client, tenant, role_key, **kwargs) -> int:
    user_id, email = person(app, tenant, role_key, **kwargs)
    assert login(client, tenant, email).status_code == 302
    return user_id


# --- list -------------------------------------------------------------------------------------

def test_manager_lists_searches_and_pages_through_members(app, client, studio):
    _signed_in(app, client, studio, "manager")
    for n in range(23):
        person(app, studio, "member", full_name=f"Paginate Quokka {n:02d}")
    page = _get(client, studio, "/members?q=quokka")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "23 people match your search" in html
    assert html.count("Paginate Quokka") == 20 and "Paginate Quokka 00" in html and "Paginate Quokka 20" not in html
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "q=quokka" in next_link and "page=2" in next_link
    second = _get(client, studio, next_link).get_data(as_text=True)
    assert second.count("Paginate Quokka") == 3 and "Paginate Quokka 22" in second
    # each name links to the person's page; the header offers the members link
    assert re.search(r'<a href="/members/\d+">Paginate Quokka 00</a>', html)
    assert '<label for="q">' in html and 'aria-current="page"' in html


def test_role_filter_and_empty_state(app, client, studio):
    _signed_in(app, client, studio, "manager")
    person(app, studio, "instructor", full_name="Filter Wombat Coach")
    person(app, studio, "member", full_name="Filter Wombat Member")
    html = _get(client, studio, "/members?q=wombat&role=instructor").get_data(as_text=True)
    assert "Filter Wombat Coach" in html and "Filter Wombat Member" not in html
    assert '<option value="instructor" selected>' in html
    empty = _get(client, studio, "/members?q=no-such-person-anywhere").get_data(as_text=True)
    assert "No one matches" in empty and "<table" not in empty


def test_a_member_cannot_open_the_list_or_other_people(app, client, studio):
    me = _signed_in(app, client, studio, "member")
    other, _ = person(app, studio, "member")
    assert _get(client, studio, "/members").status_code == 403
    assert _get(client, studio, f"/members/{other}").status_code == 404
    mine = _get(client, studio, f"/members/{me}")
    assert mine.status_code == 200 and "Private details" in mine.get_data(as_text=True)
    assert _get(client, studio, "/members/invite").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, studio):
    response = _get(client, studio, "/members")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- own profile --------------------------------------------------------------------------------

def test_member_edits_their_own_profile(app, client, studio):
    me = _signed_in(app, client, studio, "member")
    page = _get(client, studio, "/profile")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<label for="health_notes">Health notes</label>' in html
    data = {"csrf_token": page_csrf(html), "full_name": "Pat Profile", "phone": "+1 555 010 9999",
            "date_of_birth": "1991-02-03", "emergency_contact": "Sam, 555 0100", "health_notes": "Bad knee"}
    response = _post(client, studio, "/profile", data)
    assert response.status_code == 302 and response.headers["Location"] == "/profile"
    assert "Your profile is saved." in _get(client, studio, "/profile").get_data(as_text=True)
    stored = load_user(app, studio, me)
    assert stored["full_name"] == "Pat Profile" and stored["phone"] == "+1 555 010 9999"
    assert stored["date_of_birth"] == date(1991, 2, 3) and stored["health_notes"] == "Bad knee"
    [entry] = audit_entries(app, studio, "member.updated", f"user:{me}")
    assert entry["details"]["fields"] == ["full_name", "phone", "date_of_birth", "emergency_contact",
                                          "health_notes"]


def test_bad_profile_input_is_shown_again_with_messages(app, client, studio):
    me = _signed_in(app, client, studio, "member", full_name="Kept Name")
    html = _get(client, studio, "/profile").get_data(as_text=True)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    data = {"csrf_token": page_csrf(html), "full_name": "", "phone": "not a phone <b>", "date_of_birth": tomorrow,
            "emergency_contact": "Typed contact", "health_notes": "Typed notes"}
    response = _post(client, studio, "/profile", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a name." in page and "phone number of 6 to 15 digits" in page and "must be in the past" in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="phone-errors' in page
    assert 'value="not a phone &lt;b&gt;"' in page and f'value="{tomorrow}"' in page  # nothing typed is lost
    assert "Typed contact" in page and "Typed notes" in page
    assert load_user(app, studio, me)["full_name"] == "Kept Name"
    unparsable = _post(client, studio, "/profile", {**data, "full_name": "Ok", "phone": "", "date_of_birth": "soon"})
    assert unparsable.status_code == 422 and 'value="soon"' in unparsable.get_data(as_text=True)


# --- invitations ---------------------------------------------------------------------------------

def test_invite_then_follow_the_emailed_link_to_sign_in(app, client, studio):
    _signed_in(app, client, studio, "manager")
    html = _get(client, studio, "/members/invite").get_data(as_text=True)
    roles = re.findall(r'<option[^>]*value="([a-z_]+)"', html)
    assert roles == ["member", "premium_member"]  # only roles a manager may give
    email = email_for("newcomer")
    response = _post(client, studio, "/members/invite", {"csrf_token": page_csrf(html), "email": email,
                                                         "full_name": "Nia Newcomer", "role": "premium_member"})
    assert response.status_code == 302
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert load_user(app, studio, new_id)["status"] == "invited"
    [mail] = outbox_for(app, studio, email)
    link = set_password_path(mail["body"])

    newcomer = app.test_client()
    page = _get(newcomer, studio, link)
    assert page.status_code == 200 and email in page.get_data(as_text=True)
    password = "a brand new passphrase"
    done = _post(newcomer, studio, link, {"csrf_token": page_csrf(page.get_data(as_text=True)),
                                          "password": password, "confirm": password})
    assert done.status_code == 302
    me = newcomer.get("/api/v1/me", headers=host(studio)).get_json()
    assert me["email"] == email and me["role"]["key"] == "premium_member"
    assert load_user(app, studio, new_id)["status"] == "active"
    assert login(app.test_client(), studio, email, password).status_code == 302
    assert _get(newcomer, studio, link).status_code == 400  # the link works once


def test_invite_form_keeps_input_and_explains_a_duplicate(app, client, studio):
    _signed_in(app, client, studio, "manager")
    _, taken = person(app, studio, "member")
    html = _get(client, studio, "/members/invite").get_data(as_text=True)
    response = _post(client, studio, "/members/invite", {"csrf_token": page_csrf(html), "email": taken.upper(),
                                                         "full_name": "Second Copy", "role": "member"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "already uses" in page and 'value="Second Copy"' in page and taken.upper() in page
    bad = _post(client, studio, "/members/invite", {"csrf_token": page_csrf(html), "email": "nope",
                                                    "full_name": "", "role": "owner"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Enter a name." in page and "Enter a valid email address." in page
    above = _post(client, studio, "/members/invite", {"csrf_token": page_csrf(html), "email": email_for("boss"),
                                                      "full_name": "Would Be Owner", "role": "owner"})
    assert above.status_code == 422 and "You cannot invite someone as Owner." in above.get_data(as_text=True)


# --- deactivation ----------------------------------------------------------------------------------

def test_deactivate_after_confirmation(app, client, studio):
    _signed_in(app, client, studio, "manager")
    target, email = person(app, studio, "member", full_name="Leaving Lee")
    victim = app.test_client()
    login(victim, studio, email)
    assert victim.get("/api/v1/me", headers=host(studio)).status_code == 200

    detail = _get(client, studio, f"/members/{target}").get_data(as_text=True)
    assert f'href="/members/{target}/deactivate"' in detail
    confirm = _get(client, studio, f"/members/{target}/deactivate")
    assert confirm.status_code == 200 and "Are you sure?" in confirm.get_data(as_text=True)
    assert load_user(app, studio, target)["status"] == "active"  # the GET changes nothing
    response = _post(client, studio, f"/members/{target}/deactivate",
                     {"csrf_token": page_csrf(confirm.get_data(as_text=True))})
    assert response.status_code == 302
    assert load_user(app, studio, target)["status"] == "inactive"
    assert "Leaving Lee is deactivated." in _get(client, studio, f"/members/{target}").get_data(as_text=True)
    assert victim.get("/api/v1/me", headers=host(studio)).status_code == 401  # their session stopped working


def test_deactivation_needs_csrf_permission_and_not_yourself(app, client, studio):
    me = _signed_in(app, client, studio, "manager")
    target, _ = person(app, studio, "member")
    assert _post(client, studio, f"/members/{target}/deactivate", {}).status_code == 400  # no CSRF token
    assert "/deactivate" not in _get(client, studio, f"/members/{me}").get_data(as_text=True)
    assert _get(client, studio, f"/members/{me}/deactivate").status_code == 403
    html = _get(client, studio, f"/members/{target}").get_data(as_text=True)
    assert _post(client, studio, f"/members/{me}/deactivate", {"csrf_token": page_csrf(html)}).status_code == 403
    instructor = app.test_client()
    _signed_in(app, instructor, studio, "instructor")
    assert _get(instructor, studio, f"/members/{target}/deactivate").status_code == 403


# --- roles ------------------------------------------------------------------------------------

def test_manager_cannot_change_roles_owner_can(app, client, make_tenant):
    tenant = make_tenant()
    owner_id, owner_email = person(app, tenant, "owner")
    member_id, _ = person(app, tenant, "member")
    _signed_in(app, client, tenant, "manager")
    html = _get(client, tenant, f"/members/{member_id}").get_data(as_text=True)
    assert "Change role" not in html  # no roles:update, so no form
    denied = _post(client, tenant, f"/members/{member_id}/role", {"csrf_token": page_csrf(html), "role": "owner"})
    assert denied.status_code == 403
    assert load_user(app, tenant, member_id)["role"] == "member"

    owner = app.test_client()
    login(owner, tenant, owner_email)
    html = _get(owner, tenant, f"/members/{member_id}").get_data(as_text=True)
    assert "Change role" in html and '<option value="owner">' in html
    made = _post(owner, tenant, f"/members/{member_id}/role", {"csrf_token": page_csrf(html), "role": "owner"})
    assert made.status_code == 302
    assert load_user(app, tenant, member_id)["role"] == "owner"
    assert "is now Owner" in _get(owner, tenant, f"/members/{member_id}").get_data(as_text=True)
    assert audit_entries(app, tenant, "member.role_changed", f"user:{member_id}")[0]["details"] == {
        "from": "member", "to": "owner"}
    assert owner_id


def test_the_last_owner_cannot_demote_themself(app, client, make_tenant):
    tenant = make_tenant()
    owner_id = _signed_in(app, client, tenant, "owner")
    html = _get(client, tenant, f"/members/{owner_id}").get_data(as_text=True)
    response = _post(client, tenant, f"/members/{owner_id}/role", {"csrf_token": page_csrf(html), "role": "member"})
    assert response.status_code == 409
    assert "last active owner" in response.get_data(as_text=True)
    assert load_user(app, tenant, owner_id)["role"] == "owner"
    unknown = _post(client, tenant, f"/members/{owner_id}/role", {"csrf_token": page_csrf(html), "role": "wizard"})
    assert unknown.status_code == 422


def test_sensitive_fields_are_for_staff_and_self_only(app, client, studio):
    member_id = make_user(app, studio, "member", email_for("private"))
    from nexphys.extensions import db
    from nexphys.members.models import User
    from tests.running import in_studio

    with in_studio(app, studio):
        db.session.get(User, member_id).health_notes = "Pacemaker fitted"
        db.session.commit()
    _signed_in(app, client, studio, "instructor")
    assert "Pacemaker fitted" in _get(client, studio, f"/members/{member_id}").get_data(as_text=True)
