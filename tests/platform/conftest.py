"""Platform fixtures: an administrator, sign-in on the apex host, and running queued jobs in-process."""

from __future__ import annotations

import re

import pytest

from tests.conftest import TEST_PASSWORD, password_hash

APEX = {"Host": "localhost"}
ADMIN_EMAIL = "root@platform.example.com"


@pytest.fixture(scope="session")
def admin(app) -> str:
    """A platform administrator (email; password TEST_PASSWORD)."""
    from nexphys.extensions import db
    from nexphys.platform.services import create_admin, find_admin

    with app.app_context():
        if find_admin(ADMIN_EMAIL) is None:
            create_admin(ADMIN_EMAIL, "Root Admin", password_hash=password_hash())
            db.session.commit()
    return ADMIN_EMAIL


def csrf_from(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def apex_csrf(client, path: str) -> str:
    response = client.get(path, headers=APEX)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_from(response.get_data(as_text=True))


def admin_login(client, email: str = ADMIN_EMAIL, password: str = TEST_PASSWORD, next_url: str | None = None):
    """Sign in through the platform's real form on the apex host."""
    data = {"csrf_token": apex_csrf(client, "/platform/login"), "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/platform/login", headers=APEX, data=data)


def admin_token(client, email: str = ADMIN_EMAIL, password: str = TEST_PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", headers=APEX, json={"email": email, "password": password})
    assert response.status_code == 200, response.get_json()
    return {**APEX, "Authorization": f"Bearer {response.get_json()['access_token']}"}


def run_jobs(app) -> None:
    """Drain every queue in this process (RQ SimpleWorker, burst), as a worker would."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from nexphys.jobs.queues import QUEUES, get_queue

    with app.app_context():
        queues = [get_queue(name) for name in QUEUES]
        SimpleWorker(queues, connection=queues[0].connection, serializer=JSONSerializer).work(burst=True)


def invitation_messages(app, tenant) -> list:
    import sqlalchemy as sa

    from nexphys.extensions import db
    from nexphys.mail.models import OutboxMessage
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
        return [(m.to_address, m.subject, m.body_text) for m in rows]
