"""Helpers for the booking tests: a studio of our own, sessions at chosen times, rule settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import create_tenant, drop_tenant
from tests.members.conftest import email_for, in_studio, person  # noqa: F401  (re-exported for the tests)


@pytest.fixture(scope="module")
def studio(app):
    """A fresh studio for one test module."""
    info = create_tenant(app, name="Booking Test Studio")
    yield info
    drop_tenant(app, info.slug)


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def make_session(app, tenant, starts_in: timedelta = timedelta(days=1), capacity: int = 10,
                 minutes: int = 60, name: str | None = None) -> int:
    """A scheduled class session starting `starts_in` from now; returns its id."""
    from nexphys.classes.models import ClassSession, ClassType
    from nexphys.extensions import db

    with in_studio(app, tenant):
        type_name = name or f"Class {email_for('t')[:14]}"
        class_type = db.session.scalar(sa.select(ClassType).where(ClassType.name == type_name)) or ClassType(
            name=type_name, duration_minutes=minutes, default_capacity=capacity)
        starts_at = now() + starts_in
        session = ClassSession(class_type=class_type, starts_at=starts_at,
                               ends_at=starts_at + timedelta(minutes=minutes), capacity=capacity)
        db.session.add(session)
        db.session.commit()
        return session.id


def set_settings(app, tenant, **values) -> None:
    from nexphys.extensions import db
    from nexphys.settings.services import save_settings

    with in_studio(app, tenant):
        save_settings(values)
        db.session.commit()


@pytest.fixture
def rules(app, studio):
    """Set booking rules for one test; the defaults come back afterwards."""
    from nexphys.settings.services import default_settings

    changed: list[str] = []

    def apply(**values):
        changed.extend(values)
        set_settings(app, studio, **values)

    yield apply
    if changed:
        set_settings(app, studio, **{key: default_settings()[key] for key in changed})


def session_state(app, tenant, session_id: int) -> dict:
    """The session's seat count and its bookings by status, read fresh."""
    from nexphys.bookings.models import Booking
    from nexphys.classes.models import ClassSession
    from nexphys.extensions import db

    with in_studio(app, tenant):
        session = db.session.get(ClassSession, session_id)
        rows = db.session.execute(sa.select(Booking.member_id, Booking.status).where(
            Booking.session_id == session_id).order_by(Booking.created_at, Booking.id)).all()
        by_status: dict[str, list[int]] = {}
        for member_id, status in rows:
            by_status.setdefault(status, []).append(member_id)
        return {"booked_count": session.booked_count, "capacity": session.capacity, "status": session.status,
                "bookings": by_status}
