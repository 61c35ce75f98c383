"""The demo equipment: gym-abc's rower out of service with its maintenance history, given once."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.running import in_studio


def test_the_demo_equipment_is_seeded_once(app, studio):
    from nexphys.demo.equipment import ASSETS, seed_demo_equipment
    from nexphys.equipment.models import Asset, AssetEvent, MaintenanceRecord
    from nexphys.extensions import db

    with in_studio(app, studio):
        assert seed_demo_equipment("gym-abc", date(2026, 12, 1)) == len(ASSETS["gym-abc"])
        assert seed_demo_equipment("gym-abc", date(2026, 12, 1)) == 0
        rower = db.session.scalar(sa.select(Asset).where(Asset.name == "Rower 2"))
        assert rower.status == "out_of_service"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MaintenanceRecord)
                                 .where(MaintenanceRecord.asset_id == rower.id)) == 3
        reasons = db.session.scalars(sa.select(AssetEvent.reason).where(AssetEvent.asset_id == rower.id))
        assert "Seat rail cracked; a new rail is on order" in list(reasons)
        db.session.rollback()


def test_the_demo_metcon_needs_the_bikes_so_a_bike_out_of_service_shows_a_shortfall(app, studio):
    from datetime import timedelta

    from nexphys.classes.models import ClassSession, ClassType, Room
    from nexphys.db import utcnow
    from nexphys.demo.equipment import seed_demo_equipment
    from nexphys.equipment.models import Asset, EquipmentRequirement
    from nexphys.equipment.requirements import short_without, shortfalls_for
    from nexphys.extensions import db

    with in_studio(app, studio):
        turf = db.session.scalar(sa.select(Room).where(Room.name == "Turf")) or Room(name="Turf", capacity=12)
        metcon = ClassType(name="Metcon", duration_minutes=45, default_capacity=12)
        starts = utcnow() + timedelta(days=2)
        session = ClassSession(class_type=metcon, room=turf, starts_at=starts, ends_at=starts + timedelta(minutes=45),
                               capacity=12)
        db.session.add_all([turf, metcon, session])
        db.session.flush()
        seed_demo_equipment("gym-abc", date(2026, 12, 1))
        seed_demo_equipment("gym-abc", date(2026, 12, 1))  # again: still one requirement
        needs = db.session.scalars(sa.select(EquipmentRequirement).where(
            EquipmentRequirement.class_type_id == metcon.id)).all()
        assert [(r.category.name, r.quantity) for r in needs] == [("Bike", 6)]
        assert shortfalls_for([session.id]) == {}
        bike = db.session.scalar(sa.select(Asset).where(Asset.name == "Bike 1"))
        assert [s.session_id for s in short_without(bike)] == [session.id]
        db.session.rollback()
