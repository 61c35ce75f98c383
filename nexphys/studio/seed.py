"""What every new studio starts with: the permission catalogue, default roles and settings."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from nexphys.roles.catalog import DEFAULT_ROLES, PERMISSIONS
from nexphys.roles.models import Permission, Role, role_permissions
from nexphys.studio.models import StudioSetting

DEFAULT_SETTINGS = {
    "booking_opens_days_before": 7,
    "booking_closes_minutes_before": 0,
    "free_cancellation_minutes_before": 120,
    "timetable_requires_sign_in": False,
}


def seed_defaults(session: Session, time_zone: str = "UTC") -> None:
    """Insert the catalogue, default roles with their grants, and settings (idempotent)."""
    session.execute(
        insert(Permission).values([
            {"resource": r, "action": a, "condition": c, "description": d} for r, a, c, d in PERMISSIONS
        ]).on_conflict_do_nothing()
    )
    session.execute(
        insert(Role).values([
            {"key": key, "name": name, "level": level, "description": text, "is_system": True}
            for key, name, level, text, _codes in DEFAULT_ROLES
        ]).on_conflict_do_nothing(index_elements=["key"])
    )
    permission_ids = {p.code: p.id for p in session.scalars(sa.select(Permission))}
    role_ids = dict(session.execute(sa.select(Role.key, Role.id)).all())
    grants = [{"role_id": role_ids[key], "permission_id": permission_ids[code]}
              for key, _name, _level, _text, codes in DEFAULT_ROLES for code in codes]
    session.execute(insert(role_permissions).values(grants).on_conflict_do_nothing())
    settings = {**DEFAULT_SETTINGS, "time_zone": time_zone}
    session.execute(
        insert(StudioSetting).values([{"key": k, "value": v} for k, v in settings.items()])
        .on_conflict_do_nothing(index_elements=["key"])
    )
