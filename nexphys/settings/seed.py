"""A new studio's settings: every installed domain's defaults, then the studio's own time zone."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from nexphys.domains import NewStudio
from nexphys.settings.models import StudioSetting
from nexphys.settings.services import default_settings

TIME_ZONE_SETTING = "time_zone"


def seed_settings(session: Session) -> None:
    """The declared default settings (idempotent: stored values are left alone)."""
    session.execute(insert(StudioSetting).on_conflict_do_nothing(index_elements=["key"]),
                    [{"key": k, "value": v} for k, v in default_settings().items()])


def set_time_zone(session: Session, studio: NewStudio) -> None:
    """The studio's own time zone, kept with its settings."""
    statement = insert(StudioSetting).values(key=TIME_ZONE_SETTING, value=studio.time_zone)
    session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={"value": statement.excluded.value}))
