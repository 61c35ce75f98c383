"""The booking rules settings page: who may see and save it, validation, and that saved rules bind bookings."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from nexphys.bookings.rules import DURATION_SETTINGS, ROLE_OVERRIDABLE, RULE_SETTINGS
from tests.factories import audit_entries, make_session, person
from tests.requests import host, login, page_csrf
from tests.running import in_studio

PATH = "/settings/booking"


def _signed_in(app, client, studio, role_key: str) -> int:
    user_id, email = person(app, studio, role_key)
    assert login(client, studio, email).status_code == 302
    return user_id


def _inputs(html: str) -> dict[str, str]:
    """The form's text/number inputs, ticked checkboxes and selects' chosen options, as a browser would post them."""
    data = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        value = re.search(r'value="([^"]*)"', tag)
        if kind == "checkbox":
            if "checked" in tag:
                data[name.group(1)] = value.group(1) if value else "y"
        else:
            data[name.group(1)] = value.group(1) if value else ""
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = (re.search(r'<option value="([^"]*)" selected', options)
                  or re.search(r'<option value="([^"]*)"', options))
        data[name] = chosen.group(1) if chosen else ""
    return data


def _reset(app, studio):
    from nexphys.extensions import db
    from nexphys.settings.services import default_settings, save_settings

    with in_studio(app, studio):
        save_settings({key: default_settings()[key] for key in (*RULE_SETTINGS, "role_booking_rules",
                                                              "timetable_requires_sign_in")})
        db.session.commit()


@pytest.fixture(autouse=True)
def default_rules(app, studio):
    yield
    _reset(app, studio)


def test_owner_sees_every_rule_and_every_role_with_the_current_values(app, client, studio):
    _signed_in(app, client, studio, "owner")
    response = client.get(PATH, headers=host(studio))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for key, (_attr, label, low, high) in RULE_SETTINGS.items():
        assert f'<label for="{key}">{label}</label>' in html
        assert f"From {low} to {high}." in html if key not in DURATION_SETTINGS else "Up to 7 days." in html
    # durations in the largest whole unit, with a unit picker: 2 hours of free cancellation, 30 minutes of waitlist
    assert 'id="free_cancellation_minutes_before" name="free_cancellation_minutes_before" value="2"' in html
    assert re.search(r'name="free_cancellation_minutes_before_unit".*?<option value="hours" selected>', html, re.S)
    assert 'name="waitlist_closes_minutes_before" value="30"' in html
    # one box per role and overridable setting; premium members' seeded overrides are filled in
    for role in ("member", "premium_member", "instructor", "manager", "owner"):
        for key in ROLE_OVERRIDABLE:
            assert f'name="role__{role}__{key}"' in html
    data = _inputs(html)
    assert data["role__premium_member__max_upcoming_bookings"] == "20"
    assert data["role__member__max_upcoming_bookings"] == ""
    assert 'placeholder="Default: 10"' in html
    assert data["booking_opens_days_before"] == "7"
    assert 'name="timetable_requires_sign_in"' in html and "timetable_requires_sign_in" not in data
    assert "Save booking rules" in html and 'href="/settings/booking"' in html  # header link "Settings"


def test_bad_values_re_render_with_messages_and_nothing_is_saved(app, client, studio):
    _signed_in(app, client, studio, "owner")
    data = _inputs(client.get(PATH, headers=host(studio)).get_data(as_text=True))
    data.update({"booking_opens_days_before": "999", "max_upcoming_bookings": "lots", "waitlist_size": "",
                 "role__premium_member__max_upcoming_bookings": "0"})
    response = client.post(PATH, headers=host(studio), data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Booking opens (days before the class): must be between 0 and 365." in html
    assert "Enter a whole number, such as 30." in html  # "lots"
    assert "Waitlist places per class (0 turns the waitlist off): enter a whole number." in html
    assert "Most upcoming bookings a member may hold: must be between 1 and 1000." in html  # the premium box
    assert 'aria-invalid="true"' in html and 'class="error-summary"' in html
    assert 'value="999"' in html  # what was typed stays in the form
    from nexphys.settings.services import settings

    with in_studio(app, studio):
        assert settings(["booking_opens_days_before", "max_upcoming_bookings"]) == {
            "booking_opens_days_before": 7, "max_upcoming_bookings": 10}


def test_booking_must_open_before_it_closes(app, client, studio):
    _signed_in(app, client, studio, "owner")
    data = _inputs(client.get(PATH, headers=host(studio)).get_data(as_text=True))
    data.update({"booking_opens_days_before": "1", "booking_closes_minutes_before": "1440"})
    response = client.post(PATH, headers=host(studio), data=data)
    assert response.status_code == 422
    assert "Booking would never be open" in response.get_data(as_text=True)
    assert "(1 day before the class)" in response.get_data(as_text=True)  # in days, not 1440 minutes


def test_durations_are_typed_in_hours_or_days_and_stored_in_minutes(app, client, studio):
    from nexphys.settings.services import settings

    _signed_in(app, client, studio, "owner")
    data = _inputs(client.get(PATH, headers=host(studio)).get_data(as_text=True))
    data.update({"free_cancellation_minutes_before": "3", "free_cancellation_minutes_before_unit": "hours",
                 "reminder_minutes_before": "1", "reminder_minutes_before_unit": "days"})
    assert client.post(PATH, headers=host(studio), data=data).status_code == 302
    try:
        with in_studio(app, studio):
            assert settings(["free_cancellation_minutes_before", "reminder_minutes_before"]) == {
                "free_cancellation_minutes_before": 180, "reminder_minutes_before": 1440}
        data.update({"booking_closes_minutes_before": "8", "booking_closes_minutes_before_unit": "days",
                     "waitlist_closes_minutes_before": "soon"})
        refused = client.post(PATH, headers=host(studio), data=data)
        html = refused.get_data(as_text=True)
        assert refused.status_code == 422 and "Booking closes before the class: can be at most 7 days." in html
        assert "Enter a whole number, such as 2." in html and 'value="soon"' in html
        assert re.search(r'name="booking_closes_minutes_before_unit".*?<option value="days" selected>', html, re.S)
    finally:
        _reset(app, studio)


def test_saved_rules_change_what_booking_allows_and_are_audited(app, client, studio):
    from nexphys.bookings import services

    owner = _signed_in(app, client, studio, "owner")
    data = _inputs(client.get(PATH, headers=host(studio)).get_data(as_text=True))
    data.update({"max_upcoming_bookings": "1", "role__premium_member__max_upcoming_bookings": "2",
                 "role__premium_member__booking_opens_days_before": "", "timetable_requires_sign_in": "y"})
    response = client.post(PATH, headers=host(studio), data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(PATH)
    page = client.get(PATH, headers=host(studio)).get_data(as_text=True)
    assert "Booking rules saved." in page
    saved = _inputs(page)
    assert saved["max_upcoming_bookings"] == "1" and saved["role__premium_member__booking_opens_days_before"] == ""
    assert saved["timetable_requires_sign_in"] == "y"

    member, _ = person(app, studio, "member")
    premium, _ = person(app, studio, "premium_member")
    sessions = [make_session(app, studio, timedelta(days=1, hours=n)) for n in range(3)]
    with in_studio(app, studio):
        services.book(sessions[0], member)
        with pytest.raises(services.OverBookingLimit):
            services.book(sessions[1], member)
        services.book(sessions[0], premium)
        services.book(sessions[1], premium)  # premium members hold two
        with pytest.raises(services.OverBookingLimit):
            services.book(sessions[2], premium)
        from nexphys.extensions import db

        db.session.rollback()
    entries = audit_entries(app, studio, "settings.updated")
    assert entries and entries[-1]["actor_user_id"] == owner
    changes = entries[-1]["details"]["changes"]
    assert changes["max_upcoming_bookings"] == [10, 1]
    assert changes["role_booking_rules"][1] == "premium_member: max_upcoming_bookings=2"
    assert changes["timetable_requires_sign_in"] == [False, True]
    # saving the same values again changes nothing and records nothing
    client.post(PATH, headers=host(studio), data={**saved, "csrf_token": page_csrf(page)})
    assert len(audit_entries(app, studio, "settings.updated")) == len(entries)


def test_managers_may_look_but_only_owners_may_save(app, client, studio):
    _signed_in(app, client, studio, "manager")
    page = client.get(PATH, headers=host(studio))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Only owners can change these rules" in html and "disabled" in html
    data = _inputs(html)
    data["max_upcoming_bookings"] = "3"
    assert client.post(PATH, headers=host(studio), data=data).status_code == 403
    member_client = app.test_client()
    _signed_in(app, member_client, studio, "member")
    assert member_client.get(PATH, headers=host(studio)).status_code == 403
    instructor_client = app.test_client()
    _signed_in(app, instructor_client, studio, "instructor")
    assert instructor_client.get(PATH, headers=host(studio)).status_code == 403
