"""What every new studio starts with: default roles and settings (run by provisioning)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from nexphys.roles.models import Role, RoleLevel
from nexphys.studio.models import StudioSetting

DEFAULT_ROLES = [
    ("member", "Member", RoleLevel.BASIC),
    ("premium_member", "Premium member", RoleLevel.PREMIUM),
    ("instructor", "Instructor", RoleLevel.MANAGER),
    ("manager", "Manager", RoleLevel.MANAGER),
    ("owner", "Owner", RoleLevel.OWNER),
]

DEFAULT_SETTINGS = {
    "booking_opens_days_before": 7,
    "booking_closes_minutes_before": 0,
    "free_cancellation_minutes_before": 120,
    "timetable_requires_sign_in": False,
}


def seed_defaults(session: Session, time_zone: str = "UTC") -> None:
    """Insert default roles and settings; existing rows are kept (idempotent)."""
    session.execute(
        insert(Role).values([
            {"key": key, "name": name, "level": level, "is_system": True} for key, name, level in DEFAULT_ROLES
        ]).on_conflict_do_nothing(index_elements=["key"])
    )
    settings = {**DEFAULT_SETTINGS, "time_zone": time_zone}
    session.execute(
        insert(StudioSetting).values([{"key": k, "value": v} for k, v in settings.items()])
        .on_conflict_do_nothing(index_elements=["key"])
    )
