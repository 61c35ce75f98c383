"""Studio settings of the bound tenant."""

from __future__ import annotations

from typing import Any

from nexphys.extensions import db
from nexphys.studio.models import StudioSetting
from nexphys.studio.seed import DEFAULT_SETTINGS


def setting(key: str, default: Any = None) -> Any:
    """One setting's value (the seeded default when the row is missing)."""
    row = db.session.get(StudioSetting, key)
    if row is None:
        return DEFAULT_SETTINGS.get(key, default)
    return row.value
