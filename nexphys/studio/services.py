"""Studio settings of the bound tenant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.studio.models import StudioSetting
from nexphys.studio.seed import DEFAULT_SETTINGS


def setting(key: str, default: Any = None) -> Any:
    """One setting's value (the seeded default when the row is missing)."""
    row = db.session.get(StudioSetting, key)
    if row is None:
        return DEFAULT_SETTINGS.get(key, default)
    return row.value


def cached_setting(key: str, default: Any = None) -> Any:
    """A setting read on every request of a hot path (the timetable's sign-in rule), kept in process.

    Fresh within TENANT_CACHE_SECONDS of any save on any process (the tenant cache's rules), so the
    timetable does not pay a query for it on each request.
    """
    from nexphys.tenancy.cache import tenant_cache
    from nexphys.tenancy.context import require_tenant

    return tenant_cache().tenant_value(require_tenant().id, f"setting:{key}", lambda: setting(key, default))


def settings(keys: Iterable[str]) -> dict[str, Any]:
    """Several settings in one query; missing rows fall back to the seeded defaults."""
    keys = list(keys)
    stored = dict(db.session.execute(
        sa.select(StudioSetting.key, StudioSetting.value).where(StudioSetting.key.in_(keys))).all())
    return {key: stored.get(key, DEFAULT_SETTINGS.get(key)) for key in keys}


def save_settings(values: dict[str, Any]) -> None:
    """Store setting values (insert or update). Flushes; the caller commits."""
    from sqlalchemy.dialects.postgresql import insert

    if not values:
        return
    _forget_cached_settings_after_commit()
    statement = insert(StudioSetting).values([{"key": k, "value": v} for k, v in values.items()])
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"value": statement.excluded.value, "updated_at": sa.func.now()}))


def _forget_cached_settings_after_commit() -> None:
    """Once this transaction commits, drop the studio's cached settings (here and, by a stamp, elsewhere)."""
    from flask import current_app

    from nexphys.tenancy.cache import forget_tenant_values
    from nexphys.tenancy.context import require_tenant

    tenant_id, app = require_tenant().id, current_app._get_current_object()
    sa.event.listen(db.session(), "after_commit", lambda _session: forget_tenant_values(tenant_id, app), once=True)
