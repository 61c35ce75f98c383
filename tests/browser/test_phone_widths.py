"""Every page fits a phone: each page a studio serves (the app's own list of routes, with ids of real rows filled
in), opened by an owner and by a member on a 390 px screen, scrolls only up and down, and every control a finger
presses there is at least 44 px tall."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.browser.pages import BROWSER_MARKS, sign_in, studio_url
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, make_session, make_user, unique_slug
from tests.running import run

pytestmark = BROWSER_MARKS

PHONE_WIDTH = 390
TOUCH_TARGET = 44  # px, WCAG 2.5.5
# Controls seen on the page (checkVisibility: not in a closed menu, not hidden on phones), shorter than a finger.
SMALL_CONTROLS = """(least) => [...document.querySelectorAll(
    'button, [role=button], a.btn, select, summary, input[type=submit]')]
  .filter((e) => e.checkVisibility() && e.getBoundingClientRect().height < least)
  .map((e) => `${e.tagName.toLowerCase()} "${(e.textContent || e.value || '').trim().slice(0, 30)}" `
              + `${Math.round(e.getBoundingClientRect().height)} px`)"""
# Not pages: files, sign-in and sign-out, links from emails, the platform console (another host), development tools.
SKIPPED = re.compile(r"^/(api|static|files|health|calendar|platform|dev|login|logout|password|check-in/<)")


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("ph"), "Pocket Pilates and Strength Collective")
    yield tenant
    drop_tenant(app, tenant.slug)


@pytest.fixture(scope="module")
def rows(app, studio) -> dict[str, int]:
    """A real row for each id a page takes: a class with a booking, a series, a type, a room, a role, a key."""
    from nexphys.api_keys.services import create_api_key
    from nexphys.bookings.services import book
    from nexphys.classes import catalog, series
    from nexphys.extensions import db
    from nexphys.roles.models import Role
    from nexphys.workouts.services import create_exercise

    member = make_user(app, studio, "member", f"m-{unique_slug('p')}@example.com", full_name="Phone Member")
    # an instructor with a long name and bio: their profile page and its edit page are on the list too
    coach = make_user(app, studio, "instructor", f"c-{unique_slug('p')}@example.com",
                      full_name="Maximiliana Featherstonehaugh-Worthington")
    session_id = make_session(app, studio, starts_in=timedelta(days=2), name="Pocket Reformer Fundamentals")
    booking_id = run(app, studio, lambda: book(session_id, member).booking.id)

    def schedule() -> dict[str, int]:
        room = catalog.create_room({"name": "Long Studio Room Number Two", "capacity": 12})
        kind = catalog.create_class_type({"name": "Weekly Mat Pilates", "duration_minutes": 50,
                                          "default_capacity": 12})
        weekly = series.create_series({"class_type_id": kind.id, "weekdays": [0, 2], "start_time": "07:15",
                                       "room_id": room.id})
        key, _secret = create_api_key("Front desk tablet integration", ["classes:read"], None)
        asset = _equipment(room.id, coach)
        # the series' classes need a bike a place and the room has one: the schedule's badge, the roster's notice
        # and the capacity page have something to show
        from nexphys.equipment.requirements import set_requirements
        set_requirements([{"category": "Stationary bikes", "quantity": 1, "per_member": True}], None, class_type=kind)
        role = db.session.scalar(sa.select(Role).where(Role.key == "manager"))
        # an exercise with a long name, many muscles and much equipment (its page and edit page)
        exercise = create_exercise({"name": "Single-arm overhead kettlebell walking lunge with a pause",
                                    "category": "kettlebell", "primary_muscles": ["quadriceps", "glutes", "shoulders"],
                                    "secondary_muscles": ["abs", "obliques", "hamstrings", "forearms"],
                                    "equipment": ["Competition kettlebell", "Long clear floor lane", "Chalk"],
                                    "video_url": "https://videos.example.com/a-very-long-video-address-" + "x" * 60,
                                    "description": "Step long and slow. " * 30})
        return {"room_id": room.id, "type_id": kind.id, "series_id": weekly.id, "key_id": key.id, "role_id": role.id,
                "exercise_id": exercise.id, "asset_id": asset}

    def face() -> None:
        from nexphys.members.models import User
        from nexphys.settings.services import save_settings
        from nexphys.storage.services import store_image
        from nexphys.studio.branding import DETAILS_SETTING, LOGO_SETTING
        from tests.pictures import picture

        db.session.get(User, coach).bio = "Teaches everything. " * 40
        # a wide logo beside the studio's long name in the header
        save_settings({LOGO_SETTING: store_image(picture(1200, 200), "logo", None).key})
        save_settings({DETAILS_SETTING: {"address_line1": "Building 12, The Very Long Industrial Estate Road",
                                         "city": "Llanfairpwllgwyngyll", "postcode": "LL61 5UJ", "country": "Wales",
                                         "phone": "+44 1248 000000", "email": "a-very-long-address@pocket.example",
                                         "about": "We are a studio. " * 30,
                                         "hours": [["06:00", "21:00"]] * 5 + [None, ["09:00", "12:00"]]}})

    run(app, studio, face)
    found = {"session_id": session_id, "booking_id": booking_id, "member_id": member, "instructor_id": coach,
             **run(app, studio, schedule), **run(app, studio, lambda: _program(member, session_id))}
    return {**found, "log_id": _training_log(app, studio, member, found["exercise_id"])}


def _training_log(app, studio, member: int, exercise_id: int) -> int:
    """A long-titled log with sets and a note: its page, its edit and removal pages, history, records, progress."""
    from tests.workouts.logging import log_as, squat_set

    log_as(app, studio, member, performed_on="2026-01-05", sets=[squat_set(exercise_id, 5, 20)])
    log_id, _ = log_as(app, studio, member, title="Long Saturday session of single-arm kettlebell walking lunges",
                       notes="Heavy today. " * 20, sets=[squat_set(exercise_id, 5, 24, rpe="8.5")] * 3)
    return log_id


def _program(member: int, session_id: int) -> dict[str, int]:
    """A program with a long name and a full day, assigned to the member with a training max, and a workout of
    the day on the class: the programs' pages and the editor's."""
    from datetime import date

    from nexphys.classes.models import ClassSession
    from nexphys.extensions import db
    from nexphys.workouts import program_training, programs
    from nexphys.workouts.models import Exercise

    lift = db.session.scalar(sa.select(Exercise.id).where(Exercise.name == "Back squat"))
    program = programs.create_program({"name": "Twelve weeks of long-named progressive strength and conditioning",
                                       "weeks": "12", "description": "Squat, press and pull. " * 10})
    day = programs.add_workout({"title": "Heavy lower body day with accessories", "day_number": 1}, program)
    programs.replace_blocks(day, [
        {"kind": "straight", "title": "Main lift", "prescriptions": [
            {"exercise_id": lift, "sets": 5, "reps": 5, "load_kind": "percent_tm", "load_value": 70, "tempo": "3-1-1-0",
             "progression": "add_percent", "progression_amount": 2.5, "deload_every_weeks": 4, "rest_seconds": 180,
             "notes": "Brace hard, sit between the hips."}]},
        {"kind": "emom", "interval_seconds": 60, "time_cap_seconds": 600, "prescriptions": [
            {"exercise_id": lift, "reps": 3, "load_kind": "rpe", "load_value": 7}]}])
    assignment = program_training.assign_program(program, member, date.today().isoformat())
    program_training.set_training_max(member, lift, "120", date.today())
    wod = programs.add_workout({"title": "Fran", "scoring": "time"})
    programs.replace_blocks(wod, [{"kind": "for_time", "rounds": 3, "prescriptions": [
        {"exercise_id": lift, "reps": 21, "load_kind": "kg", "load_value": 42.5}]}])
    program_training.attach_class_workout(wod, session=db.session.get(ClassSession, session_id))
    block = day.blocks[0]
    return {"program_id": program.id, "workout_id": day.id, "block_id": block.id,
            "prescription_id": block.prescriptions[0].id, "assignment_id": assignment.id}


def _equipment(room_id: int, coach: int) -> int:
    """A bike with a long name, a problem, a schedule overdue and a logged repair: its page shows every part."""
    from nexphys.equipment import services
    from nexphys.web.access import Principal

    actor = Principal("user", coach, "Coach", None)
    asset = services.create_asset({"name": "Keiser M3i indoor cycle number seventeen by the mirrors",
                                   "category": "Stationary bikes", "make": "Keiser", "model": "M3i Lite",
                                   "serial": "KM3I-2024-000017-EXTRA-LONG-SERIAL", "room_id": room_id,
                                   "cost": "2499.90", "notes": "Bought with the second room. " * 5}, None)
    services.add_schedule(asset, {"title": "Check and tighten the pedal cranks", "every_days": 7,
                                  "starts_on": "2020-01-01", "responsible_id": coach}, None)
    services.log_record(asset, {"what": "Replaced the brake pad and recalibrated the console"}, [], None)
    services.report_problem(asset, "The seat post slips down during sprints", None, actor)
    return asset.id


def pages(app, rows: dict[str, int]) -> list[str]:
    """Every GET page of a studio host, each argument filled with a real row's id."""
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or SKIPPED.match(rule.rule) or not set(rule.arguments) <= set(rows):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(int:)?{name}>", str(rows[name]), path)
        found.append(path)
    return sorted(set(found))


def phone_problems(tab, base: str, paths: list[str]) -> list[str]:
    """Pages wider than the phone, and controls on them shorter than a touch target."""
    found = []
    for path in paths:
        answer = tab.goto(base + path)
        assert answer is not None and answer.status < 500, (path, answer and answer.status)
        width = tab.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            found.append(f"{path}: {width} px wide")
        found += [f"{path}: {control}" for control in tab.evaluate(SMALL_CONTROLS, TOUCH_TARGET)]
    return found


def test_every_page_fits_a_phone_for_an_owner_and_a_member(app, studio, rows, live_port, phone):
    paths = pages(app, rows)
    assert len(paths) >= 35, paths  # the list comes from the app's routes: a broken filter must not pass
    owner = f"owner-{unique_slug('o')}@example.com"
    make_user(app, studio, "owner", owner, full_name="Olivia Longname-Proprietor")
    sign_in(phone, studio, live_port, owner, TEST_PASSWORD)
    base = studio_url(studio, live_port, "")
    as_of = f"/classes/{rows['session_id']}/roster?as_of=2030-01-01T09:00"  # the roster as it stood (query only)
    problems = phone_problems(phone, base, [*paths, as_of])

    member = f"member-{unique_slug('m')}@example.com"
    make_user(app, studio, "member", member, full_name="Max Member")
    phone.context.clear_cookies()
    sign_in(phone, studio, live_port, member, TEST_PASSWORD)
    problems += [f"(member) {p}" for p in phone_problems(phone, base, ["/", "/timetable", "/bookings", "/profile",
                                                             f"/classes/{rows['session_id']}",
                                                             "/account/password", "/about",
                                                             f"/instructors/{rows['instructor_id']}",
                                                             f"/equipment/{rows['asset_id']}/report",
                                                             "/training/history", "/training/records",
                                                             "/training/log/new",
                                                             f"/training/exercises/{rows['exercise_id']}",
                                                             "/training",
                                                             f"/programs/{rows['program_id']}"])]
    assert problems == []


def test_a_visitor_on_a_phone_opens_the_timetable_on_today(app, studio, rows, live_port, phone):
    phone.goto(studio_url(studio, live_port, "/"))
    phone.wait_for_url(re.compile(r"view=day"))  # the day view (the server's or nexphys.js's doing)
    strip = phone.locator("nav.day-strip")
    assert strip.is_visible() and strip.locator("a").count() == 7
    assert strip.locator('[aria-current="date"]').count() == 1


def test_the_joining_pages_and_the_apex_paths_fit_a_phone(app, studio, rows, live_port, phone):
    from tests.factories import set_settings

    set_settings(app, studio, joining_policy="open")
    try:
        problems = phone_problems(phone, studio_url(studio, live_port, ""),
                                  ["/join", "/join/check-email", "/terms", "/join/verify/not-a-token"])
        apex = f"http://localhost:{live_port}"
        problems += [f"(apex) {p}" for p in phone_problems(phone, apex, [
            "/", "/find", "/find?q=pocket", "/find?q=zz-nothing", "/start", "/start/check-email",
            "/start/verify/not-a-token", "/start/progress/not-a-token"])]
    finally:
        set_settings(app, studio, joining_policy="invite")
    assert problems == []


def test_the_desk_with_todays_classes_and_the_kiosk_fit_a_phone(app, studio, rows, live_port, phone):
    from tests.bookings.history import insert_booking

    moment = datetime.now(UTC)
    elapsed = moment - moment.replace(hour=0, minute=0, second=0, microsecond=0)
    today = make_session(app, studio, -elapsed / 2, minutes=int(elapsed.total_seconds() // 60) + 60,
                         name="Long Named Morning Reformer Intermediate")
    insert_booking(app, studio, today, rows["member_id"])
    manager = f"manager-{unique_slug('k')}@example.com"
    make_user(app, studio, "manager", manager, full_name="Kiosk Phone Manager")
    sign_in(phone, studio, live_port, manager, TEST_PASSWORD)
    base = studio_url(studio, live_port, "")
    problems = phone_problems(phone, base, ["/check-in"])
    assert phone.get_by_role("button", name=re.compile("Check Phone Member in")).count() == 1  # the class is listed
    phone.get_by_role("button", name=re.compile("Start kiosk")).click()
    phone.wait_for_url(re.compile(r"/kiosk$"))
    problems += phone_problems(phone, base, ["/kiosk", "/kiosk/unlock"])
    assert phone.url.endswith("/kiosk/unlock")  # (not sent away: the kiosk's own pages)
    assert problems == []
