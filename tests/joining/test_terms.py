"""The studio's terms in versions: owners publish, the accepted version is recorded at sign-up, a newer version
is asked for before the next booking and on sign-in; and the first-visit form, seen by staff."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from tests.factories import audit_entries, email_for, load_user, make_session, person, session_state
from tests.joining.conftest import get, open_sign_up, sign_up, verification_path
from tests.requests import login, post_form
from tests.running import host, rows


def _publish(app, client, tenant, body: str):
    return post_form(client, tenant, "/settings/joining", {"body": body}, action="/settings/joining/terms")


def test_owner_publishes_versions_and_sign_up_records_the_accepted_one(app, studio):
    from nexphys.joining.models import TermsAcceptance, TermsVersion
    from nexphys.members.models import User

    owner = app.test_client()
    login(owner, studio, person(app, studio, "owner")[1])
    assert _publish(app, owner, studio, "   ").status_code == 422
    assert _publish(app, owner, studio, "Version one: train at your own risk.").status_code == 302
    numbers = [v.number for v in rows(app, studio, sa.select(TermsVersion))]
    assert max(numbers) >= 1 and audit_entries(app, studio, "joining.terms_published")
    newest = max(numbers)

    open_sign_up(app, studio, "open")
    client = app.test_client()
    email = email_for("terms")
    refused = sign_up(client, studio, email, accept=False)
    assert refused.status_code == 422 and "Tick the box to accept" in refused.get_data(as_text=True)
    assert "train at your own risk" in get(client, studio, "/join").get_data(as_text=True)
    sign_up(client, studio, email)
    get(client, studio, verification_path(app, studio, email))
    [user] = rows(app, studio, sa.select(User).where(User.email == email))
    [acceptance] = rows(app, studio, sa.select(TermsAcceptance).where(TermsAcceptance.user_id == user.id))
    accepted_version = rows(app, studio, sa.select(TermsVersion).where(TermsVersion.id == acceptance.version_id))
    assert accepted_version[0].number == newest
    # staff see the accepted version on the member's page
    detail = get(owner, studio, f"/members/{user.id}").get_data(as_text=True)
    assert f"Version {newest} on" in detail

    # a newer version: the member is asked before booking, then books
    _publish(app, owner, studio, "Version two: and mind the kettlebells.")
    session_id = make_session(app, studio, starts_in=timedelta(days=2))
    asked = client.post(f"/classes/{session_id}/book", headers=host(studio),
                        data={"csrf_token": _csrf(client, studio, f"/classes/{session_id}")})
    assert asked.status_code == 302 and "/terms" in asked.headers["Location"]
    page = get(client, studio, asked.headers["Location"]).get_data(as_text=True)
    assert "mind the kettlebells" in page and f"I accept version {newest + 1}" in page
    accepted = post_form(client, studio, asked.headers["Location"], {"next": f"/classes/{session_id}"},
                         action="/terms")
    assert accepted.status_code == 302
    booked = client.post(f"/classes/{session_id}/book", headers=host(studio),
                         data={"csrf_token": _csrf(client, studio, f"/classes/{session_id}")})
    assert "/terms" not in booked.headers.get("Location", "")
    assert user.id in session_state(app, studio, session_id)["bookings"].get("confirmed", [])
    assert f"Version {newest + 1} on" in get(owner, studio, f"/members/{user.id}").get_data(as_text=True)


def test_sign_in_asks_for_new_terms_but_never_staff(app, studio):
    owner = app.test_client()
    login(owner, studio, person(app, studio, "owner")[1])
    _publish(app, owner, studio, "Sign-in terms " + email_for("v"))
    member = app.test_client()
    signed = login(member, studio, person(app, studio, "member")[1])
    assert signed.status_code == 302 and "/terms" in signed.headers["Location"]
    manager = app.test_client()
    staff = login(manager, studio, person(app, studio, "manager")[1])
    assert "/terms" not in staff.headers["Location"]


def test_the_first_visit_form_is_saved_and_seen_by_staff(app, studio):
    member_id, email = person(app, studio, "member")
    client = app.test_client()
    login(client, studio, email)
    bad = post_form(client, studio, "/welcome", {"emergency_name": "", "emergency_phone": "abc"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Enter the name of someone we can call" in page
    assert "Enter a phone number" in page
    saved = post_form(client, studio, "/welcome", {"emergency_name": "Pat Partner",
                                                   "emergency_phone": "+44 20 7946 0958",
                                                   "health_notes": "Left knee", "heard_about": "Walking past"})
    assert saved.status_code == 302
    assert load_user(app, studio, member_id)["health_notes"] == "Left knee"
    again = get(client, studio, "/welcome").get_data(as_text=True)
    assert 'value="Pat Partner"' in again and 'value="+44 20 7946 0958"' in again
    owner = app.test_client()
    login(owner, studio, person(app, studio, "owner")[1])
    detail = get(owner, studio, f"/members/{member_id}").get_data(as_text=True)
    assert "Pat Partner, +44 20 7946 0958" in detail and "Walking past" in detail and "Filled in" in detail


def _csrf(client, tenant, path: str) -> str:
    from tests.requests import page_csrf

    return page_csrf(get(client, tenant, path).get_data(as_text=True))
