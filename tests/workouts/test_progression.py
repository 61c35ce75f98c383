"""Week N computed from week 1 and the progression rule (pure logic)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from nexphys.workouts.models import LoadKind, Progression
from nexphys.workouts.progression import round_kg, target, weeks


def prescription(**given) -> SimpleNamespace:
    values = dict(sets=3, reps=5, duration_seconds=None, distance_m=None, load_kind=LoadKind.KG,
                  load_value=Decimal(100), progression=Progression.NONE, progression_amount=None,
                  reps_ceiling=None, deload_every_weeks=None, deload_percent=None)
    values.update(given)
    return SimpleNamespace(**values)


def test_no_rule_keeps_week_one():
    assert [t.load_kg for t in weeks(prescription(), 3)] == [Decimal(100)] * 3


def test_adding_kilograms_each_week():
    plan = prescription(progression=Progression.ADD_KG, progression_amount=Decimal("2.5"))
    assert [t.load_kg for t in weeks(plan, 6)] == [Decimal(x) for x in ("100", "102.5", "105", "107.5", "110", "112.5")]


def test_adding_a_percentage_compounds_and_rounds_to_half_kilos():
    plan = prescription(progression=Progression.ADD_PERCENT, progression_amount=Decimal(5))
    # 100, 105, 110.25 -> 110.5 (nearest 0.5, halves up), 115.76 -> 116.0
    assert [t.load_kg for t in weeks(plan, 4)] == [Decimal(x) for x in ("100", "105", "110.5", "116")]


def test_reps_then_load_climbs_reps_to_the_ceiling_then_adds_load():
    plan = prescription(reps=8, reps_ceiling=10, progression=Progression.REPS_THEN_LOAD,
                        progression_amount=Decimal(5), load_value=Decimal(40))
    got = [(t.reps, t.load_kg) for t in weeks(plan, 7)]
    assert got == [(8, 40), (9, 40), (10, 40), (8, 45), (9, 45), (10, 45), (8, 50)]


def test_a_deload_week_is_lighter_and_does_not_count_as_a_step():
    plan = prescription(progression=Progression.ADD_KG, progression_amount=Decimal(5), deload_every_weeks=4,
                        deload_percent=Decimal(60))
    got = [(t.load_kg, t.deload) for t in weeks(plan, 6)]
    # weeks 1-3 climb; week 4 is 60 % of week 3; week 5 carries on from week 3
    assert got == [(Decimal(100), False), (Decimal(105), False), (Decimal(110), False), (Decimal(66), True),
                   (Decimal(115), False), (Decimal(120), False)]


def test_percent_of_training_max_resolves_against_the_athlete():
    plan = prescription(load_kind=LoadKind.PERCENT_TM, load_value=Decimal(70), progression=Progression.ADD_PERCENT,
                        progression_amount=Decimal(5))
    got = [(t.percent, t.load_kg) for t in weeks(plan, 3, training_max_kg=Decimal(140))]
    assert got == [(Decimal("70.0"), Decimal(98)), (Decimal("75.0"), Decimal(105)), (Decimal("80.0"), Decimal(112))]


def test_percent_without_a_training_max_gives_the_percentage_only():
    t = target(prescription(load_kind=LoadKind.PERCENT_TM, load_value=Decimal(75)), 2)
    assert (t.percent, t.load_kg) == (Decimal("75.0"), None)


def test_effort_prescriptions_carry_the_rpe():
    t = target(prescription(load_kind=LoadKind.RPE, load_value=Decimal(8)), 3)
    assert (t.effort, t.load_kg) == (Decimal(8), None)


def test_weeks_count_from_one():
    with pytest.raises(ValueError):
        target(prescription(), 0)


def test_rounding_to_half_kilos():
    assert [round_kg(Decimal(x)) for x in ("72.24", "72.25", "72.76")] == [Decimal("72.0"), Decimal("72.5"),
                                                                           Decimal("73.0")]
