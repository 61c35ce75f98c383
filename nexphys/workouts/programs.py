"""Programs and the workout editor's rules: programs (create, change, archive, copy), their days, and any
workout's blocks and prescriptions (add, change, remove, reorder, replace a whole day).

Pages and the API call these same functions, so both share one set of rules and messages. Functions flush;
the caller commits once. Week N is never stored: nexphys.workouts.progression computes it from week 1.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.db import utcnow
from nexphys.extensions import db
from nexphys.validation import FieldErrors, text, unknown_fields, whole_number
from nexphys.web.access import Principal
from nexphys.workouts.errors import ProgramInvalid, ProgramNotFound
from nexphys.workouts.models import (
    BlockKind,
    Exercise,
    LoadKind,
    Prescription,
    Program,
    Progression,
    Scoring,
    SetType,
    Workout,
    WorkoutBlock,
)

NAME_MAX, DESCRIPTION_MAX, NOTES_MAX, TEMPO_MAX, BLOCK_TITLE_MAX = 120, 4000, 1000, 20, 80
PROGRAM_FIELDS = ("name", "description", "weeks", "is_template")
BLOCK_FIELDS = ("kind", "title", "rounds", "time_cap_seconds", "interval_seconds", "rest_seconds", "notes")
PRESCRIPTION_FIELDS = ("exercise_id", "set_type", "sets", "reps", "duration_seconds", "distance_m", "load_kind",
                       "load_value", "rest_seconds", "tempo", "notes", "progression", "progression_amount",
                       "reps_ceiling", "deload_every_weeks", "deload_percent")
CREATED, CHANGED, ARCHIVED, COPIED, WORKOUT_CHANGED = ("program.created", "program.changed", "program.archived",
                                                       "program.copied", "workout.changed")
# Which block fields each kind uses; the others are cleared, so a block never carries stale numbers.
KIND_FIELDS: dict[str, dict[str, bool]] = {  # field → required
    BlockKind.STRAIGHT: {"rest_seconds": False},
    BlockKind.SUPERSET: {"rounds": True, "rest_seconds": False},
    BlockKind.CIRCUIT: {"rounds": True, "rest_seconds": False},
    BlockKind.AMRAP: {"time_cap_seconds": True},
    BlockKind.EMOM: {"interval_seconds": True, "time_cap_seconds": True},
    BlockKind.FOR_TIME: {"time_cap_seconds": False, "rounds": False},
    BlockKind.INTERVALS: {"interval_seconds": True, "rest_seconds": True, "rounds": True},
}
BLOCK_WORDS = {"rounds": "the number of rounds", "time_cap_seconds": "the time (minutes)",
               "interval_seconds": "the interval (seconds)", "rest_seconds": "the rest (seconds)"}
LOAD_RANGES = {LoadKind.KG: (Decimal(0), Decimal(1000), "A load in kilograms must be between 0 and 1000."),
               LoadKind.PERCENT_TM: (Decimal(1), Decimal(150), "A % of training max must be between 1 and 150."),
               LoadKind.RPE: (Decimal(1), Decimal(10), "RPE must be between 1 and 10."),
               LoadKind.RIR: (Decimal(0), Decimal(10), "Reps in reserve must be between 0 and 10.")}


def _decimal(errors: FieldErrors, field: str, value: Any, message: str) -> Decimal | None:
    """A decimal number from a number or text ("72.5", "72,5"); None for nothing."""
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors.add(field, message)
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        errors.add(field, message)
        return None
    if not number.is_finite():
        errors.add(field, message)
        return None
    return number.quantize(Decimal("0.01"))


def _optional_number(errors: FieldErrors, field: str, value: Any, low: int, high: int, label: str) -> int | None:
    return None if value in (None, "") else whole_number(errors, field, value, low, high, label)


def _choice(errors: FieldErrors, field: str, value: Any, known: tuple[str, ...], default: str, what: str) -> str:
    if value in (None, ""):
        return default
    if value not in known:
        errors.add(field, f"Choose {what} from the list.")
    return value


# --- programs -------------------------------------------------------------------------------------------

def get_program(program_id: int) -> Program:
    program = db.session.get(Program, program_id)
    if program is None:
        raise ProgramNotFound("There is no such program.")
    return program


def clean_program(values: dict[str, Any], current: Program | None = None) -> dict[str, Any]:
    """Validate program fields; with `current`, only those given (a partial change)."""
    errors = FieldErrors()
    unknown_fields(errors, values, PROGRAM_FIELDS)
    given = set(values) if current is not None else set(PROGRAM_FIELDS)
    cleaned: dict[str, Any] = {}
    if "name" in given:
        cleaned["name"] = text(errors, "name", values.get("name"), NAME_MAX, required=True, collapse=True)
    if "description" in given:
        cleaned["description"] = text(errors, "description", values.get("description"), DESCRIPTION_MAX) or ""
    if "weeks" in given:
        cleaned["weeks"] = whole_number(errors, "weeks", values.get("weeks"), 1, 52, "A program's weeks")
    if "is_template" in given:
        flag = values.get("is_template")
        cleaned["is_template"] = flag in (True, "y", "on", "1", "true")
    errors.raise_if_any(ProgramInvalid)
    return cleaned


def create_program(values: dict[str, Any], actor: Principal | None = None) -> Program:
    program = Program(**clean_program(values), created_by_id=actor.person_id if actor else None)
    db.session.add(program)
    db.session.flush()
    _audit(CREATED, actor, program)
    return program


def update_program(program: Program, values: dict[str, Any], actor: Principal | None = None) -> bool:
    cleaned = clean_program(values, program)
    changed = [name for name, value in cleaned.items() if getattr(program, name) != value]
    for name in changed:
        setattr(program, name, cleaned[name])
    db.session.flush()
    if changed:
        _audit(CHANGED, actor, program, {"fields": changed})
    return bool(changed)


def archive_program(program: Program, actor: Principal | None = None) -> bool:
    """Take a program off the list (assignments running on it carry on); whether it was listed."""
    if program.archived_at is not None:
        return False
    program.archived_at = utcnow()
    db.session.flush()
    _audit(ARCHIVED, actor, program)
    return True


def copy_program(program: Program, actor: Principal | None = None, name: str | None = None) -> Program:
    """A new program (not a template) with a deep copy of the days, blocks and prescriptions."""
    copy = Program(name=(name or f"{program.name} (copy)")[:NAME_MAX], description=program.description,
                   weeks=program.weeks, is_template=False, copied_from_id=program.id,
                   created_by_id=actor.person_id if actor else None)
    db.session.add(copy)
    db.session.flush()
    for day in program_days(program):
        copy_workout(day, program_id=copy.id, day_number=day.day_number)
    db.session.flush()
    _audit(COPIED, actor, copy, {"from": program.id})
    return copy


def copy_workout(workout: Workout, program_id: int | None = None, day_number: int | None = None) -> Workout:
    """A deep copy of a workout (its blocks and prescriptions)."""
    new = Workout(program_id=program_id, day_number=day_number, title=workout.title, notes=workout.notes,
                  scoring=workout.scoring)
    for block in workout.blocks:
        copied = WorkoutBlock(**{name: getattr(block, name) for name in ("position", *BLOCK_FIELDS)})
        copied.prescriptions = [Prescription(**{name: getattr(p, name) for name in ("position", *PRESCRIPTION_FIELDS)})
                                for p in block.prescriptions]
        new.blocks.append(copied)
    db.session.add(new)
    db.session.flush()
    return new


def program_days(program: Program) -> list[Workout]:
    return list(db.session.scalars(sa.select(Workout).where(Workout.program_id == program.id)
                                   .order_by(Workout.day_number)))


# --- workouts: a program's day, or a workout standing alone -----------------------------------------------

def get_workout(workout_id: int) -> Workout:
    workout = db.session.get(Workout, workout_id)
    if workout is None:
        raise ProgramNotFound("There is no such workout.")
    return workout


def clean_workout(values: dict[str, Any], program: Program | None = None,
                  current: Workout | None = None) -> dict[str, Any]:
    """Title, scoring, notes and (for a program's day) the day number 1-7, not taken by another day."""
    errors = FieldErrors()
    unknown_fields(errors, values, ("title", "scoring", "notes", "day_number"))
    cleaned: dict[str, Any] = {
        "title": text(errors, "title", values.get("title"), NAME_MAX, required=True, collapse=True),
        "scoring": _choice(errors, "scoring", values.get("scoring"), Scoring.ALL, Scoring.NONE, "how it is scored"),
        "notes": text(errors, "notes", values.get("notes"), NOTES_MAX) or ""}
    if program is not None:
        number = whole_number(errors, "day_number", values.get("day_number"), 1, 7, "The day")
        if number is not None:
            taken = db.session.scalar(sa.select(Workout.id).where(Workout.program_id == program.id,
                                                                  Workout.day_number == number))
            if taken is not None and (current is None or taken != current.id):
                errors.add("day_number", f"Day {number} already has a workout: edit that one instead.")
        cleaned["day_number"] = number
    errors.raise_if_any(ProgramInvalid)
    return cleaned


def add_workout(values: dict[str, Any], program: Program | None = None, actor: Principal | None = None) -> Workout:
    """A program's new day (program given) or a workout on its own (e.g. a class's workout of the day)."""
    cleaned = clean_workout(values, program)
    workout = Workout(**cleaned, program_id=program.id if program else None,
                      created_by_id=actor.person_id if actor else None)
    db.session.add(workout)
    db.session.flush()
    return workout


def update_workout(workout: Workout, values: dict[str, Any], actor: Principal | None = None) -> None:
    program = db.session.get(Program, workout.program_id) if workout.program_id else None
    if program is not None and "day_number" not in values:
        values = {**values, "day_number": workout.day_number}
    for name, value in clean_workout(values, program, workout).items():
        setattr(workout, name, value)
    _touched(workout, actor)


def remove_workout(workout: Workout, actor: Principal | None = None) -> None:
    db.session.delete(workout)
    db.session.flush()


def _touched(workout: Workout, actor: Principal | None) -> None:
    workout.updated_at = utcnow()  # a class's workout shows on cached pages: its change time is their key
    db.session.flush()
    if actor is not None:
        record(WORKOUT_CHANGED, actor.label, actor.person_id, target=f"workout:{workout.id}",
               details={"title": workout.title})


# --- blocks -----------------------------------------------------------------------------------------------

def clean_block(values: dict[str, Any]) -> dict[str, Any]:
    """A block's fields: its kind and the numbers that kind needs (the others cleared)."""
    errors = FieldErrors()
    unknown_fields(errors, values, (*BLOCK_FIELDS, "prescriptions"))
    kind = _choice(errors, "kind", values.get("kind"), BlockKind.ALL, BlockKind.STRAIGHT, "the kind of block")
    cleaned: dict[str, Any] = {"kind": kind,
                               "title": text(errors, "title", values.get("title"), BLOCK_TITLE_MAX) or "",
                               "notes": text(errors, "notes", values.get("notes"), NOTES_MAX) or ""}
    uses = KIND_FIELDS.get(kind, {})
    limits = {"rounds": (1, 100), "time_cap_seconds": (1, 6 * 3600), "interval_seconds": (1, 3600),
              "rest_seconds": (0, 3600)}
    for name, (low, high) in limits.items():
        cleaned[name] = None
        if name not in uses:
            continue
        value = values.get(name)
        if value in (None, ""):
            if uses[name]:
                errors.add(name, f"This kind of block needs {BLOCK_WORDS[name]}.")
            continue
        cleaned[name] = whole_number(errors, name, value, low, high, BLOCK_WORDS[name].capitalize())
    errors.raise_if_any(ProgramInvalid)
    return cleaned


def get_block(block_id: int, workout: Workout) -> WorkoutBlock:
    block = db.session.get(WorkoutBlock, block_id)
    if block is None or block.workout_id != workout.id:
        raise ProgramNotFound("There is no such block in this workout.")
    return block


def add_block(workout: Workout, values: dict[str, Any], actor: Principal | None = None) -> WorkoutBlock:
    block = WorkoutBlock(**clean_block(values), position=len(workout.blocks) + 1)
    workout.blocks.append(block)
    _touched(workout, actor)
    return block


def update_block(workout: Workout, block: WorkoutBlock, values: dict[str, Any], actor: Principal | None = None) -> None:
    for name, value in clean_block(values).items():
        setattr(block, name, value)
    _touched(workout, actor)


def remove_block(workout: Workout, block: WorkoutBlock, actor: Principal | None = None) -> None:
    workout.blocks.remove(block)
    _renumber(workout.blocks)
    _touched(workout, actor)


def _renumber(rows: list) -> None:
    for position, row in enumerate(rows, start=1):
        row.position = position


def _move(parent: Any, collection: str, row: Any, step: int) -> bool:
    """Swap `row`'s position with its neighbour's (step -1: up, +1: down); whether it moved. Positions are
    swapped and the collection reloaded (assigning into an ORM list would orphan, hence delete, a row)."""
    rows = getattr(parent, collection)
    index = rows.index(row)
    other = index + step
    if not 0 <= other < len(rows):
        return False
    rows[index].position, rows[other].position = rows[other].position, rows[index].position
    db.session.flush()
    db.session.expire(parent, [collection])
    return True


def move_block(workout: Workout, block: WorkoutBlock, step: int, actor: Principal | None = None) -> bool:
    moved = _move(workout, "blocks", block, step)
    _touched(workout, actor)
    return moved


# --- prescriptions ----------------------------------------------------------------------------------------

def clean_prescription(values: dict[str, Any]) -> dict[str, Any]:
    """A prescription's fields (week 1) and its progression rule, checked together."""
    errors = FieldErrors()
    unknown_fields(errors, values, PRESCRIPTION_FIELDS)
    c: dict[str, Any] = {}
    exercise_id = values.get("exercise_id")
    exercise = db.session.get(Exercise, exercise_id) if isinstance(exercise_id, int) and exercise_id > 0 else None
    if exercise is None:
        errors.add("exercise_id", "Choose an exercise from the library.")
    c["exercise_id"] = exercise_id
    c["set_type"] = _choice(errors, "set_type", values.get("set_type"), SetType.ALL, SetType.WORKING, "a set type")
    c["sets"] = whole_number(errors, "sets", values.get("sets") or 1, 1, 50, "Sets")
    c["reps"] = _optional_number(errors, "reps", values.get("reps"), 1, 500, "Reps")
    c["duration_seconds"] = _optional_number(errors, "duration_seconds", values.get("duration_seconds"), 1, 36000,
                                             "The time (seconds)")
    c["distance_m"] = _optional_number(errors, "distance_m", values.get("distance_m"), 1, 100000,
                                       "The distance (metres)")
    if not any(values.get(n) not in (None, "") for n in ("reps", "duration_seconds", "distance_m")):
        errors.add("reps", "Give the reps, a time or a distance.")
    kind = c["load_kind"] = _choice(errors, "load_kind", values.get("load_kind"), LoadKind.ALL, LoadKind.NONE,
                                    "how the load is given")
    load = _decimal(errors, "load_value", values.get("load_value"), "Give the load as a number.")
    if kind == LoadKind.NONE:
        load = None
    elif load is None and "load_value" not in errors:
        errors.add("load_value", "Give the load for this kind of load.")
    elif load is not None and kind in LOAD_RANGES and not LOAD_RANGES[kind][0] <= load <= LOAD_RANGES[kind][1]:
        errors.add("load_value", LOAD_RANGES[kind][2])
    c["load_value"] = load
    c["rest_seconds"] = _optional_number(errors, "rest_seconds", values.get("rest_seconds"), 0, 3600,
                                         "The rest (seconds)")
    c["tempo"] = text(errors, "tempo", values.get("tempo"), TEMPO_MAX) or ""
    c["notes"] = text(errors, "notes", values.get("notes"), NOTES_MAX) or ""
    rule = c["progression"] = _choice(errors, "progression", values.get("progression"), Progression.ALL,
                                      Progression.NONE, "a progression rule")
    amount = _decimal(errors, "progression_amount", values.get("progression_amount"), "Give the step as a number.")
    ceiling = _optional_number(errors, "reps_ceiling", values.get("reps_ceiling"), 1, 500, "The rep ceiling")
    if rule in (Progression.ADD_KG, Progression.ADD_PERCENT, Progression.REPS_THEN_LOAD):
        if amount is None or not Decimal(0) < amount <= Decimal(100):
            errors.add("progression_amount", "Give how much to add each step (more than 0, at most 100).")
        if kind not in (LoadKind.KG, LoadKind.PERCENT_TM) and rule != Progression.REPS_THEN_LOAD:
            errors.add("progression", "A rule that adds load needs a load in kilograms or a % of training max.")
    if rule == Progression.REPS_THEN_LOAD and (ceiling is None or c["reps"] is None or ceiling < c["reps"]):
        errors.add("reps_ceiling", "A rule that adds reps needs a rep ceiling at or above the starting reps.")
    c["progression_amount"] = amount if rule != Progression.NONE else None
    c["reps_ceiling"] = ceiling if rule == Progression.REPS_THEN_LOAD else None
    every = _optional_number(errors, "deload_every_weeks", values.get("deload_every_weeks"), 2, 52,
                             "A deload's weeks")
    share = _decimal(errors, "deload_percent", values.get("deload_percent"), "Give the deload's share as a number.")
    if share is not None and not Decimal(1) <= share <= Decimal(100):
        errors.add("deload_percent", "A deload week's share of the load must be between 1 and 100 %.")
    c["deload_every_weeks"], c["deload_percent"] = every, share if every else None
    errors.raise_if_any(ProgramInvalid)
    return c


def get_prescription(prescription_id: int, workout: Workout) -> tuple[WorkoutBlock, Prescription]:
    found = db.session.get(Prescription, prescription_id)
    block = next((b for b in workout.blocks if found is not None and b.id == found.block_id), None)
    if block is None or found is None:
        raise ProgramNotFound("There is no such exercise in this workout.")
    return block, found


def add_prescription(workout: Workout, block: WorkoutBlock, values: dict[str, Any],
                     actor: Principal | None = None) -> Prescription:
    prescription = Prescription(**clean_prescription(values), position=len(block.prescriptions) + 1)
    block.prescriptions.append(prescription)
    _touched(workout, actor)
    return prescription


def update_prescription(workout: Workout, prescription: Prescription, values: dict[str, Any],
                        actor: Principal | None = None) -> None:
    for name, value in clean_prescription(values).items():
        setattr(prescription, name, value)
    db.session.expire(prescription, ["exercise"])
    _touched(workout, actor)


def remove_prescription(workout: Workout, block: WorkoutBlock, prescription: Prescription,
                        actor: Principal | None = None) -> None:
    block.prescriptions.remove(prescription)
    _renumber(block.prescriptions)
    _touched(workout, actor)


def move_prescription(workout: Workout, block: WorkoutBlock, prescription: Prescription, step: int,
                      actor: Principal | None = None) -> bool:
    moved = _move(block, "prescriptions", prescription, step)
    _touched(workout, actor)
    return moved


def replace_blocks(workout: Workout, blocks: list[dict[str, Any]], actor: Principal | None = None) -> None:
    """The workout's whole structure at once (the API's PUT of a day): every block checked before any change;
    errors are named blocks[i].field and blocks[i].prescriptions[j].field."""
    errors: dict[str, list[str]] = {}
    built: list[WorkoutBlock] = []
    for i, values in enumerate(blocks):
        try:
            block = WorkoutBlock(**clean_block({k: v for k, v in values.items() if k != "prescriptions"}),
                                 position=i + 1)
        except ProgramInvalid as exc:
            errors.update({f"blocks[{i}].{name}": messages for name, messages in exc.errors.items()})
            block = WorkoutBlock(position=i + 1)
        for j, item in enumerate(values.get("prescriptions") or []):
            try:
                block.prescriptions.append(Prescription(**clean_prescription(item), position=j + 1))
            except ProgramInvalid as exc:
                errors.update({f"blocks[{i}].prescriptions[{j}].{name}": messages
                               for name, messages in exc.errors.items()})
        built.append(block)
    if errors:
        raise ProgramInvalid(errors)
    workout.blocks.clear()
    db.session.flush()
    workout.blocks.extend(built)
    _touched(workout, actor)


def _audit(action: str, actor: Principal | None, program: Program, details: dict | None = None) -> None:
    if actor is None:
        return
    record(action, actor.label, actor.person_id, target=f"program:{program.id}",
           details={"name": program.name, **(details or {})})
