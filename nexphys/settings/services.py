"""Studio settings of the bound tenant: read (with the installed domains' defaults), cached, saved."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from nexphys.domains import installed
from nexphys.extensions import db
from nexphys.settings.models import StudioSetting
from nexphys.tenancy.cache import cached_tenant_value, forget_tenant_values_after_commit


@cache
def default_settings() -> dict[str, Any]:
    """Every installed domain's default settings (what a missing row reads as). Shared: never change it."""
    return installed().default_settings()


def setting(key: str, default: Any = None) -> Any:
    """One setting's value (the seeded default when the row is missing)."""
    row = db.session.get(StudioSetting, key)
    if row is None:
        return default_settings().get(key, default)
    return row.value


def cached_setting(key: str, default: Any = None) -> Any:
    """A setting read on every request of a hot path (the timetable's sign-in rule), kept in process.

    Fresh within TENANT_CACHE_SECONDS of any save on any process (the tenant cache's rules), so the
    timetable does not pay a query for it on each request.
    """
    return cached_tenant_value(f"setting:{key}", lambda: setting(key, default))


def cached_settings(keys: Iterable[str]) -> dict[str, Any]:
    """Several settings kept in process like `cached_setting` (e.g. the booking rules on every booking).

    The dict is shared: read it, never change it.
    """
    keys = tuple(keys)
    return cached_tenant_value("settings:" + ",".join(keys), lambda: settings(keys))


def settings(keys: Iterable[str]) -> dict[str, Any]:
    """Several settings in one query; missing rows fall back to the seeded defaults."""
    keys = list(keys)
    stored = dict(db.session.execute(
        sa.select(StudioSetting.key, StudioSetting.value).where(StudioSetting.key.in_(keys))).all())
    return {key: stored.get(key, default_settings().get(key)) for key in keys}


def save_settings(values: dict[str, Any]) -> None:
    """Store setting values (insert or update). Flushes; the caller commits."""
    if not values:
        return
    forget_tenant_values_after_commit()
    statement = insert(StudioSetting).values([{"key": k, "value": v} for k, v in values.items()])
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"value": statement.excluded.value, "updated_at": sa.func.now()}))
