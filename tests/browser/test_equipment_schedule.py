"""Equipment meets the schedule in a real Chromium: a manager takes a bike out of service that a class in two days
needs, is warned which class before confirming, and then sees "Short of equipment" on the schedule and the
roster; on a phone the warning and the badge fit the screen."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.equipment.schedule_setup import bikes_and_classes
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, person, unique_slug
from tests.running import in_studio

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("eq"), "Equipment Spin Studio")
    yield tenant
    drop_tenant(app, tenant.slug)


@pytest.mark.parametrize("device", ["page", "phone"])
def test_taking_a_bike_out_warns_and_marks_the_class_short_on_the_schedule(app, studio, live_port, request, device):
    from nexphys.classes.models import ClassSession
    from nexphys.classes.queries import week_start
    from nexphys.extensions import db
    from nexphys.tenancy.context import require_tenant

    tab = request.getfixturevalue(device)
    setup = bikes_and_classes(app, studio, starts_in=[timedelta(days=2)])
    with in_studio(app, studio):
        monday = week_start(require_tenant().local(db.session.get(ClassSession, setup.session_ids[0]).starts_at)
                            .date())
    manager = person(app, studio, "manager")[1]
    sign_in(tab, studio, live_port, manager, TEST_PASSWORD)

    tab.goto(studio_url(studio, live_port, f"/equipment/{setup.asset_ids[0]}"))
    tab.get_by_label("New status").select_option("out_of_service")
    tab.get_by_label("Why").fill("Drive belt snapped")
    tab.get_by_role("button", name="Change status").click()
    warning = tab.get_by_role("status").filter(has_text="in the next 14 days need")
    expect(warning).to_be_visible()
    tab.get_by_role("button", name="Yes, it is out of service").click()
    expect(tab.get_by_role("heading", name=f"Classes short of {setup.category}")).to_be_visible()
    expect(tab.get_by_role("button", name="Reduce capacity of the affected classes…")).to_be_visible()

    tab.goto(studio_url(studio, live_port, f"/schedule?week={monday.isoformat()}"))
    badge = tab.locator(".equipment-short").first
    expect(badge).to_have_text("Short of equipment")
    expect(tab.get_by_text(f"2 of 3 {setup.category}")).to_be_visible()
    tab.goto(studio_url(studio, live_port, f"/classes/{setup.session_ids[0]}/roster"))
    expect(tab.get_by_role("status").filter(has_text="Short of equipment.")).to_be_visible()
    assert tab.evaluate("document.documentElement.scrollWidth") <= (390 if device == "phone" else 1400)
