"""A member on a phone, checked in to a class with a workout, logs a result with a set (adding it with "Add a
set"), sees "New record" and the leaderboard; and a progress chart is drawn from its JSON under the CSP."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, make_user, unique_slug
from tests.workouts.factories import make_exercise
from tests.workouts.logging import class_with_workout, log_as, squat_set

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("tl"), "Browser Training Studio")
    yield tenant
    drop_tenant(app, tenant.slug)


def test_a_member_on_a_phone_logs_a_class_result_and_sees_the_record_and_the_leaderboard(app, studio, live_port,
                                                                                        phone):
    squat = make_exercise(app, studio, name="Phone squat")
    email = f"pia-{unique_slug('m')}@example.com"
    member = make_user(app, studio, "member", email, full_name="Pia Phone")
    rival = make_user(app, studio, "member", f"r-{unique_slug('m')}@example.com", full_name="Rob Rival")
    session_id, _ = class_with_workout(app, studio, squat, members=((member, "checked_in"), (rival, "checked_in")))
    log_as(app, studio, rival, session_id=session_id, result_time="9:30", on_leaderboard=True)
    sign_in(phone, studio, live_port, email, TEST_PASSWORD)
    phone.goto(studio_url(studio, live_port, f"/classes/{session_id}"))
    phone.get_by_role("button", name="Log your result").click()
    phone.wait_for_url(re.compile(r"/training/log/new\?session="))

    phone.get_by_label("Minutes").fill("8")
    phone.get_by_label("Seconds").fill("05")
    rows = phone.locator(".set-row")
    before = rows.count()
    phone.get_by_role("button", name="Add a set").click()
    expect(rows).to_have_count(before + 1)
    added = rows.nth(before)
    added.locator("select").select_option(label="Phone squat")
    added.get_by_label("Reps").fill("5")
    added.get_by_label("kg").fill("100")
    phone.get_by_label("Show my result on the class leaderboard").check()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Save the log").click()

    phone.wait_for_url(re.compile(rf"/classes/{session_id}$"))
    expect(phone.locator("body")).to_contain_text("New record: Phone squat 5 × 100 kg (estimated 1RM 116.7 kg)")
    board = phone.locator("ol.leaderboard li")
    expect(board).to_have_count(2)
    expect(board.nth(0)).to_contain_text("Pia P.")
    expect(board.nth(0)).to_contain_text("8:05")
    expect(phone.locator(".leaderboard-mine")).to_contain_text("Pia P.")
    expect(board.nth(1)).to_contain_text("Rob R.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_progress_chart_is_drawn_from_its_json_with_a_table_twin(app, studio, live_port, phone):
    deadlift = make_exercise(app, studio, name="Phone deadlift")
    email = f"dee-{unique_slug('m')}@example.com"
    member = make_user(app, studio, "member", email)
    for day, kg in (("2026-01-05", 120), ("2026-01-12", 125)):
        log_as(app, studio, member, performed_on=day, sets=[squat_set(deadlift, 5, kg)])
    sign_in(phone, studio, live_port, email, TEST_PASSWORD)
    phone.goto(studio_url(studio, live_port, f"/training/exercises/{deadlift}"))
    phone.wait_for_function("window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    assert phone.evaluate("Chart.getChart(document.querySelector('canvas')).data.datasets[0].data.length") == 2
    expect(phone.locator("details.table-twin tbody tr")).to_have_count(2)
