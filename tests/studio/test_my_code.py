"""A member's check-in code is one tap from their home: a link on the timetable and in their menu."""

from __future__ import annotations

from tests.requests import host, staff_client


def test_the_check_in_code_is_one_tap_from_a_members_home(app, tenant_a):
    member, _ = staff_client(app, tenant_a, "member")
    home = member.get("/", headers=host(tenant_a)).get_data(as_text=True)
    assert '<a href="/my-code">My check-in code</a>' in home
    page = member.get("/my-code", headers=host(tenant_a))
    assert page.status_code == 200 and 'class="qr-code"' in page.get_data(as_text=True)
    assert app.test_client().get("/my-code", headers=host(tenant_a)).status_code == 302  # sign in first
