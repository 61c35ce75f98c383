"""The bookings API through HTTP: every rule's answer, visibility by role, staff powers, tenant isolation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nexphys.extensions import db
from tests.bookings.apiclient import api_key_headers, book, caller
from tests.factories import make_session, session_state
from tests.requests import host
from tests.running import in_studio

BOOKINGS = "/api/v1/bookings"


def _problem(response, status: int, reason: str | None = None) -> dict:
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    if reason is not None:
        assert body["reason"] == reason and body["type"] == f"/problems/{reason}" and body["detail"]
    return body


@pytest.fixture(scope="module")
def staff(app, studio):
    return caller(app, studio, "manager")


@pytest.fixture(scope="module")
def instructor(app, studio):
    return caller(app, studio, "instructor")


# --- booking -------------------------------------------------------------------------------------

def test_calls_without_credentials_are_401(client, studio):
    session_id = 1
    assert client.get(BOOKINGS, headers=host(studio)).status_code == 401
    assert book(client, host(studio), session_id).status_code == 401
    assert client.delete(f"{BOOKINGS}/1", headers=host(studio)).status_code == 401


def test_a_member_books_and_reads_the_booking_back(app, client, studio):
    session_id = make_session(app, studio, capacity=5)
    member_id, headers = caller(app, studio)
    response = book(client, headers, session_id)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed" and body["waitlist_position"] is None
    assert body["member_id"] == member_id and body["session_id"] == session_id and body["class"]["starts_at"]
    assert response.headers["Location"].endswith(f"{BOOKINGS}/{body['id']}")
    fetched = client.get(response.headers["Location"], headers=headers)
    assert fetched.status_code == 200 and fetched.get_json() == body
    listed = client.get(BOOKINGS, headers=headers).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]] and listed["total"] == 1
    assert session_state(app, studio, session_id)["booked_count"] == 1


def test_a_full_class_waitlists_then_refuses_with_reason_full(app, client, studio, rules):
    rules(waitlist_size=1)
    session_id = make_session(app, studio, capacity=1)
    assert book(client, caller(app, studio)[1], session_id).get_json()["status"] == "confirmed"
    waiting = book(client, caller(app, studio)[1], session_id)
    assert waiting.status_code == 201
    assert waiting.get_json()["status"] == "waitlisted" and waiting.get_json()["waitlist_position"] == 1
    _problem(book(client, caller(app, studio)[1], session_id), 409, "full")


def test_booking_twice_is_409_already_booked(app, client, studio):
    session_id = make_session(app, studio)
    _, headers = caller(app, studio)
    assert book(client, headers, session_id).status_code == 201
    _problem(book(client, headers, session_id), 409, "already_booked")
    assert session_state(app, studio, session_id)["booked_count"] == 1


def test_outside_the_booking_window_is_409(app, client, studio):
    session_id = make_session(app, studio, starts_in=timedelta(days=30))
    _problem(book(client, caller(app, studio)[1], session_id), 409, "outside_booking_window")


def test_over_the_members_limit_is_409(app, client, studio, rules):
    rules(max_upcoming_bookings=1)
    _, headers = caller(app, studio)
    assert book(client, headers, make_session(app, studio)).status_code == 201
    _problem(book(client, headers, make_session(app, studio)), 409, "over_booking_limit")


def test_a_started_class_is_409_not_bookable(app, client, studio):
    session_id = make_session(app, studio, starts_in=timedelta(minutes=-10))
    _problem(book(client, caller(app, studio)[1], session_id), 409, "not_bookable")


def test_an_unknown_class_is_404(app, client, studio):
    body = _problem(book(client, caller(app, studio)[1], 10**8), 404, "not_found")
    assert body["status"] == 404


@pytest.mark.parametrize("body, field", [
    ({}, "session_id"),
    ({"session_id": "seven"}, "session_id"),
    ({"session_id": True}, "session_id"),
    ({"session_id": 1, "member_id": -3}, "member_id"),
    ({"session_id": 1, "seats": 2}, "seats"),
])
def test_bad_fields_are_422(app, client, studio, body, field):
    _, headers = caller(app, studio)
    response = client.post(BOOKINGS, headers=headers, json=body)
    assert field in _problem(response, 422)["errors"]


def test_malformed_bodies_are_400_or_415(app, client, studio):
    _, headers = caller(app, studio)
    assert _problem(client.post(BOOKINGS, headers=headers, data="session_id=1"), 415)
    bad = client.post(BOOKINGS, headers=headers, data="{not json", content_type="application/json")
    _problem(bad, 400)
    _problem(client.post(BOOKINGS, headers=headers, json=[1, 2]), 400)


def test_bad_list_filters_are_422(app, client, studio, staff):
    for query in ("status=maybe", "member_id=x", "from=yesterday"):
        _problem(client.get(f"{BOOKINGS}?{query}", headers=staff[1]), 422)


# --- who may do what -----------------------------------------------------------------------------

def test_members_cannot_book_others_or_see_their_bookings(app, client, studio):
    session_id = make_session(app, studio)
    alice, alice_headers = caller(app, studio)
    bob, bob_headers = caller(app, studio)
    _problem(book(client, alice_headers, session_id, member_id=bob), 403)
    booking_id = book(client, bob_headers, session_id).get_json()["id"]
    _problem(client.get(f"{BOOKINGS}/{booking_id}", headers=alice_headers), 404)
    _problem(client.delete(f"{BOOKINGS}/{booking_id}", headers=alice_headers), 404)
    assert client.get(f"{BOOKINGS}?member_id={bob}", headers=alice_headers).get_json()["items"] == []
    assert book(client, alice_headers, session_id, member_id=alice).status_code == 201  # naming oneself is fine


def test_staff_add_a_member_outside_the_window_and_see_everyones_bookings(app, client, studio, staff):
    from nexphys.audit.models import AuditEntry

    session_id = make_session(app, studio, starts_in=timedelta(days=30))
    member_id, _ = caller(app, studio)
    response = book(client, staff[1], session_id, member_id=member_id)
    assert response.status_code == 201
    body = response.get_json()
    assert body["booked_by_id"] == staff[0] and body["member_id"] == member_id
    listed = client.get(f"{BOOKINGS}?member_id={member_id}", headers=staff[1]).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert client.get(f"{BOOKINGS}?session_id={session_id}&status=waitlisted", headers=staff[1]).get_json()[
        "total"] == 0
    with in_studio(app, studio):
        assert db.session.query(AuditEntry).filter_by(target=f"booking:{body['id']}").count() == 1
    _problem(book(client, staff[1], session_id, member_id=10**8), 422)


def test_list_filters_by_class_time(app, client, studio, staff):
    session_id = make_session(app, studio, starts_in=timedelta(days=3))
    member_id, headers = caller(app, studio)
    book(client, headers, session_id)
    with in_studio(app, studio):
        from nexphys.classes.models import ClassSession

        day = db.session.get(ClassSession, session_id).starts_at.date()
    found = client.get(f"{BOOKINGS}?member_id={member_id}&from={day}&to={day}", headers=staff[1]).get_json()
    assert found["total"] == 1
    later = day + timedelta(days=1)
    assert client.get(f"{BOOKINGS}?member_id={member_id}&from={later}", headers=staff[1]).get_json()["total"] == 0


def test_api_keys_book_for_a_named_member_under_the_members_rules(app, client, studio):
    _, key_headers = api_key_headers(app, studio, ["bookings:create", "bookings:read"])
    member_id, _ = caller(app, studio)
    _problem(book(client, key_headers, make_session(app, studio)), 422)  # whom for?
    _problem(book(client, key_headers, make_session(app, studio, starts_in=timedelta(days=30)), member_id),
             409, "outside_booking_window")
    response = book(client, key_headers, make_session(app, studio), member_id)
    assert response.status_code == 201 and response.get_json()["booked_by_id"] is None


def test_own_scope_api_keys_see_nothing(app, client, studio):
    _, key_headers = api_key_headers(app, studio, ["bookings:read:own"])
    assert client.get(BOOKINGS, headers=key_headers).get_json()["items"] == []


# --- cancelling ----------------------------------------------------------------------------------

def test_cancelling_frees_the_seat_and_promotes_the_first_waiting(app, client, studio):
    session_id = make_session(app, studio, capacity=1)
    _, first = caller(app, studio)
    second_id, second = caller(app, studio)
    booking_id = book(client, first, session_id).get_json()["id"]
    waiting_id = book(client, second, session_id).get_json()["id"]
    response = client.delete(f"{BOOKINGS}/{booking_id}", headers=first)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "cancelled" and body["late"] is False and body["promoted_booking_id"] == waiting_id
    promoted = client.get(f"{BOOKINGS}/{waiting_id}", headers=second).get_json()
    assert promoted["status"] == "confirmed" and promoted["promoted"] is True
    _problem(client.delete(f"{BOOKINGS}/{booking_id}", headers=first), 409, "cannot_cancel")
    assert session_state(app, studio, session_id)["bookings"] == {"cancelled": [body["member_id"]],
                                                                  "confirmed": [second_id]}


def test_a_late_cancellation_is_marked_late(app, client, studio):
    session_id = make_session(app, studio, starts_in=timedelta(minutes=45))
    _, headers = caller(app, studio)
    booking_id = book(client, headers, session_id).get_json()["id"]
    body = client.delete(f"{BOOKINGS}/{booking_id}", headers=headers).get_json()
    assert body["status"] == "late_cancelled" and body["late"] is True


def test_staff_cancel_anyones_booking_never_late_but_instructors_may_not(app, client, studio, staff, instructor):
    session_id = make_session(app, studio, starts_in=timedelta(minutes=45))
    _, headers = caller(app, studio)
    booking_id = book(client, headers, session_id).get_json()["id"]
    _problem(client.delete(f"{BOOKINGS}/{booking_id}", headers=instructor[1]), 403)  # sees it, may not cancel
    body = client.delete(f"{BOOKINGS}/{booking_id}", headers=staff[1]).get_json()
    assert body["status"] == "cancelled" and body["late"] is False


# --- check-in and rosters ------------------------------------------------------------------------

def test_check_in_is_for_staff_and_only_for_confirmed_bookings(app, client, studio, instructor):
    session_id = make_session(app, studio, capacity=1, starts_in=timedelta(hours=1))
    _, member = caller(app, studio)
    booking_id = book(client, member, session_id).get_json()["id"]
    waiting_id = book(client, caller(app, studio)[1], session_id).get_json()["id"]
    assert client.post(f"{BOOKINGS}/{booking_id}/check-in", headers=member).status_code == 403
    response = client.post(f"{BOOKINGS}/{booking_id}/check-in", headers=instructor[1])
    assert response.status_code == 200 and response.get_json()["status"] == "checked_in"
    assert client.post(f"{BOOKINGS}/{booking_id}/check-in", headers=instructor[1]).status_code == 200
    _problem(client.post(f"{BOOKINGS}/{waiting_id}/check-in", headers=instructor[1]), 409, "cannot_check_in")
    _problem(client.post(f"{BOOKINGS}/{10**8}/check-in", headers=instructor[1]), 404)


def test_the_roster_groups_a_class_by_status(app, client, studio, instructor):
    session_id = make_session(app, studio, capacity=2)
    members = [caller(app, studio) for _ in range(4)]
    for _, headers in members:
        book(client, headers, session_id)
    _problem(client.get(f"/api/v1/classes/{session_id}/roster", headers=members[0][1]), 403)
    response = client.get(f"/api/v1/classes/{session_id}/roster", headers=instructor[1])
    assert response.status_code == 200
    roster = response.get_json()
    assert roster["session"]["booked"] == 2 and roster["counts"]["confirmed"] == 2
    assert [(e["member"]["id"], e["waitlist_position"]) for e in roster["groups"]["waitlisted"]] == [
        (members[2][0], 1), (members[3][0], 2)]
    assert set(roster["groups"]) == {"confirmed", "waitlisted", "checked_in", "late_cancelled", "cancelled", "no_show"}
    _problem(client.get("/api/v1/classes/987654/roster", headers=instructor[1]), 404)


# --- tenancy ------------------------------------------------------------------------------------

def test_bookings_and_tokens_do_not_cross_studios(app, client, studio, tenant_b):
    session_id = make_session(app, studio)
    member_id, headers = caller(app, studio)
    booking_id = book(client, headers, session_id).get_json()["id"]
    _, other_staff = caller(app, tenant_b, "owner")
    _problem(client.get(f"{BOOKINGS}/{booking_id}", headers=other_staff), 404)
    _problem(client.delete(f"{BOOKINGS}/{booking_id}", headers=other_staff), 404)
    assert all(item["id"] != booking_id or item["member_id"] != member_id
               for item in client.get(BOOKINGS, headers=other_staff).get_json()["items"])
    foreign = {**headers, **host(tenant_b)}  # studio A's token presented to studio B
    assert client.get(BOOKINGS, headers=foreign).status_code == 401
    assert book(client, foreign, session_id).status_code == 401
