"""The staff home: the studio's home page for owners, managers and instructors; members and visitors keep
the timetable. Real requests through the real app (PostgreSQL, Redis)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.extensions import db
from tests.factories import create_tenant, drop_tenant, make_session, person, set_settings
from tests.requests import login
from tests.running import host, run


@pytest.fixture(scope="module")
def studio(app):
    """A studio of its own: the home's numbers must be this test's alone."""
    info = create_tenant(app, name="Tide Yoga")
    yield info
    drop_tenant(app, info.slug)


@pytest.fixture(scope="module")
def people(app, studio) -> dict[str, tuple[int, str]]:
    return {role: person(app, studio, role) for role in ("owner", "manager", "instructor", "member")}


def signed_in(app, studio, people, role: str):
    client = app.test_client()
    assert login(client, studio, people[role][1]).status_code == 302
    return client


def home(client, studio) -> str:
    response = client.get("/", headers=host(studio))
    assert response.status_code == 200
    return response.get_data(as_text=True)


def book(app, studio, session_id: int, member_id: int) -> str:
    from nexphys.bookings.services import book as book_member

    return run(app, studio, lambda: book_member(session_id, member_id).booking.status)


def set_instructor(app, studio, session_id: int, instructor_id: int) -> None:
    from nexphys.classes.models import ClassSession

    run(app, studio, lambda: db.session.execute(sa.update(ClassSession).where(ClassSession.id == session_id)
                                                 .values(instructor_id=instructor_id)))


def test_staff_land_on_their_home_and_members_and_visitors_on_the_timetable(app, studio, people):
    make_session(app, studio, starts_in=timedelta(minutes=30), name="Sunrise Flow")
    for role in ("owner", "manager", "instructor"):
        page = home(signed_in(app, studio, people, role), studio)
        assert "<h1>Today</h1>" in page, role
    for client in (signed_in(app, studio, people, "member"), app.test_client()):
        page = home(client, studio)
        assert "<h1>Today</h1>" not in page and "Sunrise Flow" in page  # the timetable
    # Staff still reach the timetable as members see it, at its own address.
    timetable = signed_in(app, studio, people, "owner").get("/timetable", headers=host(studio))
    assert timetable.status_code == 200 and "Sunrise Flow" in timetable.get_data(as_text=True)
    assert "<h1>Today</h1>" not in timetable.get_data(as_text=True)


def test_the_home_shows_each_class_with_its_numbers_and_the_next_roster(app, make_tenant):
    fresh = make_tenant(name="Spin Corner")
    session_id = make_session(app, fresh, starts_in=timedelta(minutes=45), capacity=2, name="Lunch Spin")
    make_session(app, fresh, starts_in=timedelta(hours=3), name="Later Spin")
    members = [person(app, fresh, "member")[0] for _ in range(3)]
    assert [book(app, fresh, session_id, m) for m in members] == ["confirmed", "confirmed", "waitlisted"]

    page = home(signed_in(app, fresh, {"manager": person(app, fresh, "manager")}, "manager"), fresh)
    row = page[page.index("Lunch Spin"):]
    row = row[:row.index("</li>")]
    assert "<strong>2</strong> of 2 booked" in row and "1 waiting" in row
    assert f'href="/classes/{session_id}/roster"' in row
    # The next class is the one starting soonest, its roster one tap away.
    assert re.search(r"<h2 id=\"next-title\">Next: Lunch Spin at \d\d:\d\d", page)
    # A full class is flagged with who waits.
    assert "Lunch Spin today at" in page or "Lunch Spin tomorrow at" in page
    assert "is full, 1 person waiting." in page


def test_a_class_starting_soon_with_few_booked_needs_attention(app, studio, people):
    make_session(app, studio, starts_in=timedelta(hours=3), capacity=20, name="Quiet Pilates")
    page = home(signed_in(app, studio, people, "owner"), studio)
    assert re.search(r"Quiet Pilates (today|tomorrow) at \d\d:\d\d has 0 of 20 places booked\.", page)


def test_instructors_see_their_own_classes_only(app, studio, people):
    instructor_id = people["instructor"][0]
    theirs = make_session(app, studio, starts_in=timedelta(hours=2), name="Kettlebell Basics")
    make_session(app, studio, starts_in=timedelta(hours=2), name="Somebody Else's Barre")
    set_instructor(app, studio, theirs, instructor_id)

    page = home(signed_in(app, studio, people, "instructor"), studio)
    assert "Kettlebell Basics" in page and "Somebody Else" not in page and "your classes" in page
    manager = home(signed_in(app, studio, people, "manager"), studio)
    assert "Kettlebell Basics" in manager and "Somebody Else" in manager


def test_new_members_of_the_week_are_listed_for_those_who_may_read_members(app, studio, people):
    person(app, studio, "member", full_name="Nia Newcomer")
    page = home(signed_in(app, studio, people, "owner"), studio)
    assert "New members" in page and "Nia Newcomer" in page
    assert "Nia Newcomer" not in home(signed_in(app, studio, people, "instructor"), studio)  # their classes only


def test_a_new_studio_gets_its_first_steps_until_they_are_done(app, make_tenant):
    fresh = make_tenant(name="Blank Slate Gym")
    owner = person(app, fresh, "owner")
    client = app.test_client()
    assert login(client, fresh, owner[1]).status_code == 302
    page = home(client, fresh)
    assert "Get your studio ready" in page and "0 of 6 done" in page
    assert 'href="/schedule/rooms/new"' in page and "Add your rooms" in page
    assert '<a href="/settings/joining">Open sign-up</a>' in page

    from nexphys.classes.models import Room

    run(app, fresh, lambda: db.session.add(Room(name="Main hall", capacity=20)))
    page = home(client, fresh)
    assert "1 of 6 done" in page and 'href="/schedule/rooms/new"' not in page
    set_settings(app, fresh, joining_policy="approval")  # "open sign-up": open or with the staff's approval
    page = home(client, fresh)
    assert "2 of 6 done" in page and '>Open sign-up</a>' not in page
    # Brand: done with a logo, or with details filled in (an empty address is not enough).
    from nexphys.settings.services import save_settings
    from nexphys.studio.branding import DETAILS_SETTING

    assert '<a href="/settings/branding">Add your logo and details</a>' in page
    run(app, fresh, save_settings, {DETAILS_SETTING: {"address_line1": "", "about": ""}})
    assert "2 of 6 done" in home(client, fresh)
    run(app, fresh, save_settings, {DETAILS_SETTING: {"address_line1": "3 Slate Row", "about": ""}})
    page = home(client, fresh)
    assert "3 of 6 done" in page and '<a href="/settings/branding">Add your logo' not in page
    # Members never see the steps: their home is the timetable.
    member = app.test_client()
    assert login(member, fresh, person(app, fresh, "member")[1]).status_code == 302
    assert "Get your studio ready" not in home(member, fresh)


def test_the_header_groups_staff_links_in_menus_and_keeps_members_links_flat(app, studio, people):
    page = home(signed_in(app, studio, people, "owner"), studio)
    for menu in ("Schedule", "People", "Settings"):
        assert f"<summary>{menu}</summary>" in page or f'<summary class="nav-current">{menu}</summary>' in page
    assert "<summary>Menu</summary>" in page  # phones: one menu
    assert 'href="/schedule"' in page and 'href="/settings/allowed-networks"' in page

    member = home(signed_in(app, studio, people, "member"), studio)
    assert "<summary>Schedule</summary>" not in member and "<summary>Settings</summary>" not in member
    assert 'href="/timetable"' in member and 'href="/bookings"' in member


def test_the_home_costs_the_same_queries_however_many_classes(app, studio, people):
    """A fixed number of statements, not one per class (the day's numbers come grouped)."""
    from sqlalchemy import event

    client = signed_in(app, studio, people, "owner")

    def statements() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
        with app.app_context():
            engine = db.engine
        home(client, studio)  # caches warm, each time: changes (of other tests too) are forgotten as they arrive
        event.listen(engine, "before_cursor_execute", listener)
        try:
            home(client, studio)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    # One class in the home's two days first: with none, the grouped booking counts are not even asked for.
    make_session(app, studio, starts_in=timedelta(hours=4), name="First of the day")
    before = statements()
    for n in range(5):
        make_session(app, studio, starts_in=timedelta(hours=4, minutes=n), name=f"Extra {n}")
    assert statements() < before + 5  # one per class would be five more (a cache refill adds one or two)
