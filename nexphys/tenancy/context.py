"""The bound tenant of the current request or job.

A tenant is bound on Flask's `g`, which lives exactly as long as the app context of one request or
one job: when the context ends, so does the binding, and Flask-SQLAlchemy removes the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import g, has_app_context

from nexphys.extensions import db


class TenantStatus:
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    FAILED = "failed"
    ARCHIVED = "archived"
    ALL = (PROVISIONING, ACTIVE, SUSPENDED, FAILED, ARCHIVED)


@dataclass(frozen=True)
class TenantInfo:
    """What a request needs to know about its tenant; cached, so plain values only."""

    id: int
    slug: str
    name: str
    schema_name: str
    status: str
    status_reason: str | None
    time_zone: str
    cluster: str
    brand_color: str
    plan_code: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def zone(self) -> ZoneInfo:
        """The studio's time zone (ZoneInfo keeps one instance per name, so this costs a dict lookup)."""
        return ZoneInfo(self.time_zone)

    def local(self, moment: datetime) -> datetime:
        """An instant on the studio's wall clock."""
        return moment.astimezone(self.zone)

    def today(self, now: datetime | None = None) -> date:
        """Today's date on the studio's wall clock."""
        return (now or datetime.now(UTC)).astimezone(self.zone).date()

    def days(self, first: date, count: int = 1) -> tuple[datetime, datetime]:
        """The instants from local midnight of `first` to local midnight `count` days later.

        Midnight to midnight on the wall clock, so a day with a daylight-saving change is 23 or 25 hours.
        """
        return (datetime.combine(first, time(), tzinfo=self.zone),
                datetime.combine(first + timedelta(days=count), time(), tzinfo=self.zone))


def current_tenant() -> TenantInfo | None:
    """The tenant bound to this request or job, or None (apex host, platform job, no context)."""
    if not has_app_context():
        return None
    return g.get("_nexphys_tenant")


def require_tenant() -> TenantInfo:
    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("no tenant is bound: tenant data needs a tenant request or a tenant job")
    return tenant


def set_tenant(tenant: TenantInfo | None) -> None:
    """Bind `tenant` for the rest of this app context (the request hook and tenant_bound call this)."""
    g._nexphys_tenant = tenant


@contextmanager
def tenant_bound(tenant: TenantInfo) -> Iterator[TenantInfo]:
    """Bind `tenant` for the block; the session is closed on both edges so no transaction spans two."""
    if current_tenant() is not None and current_tenant().id != tenant.id:
        raise RuntimeError("another tenant is already bound in this context")
    db.session.remove()
    set_tenant(tenant)
    try:
        yield tenant
    finally:
        db.session.remove()
        set_tenant(None)
