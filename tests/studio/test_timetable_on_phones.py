"""The timetable on a phone: the day view by default (today), with a strip of the week's days."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.factories import make_session
from tests.running import host

PHONE = {"Sec-CH-UA-Mobile": "?1"}  # what Chromium on a phone sends with every request


def test_a_phone_gets_the_day_view_of_today_and_a_desktop_the_week(app, make_tenant):
    studio = make_tenant(name="Strip Studio")
    make_session(app, studio, starts_in=timedelta(hours=1), name="Morning Strip Flow")
    client = app.test_client()
    phone = client.get("/", headers={**host(studio), **PHONE})
    page = phone.get_data(as_text=True)
    assert phone.status_code == 200 and "Sec-CH-UA-Mobile" in phone.headers["Vary"]
    assert 'class="day-strip"' in page and 'aria-current="date"' in page
    assert len(re.findall(r'<a href="/\?view=day&amp;date=\d{4}-\d\d-\d\d"', page)) >= 7  # the week's days
    assert 'aria-current="page">Day</a>' in page and "data-phone-day" not in page

    desktop = client.get("/", headers=host(studio)).get_data(as_text=True)
    assert 'aria-current="page">Week</a>' in desktop and 'class="day-strip"' not in desktop
    # Browsers that do not say they are phones are sent to today's day view by nexphys.js, once.
    assert re.search(r'data-phone-day="/\?view=day&amp;date=\d{4}-\d\d-\d\d"', desktop)
    asked = client.get("/?view=week", headers={**host(studio), **PHONE}).get_data(as_text=True)
    assert 'aria-current="page">Week</a>' in asked and "data-phone-day" not in asked  # what was asked for wins
