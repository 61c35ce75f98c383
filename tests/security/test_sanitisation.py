"""Input sanitisation (issue 10, item 6): what people type is stored as given and shown escaped.

Each payload below is written through the real API and services into every text field one person types and
another sees: class type names and descriptions, class notes, cancellation reasons, room names, people's
names, emergency contacts and health notes, role names and descriptions, API key names, the studio's name and
a browser's User-Agent (the audit log shows it). Then every page and API answer that shows those fields is
fetched. On the pages the payload reads back exactly as typed once the HTML is parsed (so it was there, as
text) and never became markup; the API returns it verbatim as JSON data; mail headers cannot be injected;
the calendar feeds escape it; and `next=` cannot send anyone to another site.

No field is rendered as rich text (Markdown or HTML) today, so there is no sanitiser to test: every field is
plain text, escaped by Jinja's autoescaping (and plain, unescaped, in the text/plain emails).
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from nexphys.api_keys.services import issue_api_key
from nexphys.extensions import db
from tests.bookings.apiclient import token_headers
from tests.classes.factories import open_booking
from tests.factories import TEST_PASSWORD, create_tenant, drop_tenant, email_for, outbox_for, person, principal_for
from tests.platform.requests import ADMIN_EMAIL, APEX, admin_login
from tests.requests import csrf_token_from, login, page_csrf, post_form
from tests.running import host, in_studio

LONG_UNIT = "<script>alert(1)</script>\"'&"
PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "js_url": "javascript:alert(1)",
    "textarea": "</textarea><svg onload=alert(1)>",
    "template": "{{7*7}}",
    "header": "Hi\r\nBcc: x@evil.example",
    "rtl": "invoice\u202egnp.exe",
    "ical": "a,b;c\\d",
    "long": LONG_UNIT * 100,  # cut to each field's limit
}
# The studio's own name (one studio for the module): every markup payload at once, a line break included.
STUDIO_NAME = ('Studio <script>alert(1)</script> "><img src=x onerror=alert(1)> {{7*7}} \u202e a,b;c\\d'
               '\r\nBcc: x@evil.example')
# The member whose own pages are read (bookings, profile, feed) carries them all too.
VIEWER_NAME = '<script>alert(1)</script> "><img src=x onerror=alert(1)> </textarea><svg onload=alert(1)> {{7*7}}'
USER_AGENT = '"><img src=x onerror=alert(1)> <script>alert(1)</script>'
OFF_SITE = ["//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
            "javascript:alert(1)", "http:evil.example", " //evil.example", "/\r\nSet-Cookie: a=b",
            "https:/evil.example", "//evil.example/%2F..", "/\x0b/evil.example"]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "hx-get", "hx-post"}


def sized(payload: str, limit: int, tag: str) -> str:
    """The payload cut to a field's limit, ending in `tag`: a suffix naming the field and the payload, so no
    field's value is found on a page because another field (with the same payload) is there."""
    return payload[:limit - len(tag)] + tag


def collapsed(text: str) -> str:
    """Runs of white space made one space: how page text is compared, and how role and API key names are stored."""
    return " ".join(text.split())


# --- reading HTML back ------------------------------------------------------------------------------------

class _Page(HTMLParser):
    """Every start tag with its attributes, and every text and attribute value, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.values.extend(value for _, value in attrs if value)

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.texts.append(data)

    def text(self) -> str:
        """The text (a run of it may cross tags: urlize links an address) and, apart, each attribute's value."""
        return "\n".join([collapsed("".join(self.texts)), *map(collapsed, self.values)])


def markup_of(response, path: str = "") -> str:
    """Parse a page, fail on any markup a payload could have made, and return its text (whitespace collapsed)."""
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "text/html", path
    page = _Page()
    page.feed(response.get_data(as_text=True))
    page.close()
    for tag, attrs in page.tags:
        names = {name for name, _ in attrs}
        assert not any(name.startswith("on") for name in names), (path, tag, attrs)  # onerror=, onload=
        if tag == "script":
            assert (dict(attrs).get("src") or "").startswith("/static/"), (path, attrs)  # only our own files
        if tag == "img":
            assert dict(attrs).get("src") != "x", (path, attrs)
        for name, value in attrs:
            if name in URL_ATTRIBUTES and value:
                assert not re.sub(r"[\x00-\x20]", "", value).lower().startswith("javascript:"), (path, name, value)
    assert "49" not in [t.strip() for t in page.texts], path  # {{7*7}} was never evaluated
    return page.text()


def shows(text: str, *values: str) -> None:
    """Each value appears in the page's text as typed (entities decoded, white space collapsed)."""
    for value in values:
        assert collapsed(value) in text, value[:80]


# --- the studio and what its people typed -----------------------------------------------------------------

@dataclass
class Typed:
    """One payload, written into every field."""

    key: str
    type_id: int = 0
    type_name: str = ""
    description: str = ""
    room_id: int = 0
    room_name: str = ""
    instructor_id: int = 0
    instructor_name: str = ""
    member_id: int = 0
    member_email: str = ""
    member_name: str = ""
    contact: str = ""
    health: str = ""
    booked_id: int = 0  # a class the member and the viewer booked
    cancelled_id: int = 0  # one the studio cancelled after they booked it
    notes: str = ""
    reason: str = ""
    role_id: int = 0
    role_name: str = ""
    role_description: str = ""
    key_name: str = ""
    invitee_name: str = ""


@dataclass
class World:
    studio: object
    owner: dict  # API headers
    owner_id: int
    viewer_id: int
    viewer_email: str
    viewer: dict
    typed: list[Typed] = field(default_factory=list)
    days: set = field(default_factory=set)

    def by(self, key: str) -> Typed:
        return next(t for t in self.typed if t.key == key)


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_json()


def _type_everything(app, client, world: World, index: int, key: str, payload: str) -> Typed:
    """Write one payload into every field, through the API (and the API key service)."""
    studio, owner = world.studio, world.owner
    t = Typed(key)
    t.type_name, t.description = sized(payload, 80, f" ~t{index}"), sized(payload, 2000, f" ~d{index}")
    t.type_id = _ok(client.post("/api/v1/class-types", headers=owner, json={
        "name": t.type_name, "description": t.description, "duration_minutes": 45, "default_capacity": 10}),
        201)["id"]
    t.room_name = sized(payload, 80, f" ~r{index}")
    t.room_id = _ok(client.post("/api/v1/rooms", headers=owner, json={"name": t.room_name, "capacity": 20}), 201)["id"]
    # people: an instructor (named by the owner), a member who names themself, an invited person
    t.instructor_name = sized(payload, 120, f" ~i{index}")
    t.instructor_id, _ = person(app, studio, "instructor")
    _ok(client.patch(f"/api/v1/members/{t.instructor_id}", headers=owner, json={"full_name": t.instructor_name}))
    t.member_id, t.member_email = person(app, studio, "member")
    t.member_name = sized(payload, 120, f" ~m{index}")
    t.contact, t.health = sized(payload, 200, f" ~c{index}"), sized(payload, 2000, f" ~h{index}")
    member = token_headers(app, studio, t.member_id)
    _ok(client.patch(f"/api/v1/members/{t.member_id}", headers=member, json={
        "full_name": t.member_name, "emergency_contact": t.contact, "health_notes": t.health}))
    t.invitee_name = sized(payload, 120, f" ~v{index}")
    _ok(client.post("/api/v1/members", headers=owner, json={
        "email": email_for("invitee"), "full_name": t.invitee_name, "role": "member"}), 201)
    # classes: one booked, one booked and then cancelled with a reason
    t.notes, t.reason = sized(payload, 2000, f" ~n{index}"), sized(payload, 500, f" ~x{index}")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2, minutes=index)
    ids = []
    for offset in (0, 30):
        world.days.add((starts + timedelta(minutes=offset)).date())
        ids.append(_ok(client.post("/api/v1/classes", headers=owner, json={
            "class_type_id": t.type_id, "starts_at": (starts + timedelta(minutes=offset)).isoformat(),
            "room_id": t.room_id, "instructor_id": t.instructor_id, "notes": t.notes}), 201)["id"])
    t.booked_id, t.cancelled_id = ids
    for headers in (member, world.viewer):
        for session_id in ids:
            _ok(client.post("/api/v1/bookings", headers=headers, json={"session_id": session_id}), 201)
    _ok(client.post(f"/api/v1/classes/{t.cancelled_id}/cancel", headers=owner, json={"reason": t.reason}))
    # a role and an API key (both stored with runs of white space made one)
    t.role_name = collapsed(sized(payload, 80, f" ~o{index}"))
    t.role_description = collapsed(sized(payload, 200, f" ~p{index}"))
    t.role_id = _ok(client.post("/api/v1/roles", headers=owner, json={
        "name": t.role_name, "key": f"typed_{index}", "level": 1, "permissions": ["bookings:read:own"],
        "description": t.role_description}), 201)["id"]
    t.key_name = collapsed(sized(payload, 80, f" ~k{index}"))
    with in_studio(app, studio):
        issue_api_key(t.key_name, ["classes:read"], principal_for(world.owner_id))
        db.session.commit()
    return t


@pytest.fixture(scope="module")
def world(app):
    studio = create_tenant(app, name=STUDIO_NAME)
    open_booking(app, studio)
    client = app.test_client()
    owner_id, _ = person(app, studio, "owner")
    viewer_id, viewer_email = person(app, studio, "member", label="viewer")
    owner = token_headers(app, studio, owner_id)
    viewer = token_headers(app, studio, viewer_id)
    _ok(client.patch(f"/api/v1/members/{viewer_id}", headers=viewer, json={
        "full_name": VIEWER_NAME, "emergency_contact": VIEWER_NAME, "health_notes": VIEWER_NAME}))
    made = World(studio, owner, owner_id, viewer_id, viewer_email, viewer)
    for index, (key, payload) in enumerate(PAYLOADS.items()):
        made.typed.append(_type_everything(app, client, made, index, key, payload))
    yield made
    drop_tenant(app, studio.slug)


@pytest.fixture(scope="module")
def owner_pages(app, world):
    """The owner signed in to the pages (sending a User-Agent the audit log then shows)."""
    from nexphys.members.models import User

    with in_studio(app, world.studio):
        owner_email = db.session.get(User, world.owner_id).email
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT  # on every request: a session may be bound to it
    token = page_csrf(client.get("/login", headers=host(world.studio)).get_data(as_text=True))
    answer = client.post("/login", headers=host(world.studio), data={"csrf_token": token, "email": owner_email,
                                                                     "password": TEST_PASSWORD})
    assert answer.status_code == 302
    return client


@pytest.fixture(scope="module")
def viewer_pages(app, world):
    """The viewer (a member named with every payload) signed in to the pages."""
    client = app.test_client()
    assert login(client, world.studio, world.viewer_email).status_code == 302
    return client


def _get(client, world, path: str) -> str:
    return markup_of(client.get(path, headers=host(world.studio)), path)


def _every_page(client, world, path: str, rows: int, per_page: int) -> str:
    """The text of every page of a list of `rows` rows, `per_page` a page."""
    joiner = "&" if "?" in path else "?"
    return " ".join(_get(client, world, f"{path}{joiner}page={n}") for n in range(1, -(-rows // per_page) + 1))


def _count(app, world, model, *where) -> int:
    with in_studio(app, world.studio):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _weeks(world) -> list[str]:
    """A day of each week the module's classes are in (Mondays)."""
    return sorted({(day - timedelta(days=day.weekday())).isoformat() for day in world.days})


# --- the pages ----------------------------------------------------------------------------------------------

def test_the_public_timetable_and_class_pages_show_it_as_text(app, world):
    anonymous = app.test_client()
    texts = " ".join(_get(anonymous, world, f"/?view=day&date={day.isoformat()}") for day in sorted(world.days))
    shows(texts, STUDIO_NAME, *(t.type_name for t in world.typed), *(t.instructor_name for t in world.typed),
          *(t.room_name for t in world.typed))
    for t in world.typed:
        shows(_get(anonymous, world, f"/classes/{t.booked_id}"), STUDIO_NAME, t.type_name, t.description,
              t.instructor_name, t.room_name)
        shows(_get(anonymous, world, f"/classes/{t.cancelled_id}"), t.type_name, t.reason)


def test_the_staff_schedule_pages_and_forms_show_it_as_text(world, owner_pages):
    schedule = " ".join(_get(owner_pages, world, f"/schedule?week={week}") for week in _weeks(world))
    shows(schedule, *(t.type_name for t in world.typed), *(t.room_name for t in world.typed))
    for t in world.typed:
        shows(_get(owner_pages, world, f"/schedule/class-types/{t.type_id}/edit"), t.type_name, t.description)
        shows(_get(owner_pages, world, f"/schedule/rooms/{t.room_id}/edit"), t.room_name)
        shows(_get(owner_pages, world, f"/schedule/sessions/{t.booked_id}/edit"), t.type_name, t.notes)
        shows(_get(owner_pages, world, f"/schedule/sessions/{t.booked_id}/cancel"), t.type_name)
        shows(_get(owner_pages, world, f"/classes/{t.booked_id}/roster"), t.type_name, t.member_name, VIEWER_NAME)
        shows(_get(owner_pages, world, f"/classes/{t.cancelled_id}/roster"), t.reason)
        # what staff type into the roster's search comes back in the page, as text
        shows(_get(owner_pages, world, f"/classes/{t.booked_id}/roster?q={quote(t.member_name[:100])}"),
              t.member_name[:100])


def test_the_check_in_desk_shows_it_as_text(world, owner_pages):
    desk = _get(owner_pages, world, f"/check-in?q={quote(VIEWER_NAME)}")
    shows(desk, VIEWER_NAME)
    if world.days == {datetime.now(UTC).date()}:  # the desk lists today's classes (not so just before midnight)
        shows(desk, *(t.type_name for t in world.typed))


def test_the_members_pages_show_names_and_private_notes_as_text(app, world, owner_pages):
    from nexphys.members.models import User
    from nexphys.members.views import PER_PAGE

    everyone = _every_page(owner_pages, world, "/members", _count(app, world, User), PER_PAGE)
    shows(everyone, VIEWER_NAME, *(t.member_name for t in world.typed), *(t.instructor_name for t in world.typed),
          *(t.invitee_name for t in world.typed))
    for t in world.typed:
        shows(_get(owner_pages, world, f"/members/{t.member_id}"), t.member_name, t.contact, t.health)
        shows(_get(owner_pages, world, f"/members/{t.instructor_id}"), t.instructor_name)
        shows(_get(owner_pages, world, f"/members?q={quote(t.member_name[:100])}"), t.member_name[:100])


def test_roles_api_keys_and_the_audit_log_show_it_as_text(world, owner_pages):
    roles = _get(owner_pages, world, "/roles")
    shows(roles, *(t.role_name for t in world.typed), *(t.role_description for t in world.typed))
    for t in world.typed:
        shows(_get(owner_pages, world, f"/roles/{t.role_id}/edit"), t.role_name, t.role_description)
    shows(_get(owner_pages, world, "/settings/api-keys"), *(t.key_name for t in world.typed))
    shows(_get(owner_pages, world, "/audit?action=role.created"), *(t.role_name for t in world.typed))
    shows(_get(owner_pages, world, "/audit?action=api_key.created"), *(t.key_name for t in world.typed))
    shows(_get(owner_pages, world, "/audit?action=auth.sign_in"), USER_AGENT)  # the browser's, in a title
    _get(owner_pages, world, f"/audit?action={quote(USER_AGENT)}")  # an unknown filter: still no markup


def test_the_notifications_and_outbox_pages_show_subjects_and_bodies_as_text(app, world, owner_pages):
    from nexphys.mail.models import OutboxMessage

    messages = _count(app, world, OutboxMessage)
    listed = _every_page(owner_pages, world, "/notifications?per_page=100", messages, 100)
    outbox = _every_page(owner_pages, world, "/dev/outbox", messages, 25)
    for t in world.typed:
        shows(listed, t.type_name)  # in the subjects (their line breaks made spaces)
        shows(outbox, t.type_name, t.member_name, t.reason, t.invitee_name)


def test_the_members_own_pages_show_it_as_text(app, world, viewer_pages):
    from nexphys.bookings.models import Booking
    from nexphys.bookings.views import PER_PAGE

    booked = _count(app, world, Booking, Booking.member_id == world.viewer_id)
    mine = _every_page(viewer_pages, world, "/bookings", booked, PER_PAGE)
    shows(mine, STUDIO_NAME, *(t.type_name for t in world.typed), *(t.room_name for t in world.typed))
    profile = _get(viewer_pages, world, "/profile")
    shows(profile, VIEWER_NAME)  # in the form's inputs, the textarea and the QR code's title
    assert f"Check-in code for {collapsed(VIEWER_NAME)}" in profile
    code = _get(viewer_pages, world, "/my-code")
    shows(code, VIEWER_NAME)  # the caption and the QR code's title
    assert f"Check-in code for {collapsed(VIEWER_NAME)}" in code
    shows(_get(viewer_pages, world, f"/classes/{world.by('script').booked_id}"), world.by("script").type_name)


def test_a_fragment_answered_to_htmx_shows_it_as_text(app, world, viewer_pages):
    t = world.by("attribute")
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=5)
    extra = _ok(app.test_client().post("/api/v1/classes", headers=world.owner, json={
        "class_type_id": t.type_id, "starts_at": starts.isoformat(), "room_id": t.room_id}), 201)["id"]
    token = csrf_token_from(viewer_pages, world.studio, f"/classes/{extra}")
    booked = viewer_pages.post(f"/classes/{extra}/book", headers={**host(world.studio), "HX-Request": "true"},
                               data={"csrf_token": token, "card": "detail", "next": f"/classes/{extra}"})
    assert booked.status_code == 200
    fragment = _Page()
    fragment.feed(booked.get_data(as_text=True))
    assert fragment.tags and fragment.tags[0][0] != "html"  # a fragment, not a page
    assert not any(name.startswith("on") for _, attrs in fragment.tags for name, _ in attrs)
    assert not any(tag in ("img", "script", "svg") for tag, _ in fragment.tags)
    assert collapsed(t.type_name) in fragment.text()


def test_the_platform_console_shows_the_studio_name_as_text(app, world):
    from nexphys.platform.services import create_admin, find_admin
    from tests.factories import password_hash

    with app.app_context():
        if find_admin(ADMIN_EMAIL) is None:
            create_admin(ADMIN_EMAIL, "Root Admin", password_hash=password_hash())
            db.session.commit()
    client = app.test_client()
    assert admin_login(client).status_code == 302
    listed = markup_of(client.get(f"/platform/?q={quote('Studio <script>')}", headers=APEX))
    shows(listed, STUDIO_NAME)
    shows(markup_of(client.get(f"/platform/tenants/{world.studio.id}", headers=APEX)), STUDIO_NAME)


def test_error_pages_do_not_reflect_markup(app, world):
    client = app.test_client()
    for path in ("/nothing-here/%3Cscript%3Ealert(1)%3C/script%3E", '/classes/999999?x="><img src=x onerror=alert(1)>'):
        answer = client.get(path, headers={**host(world.studio), "Accept": "text/html"})
        assert answer.status_code == 404
        page = _Page()
        page.feed(answer.get_data(as_text=True))
        assert not any(tag == "img" or any(n.startswith("on") for n, _ in attrs) for tag, attrs in page.tags)
        assert all(tag != "script" or dict(attrs).get("src", "").startswith("/static/") for tag, attrs in page.tags)


# --- the API --------------------------------------------------------------------------------------------

def test_the_api_returns_every_field_verbatim(app, world):
    client = app.test_client()
    owner = world.owner
    for t in world.typed:
        answer = client.get(f"/api/v1/class-types/{t.type_id}", headers=owner)
        assert answer.mimetype == "application/json"
        assert (answer.get_json()["name"], answer.get_json()["description"]) == (t.type_name, t.description)
        assert _ok(client.get(f"/api/v1/rooms/{t.room_id}", headers=owner))["name"] == t.room_name
        session = _ok(client.get(f"/api/v1/classes/{t.booked_id}", headers=owner))
        assert (session["name"], session["notes"], session["room"]["name"], session["instructor"]["full_name"]) == \
            (t.type_name, t.notes, t.room_name, t.instructor_name)
        assert _ok(client.get(f"/api/v1/classes/{t.cancelled_id}", headers=owner))["cancel_reason"] == t.reason
        member = _ok(client.get(f"/api/v1/members/{t.member_id}", headers=owner))
        assert (member["full_name"], member["emergency_contact"], member["health_notes"]) == \
            (t.member_name, t.contact, t.health)
        role = _ok(client.get(f"/api/v1/roles/{t.role_id}", headers=owner))
        assert (role["name"], role["description"]) == (t.role_name, t.role_description)
        roster = _ok(client.get(f"/api/v1/classes/{t.booked_id}/roster", headers=owner))
        assert roster["session"]["name"] == t.type_name
        assert t.member_name in [e["member"]["full_name"] for group in roster["groups"].values() for e in group]
    timetable = [entry for day in sorted(world.days)
                 for entry in _ok(client.get(f"/api/v1/classes?date={day.isoformat()}", headers=owner))["items"]]
    assert {t.type_name for t in world.typed} <= {entry["name"] for entry in timetable}
    assert {t.instructor_name for t in world.typed} <= {entry["instructor"] for entry in timetable}
    mine = _ok(client.get("/api/v1/bookings?per_page=100", headers=world.viewer))["items"]
    assert {(t.type_name, t.room_name) for t in world.typed} <= {(b["class"]["name"], b["class"]["room"]) for b in mine}
    assert _ok(client.get(f"/api/v1/members/{world.viewer_id}", headers=world.viewer))["full_name"] == VIEWER_NAME


def test_text_over_a_fields_limit_is_refused_not_an_error(app, world):
    client, owner, t = app.test_client(), world.owner, world.by("script")
    too_long = LONG_UNIT * 100
    assert client.post("/api/v1/class-types", headers=owner, json={
        "name": too_long, "duration_minutes": 45, "default_capacity": 10}).status_code == 422
    assert client.post("/api/v1/rooms", headers=owner, json={"name": too_long, "capacity": 5}).status_code == 422
    assert client.patch(f"/api/v1/members/{t.member_id}", headers=owner,
                        json={"full_name": too_long}).status_code == 422
    assert client.patch(f"/api/v1/classes/{t.booked_id}", headers=owner,
                        json={"notes": too_long * 2}).status_code == 422
    assert client.post(f"/api/v1/classes/{t.booked_id}/cancel", headers=owner,
                       json={"reason": too_long}).status_code == 422
    assert client.post("/api/v1/members", headers=owner, json={
        "email": "a@example.com\r\nBcc: x@evil.example", "full_name": "Header Injector"}).status_code == 422


# --- email ----------------------------------------------------------------------------------------------

def _headers_of(app, studio, message_id: int):
    """The email an outbox message becomes, serialised and parsed back as a mail client would."""
    from nexphys.mail.models import OutboxMessage
    from nexphys.mail.services import build_message

    with in_studio(app, studio):
        built = build_message(db.session.get(OutboxMessage, message_id))
    return email.message_from_bytes(built.as_bytes(), policy=email.policy.default)


def test_email_subjects_cannot_inject_headers_and_bodies_stay_plain_text(app, world):
    from nexphys.mail.models import OutboxMessage

    t = world.by("header")
    messages = outbox_for(app, world.studio, t.member_email)
    assert {m["kind"] for m in messages} >= {"booking_confirmed", "session_cancelled"}
    for m in messages:
        assert "\r" not in m["subject"] and "\n" not in m["subject"]
        assert collapsed(t.type_name) in m["subject"]
        assert t.member_name in m["body"]  # a plain-text body carries the name as typed
    with in_studio(app, world.studio):
        ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(OutboxMessage.to_address.in_(
            [t.member_email, world.viewer_email]))))
        invitations = list(db.session.scalars(sa.select(OutboxMessage.id).where(OutboxMessage.kind == "invitation")))
    for message_id in ids + invitations[:2]:
        parsed = _headers_of(app, world.studio, message_id)
        # A text email, or text with an HTML twin (and a calendar file): no other header got in.
        assert set(parsed.keys()) <= {"From", "To", "Subject", "Content-Type", "Content-Transfer-Encoding",
                                      "MIME-Version"}, parsed.keys()
        assert {"From", "To", "Subject", "Content-Type"} <= set(parsed.keys())
        assert parsed["Bcc"] is None and "evil.example" not in parsed["To"]
        for part in parsed.walk():  # and the HTML twin shows names escaped, never as markup
            if part.get_content_type() == "text/html":
                assert "<script" not in part.get_content().lower()
    plain = outbox_for(app, world.studio, world.viewer_email)
    script = world.by("script")
    assert any(script.type_name in m["body"] for m in plain)
    assert not any("&lt;" in m["body"] or "&#34;" in m["body"] or "&quot;" in m["body"] for m in plain)


class _FakeSMTP:
    """Stands in for smtplib.SMTP: keeps what would have been sent."""

    sent: list = []

    def __init__(self, host, port, timeout=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        _FakeSMTP.sent.append(message.as_bytes())


def test_delivery_sends_clean_headers_and_refuses_an_address_that_would_inject(app, world, monkeypatch, owner_pages):
    from nexphys.mail import services as mail
    from nexphys.mail.models import OutboxMessage

    monkeypatch.setattr(mail.smtplib, "SMTP", _FakeSMTP)
    monkeypatch.setitem(app.config, "SMTP_URL", "smtp://mail.example.test:25")
    _FakeSMTP.sent = []
    t = world.by("header")
    with in_studio(app, world.studio):
        # a row as one queued before subjects were cleaned, and one whose address no header can carry
        old = OutboxMessage(to_address=t.member_email, subject=f"Cancelled: {t.type_name}", body_text="Hello",
                            kind="generic")
        bad = OutboxMessage(to_address="a@example.com\r\nBcc: x@evil.example", subject=f"Cancelled: {t.type_name}",
                            body_text="Hello", kind="generic")
        db.session.add_all([old, bad])
        db.session.commit()
        old_id, bad_id = old.id, bad.id
    with app.app_context():
        assert mail.deliver_message(old_id, tenant_id=world.studio.id) == "sent"
        assert mail.deliver_message(bad_id, tenant_id=world.studio.id) == "refused"
    (raw,) = _FakeSMTP.sent
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None and b"\nBcc:" not in raw and parsed["To"] == t.member_email
    assert parsed["Subject"] == f"Cancelled: {collapsed(t.type_name)}"
    with in_studio(app, world.studio):
        refused = db.session.get(OutboxMessage, bad_id)
        assert (refused.status, refused.attempts) == ("failed", 1)  # shown to staff, not retried for ever
        error = refused.last_error
    assert "linefeed" in error
    shows(_get(owner_pages, world, "/notifications?status=failed"), error, "to a@example.com Bcc: x@evil.example")


# --- the calendar feeds -----------------------------------------------------------------------------------

KNOWN_PROPERTIES = {"BEGIN", "END", "PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME", "X-WR-TIMEZONE",
                    "X-PUBLISHED-TTL", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION",
                    "STATUS"}


def _feed(app, world, path: str) -> tuple[Calendar, list[str]]:
    answer = app.test_client().get(path, headers=host(world.studio))
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert answer.headers["Content-Disposition"] == 'inline; filename="classes.ics"'  # a fixed name, no input
    raw = answer.get_data()
    lines = raw.replace(b"\r\n ", b"").decode().split("\r\n")  # unfolded content lines
    assert lines[-1] == "" and all(line for line in lines[:-1])
    for line in lines[:-1]:
        assert re.match(r"[A-Z-]+", line).group(0) in KNOWN_PROPERTIES, line  # nothing injected as a property
    calendar = Calendar.from_ical(raw)
    assert sum(line == "BEGIN:VEVENT" for line in lines) == len(calendar.walk("VEVENT"))
    return calendar, lines


def _as_ical(text: str) -> str:
    return text.replace("\r\n", "\n")  # iCalendar has one line break, written \n


def test_calendar_feeds_escape_commas_semicolons_backslashes_and_line_breaks(app, world):
    from nexphys.calendar import services as feeds

    with in_studio(app, world.studio):
        studio_token, member_token = feeds.studio_token(), feeds.member_token(world.viewer_id)
        db.session.commit()
    studio_calendar, studio_lines = _feed(app, world, f"/calendar/{studio_token}.ics")
    member_calendar, member_lines = _feed(app, world, f"/calendar/{member_token}.ics")
    assert "X-WR-CALNAME:Studio <script>alert(1)</script> \"><img src=x onerror=alert(1)> {{7*7}} \u202e " \
           "a\\,b\\;c\\\\d\\nBcc: x@evil.example timetable" in studio_lines
    ical = world.by("ical")
    index = list(PAYLOADS).index("ical")
    assert f"SUMMARY:a\\,b\\;c\\\\d ~t{index}" in studio_lines and f"LOCATION:a\\,b\\;c\\\\d ~r{index}" in member_lines
    for calendar in (studio_calendar, member_calendar):
        events = calendar.walk("VEVENT")
        summaries = {str(e["SUMMARY"]) for e in events}
        for t in world.typed:
            assert _as_ical(t.type_name) in summaries
            assert _as_ical(f"{t.type_name} (cancelled)") in summaries
        descriptions = [str(e.get("DESCRIPTION", "")) for e in events]
        assert any(_as_ical(ical.reason) in d for d in descriptions)
        assert any(_as_ical(world.by("header").reason) in d for d in descriptions)
        assert {_as_ical(t.room_name) for t in world.typed} <= {str(e.get("LOCATION")) for e in events}


# --- redirects ----------------------------------------------------------------------------------------------

def test_safe_next_refuses_every_off_site_target():
    from nexphys.web.safety import safe_next

    for target in OFF_SITE:
        assert safe_next(target, default="/home") == "/home", target
    assert safe_next("/classes/3?week=2026-01-05") == "/classes/3?week=2026-01-05"


def _same_site(location: str, studio) -> bool:
    parts = urlsplit(location)
    return parts.netloc in ("", f"{studio.slug}.localhost") and parts.path.startswith("/") \
        and not parts.path.startswith("//") and "\\" not in location and "evil.example" not in location


def test_sign_in_and_back_links_never_send_anyone_off_site(app, world, owner_pages):
    from nexphys.mail.models import OutboxMessage

    anonymous = app.test_client()
    for target in OFF_SITE:
        form = anonymous.get(f"/login?next={quote(target, safe='')}", headers=host(world.studio))
        assert 'name="next" value="/"' in form.get_data(as_text=True), target
    for target in ("//evil.example", "https://evil.example", "/\\evil.example", "/\r\nSet-Cookie: a=b"):
        client = app.test_client()
        token = csrf_token_from(client, world.studio, "/login")
        answer = client.post("/login", headers=host(world.studio), data={
            "csrf_token": token, "email": world.viewer_email, "password": TEST_PASSWORD, "next": target})
        assert answer.status_code == 302 and _same_site(answer.headers["Location"], world.studio), target
        assert not any("a=b" in cookie for cookie in answer.headers.getlist("Set-Cookie")), target
    with in_studio(app, world.studio):
        failed = OutboxMessage(to_address=world.viewer_email, subject="x", body_text="x", status="failed")
        db.session.add(failed)
        db.session.commit()
        failed_id = failed.id
    for target in ("//evil.example", "https://evil.example", "/\\evil.example", "/\r\nX: y"):
        answer = post_form(owner_pages, world.studio, "/notifications", {"next": target},
                           action=f"/notifications/{failed_id}/retry")
        assert answer.status_code == 302 and urlsplit(answer.headers["Location"]).path == "/notifications", target
        with in_studio(app, world.studio):
            db.session.get(OutboxMessage, failed_id).status = "failed"
            db.session.commit()
    platform = app.test_client()
    for target in OFF_SITE:
        form = platform.get(f"/platform/login?next={quote(target, safe='')}", headers=APEX)
        assert 'name="next" value="/platform/"' in form.get_data(as_text=True), target


def test_nothing_typed_was_changed_on_the_way_in(app, world):
    """Stored as given: the rows hold exactly what the API was sent (names keep their line breaks)."""
    from nexphys.classes.models import ClassSession, ClassType, Room
    from nexphys.members.models import User

    with in_studio(app, world.studio):
        for t in world.typed:
            class_type, room = db.session.get(ClassType, t.type_id), db.session.get(Room, t.room_id)
            session, cancelled = db.session.get(ClassSession, t.booked_id), db.session.get(ClassSession, t.cancelled_id)
            member = db.session.get(User, t.member_id)
            assert (class_type.name, class_type.description, room.name) == (t.type_name, t.description, t.room_name)
            assert (session.notes, cancelled.cancel_reason) == (t.notes, t.reason)
            assert (member.full_name, member.emergency_contact, member.health_notes) == (t.member_name, t.contact,
                                                                                       t.health)
        assert world.by("header").type_name.startswith("Hi\r\nBcc:")

