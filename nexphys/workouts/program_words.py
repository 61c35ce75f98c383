"""How programs read on pages: the words of kinds, rules and loads, and a target or a block in one line."""

from __future__ import annotations

from decimal import Decimal

from nexphys.workouts.models import BlockKind, LoadKind, Prescription, Progression, Scoring, SetType, WorkoutBlock
from nexphys.workouts.progression import Target

BLOCK_KINDS = {BlockKind.STRAIGHT: "Straight sets", BlockKind.SUPERSET: "Superset", BlockKind.CIRCUIT: "Circuit",
               BlockKind.AMRAP: "AMRAP (as many rounds as possible)",
               BlockKind.EMOM: "EMOM (every minute on the minute)",
               BlockKind.FOR_TIME: "For time", BlockKind.INTERVALS: "Intervals"}
LOAD_KINDS = {LoadKind.NONE: "No load (bodyweight or free choice)", LoadKind.KG: "Kilograms",
              LoadKind.PERCENT_TM: "% of training max", LoadKind.RPE: "RPE (effort 1-10)",
              LoadKind.RIR: "Reps in reserve"}
SET_TYPES = {SetType.WORKING: "Working sets", SetType.WARMUP: "Warm-up", SetType.DROP: "Drop sets",
             SetType.AMRAP: "Last set as many reps as possible"}
RULES = {Progression.NONE: "No progression", Progression.ADD_KG: "Add kilograms each week",
         Progression.ADD_PERCENT: "Add per cent each week",
         Progression.REPS_THEN_LOAD: "Add a rep each week up to a ceiling, then add kilograms"}
SCORINGS = {Scoring.NONE: "Not scored", Scoring.TIME: "Time (fastest wins)",
            Scoring.ROUNDS_REPS: "Rounds and reps", Scoring.LOAD: "Heaviest load", Scoring.REPS: "Total reps"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def number(value: Decimal | int | None) -> str:
    """72.50 → "72.5", 70.0 → "70"."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def seconds(value: int | None) -> str:
    """90 → "1:30", 45 → "45 s", 600 → "10 min"."""
    if not value:
        return ""
    if value < 60:
        return f"{value} s"
    minutes, rest = divmod(value, 60)
    return f"{minutes} min" if not rest else f"{minutes}:{rest:02d}"


def amount_text(target: Target) -> str:
    """"5 × 5", "3 × 30 s", "1 × 400 m"."""
    what = f"{target.reps}" if target.reps else seconds(target.duration_seconds) if target.duration_seconds \
        else f"{target.distance_m} m" if target.distance_m else ""
    return f"{target.sets} × {what}" if what else f"{target.sets} {'set' if target.sets == 1 else 'sets'}"


def load_text(target: Target) -> str:
    """"84 kg (70 % of training max)", "70 % of training max", "RPE 8", "" for no load."""
    if target.load_kind == LoadKind.PERCENT_TM:
        share = f"{number(target.percent)} % of training max"
        return f"{number(target.load_kg)} kg ({share})" if target.load_kg is not None else share
    if target.load_kind == LoadKind.KG and target.load_kg is not None:
        return f"{number(target.load_kg)} kg"
    if target.load_kind == LoadKind.RPE and target.effort is not None:
        return f"RPE {number(target.effort)}"
    if target.load_kind == LoadKind.RIR and target.effort is not None:
        return f"{number(target.effort)} reps in reserve"
    return ""


def target_text(target: Target) -> str:
    """A week's target in one line: "5 × 5 at 84 kg (70 % of training max)"."""
    load = load_text(target)
    return f"{amount_text(target)} at {load}" if load else amount_text(target)


def rule_text(p: Prescription) -> str:
    """The progression rule in words ("+2.5 % a week, deload every 4th week")."""
    amount = number(p.progression_amount)
    parts = []
    if p.progression == Progression.ADD_KG:
        parts.append(f"+{amount} kg a week")
    elif p.progression == Progression.ADD_PERCENT:
        parts.append(f"+{amount} % a week")
    elif p.progression == Progression.REPS_THEN_LOAD:
        parts.append(f"+1 rep a week up to {p.reps_ceiling}, then +{amount} kg")
    if p.deload_every_weeks:
        parts.append(f"deload every {p.deload_every_weeks}th week")
    return ", ".join(parts)


def block_text(block: WorkoutBlock) -> str:
    """A block's kind with its numbers: "AMRAP 12 min", "EMOM every 60 s for 10 min", "5 rounds"."""
    kind = block.kind
    if kind == BlockKind.AMRAP:
        return f"AMRAP {seconds(block.time_cap_seconds)}"
    if kind == BlockKind.EMOM:
        return f"EMOM: every {seconds(block.interval_seconds)} for {seconds(block.time_cap_seconds)}"
    if kind == BlockKind.FOR_TIME:
        text = (f"{block.rounds} rounds for time" if block.rounds else "For time") + (
            f", time cap {seconds(block.time_cap_seconds)}" if block.time_cap_seconds else "")
        return text
    if kind == BlockKind.INTERVALS:
        return (f"Intervals: {block.rounds} × {seconds(block.interval_seconds)} work, "
                f"{seconds(block.rest_seconds) or '0 s'} rest")
    if kind in (BlockKind.SUPERSET, BlockKind.CIRCUIT):
        rest = f", {seconds(block.rest_seconds)} rest between rounds" if block.rest_seconds else ""
        return f"{BLOCK_KINDS[kind]}: {block.rounds} rounds{rest}"
    return "Straight sets" + (f", {seconds(block.rest_seconds)} rest" if block.rest_seconds else "")


def may_coach() -> bool:
    """Whether the viewer changes programs and others' training (staff): called by templates that need it."""
    from nexphys.web.access import current_principal
    principal = current_principal()
    return principal is not None and principal.scope("workouts", "update") == "all"


_VALUES = {"may_coach": may_coach,
           "target_text": target_text, "block_text": block_text, "rule_text": rule_text, "seconds_text": seconds,
           "number_text": number, "scoring_label": lambda key: SCORINGS.get(key, key),
           "weekday_name": lambda d: WEEKDAYS[d.weekday()]}


def template_values() -> dict:
    """The words above, for every template (one prebuilt dict: the timetable renders often)."""
    return _VALUES
