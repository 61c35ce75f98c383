"""Signing up at a studio: the policy, the email link, the staff's approval, the same answer for a known
address, the plan's member limit, throttling, and a link of one studio refused by another."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import audit_entries, email_for, load_user, make_user, outbox_for, person, set_settings
from tests.joining.conftest import PASSWORD, get, open_sign_up, sign_up, verification_path
from tests.requests import login, post_form
from tests.running import host, rows


def _user_id(app, tenant, email: str) -> int | None:
    from nexphys.members.models import User

    found = rows(app, tenant, sa.select(User).where(User.email == email))
    return found[0].id if found else None


def test_invite_only_is_the_default_and_hides_the_join_link(app, client, studio):
    set_settings(app, studio, joining_policy="invite")
    page = get(client, studio, "/login").get_data(as_text=True)
    assert ">Join</a>" not in page
    assert get(client, studio, "/join").status_code == 404
    email = email_for("closed")
    response = client.post("/join", headers=host(studio), data={"email": email})
    assert response.status_code in (400, 404) and outbox_for(app, studio, email) == []


def test_open_sign_up_verifies_the_email_then_signs_the_member_in(app, client, studio):
    open_sign_up(app, studio, "open")
    assert ">Join</a>" in get(client, studio, "/").get_data(as_text=True)
    email = email_for("open")
    response = sign_up(client, studio, email)
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/check-email")
    assert _user_id(app, studio, email) is None  # not a member before the link
    path = verification_path(app, studio, email)
    verified = get(client, studio, path)
    assert verified.status_code == 302 and "/welcome" in verified.headers["Location"]
    user_id = _user_id(app, studio, email)
    assert load_user(app, studio, user_id)["status"] == "active"
    assert get(client, studio, "/welcome").status_code == 200  # signed in by the link
    assert audit_entries(app, studio, "joining.verified") and audit_entries(app, studio, "joining.joined",
                                                                            f"user:{user_id}")
    # the link used again signs nobody in
    other = app.test_client()
    again = get(other, studio, path)
    assert again.status_code == 302 and again.headers["Location"].endswith("/login")
    assert get(other, studio, "/welcome").status_code == 302
    # and the password chosen at sign-up is the member's
    assert login(app.test_client(), studio, email, PASSWORD).status_code == 302


def test_bad_input_is_explained_in_plain_words(app, client, studio):
    open_sign_up(app, studio, "open")
    response = sign_up(client, studio, "not-an-email", name="", password="short")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter your name." in page and "Enter a valid email address." in page
    assert "Use at least 10 characters." in page
    assert "full_name" not in page.split("<main", 1)[1].replace('name="full_name"', "").replace('id="full_name"', "") \
        .replace('for="full_name"', "").replace("#full_name", "").replace("full_name-errors", "")


def test_a_known_address_gets_the_same_answer_and_an_email_instead(app, client, studio):
    open_sign_up(app, studio, "open")
    email = email_for("known")
    make_user(app, studio, "member", email, full_name="Kim Known")
    response = sign_up(client, studio, email, name="Someone Else")
    assert response.status_code == 302 and response.headers["Location"].endswith("/join/check-email")
    messages = outbox_for(app, studio, email)
    assert [m["subject"] for m in messages] == ["You already have an account at Joining Test Studio"]
    assert "/password/forgot" in messages[0]["body"] and "/join/verify/" not in messages[0]["body"]


def test_approval_waits_for_the_staff_who_approve_or_decline(app, client, studio):
    open_sign_up(app, studio, "approval")
    first, second = email_for("wait1"), email_for("wait2")
    sign_up(client, studio, first, name="Wanda Waiting")
    sign_up(client, studio, second, name="Dan Declined")
    page = get(client, studio, verification_path(app, studio, first))
    assert page.status_code == 200 and "approved yours" in page.get_data(as_text=True)
    get(client, studio, verification_path(app, studio, second))
    assert _user_id(app, studio, first) is None

    staff = app.test_client()
    _manager, manager_email = person(app, studio, "manager")
    login(staff, studio, manager_email)
    members_page = get(staff, studio, "/members").get_data(as_text=True)
    assert "Waiting for approval" in members_page and "Wanda Waiting" in members_page
    from nexphys.joining.models import SignUp

    waiting = {s.email: s.id for s in rows(app, studio, sa.select(SignUp).where(SignUp.status == "pending"))}
    approved = post_form(staff, studio, "/members", {}, action=f"/members/sign-ups/{waiting[first]}/approve")
    assert approved.status_code == 302
    declined = post_form(staff, studio, "/members", {}, action=f"/members/sign-ups/{waiting[second]}/decline")
    assert declined.status_code == 302
    assert load_user(app, studio, _user_id(app, studio, first))["status"] == "active"
    assert _user_id(app, studio, second) is None
    assert [m["subject"] for m in outbox_for(app, studio, first)][-1] == "Welcome to Joining Test Studio"
    assert "cannot take your request" in outbox_for(app, studio, second)[-1]["body"]
    assert audit_entries(app, studio, "joining.approved") and audit_entries(app, studio, "joining.declined")
    # answered twice: the second is refused, nothing changes
    again = post_form(staff, studio, "/members", {}, action=f"/members/sign-ups/{waiting[second]}/approve")
    assert again.status_code == 302 and _user_id(app, studio, second) is None
    # a member cannot approve
    member_client = app.test_client()
    _m, member_email = person(app, studio, "member")
    login(member_client, studio, member_email)
    assert member_client.post(f"/members/sign-ups/{waiting[first]}/approve", headers=host(studio)).status_code in (
        400, 403)


def test_a_link_from_one_studio_does_nothing_on_another(app, client, studio, tenant_b):
    open_sign_up(app, studio, "open")
    open_sign_up(app, tenant_b, "open")
    email = email_for("cross")
    sign_up(client, studio, email)
    path = verification_path(app, studio, email)
    elsewhere = get(client, tenant_b, path)
    assert elsewhere.status_code == 400 and "not valid here" in elsewhere.get_data(as_text=True)
    assert _user_id(app, tenant_b, email) is None and _user_id(app, studio, email) is None
    set_settings(app, tenant_b, joining_policy="invite")


def test_an_altered_link_is_refused(app, client, studio):
    open_sign_up(app, studio, "open")
    email = email_for("altered")
    sign_up(client, studio, email)
    path = verification_path(app, studio, email)
    assert get(client, studio, path[:-3] + "xyz").status_code == 400
    assert _user_id(app, studio, email) is None


def test_the_plans_member_limit_keeps_an_open_sign_up_waiting(app, client, make_tenant):
    from nexphys.extensions import db
    from nexphys.tenancy.models import Plan

    tiny = make_tenant(plan_code="starter")
    with app.app_context():
        limit = db.session.scalar(sa.select(Plan.max_members).where(Plan.code == "starter"))
    open_sign_up(app, tiny, "open")
    from nexphys.members.services import member_count
    from tests.running import run

    for n in range(limit - run(app, tiny, member_count)):
        make_user(app, tiny, "member", email_for(f"fill{n}"), password=None)
    email = email_for("over")
    sign_up(client, tiny, email)
    page = get(client, tiny, verification_path(app, tiny, email))
    assert page.status_code == 200 and "approved yours" in page.get_data(as_text=True)
    assert _user_id(app, tiny, email) is None


def test_sign_ups_are_throttled_per_address(app_factory, studio):
    app = app_factory(SIGN_UP_LIMIT_PER_EMAIL="2 per hour")
    client = app.test_client()
    open_sign_up(app, studio, "open")
    email = email_for("throttle")
    assert sign_up(client, studio, email).status_code == 302
    assert sign_up(client, studio, email).status_code == 302
    assert sign_up(client, studio, email).status_code == 429
