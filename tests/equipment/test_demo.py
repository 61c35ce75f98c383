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
