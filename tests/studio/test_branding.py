"""The logo and details page: owners save them, managers read them, bad input is explained, and they show."""

from __future__ import annotations

import re

import pytest

from tests.factories import audit_entries, create_tenant, drop_tenant, person
from tests.pictures import picture
from tests.requests import csrf_token_from, login
from tests.running import host

PATH = "/settings/branding"
HOURS_CLOSED = {f"open_{i}": "" for i in range(7)}


@pytest.fixture(scope="module")
def studio(app):
    info = create_tenant(app, name="Brand New Barbell")
    yield info
    drop_tenant(app, info.slug)


def _client(app, studio, role_key: str = "owner"):
    client = app.test_client()
    assert login(client, studio, person(app, studio, role_key)[1]).status_code == 302
    return client


def _details(**changes) -> dict:
    data = {"brand_color": "#0f766e", "address_line1": "12 Iron Lane", "address_line2": "", "city": "Leeds",
            "postcode": "LS1 4AB", "country": "United Kingdom", "email": "hello@barbell.example",
            "phone": "+44 113 496 0000", "about": "Strength for everyone.\n\nCoaching in small groups.",
            "website": "barbell.example", "instagram": "@brandnewbarbell", "facebook": "",
            "open_0": "y", "from_0": "06:00", "to_0": "21:00", "open_5": "y", "from_5": "08:00", "to_5": "14:00"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _post(client, studio, path: str, data: dict, **kwargs):
    token = csrf_token_from(client, studio, PATH)
    return client.post(path, headers=host(studio), data={"csrf_token": token, **data}, **kwargs)


def test_owners_save_the_details_and_they_show_on_the_studio_page_and_timetable(app, studio):
    owner = _client(app, studio)
    response = _post(owner, studio, PATH, _details())
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Saved." in owner.get(PATH, headers=host(studio)).get_data(as_text=True)

    about = app.test_client().get("/about", headers=host(studio)).get_data(as_text=True)  # a visitor
    assert "12 Iron Lane" in about and "LS1 4AB Leeds" in about and "Coaching in small groups." in about
    assert "https://www.openstreetmap.org/search?query=12+Iron+Lane%2C+LS1+4AB+Leeds%2C+United+Kingdom" in about
    assert "mailto:hello@barbell.example" in about and 'href="tel:+441134960000"' in about
    assert "https://barbell.example" in about and "https://www.instagram.com/brandnewbarbell" in about
    assert re.search(r"<dt>Monday</dt><dd>06:00–21:00</dd>.*<dt>Tuesday</dt><dd>Closed</dd>", about, re.S)
    timetable = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    assert "12 Iron Lane" in timetable and 'href="/about"' in timetable
    assert "--brand: #0f766e" in timetable  # the colour reached every page

    entries = audit_entries(app, studio, "studio.details_updated")
    assert entries and "address_line1" in entries[-1]["details"]["fields"]
    assert audit_entries(app, studio, "studio.colour_changed")


def test_bad_details_are_explained_and_what_was_typed_is_kept(app, studio):
    owner = _client(app, studio)
    response = _post(owner, studio, PATH, _details(email="not an email", website="http://", instagram="https://x.example/me",
                                                   from_0="21:00", to_0="06:00", open_2="y", from_2="", to_2="",
                                                   brand_color="red", about="Kept words"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in page and "Enter a valid email address." in page
    assert "Enter a web address such as" in page and "Instagram page (on instagram.com)" in page
    assert "Monday: closing time must be after opening time." in page
    assert "Wednesday: give opening and closing times" in page and "Use a colour such as #2563eb." in page
    assert "Kept words" in page and 'value="12 Iron Lane"' in page


def test_managers_read_the_page_but_cannot_save_and_members_cannot_open_it(app, studio):
    manager = _client(app, studio, "manager")
    page = manager.get(PATH, headers=host(studio))
    assert page.status_code == 200 and "Only owners can change these." in page.get_data(as_text=True)
    assert _post(manager, studio, PATH, _details(city="Elsewhere")).status_code == 403
    assert _client(app, studio, "member").get(PATH, headers=host(studio)).status_code == 403


def _upload(client, studio, data: bytes, name: str = "logo.png"):
    import io

    return _post(client, studio, PATH + "/logo", {"image": (io.BytesIO(data), name)},
                 content_type="multipart/form-data")


def test_a_logo_replaces_the_initial_in_the_header_and_the_old_one_is_cleaned_up(app, studio):
    owner = _client(app, studio)
    assert _upload(owner, studio, picture(1200, 400)).status_code == 302
    page = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    first = re.search(r'<img class="brand-logo" src="(/files/logo/[0-9a-f]{32}\.png)"', page).group(1)
    assert 'class="brand-mark"' not in page
    served = app.test_client().get(first, headers=host(studio))
    assert served.status_code == 200 and served.mimetype == "image/png"

    assert _upload(owner, studio, picture(fmt="JPEG"), "photo.jpg").status_code == 302
    page = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    second = re.search(r'<img class="brand-logo" src="(/files/logo/[0-9a-f]{32}\.jpg)"', page).group(1)
    assert app.test_client().get(first, headers=host(studio)).status_code == 404  # the replaced logo is gone
    assert len(audit_entries(app, studio, "studio.logo_changed")) >= 2

    assert _post(owner, studio, PATH + "/logo/remove", {}).status_code == 302
    page = app.test_client().get("/", headers=host(studio)).get_data(as_text=True)
    assert 'class="brand-logo"' not in page and 'class="brand-mark"' in page
    assert app.test_client().get(second, headers=host(studio)).status_code == 404
    assert audit_entries(app, studio, "studio.logo_removed")


@pytest.mark.parametrize("data, name, words", [
    (b"GIF89a not really", "logo.png", "not a picture we can read"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo.svg", "SVG pictures cannot be used"),
    (b"\x89PNG" + b"x" * (11 * 1024 * 1024), "huge.png", "pictures can be at most 10 MB"),
])
def test_a_file_that_is_no_usable_picture_is_explained_on_the_page(app, studio, data, name, words):
    owner = _client(app, studio)
    response = _upload(owner, studio, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and words in page
    assert 'name="address_line1"' in page  # the rest of the page is there as before


def test_a_request_beyond_any_picture_gets_a_plain_page_not_a_crash(app, studio):
    response = _upload(_client(app, studio), studio, b"x" * (17 * 1024 * 1024), "enormous.png")
    assert response.status_code == 413 and "That file is too big" in response.get_data(as_text=True)
