"""Jobs used by the tests (importable by dotted path, as RQ needs)."""

import time

import sqlalchemy as sa

from nexphys.classes.models import ClassType
from nexphys.extensions import db
from nexphys.jobs.wrapper import tenant_job
from nexphys.tenancy.context import current_tenant


@tenant_job
def add_class_type(name: str) -> dict:
    db.session.add(ClassType(name=name))
    db.session.flush()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ClassType))
    return {"tenant": current_tenant().slug, "count": count}


@tenant_job
def fail_after_writing(name: str) -> None:
    db.session.add(ClassType(name=name))
    db.session.flush()
    raise ValueError("this job fails on purpose")


@tenant_job(platform=True)
def platform_ping() -> dict:
    return {"tenant": current_tenant()}


@tenant_job
def write_then_wait(name: str, wait_key: str) -> None:
    """Add a class type; the delivery that finds `wait_key` in Redis (and takes it) then waits, to be killed."""
    from nexphys.kv import get_redis

    db.session.add(ClassType(name=name))
    db.session.flush()
    if get_redis().getdel(wait_key):
        time.sleep(60)
