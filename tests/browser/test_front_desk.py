"""The front desk in a real Chromium, at desktop and phone widths: checking in an expected member from today's
classes (the class's counts change in place), the kiosk (start, a typed code, the welcome, the lock, unlocking),
and the camera scanner reading a real QR code from Chromium's fake camera."""

from __future__ import annotations

import re

import pytest

from tests.bookings.history import insert_booking
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.pages import BROWSER_MARKS, CHROMIUM, expect, sign_in, studio_url
from tests.browser.test_browser import studio  # noqa: F401 - the same studio fixture, own instance
from tests.factories import TEST_PASSWORD, make_session, make_user, now, unique_slug
from tests.running import in_studio

pytestmark = BROWSER_MARKS


def _open_class(app, tenant, name: str) -> int:
    """A class of today, open for check-in now and not over, whatever the hour."""
    moment = now()
    elapsed = moment - moment.replace(hour=0, minute=0, second=0)
    return make_session(app, tenant, -elapsed / 2, minutes=int(elapsed.total_seconds() // 60) + 60, name=name)


def _member(app, tenant, name: str) -> int:
    return make_user(app, tenant, "member", f"{unique_slug('m')}@example.com", full_name=name)


def _staff(app, tenant, role_key: str = "instructor") -> str:
    email = f"{role_key}-{unique_slug('s')}@example.com"
    make_user(app, tenant, role_key, email, full_name=f"Front {role_key.title()}")
    return email


@pytest.mark.parametrize("tab_name", ["page", "phone"])
def test_staff_check_in_an_expected_member_and_the_class_counts_follow(app, studio, live_port, tab_name,  # noqa: F811
                                                                       request):
    tab = request.getfixturevalue(tab_name)
    session_id = _open_class(app, studio, f"Desk Arrivals {tab_name.title()}")
    member = _member(app, studio, "Ari Arrival")
    insert_booking(app, studio, session_id, member)
    insert_booking(app, studio, session_id, _member(app, studio, "Bea Later"))
    sign_in(tab, studio, live_port, _staff(app, studio), TEST_PASSWORD)
    tab.goto(studio_url(studio, live_port, "/check-in"))
    counts = tab.locator(f"#desk-counts-{session_id}")
    expect(counts).to_have_text("2 of 10 booked · 0 checked in · 2 to come")
    tab.evaluate("window.__samePage = true")
    tab.get_by_role("button", name=re.compile(rf"Check Ari Arrival in to Desk Arrivals {tab_name.title()}")).click()
    expect(tab.locator(f"#desk-class-{session_id} .row-message")).to_have_text("Ari Arrival is checked in.")
    expect(counts).to_have_text("2 of 10 booked · 1 checked in · 1 to come")
    tab.get_by_role("button", name="Undo the check-in of Ari Arrival to " + f"Desk Arrivals {tab_name.title()}").click()
    expect(counts).to_have_text("2 of 10 booked · 0 checked in · 2 to come")
    assert tab.evaluate("window.__samePage === true")
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]


@pytest.mark.parametrize("tab_name", ["page", "phone"])
def test_a_member_checks_in_at_the_kiosk_which_stays_locked_until_unlocked(app, studio, live_port,  # noqa: F811
                                                                           tab_name, request):
    from nexphys.checkin import codes

    tab = request.getfixturevalue(tab_name)
    session_id = _open_class(app, studio, "Kiosk Spin")
    sam = _member(app, studio, "Sam Kiosk")
    insert_booking(app, studio, session_id, sam)
    with in_studio(app, studio):
        code = codes.short_code(sam)
    staff = _staff(app, studio, "manager")
    sign_in(tab, studio, live_port, staff, TEST_PASSWORD)
    tab.goto(studio_url(studio, live_port, "/check-in"))
    tab.get_by_role("button", name=re.compile("Start kiosk")).click()
    tab.wait_for_url(re.compile(r"/kiosk$"))
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Welcome to")
    expect(tab.get_by_role("button", name="Check in", exact=True)).to_be_visible()
    tab.get_by_label("Your member code").fill(code)
    tab.get_by_role("button", name="Check in", exact=True).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"Welcome, Sam — you're checked in to \d\d:\d\d Kiosk Spin\."))
    assert tab.evaluate("document.documentElement.scrollWidth") <= tab.viewport_size["width"]
    tab.wait_for_url(re.compile(r"/kiosk$"))
    expect(tab.get_by_label("Your member code")).to_be_visible(timeout=10000)  # reset for the next member
    for path in ("/", "/check-in", "/schedule"):
        tab.goto(studio_url(studio, live_port, path))
        assert tab.url.endswith("/kiosk"), path
    tab.get_by_role("link", name="Staff: unlock this kiosk").click()
    tab.get_by_label("Password").fill("not the password")
    tab.get_by_role("button", name="Unlock").click()
    expect(tab.get_by_role("alert")).to_contain_text("not the password")
    tab.get_by_label("Password").fill(TEST_PASSWORD)
    tab.get_by_role("button", name="Unlock").click()
    tab.wait_for_url(re.compile(r"/check-in$"))
    expect(tab.get_by_role("heading", level=1)).to_have_text("Check-in")


def _qr_video(data: str, path, size: int = 480) -> None:
    """A few seconds of y4m video (what Chromium's fake camera plays) showing a QR code of `data`."""
    import segno

    matrix = [list(row) for row in segno.make(data, error="m").matrix]
    border = 4
    cells = len(matrix) + 2 * border
    scale = size // cells
    luma = bytearray(b"\xff" * size * size)
    offset = (size - cells * scale) // 2
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for dy in range(scale):
                    start = (offset + (y + border) * scale + dy) * size + offset + (x + border) * scale
                    luma[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (size // 2) * (size // 2)
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{size} H{size} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(20):
            out.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


def test_the_desk_scanner_reads_a_members_qr_from_the_camera(app, studio, live_port, tmp_path, browser):  # noqa: F811
    from nexphys.checkin import codes

    session_id = _open_class(app, studio, "Scanner Rowing")
    member = _member(app, studio, "Quinn Scanned")
    insert_booking(app, studio, session_id, member)
    with in_studio(app, studio):
        url = codes.check_in_url(member)
    video = tmp_path / "qr.y4m"
    _qr_video(url, video)
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]
    # A second Chromium with a fake camera, from the module's Playwright (one instance per thread)
    chromium = browser.browser_type.launch(executable_path=CHROMIUM, args=args, headless=True)
    try:
        tab = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
        tab.set_default_timeout(10000)
        sign_in(tab, studio, live_port, _staff(app, studio), TEST_PASSWORD)
        tab.goto(studio_url(studio, live_port, "/check-in"))
        tab.get_by_role("button", name="Scan a code with the camera").click()
        tab.wait_for_url(re.compile(r"/check-in/[^/]+$"))
        expect(tab.locator(".flash-success")).to_have_text(
            re.compile(r"Quinn Scanned is checked in to Scanner Rowing at \d\d:\d\d\."))
    finally:
        chromium.close()


def test_without_a_camera_the_scanner_says_so_and_the_search_stays(app, studio, live_port, page):  # noqa: F811
    sign_in(page, studio, live_port, _staff(app, studio), TEST_PASSWORD)
    page.goto(studio_url(studio, live_port, "/check-in"))
    page.get_by_role("button", name="Scan a code with the camera").click()  # headless: no camera, no permission
    expect(page.locator("[data-scan-status]")).to_have_text(re.compile(r"camera|Camera"))
    expect(page.get_by_role("searchbox", name="Name, email or member code")).to_be_visible()
