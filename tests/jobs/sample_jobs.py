"""Jobs used by the tests (importable by dotted path, as RQ needs)."""

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
