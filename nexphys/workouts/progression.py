"""Week N of a prescription, computed from week 1 and its progression rule (pure logic, no database).

A coach writes week 1; the rule writes the rest:
- add_kg: + amount kg per week (on a % of training max: + amount kg on top of the computed load);
- add_percent: + amount per cent per week (compounded on a kg load; + amount points on a % of training max);
- reps_then_load: + 1 rep per week up to the ceiling, then + amount kg and back to the first reps (double
  progression).
A deload every N weeks (week N, 2N, …) lifts `deload_percent` per cent (60 by default) of the week before it,
with the same reps, and does not count as a step: the week after a deload carries on where the week before
it left off. Computed kilograms are rounded to the nearest 0.5 kg, so they can be loaded on a bar.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from nexphys.workouts.models import LoadKind, Progression

DEFAULT_DELOAD_PERCENT = Decimal(60)
STEP_KG = Decimal("0.5")


class Prescribed(Protocol):
    """What the computation reads of a prescription (a model row or any object with these attributes)."""

    sets: int
    reps: int | None
    duration_seconds: int | None
    distance_m: int | None
    load_kind: str
    load_value: Decimal | None
    progression: str
    progression_amount: Decimal | None
    reps_ceiling: int | None
    deload_every_weeks: int | None
    deload_percent: Decimal | None


@dataclass(frozen=True)
class Target:
    """What to do in one week: sets × reps (or time / distance) at a load."""

    week: int
    sets: int
    reps: int | None
    duration_seconds: int | None
    distance_m: int | None
    load_kind: str
    load_kg: Decimal | None  # the weight to lift; None when not in kilograms or no training max is known
    percent: Decimal | None  # of the training max, for % prescriptions
    effort: Decimal | None  # RPE or RIR, for effort prescriptions
    deload: bool


def is_deload(prescription: Prescribed, week: int) -> bool:
    """Whether `week` (1 = the first) is a lighter week for this prescription."""
    every = prescription.deload_every_weeks
    return bool(every and every > 1 and week % every == 0)


def steps_before(prescription: Prescribed, week: int) -> int:
    """How many progression steps week `week` has had: the weeks before it that were not deloads."""
    every = prescription.deload_every_weeks
    deloads = (week - 1) // every if every and every > 1 else 0
    return week - 1 - deloads


def round_kg(kg: Decimal) -> Decimal:
    """Kilograms to the nearest 0.5 kg."""
    return ((kg / STEP_KG).quantize(Decimal(1), rounding=ROUND_HALF_UP) * STEP_KG).quantize(Decimal("0.1"))


def target(prescription: Prescribed, week: int, training_max_kg: Decimal | None = None) -> Target:
    """The prescription's target in `week`, with % loads resolved against the athlete's training max."""
    if week < 1:
        raise ValueError("weeks count from 1")
    deload = is_deload(prescription, week)
    reps, kg, percent = _progressed(prescription, week - 1 if deload else week)
    if prescription.load_kind == LoadKind.PERCENT_TM and percent is not None and training_max_kg:
        kg = training_max_kg * percent / 100 + (kg or 0)
    elif prescription.load_kind == LoadKind.PERCENT_TM:
        kg = None  # no training max: the % stands alone
    if deload and kg is not None:
        kg = kg * (prescription.deload_percent or DEFAULT_DELOAD_PERCENT) / 100
    if deload and percent is not None:
        percent = percent * (prescription.deload_percent or DEFAULT_DELOAD_PERCENT) / 100
    effort = prescription.load_value if prescription.load_kind in (LoadKind.RPE, LoadKind.RIR) else None
    return Target(week=week, sets=prescription.sets, reps=reps, duration_seconds=prescription.duration_seconds,
                  distance_m=prescription.distance_m, load_kind=prescription.load_kind,
                  load_kg=round_kg(kg) if kg is not None else None,
                  percent=percent.quantize(Decimal("0.1")) if percent is not None else None,
                  effort=effort, deload=deload)


def _progressed(prescription: Prescribed, week: int) -> tuple[int | None, Decimal | None, Decimal | None]:
    """(reps, kg, % of training max) after the steps up to `week`, before any deload. On a % prescription
    the kg is what is added on top of the % (0 unless the rule adds kilograms)."""
    if week < 1:  # a deload in week 1 cannot happen (every > 1), but be total
        week = 1
    steps = steps_before(prescription, week)
    amount = prescription.progression_amount or Decimal(0)
    reps = prescription.reps
    on_percent = prescription.load_kind == LoadKind.PERCENT_TM
    base = prescription.load_value if prescription.load_kind in (LoadKind.KG, LoadKind.PERCENT_TM) else None
    kg = None if on_percent else base
    percent = base if on_percent else None
    rule = prescription.progression
    if rule == Progression.ADD_KG:
        if on_percent:
            kg = amount * steps
        elif kg is not None:
            kg = kg + amount * steps
    elif rule == Progression.ADD_PERCENT:
        if on_percent and percent is not None:
            percent = percent + amount * steps
        elif kg is not None:
            kg = kg * (1 + amount / 100) ** steps
    elif rule == Progression.REPS_THEN_LOAD and reps and prescription.reps_ceiling \
            and prescription.reps_ceiling >= reps:
        cycle = prescription.reps_ceiling - reps + 1  # weeks from the first reps to the ceiling
        reps = reps + steps % cycle
        load_steps = steps // cycle
        if on_percent:
            kg = amount * load_steps
        elif kg is not None:
            kg = kg + amount * load_steps
    return reps, kg, percent


def weeks(prescription: Prescribed, count: int, training_max_kg: Decimal | None = None) -> list[Target]:
    """Every week's target, week 1 to `count`."""
    return [target(prescription, week, training_max_kg) for week in range(1, count + 1)]
