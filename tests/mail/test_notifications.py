"""Email delivery and the notifications page: SMTP failures retried by RQ, visible to staff, retried by hand."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest

from nexphys.extensions import db
from nexphys.jobs.queues import get_queue
from nexphys.mail import services
from nexphys.mail.models import OutboxMessage
from tests.factories import person
from tests.requests import host, login, page_csrf
from tests.running import in_studio

REFUSING_SMTP = "smtp://127.0.0.1:1"  # nothing listens on port 1: the connection is refused at once


@contextmanager
def smtp_url(app, url: str):
    previous = app.config["SMTP_URL"]
    app.config["SMTP_URL"] = url
    try:
        yield
    finally:
        app.config["SMTP_URL"] = previous


def _queued_deliveries(message_id: int) -> list:
    return [job for job in get_queue("default").jobs
            if job.func_name == "nexphys.mail.services.deliver_message" and list(job.args) == [message_id]]


def _queue(app, studio, subject: str) -> int:
    with in_studio(app, studio):
        message = services.queue_email("someone@example.com", subject, "Hello", kind="booking_confirmed")
        db.session.commit()
        return message.id


def _message(app, studio, message_id: int) -> OutboxMessage:
    with in_studio(app, studio):
        message = db.session.get(OutboxMessage, message_id)
        db.session.expunge(message)
        return message


def _fail(app, studio, subject: str) -> int:
    message_id = _queue(app, studio, subject)
    with app.app_context(), smtp_url(app, REFUSING_SMTP), pytest.raises(OSError):
        services.deliver_message(message_id, tenant_id=studio.id)
    return message_id


def test_queued_mail_is_delivered_by_a_job_that_rq_retries(app, studio):
    with app.app_context():
        get_queue("default").empty()
    message_id = _queue(app, studio, "Retry policy check")
    with app.app_context():
        [job] = _queued_deliveries(message_id)
        assert job.kwargs["tenant_id"] == studio.id and job.kwargs["outbox_id"] > 0
        assert job.retries_left == 3 and job.retry_intervals == services.DELIVERY_RETRY_INTERVALS
        get_queue("default").empty()


def test_a_failing_smtp_server_makes_delivery_raise_and_the_message_stay_failed(app, studio):
    message_id = _fail(app, studio, "Will not arrive")
    message = _message(app, studio, message_id)
    assert message.status == "failed" and message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")
    # a second failing attempt (RQ's retry) counts up; without SMTP (development) it is kept in the outbox
    with app.app_context(), smtp_url(app, REFUSING_SMTP), pytest.raises(OSError):
        services.deliver_message(message_id, tenant_id=studio.id)
    assert _message(app, studio, message_id).attempts == 2
    with app.app_context(), smtp_url(app, ""):
        assert services.deliver_message(message_id, tenant_id=studio.id) == "kept in the development outbox"
    assert _message(app, studio, message_id).status == "kept"


def test_staff_see_failed_mail_and_retry_it(app, client, studio):
    message_id = _fail(app, studio, "Failed booking email")
    other_id = _queue(app, studio, "A pending email")
    _, email = person(app, studio, "manager")
    assert login(client, studio, email).status_code == 302
    page = client.get("/notifications?status=failed", headers=host(studio))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Failed booking email" in html and "A pending email" not in html and "ConnectionRefusedError" in html
    assert f'action="/notifications/{message_id}/retry"' in html and f"/notifications/{other_id}/retry" not in html
    assert re.search(r'aria-current="page">Failed <span class="count">\d+</span>', html)
    everything = client.get("/notifications", headers=host(studio)).get_data(as_text=True)
    assert "Failed booking email" in everything and "A pending email" in everything
    assert "Hello" not in everything  # bodies (which may hold sign-in links) are never shown

    with client.application.app_context():
        get_queue("default").empty()
    response = client.post(f"/notifications/{message_id}/retry", headers=host(studio),
                           data={"csrf_token": page_csrf(html), "next": "/notifications?status=failed"})
    assert response.status_code == 302 and response.headers["Location"] == "/notifications?status=failed"
    assert _message(app, studio, message_id).status == "pending"
    with app.app_context():
        [job] = _queued_deliveries(message_id)
        assert job.kwargs["tenant_id"] == studio.id and job.retries_left == 3
    followed = client.get("/notifications?status=failed", headers=host(studio)).get_data(as_text=True)
    assert "is queued to be sent again" in followed and f"/notifications/{message_id}/retry" not in followed
    # only failed messages can be retried; a missing one is not found
    again = client.post(f"/notifications/{message_id}/retry", headers=host(studio),
                        data={"csrf_token": page_csrf(html)}, follow_redirects=True)
    assert "already waiting to be sent" in again.get_data(as_text=True)
    assert client.post("/notifications/987654/retry", headers=host(studio),
                       data={"csrf_token": page_csrf(html)}).status_code == 404
    with app.app_context():
        get_queue("default").empty()


def test_empty_state_and_who_may_see_the_page(app, client, studio):
    _, email = person(app, studio, "owner")
    assert login(client, studio, email).status_code == 302
    html = client.get("/notifications?status=sent", headers=host(studio)).get_data(as_text=True)
    assert "No sent emails" in html and "<table" not in html and "Show all emails" in html
    assert "Email notifications" in client.get("/settings/booking", headers=host(studio)).get_data(as_text=True)
    for role_key in ("instructor", "member"):
        other = client.application.test_client()
        _, other_email = person(app, studio, role_key)
        assert login(other, studio, other_email).status_code == 302
        assert other.get("/notifications", headers=host(studio)).status_code == 403


def test_the_outbox_pages(app, client, studio):
    with in_studio(app, studio):
        for n in range(27):
            services.queue_email("pager@example.com", f"Paged message {n:02d}", "x")
        db.session.commit()
    with app.app_context():
        get_queue("default").empty()
    _, email = person(app, studio, "manager")
    assert login(client, studio, email).status_code == 302
    first = client.get("/notifications?status=pending", headers=host(studio)).get_data(as_text=True)
    assert "Paged message 26" in first and "Paged message 00" not in first and 'rel="next"' in first
    link = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    assert "status=pending" in link
    assert "Paged message 00" in client.get(link, headers=host(studio)).get_data(as_text=True)
