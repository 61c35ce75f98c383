"""Idempotency-Key on POST /api/v1/bookings: retries replay the first answer and never book twice."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta

import sqlalchemy as sa

from nexphys.extensions import db
from tests.bookings.apiclient import api_key_headers, book, caller
from tests.factories import make_session, session_state
from tests.running import in_studio


def _key() -> str:
    return f"key-{uuid.uuid4()}"


def _stored(app, studio, key: str) -> list[tuple[str, int]]:
    from nexphys.web.models import IdempotentRequest

    with in_studio(app, studio):
        return db.session.execute(sa.select(IdempotentRequest.caller, IdempotentRequest.status_code)
                                  .where(IdempotentRequest.key == key)).all()


def test_the_same_key_and_body_replays_the_first_answer_without_booking_again(app, client, studio):
    session_id = make_session(app, studio, capacity=3)
    member_id, headers = caller(app, studio)
    key = _key()
    first = book(client, headers, session_id, key=key)
    second = book(client, headers, session_id, key=key)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert session_state(app, studio, session_id)["bookings"] == {"confirmed": [member_id]}
    assert _stored(app, studio, key) == [(f"user:{member_id}", 201)]


def test_the_body_is_compared_by_content_not_by_spacing(app, client, studio):
    session_id = make_session(app, studio)
    _, headers = caller(app, studio)
    key = _key()
    first = book(client, headers, session_id, key=key)
    spaced = client.post("/api/v1/bookings", headers={**headers, "Idempotency-Key": key},
                         data=json.dumps({"session_id": session_id}, indent=4), content_type="application/json")
    assert spaced.status_code == 201 and spaced.get_json() == first.get_json()


def test_the_same_key_with_another_body_is_422(app, client, studio):
    _, headers = caller(app, studio)
    key = _key()
    assert book(client, headers, make_session(app, studio), key=key).status_code == 201
    other_session = make_session(app, studio)
    response = book(client, headers, other_session, key=key)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == "/problems/idempotency-key-reused"
    assert session_state(app, studio, other_session)["booked_count"] == 0


def test_keys_belong_to_their_caller(app, client, studio):
    session_id = make_session(app, studio)
    first_id, first = caller(app, studio)
    second_id, second = caller(app, studio)
    key_id, key_headers = api_key_headers(app, studio, ["bookings:create"])
    third_id, _ = caller(app, studio)
    key = _key()
    assert book(client, first, session_id, key=key).get_json()["member_id"] == first_id
    assert book(client, second, session_id, key=key).get_json()["member_id"] == second_id
    assert book(client, key_headers, session_id, third_id, key=key).get_json()["member_id"] == third_id
    assert sorted(_stored(app, studio, key)) == sorted([(f"user:{first_id}", 201), (f"user:{second_id}", 201),
                                                        (f"api_key:{key_id}", 201)])


def test_a_refusal_is_stored_and_replayed_even_after_things_change(app, client, studio, rules):
    rules(waitlist_size=0)
    session_id = make_session(app, studio, capacity=1)
    _, holder = caller(app, studio)
    held = book(client, holder, session_id).get_json()["id"]
    _, headers = caller(app, studio)
    key = _key()
    refused = book(client, headers, session_id, key=key)
    assert refused.status_code == 409 and refused.get_json()["reason"] == "full"
    assert client.delete(f"/api/v1/bookings/{held}", headers=holder).status_code == 200  # a seat frees
    replayed = book(client, headers, session_id, key=key)
    assert replayed.status_code == 409 and replayed.get_json() == refused.get_json()
    assert replayed.mimetype == "application/problem+json"
    assert book(client, headers, session_id, key=_key()).status_code == 201  # a new key is a new request


def test_a_key_longer_than_255_characters_is_400_and_no_key_still_works(app, client, studio):
    session_id = make_session(app, studio)
    _, headers = caller(app, studio)
    response = book(client, headers, session_id, key="k" * 256)
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert book(client, headers, session_id, key="k" * 255).status_code == 201
    assert book(client, headers, session_id).status_code == 409  # already booked, and no key: nothing stored


def test_concurrent_requests_with_one_key_book_once_and_answer_alike(app, studio):
    session_id = make_session(app, studio, capacity=5)
    member_id, headers = caller(app, studio)
    key = _key()
    threads = 6
    barrier = threading.Barrier(threads)
    answers: list = [None] * threads
    replayed: list = [None] * threads

    def send(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = book(client, headers, session_id, key=key)
        answers[index] = (response.status_code, response.get_json(), response.headers.get("Location"))
        replayed[index] = response.headers.get("Idempotent-Replayed") == "true"

    workers = [threading.Thread(target=send, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert all(answer == answers[0] for answer in answers), answers
    assert answers[0][0] == 201
    assert replayed.count(False) == 1  # one request ran; every other one waited for it and replayed its answer
    assert session_state(app, studio, session_id)["bookings"] == {"confirmed": [member_id]}


def test_old_answers_are_purged(app, client, studio):
    from nexphys.web.idempotency import purge_idempotent_requests
    from nexphys.web.models import IdempotentRequest

    _, headers = caller(app, studio)
    old, fresh = _key(), _key()
    book(client, headers, make_session(app, studio), key=old)
    book(client, headers, make_session(app, studio), key=fresh)
    with in_studio(app, studio):
        db.session.execute(sa.update(IdempotentRequest).where(IdempotentRequest.key == old)
                           .values(created_at=IdempotentRequest.created_at - timedelta(hours=25)))
        assert purge_idempotent_requests() >= 1
        db.session.commit()
    assert _stored(app, studio, old) == [] and len(_stored(app, studio, fresh)) == 1
