"""The demo training: gym-abc's Squat cycle assigned to member1 with training maxes and Fran on every Metcon
class, studio-xyz's morning flow; given once."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import sqlalchemy as sa

from tests.factories import make_user
from tests.running import in_studio


def test_the_demo_programs_are_seeded_once(app, studio):
    from nexphys.classes.models import ClassSeries, ClassType
    from nexphys.demo.programs import seed_demo_programs
    from nexphys.extensions import db
    from nexphys.workouts.models import ClassWorkout, Program
    from nexphys.workouts.plans import current_assignments, planned, program_day

    member = make_user(app, studio, email="member1@gym-abc.example")
    with in_studio(app, studio):
        metcon = ClassType(name="Metcon", duration_minutes=45, default_capacity=16)
        db.session.add(metcon)
        db.session.flush()
        db.session.add(ClassSeries(class_type_id=metcon.id, weekdays=[0], start_time=time(12, 15),
                                   duration_minutes=45, capacity=16, starts_on=date(2026, 11, 30)))
        db.session.flush()
        wednesday = date(2026, 12, 2)
        assert seed_demo_programs("gym-abc", wednesday) == 1
        assert seed_demo_programs("gym-abc", wednesday) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Program)
                                 .where(Program.name == "Squat cycle")) == 1
        assignment = current_assignments(member, wednesday)[0]
        assert assignment.starts_on == date(2026, 11, 30)  # this week's Monday
        day = program_day(assignment, wednesday)
        assert (day.week, day.day_number, day.workout.title) == (1, 3, "Day B: squat and hinge")
        week4 = planned(program_day(assignment, date(2026, 12, 21)).workout, 4, member)
        squat = week4.blocks[0].items[0].target
        assert squat.deload and squat.load_kg == Decimal("54.0")  # 60 % of week 3's 75 % of 120 kg
        wod = db.session.scalar(sa.select(ClassWorkout).where(ClassWorkout.series_id.is_not(None)))
        assert (wod.workout.title, wod.workout.scoring) == ("Fran", "time")
        db.session.rollback()
