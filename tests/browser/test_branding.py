"""The studio's face in a real Chromium: an owner uploads a logo and fills in the details, and a visitor sees
the logo in the timetable's header, the details under it and the studio page, with no CSP violation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.browser.pages import BROWSER_MARKS, expect, sign_in, studio_url
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, make_session, make_user, unique_slug
from tests.pictures import picture

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def studio(app):
    tenant = create_tenant(app, unique_slug("br"), "Granite Climbing Gym")
    make_session(app, tenant, starts_in=timedelta(hours=3), name="Bouldering Basics")
    yield tenant
    drop_tenant(app, tenant.slug)


def test_an_owner_uploads_a_logo_and_visitors_see_it_on_the_timetable(app, studio, live_port, page, tmp_path):
    owner = f"owner-{unique_slug('o')}@example.com"
    make_user(app, studio, "owner", owner, full_name="Gina Granite")
    logo = tmp_path / "granite-logo.png"
    logo.write_bytes(picture(900, 300, color="#0f766e"))
    not_a_picture = tmp_path / "notes.png"
    not_a_picture.write_text("these are notes, not a logo")

    sign_in(page, studio, live_port, owner, TEST_PASSWORD)
    page.goto(studio_url(studio, live_port, "/settings/branding"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Logo and details")
    page.get_by_label("Picture").set_input_files(str(not_a_picture))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_text("not a picture we can read")).to_be_visible()

    page.get_by_label("Picture").set_input_files(str(logo))
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_text("Logo saved.")).to_be_visible()
    expect(page.get_by_role("img", name="Granite Climbing Gym logo, as it is now")).to_be_visible()

    page.get_by_label("Street address").fill("7 Quarry Lane")
    page.get_by_label("Town or city").fill("Sheffield")
    page.get_by_label("Open on Monday").check()
    page.get_by_label("Monday opens at").fill("07:00")
    page.get_by_label("Monday closes at").fill("22:00")
    page.get_by_label("About the studio").fill("Walls for every grade.")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Saved. Members see the new details")).to_be_visible()

    page.context.clear_cookies()
    page.goto(studio_url(studio, live_port, "/"))
    header_logo = page.locator("header img.brand-logo")
    expect(header_logo).to_be_visible()
    assert page.evaluate("document.querySelector('header img.brand-logo').naturalWidth") == 600  # scaled down
    expect(page.locator("header .brand-mark")).to_have_count(0)
    strip = page.get_by_role("complementary", name=re.compile("where and when"))
    expect(strip).to_contain_text("7 Quarry Lane, Sheffield")
    strip.get_by_role("link", name=re.compile("^About Granite Climbing Gym")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Granite Climbing Gym")
    expect(page.get_by_text("Walls for every grade.")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Open the map"))).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/search\?query=7\+Quarry\+Lane"))
