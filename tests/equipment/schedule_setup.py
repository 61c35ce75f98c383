"""Rooms with bikes and classes that need them, for the tests of equipment meeting the schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tests.factories import now, unique
from tests.running import in_studio


@dataclass(frozen=True)
class Setup:
    room_id: int
    type_id: int
    session_ids: list[int]
    asset_ids: list[int]
    category: str


def bikes_and_classes(app, studio, *, bikes: int = 3, quantity: int = 3, per_member: bool = False,
                      capacity: int = 3, starts_in: list[timedelta] | None = None) -> Setup:
    """A room with `bikes` bikes of a fresh category and a class type needing `quantity` of them, with a session
    at each of `starts_in` (default: in two days) in that room."""
    from nexphys.classes.models import ClassSession, ClassType, Room
    from nexphys.equipment import requirements, services
    from nexphys.extensions import db

    category = unique("Bikes")
    with in_studio(app, studio):
        room = Room(name=unique("Room"), capacity=40)
        kind = ClassType(name=unique("Spin"), duration_minutes=45, default_capacity=capacity)
        db.session.add_all([room, kind])
        db.session.flush()
        assets = [services.create_asset({"name": unique("Bike"), "category": category, "room_id": room.id}, None).id
                  for _ in range(bikes)]
        requirements.set_requirements([{"category": category, "quantity": quantity, "per_member": per_member}], None,
                                      class_type=kind)
        sessions = []
        for offset in starts_in or [timedelta(days=2)]:
            starts = now() + offset
            session = ClassSession(class_type=kind, room=room, starts_at=starts, ends_at=starts + timedelta(minutes=45),
                                   capacity=capacity)
            db.session.add(session)
            db.session.flush()
            sessions.append(session.id)
        db.session.commit()
        return Setup(room.id, kind.id, sessions, assets, category)
