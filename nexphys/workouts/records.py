"""Personal records: the heaviest load at exactly N reps (N 1-12) and the estimated one-rep max (Epley).

The pure part (`epley`, `new_bests`) walks a member's sets in the order they were done and says each time a
best improved. The database part (`recompute`) rewrites a member's records for some exercises from all their
sets: a log that is edited or deleted may change any record after it, so records are recomputed, not patched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.workouts.models import Exercise, LogSet, PersonalRecord, RecordKind, WorkoutLog

MAX_REPS = 12  # sets of more reps say little about a one-rep max, and are not records at N reps either
FORMULA = ("Estimated 1RM (Epley formula): load × (1 + reps ÷ 30). A single (1 rep) counts as its own load; "
           "only sets of 1 to 12 reps count.")
_CENTS = Decimal("0.01")


def epley(load_kg: Decimal, reps: int) -> Decimal:
    """The estimated one-rep max of `reps` reps at `load_kg` (Epley), to the hundredth of a kilo."""
    if reps == 1:
        return Decimal(load_kg).quantize(_CENTS)
    return (Decimal(load_kg) * (1 + Decimal(reps) / 30)).quantize(_CENTS, rounding=ROUND_HALF_UP)


def kg(value: Decimal | None, places: int = 2) -> str:
    """A weight in words: 100, 102.5, 116.7 (no trailing zeros)."""
    if value is None:
        return ""
    text = f"{Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class Lift:
    """One set that may count: its id, exercise, reps and load, and the day it was done."""

    set_id: int
    exercise_id: int
    reps: int
    load_kg: Decimal
    on: date


@dataclass(frozen=True)
class NewBest:
    """A lift that beat the member's best of its kind (`previous_kg` None: the first)."""

    kind: str
    reps: int
    value_kg: Decimal
    previous_kg: Decimal | None
    lift: Lift


def counts(reps: int | None, load_kg: Decimal | None) -> bool:
    """Whether a set can be a record: some load, and 1 to 12 reps."""
    return bool(reps and load_kg and 1 <= reps <= MAX_REPS and load_kg > 0)


def new_bests(lifts: Iterable[Lift]) -> list[NewBest]:
    """Each time a lift (in the order given: the order they were done) beats the best so far; ties do not."""
    best: dict[tuple[int, str, int], Decimal] = {}
    found = []
    for lift in lifts:
        if not counts(lift.reps, lift.load_kg):
            continue
        for kind, reps, value in ((RecordKind.LOAD_AT_REPS, lift.reps, Decimal(lift.load_kg).quantize(_CENTS)),
                                  (RecordKind.E1RM, 1, epley(lift.load_kg, lift.reps))):
            key = (lift.exercise_id, kind, reps)
            previous = best.get(key)
            if previous is None or value > previous:
                best[key] = value
                found.append(NewBest(kind, reps, value, previous, lift))
    return found


def recompute(member_id: int, exercise_ids: Iterable[int]) -> list[PersonalRecord]:
    """Rewrite the member's records for these exercises from every set they logged; returns the new rows."""
    exercise_ids = sorted(set(exercise_ids))
    if not exercise_ids:
        return []
    db.session.execute(sa.delete(PersonalRecord).where(PersonalRecord.member_id == member_id,
                                                       PersonalRecord.exercise_id.in_(exercise_ids)))
    rows = db.session.execute(
        sa.select(LogSet.id, LogSet.exercise_id, LogSet.reps, LogSet.load_kg, WorkoutLog.performed_on)
        .join(WorkoutLog, WorkoutLog.id == LogSet.log_id)
        .where(WorkoutLog.member_id == member_id, LogSet.exercise_id.in_(exercise_ids),
               LogSet.reps.between(1, MAX_REPS), LogSet.load_kg > 0)
        .order_by(WorkoutLog.performed_on, WorkoutLog.id, LogSet.position, LogSet.id))
    records = [PersonalRecord(member_id=member_id, exercise_id=best.lift.exercise_id, kind=best.kind,
                              reps=best.reps, value_kg=best.value_kg, previous_kg=best.previous_kg,
                              log_set_id=best.lift.set_id, achieved_on=best.lift.on)
               for best in new_bests(Lift(*row) for row in rows.all())]
    db.session.add_all(records)
    db.session.flush()
    return records


def of_log(records: list[PersonalRecord], set_ids: set[int]) -> list[PersonalRecord]:
    """The records these sets set (for one log), the last of each kind only (a log may beat itself)."""
    last: dict[tuple[int, str, int], PersonalRecord] = {}
    for record in records:
        if record.log_set_id in set_ids:
            last[(record.exercise_id, record.kind, record.reps)] = record
    return list(last.values())


def message(records: list[PersonalRecord]) -> str:
    """ "New record: Back squat 5 × 100 kg (estimated 1RM 116.7 kg)" for the records of one save ("" if none)."""
    if not records:
        return ""
    sets = {s.id: s for s in db.session.scalars(sa.select(LogSet).where(
        LogSet.id.in_({r.log_set_id for r in records})))}
    names = dict(db.session.execute(sa.select(Exercise.id, Exercise.name).where(
        Exercise.id.in_({r.exercise_id for r in records}))).all())
    phrases: list[str] = []
    for set_id in dict.fromkeys(r.log_set_id for r in records):
        lift = sets[set_id]
        kinds = {r.kind for r in records if r.log_set_id == set_id}
        e1rm = kg(epley(lift.load_kg, lift.reps), 1)
        done = f"{lift.reps} × {kg(lift.load_kg)} kg"
        if RecordKind.LOAD_AT_REPS in kinds:
            phrases.append(f"{names[lift.exercise_id]} {done} (estimated 1RM {e1rm} kg)")
        else:
            phrases.append(f"{names[lift.exercise_id]} estimated 1RM {e1rm} kg ({done})")
    return ("New record: " if len(phrases) == 1 else "New records: ") + "; ".join(phrases)
