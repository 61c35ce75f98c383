"""A schedule clash in a real Chromium: a manager adds a class whose instructor is already teaching then, sees
the clash listed with a link to the other class, nothing is scheduled until they choose to go ahead, and then
both classes are on the schedule. On a phone the warning fits the screen."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from nexphys.classes.models import ClassSession
from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.classes.factories import make_type
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, person, unique, unique_slug
from tests.running import rows

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("cl"), "Clash Cycle")
    yield tenant
    drop_tenant(app, tenant.slug)


@pytest.fixture(scope="module")
def manager(app, studio) -> str:
    return person(app, studio, "manager", full_name="Mina Manager")[1]


def _a_day_ahead(weeks: int) -> date:
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks, days=2)


def _classes_of(app, studio, type_id: int) -> list[ClassSession]:
    return rows(app, studio, sa.select(ClassSession).where(ClassSession.class_type_id == type_id))


def _add_class(tab, studio, port, type_name: str, day: date, time: str, coach: str) -> None:
    tab.goto(studio_url(studio, port, "/schedule/sessions/new"))
    tab.get_by_label("Class type").select_option(label=type_name)
    tab.get_by_label("Date").fill(day.isoformat())
    tab.get_by_label("Start time").fill(time)
    tab.get_by_label("Instructor").select_option(label=coach)
    tab.get_by_role("button", name="Add class").click()


@pytest.mark.parametrize("device", ["page", "phone"])
def test_a_clash_is_listed_and_kept_only_when_the_manager_goes_ahead(app, studio, manager, live_port, request,
                                                                     device):
    tab = request.getfixturevalue(device)
    coach = f"Coach {unique('C')}"
    person(app, studio, "instructor", full_name=coach)
    first, second = unique("Row"), unique("Ride")
    first_id, second_id = make_type(app, studio, name=first), make_type(app, studio, name=second)
    day = _a_day_ahead(weeks=3 if device == "page" else 4)
    sign_in(tab, studio, live_port, manager, TEST_PASSWORD)

    _add_class(tab, studio, live_port, first, day, "18:00", coach)
    tab.wait_for_url(re.compile(r"/schedule"))
    _add_class(tab, studio, live_port, second, day, "18:30", coach)

    warning = tab.get_by_role("alert").filter(has_text="This clashes with 1 other class")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"{coach} is teaching it")
    expect(warning.get_by_role("link", name=first)).to_be_visible()  # the other class, one tap away
    assert _classes_of(app, studio, second_id) == []  # held back: nothing scheduled yet
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]

    tab.get_by_label("Schedule it anyway").check()
    tab.get_by_role("button", name="Add class").click()
    expect(tab.get_by_text("It overlaps 1 other class (kept as you chose).")).to_be_visible()
    assert len(_classes_of(app, studio, second_id)) == 1 and len(_classes_of(app, studio, first_id)) == 1
