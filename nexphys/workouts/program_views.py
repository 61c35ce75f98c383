"""Programs' pages: the list, a program with its days and a week picker, creating, changing, archiving and
copying; assigning to members; a member's training (their own at /training, staff's view of anyone's). Thin
views over nexphys.workouts.programs and program_training."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.members.services import find_active, list_members
from nexphys.tenancy.context import require_tenant
from nexphys.web.access import Principal, require_principal, requires
from nexphys.workouts import program_queries as queries
from nexphys.workouts import program_training as training
from nexphys.workouts import programs as services
from nexphys.workouts.errors import ProgramInvalid, ProgramNotFound
from nexphys.workouts.models import Program
from nexphys.workouts.plans import planned
from nexphys.workouts.program_words import SCORINGS
from nexphys.workouts.progression import weeks as all_weeks

bp = Blueprint("programs", __name__)
PER_PAGE = 20


def is_staff(principal: Principal | None = None) -> bool:
    """Staff change programs; members read the ones assigned to them."""
    return (principal or require_principal()).scope("workouts", "update") == "all"


def _today():
    return require_tenant().today()


def visible_program(program_id: int) -> Program:
    """The program, if the viewer may read it (a member: one assigned to them), else 404."""
    try:
        program = services.get_program(program_id)
    except ProgramNotFound:
        abort(404)
    principal = require_principal()
    if not is_staff(principal) and program.id not in queries.assigned_program_ids(principal.person_id or 0):
        abort(404)
    return program


def _form(names: tuple[str, ...]) -> dict[str, Any]:
    return {name: request.form.get(name, "") for name in names}


def _refused(exc: ProgramInvalid) -> dict[str, list[str]]:
    db.session.rollback()
    return exc.errors


@bp.get("/programs")
@requires("workouts", "update", own=False)
def index():
    """Programs and templates: search, filter, page through. Staff only (it is also the header's link, which a
    member's flat header does without): members find the programs given to them on My training."""
    principal = require_principal()
    staff = is_staff(principal)
    kind = request.args.get("kind", "")
    filters = queries.ProgramFilters(search=request.args.get("q", "").strip()[:queries.SEARCH_MAX],
                                     kind=kind if kind in queries.KINDS else "",
                                     archived=staff and request.args.get("archived") == "1",
                                     only_ids=None if staff else queries.assigned_program_ids(principal.person_id or 0))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 2**31)
    found = queries.search_programs(filters, page, PER_PAGE)
    return render_template("workouts/programs/index.html", programs=found, filters=filters, kinds=queries.KINDS,
                           days=queries.day_counts([p.id for p in found.items]), staff=staff)


@bp.route("/programs/new", methods=["GET", "POST"])
@requires("workouts", "create", own=False)
def new():
    """Start a program (or a template): its name, description and weeks."""
    values, errors = {"name": "", "description": "", "weeks": "4", "is_template": ""}, {}
    if request.method == "POST":
        values = _form(services.PROGRAM_FIELDS)
        try:
            program = services.create_program(values, require_principal())
        except ProgramInvalid as exc:
            errors = _refused(exc)
        else:
            db.session.commit()
            flash(f"“{program.name}” created: add its days.", "success")
            return redirect(url_for("programs.detail", program_id=program.id))
    return render_template("workouts/programs/form.html", values=values, errors=errors, program=None), \
        422 if errors else 200


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def edit(program_id: int):
    """Change a program's name, description, weeks, or whether it is a template."""
    program = visible_program(program_id)
    values = {"name": program.name, "description": program.description, "weeks": str(program.weeks),
              "is_template": "y" if program.is_template else ""}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _form(services.PROGRAM_FIELDS)
        try:
            services.update_program(program, values, require_principal())
        except ProgramInvalid as exc:
            errors = _refused(exc)
            program = services.get_program(program_id)
        else:
            db.session.commit()
            flash(f"“{program.name}” saved.", "success")
            return redirect(url_for("programs.detail", program_id=program.id))
    return render_template("workouts/programs/form.html", values=values, errors=errors, program=program), \
        422 if errors else 200


@bp.get("/programs/<int:program_id>")
@requires("workouts", "read")
def detail(program_id: int):
    """A program: its days, every target computed for the chosen week, and (staff) assigning it."""
    program = visible_program(program_id)
    principal = require_principal()
    staff = is_staff(principal)
    week = min(max(request.args.get("week", 1, type=int) or 1, 1), program.weeks)
    member_id = None if staff else principal.person_id
    days = services.program_days(program)
    plans = [planned(day, week, member_id) for day in days]
    progressions = {}
    for day in days:
        for block in day.blocks:
            for p in block.prescriptions:
                progressions[p.id] = all_weeks(p, program.weeks)
    member_q = request.args.get("member_q", "").strip()[:100]
    members = []
    if staff:
        members = find_active(member_q, 20) if member_q else list(
            list_members(status=UserStatus.ACTIVE, per_page=50).items)
    used = {d.day_number for d in days}
    return render_template("workouts/programs/detail.html", program=program, week=week, plans=plans, staff=staff,
                           progressions=progressions, members=members, member_q=member_q, today=_today(),
                           free_days=[n for n in range(1, 8) if n not in used], scorings=SCORINGS,
                           deload_week=any(item.target.deload for plan in plans for block in plan.blocks
                                           for item in block.items))


@bp.post("/programs/<int:program_id>/days")
@requires("workouts", "update", own=False)
def add_day(program_id: int):
    """A new day in the program's week, then its editor."""
    program = visible_program(program_id)
    try:
        workout = services.add_workout(_form(("day_number", "title", "scoring")), program, require_principal())
    except ProgramInvalid as exc:
        for messages in _refused(exc).values():
            for message in messages:
                flash(message, "error")
        return redirect(url_for("programs.detail", program_id=program_id))
    db.session.commit()
    flash(f"Day {workout.day_number} added: now its blocks and exercises.", "success")
    return redirect(url_for("program_editor.edit", workout_id=workout.id))


@bp.route("/programs/<int:program_id>/archive", methods=["GET", "POST"])
@requires("workouts", "delete", own=False)
def archive(program_id: int):
    """Archive a program, after a confirmation (members on it carry on)."""
    program = visible_program(program_id)
    if request.method == "POST":
        if services.archive_program(program, require_principal()):
            db.session.commit()
            flash(f"“{program.name}” archived.", "success")
        return redirect(url_for("programs.index"))
    return render_template("workouts/programs/confirm.html", title=f"Archive “{program.name}”?",
                           text="It leaves the list of programs. Members already on it carry on.",
                           action=url_for("programs.archive", program_id=program.id), button="Archive program",
                           back=url_for("programs.detail", program_id=program.id))


@bp.post("/programs/<int:program_id>/copy")
@requires("workouts", "create", own=False)
def copy(program_id: int):
    """A new program made from this one (usually a template): every day, block and exercise copied."""
    program = visible_program(program_id)
    name = request.form.get("name", "").strip() or None
    new_program = services.copy_program(program, require_principal(), name)
    db.session.commit()
    flash(f"“{new_program.name}” made from “{program.name}”: change it freely.", "success")
    return redirect(url_for("programs.detail", program_id=new_program.id))


@bp.post("/programs/<int:program_id>/assign")
@requires("workouts", "update", own=False)
def assign(program_id: int):
    """Give the program to a member from a start day (from the program's page or the member's training)."""
    program = visible_program(program_id)
    return _assign(program, request.form.get("member_id", type=int),
                   url_for("programs.detail", program_id=program_id))


@bp.post("/members/<int:member_id>/assign")
@requires("workouts", "update", own=False)
def assign_chosen(member_id: int):
    """Give the member the program chosen on their training page."""
    member = _member(member_id)
    try:
        program = services.get_program(request.form.get("program_id", type=int) or 0)
    except ProgramNotFound:
        flash("Choose a program.", "error")
        return redirect(url_for("programs.member_training", member_id=member.id))
    return _assign(program, member.id, url_for("programs.member_training", member_id=member.id))


def _assign(program: Program, member_id: int | None, back: str):
    try:
        assignment = training.assign_program(program, member_id, request.form.get("starts_on", ""),
                                             require_principal())
    except ProgramInvalid as exc:
        for messages in _refused(exc).values():
            for message in messages:
                flash(message, "error")
        return redirect(back)
    db.session.commit()
    flash(f"“{program.name}” assigned to {assignment.member.full_name} from "
          f"{assignment.starts_on:%A %d %B}.", "success")
    return redirect(url_for("programs.member_training", member_id=assignment.member_id))


@bp.route("/assignments/<int:assignment_id>/end", methods=["GET", "POST"])
@requires("workouts", "update", own=False)
def end_assignment(assignment_id: int):
    """Stop a member's program today, after a confirmation."""
    try:
        assignment = training.get_assignment(assignment_id)
    except ProgramNotFound:
        abort(404)
    back = url_for("programs.member_training", member_id=assignment.member_id)
    if request.method == "POST":
        if training.end_assignment(assignment, _today(), require_principal()):
            db.session.commit()
            flash(f"{assignment.member.full_name} is off “{assignment.program.name}”.", "success")
        return redirect(back)
    return render_template("workouts/programs/confirm.html",
                           title=f"End “{assignment.program.name}” for {assignment.member.full_name}?",
                           text="Their program stops today; what they logged is kept.",
                           action=url_for("programs.end_assignment", assignment_id=assignment.id),
                           button="End the program", back=back)


def _training_page(member: User, staff: bool, status: int = 200, errors: dict | None = None):
    today = _today()
    programs = list(queries.search_programs(queries.ProgramFilters(kind="programs"), 1, 100).items) if staff else []
    maxes = training.member_maxes(member.id)
    return render_template("workouts/programs/training.html", member=member, staff=staff, today=today,
                           days=queries.training_on(member.id, today),
                           assignments=training.member_assignments(member.id),
                           maxes=maxes, exercise_names=queries.exercise_names({m.exercise_id for m in maxes}),
                           programs=programs,
                           exercises=queries.exercise_choices() if staff else [], errors=errors or {}), status


@bp.get("/training")
@requires("workouts", "read")
def my_training():
    """The member's own training: today's workout of each program they are on, this week, their maxes."""
    principal = require_principal()
    member = db.session.get(User, principal.person_id) if principal.person_id else None
    if member is None:
        abort(404)
    return _training_page(member, staff=False)


def _member(member_id: int) -> User:
    member = db.session.get(User, member_id)
    if member is None:
        abort(404)
    return member


@bp.get("/members/<int:member_id>/training")
@requires("workouts", "update", own=False)
def member_training(member_id: int):
    """A member's training as staff see it: programs, training maxes, today's targets."""
    return _training_page(_member(member_id), staff=True)


@bp.post("/members/<int:member_id>/training-maxes")
@requires("workouts", "update", own=False)
def set_max(member_id: int):
    """Set (or, left empty, remove) a member's training max for an exercise."""
    member = _member(member_id)
    name = request.form.get("exercise", "")
    exercise_id = request.form.get("exercise_id", type=int) or queries.exercise_by_name(name)
    try:
        row = training.set_training_max(member.id, exercise_id, request.form.get("kg", ""), _today(),
                                        require_principal())
    except ProgramInvalid as exc:
        return _training_page(member, True, 422, _refused(exc))
    db.session.commit()
    flash("Training max saved." if row else "Training max removed.", "success")
    return redirect(url_for("programs.member_training", member_id=member.id) + "#maxes")
