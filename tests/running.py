"""Running app code from a test the way the app would: inside a studio's request, or as a worker."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest


def host(tenant) -> dict:
    """The Host header of the tenant's site."""
    return {"Host": f"{tenant.slug}.localhost"}


@contextmanager
def in_studio(app, tenant) -> Iterator[None]:
    """A request context on the tenant's host with the tenant bound, as a request would have it."""
    from nexphys.tenancy.context import tenant_bound

    with app.test_request_context("/", headers=host(tenant)), tenant_bound(tenant):
        yield


def rows(app, tenant, statement) -> list:
    """The ORM objects `statement` selects in the studio, detached (readable after the studio is left)."""
    from nexphys.extensions import db

    with in_studio(app, tenant):
        found = db.session.scalars(statement).all()
        db.session.expunge_all()
        return found


def run(app, tenant, fn, *args, **kwargs):
    """Call service code in the studio and commit, like one request would."""
    from nexphys.extensions import db

    with in_studio(app, tenant):
        result = fn(*args, **kwargs)
        db.session.commit()
        return result


def refused(app, tenant, error, fn, *args, **kwargs):
    """Call service code expecting `error`; roll back and return the exception."""
    from nexphys.extensions import db

    with in_studio(app, tenant):
        with pytest.raises(error) as caught:
            fn(*args, **kwargs)
        db.session.rollback()
    return caught.value


def run_jobs(app) -> None:
    """Drain every queue in this process (RQ SimpleWorker, burst), as a worker would."""
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    from nexphys.jobs.queues import QUEUES, get_queue

    with app.app_context():
        queues = [get_queue(name) for name in QUEUES]
        SimpleWorker(queues, connection=queues[0].connection, serializer=JSONSerializer).work(burst=True)


def count_statements(app, call) -> int:
    """How many SQL statements `call()` sends (to check a page's queries do not grow with its rows)."""
    import sqlalchemy as sa

    from nexphys.extensions import db

    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(seen)
