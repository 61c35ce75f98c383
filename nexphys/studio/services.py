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
    statement = insert(StudioSetting).values([{"key": k, "value": v} for k, v in values.items()])
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["key"], set_={"value": statement.excluded.value, "updated_at": sa.func.now()}))
