"""Every booking email carries the studio's logo (an absolute address to its served file) and its address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from nexphys.mail.models import OutboxMessage
from tests.factories import create_tenant, drop_tenant, make_session, person
from tests.pictures import picture
from tests.running import host, rows, run


@pytest.fixture(scope="module")
def branded(app):
    info = create_tenant(app, name="Lighthouse Rowing Club")
    yield info
    drop_tenant(app, info.slug)


def _last_message(app, studio, address: str) -> OutboxMessage:
    return rows(app, studio, sa.select(OutboxMessage).where(OutboxMessage.to_address == address)
                .order_by(OutboxMessage.id))[-1]


def test_the_logo_and_address_are_in_the_html_and_the_address_in_the_text_twin(app, client, branded):
    from nexphys.bookings.services import book
    from nexphys.settings.services import save_settings
    from nexphys.storage.services import store_image
    from nexphys.studio.branding import DETAILS_SETTING, LOGO_SETTING

    member_id, email = person(app, branded, "member")
    plain_session = make_session(app, branded, starts_in=timedelta(days=3), name="Plain Erg Session")
    run(app, branded, lambda: book(plain_session, member_id))
    plain = _last_message(app, branded, email)
    assert "<img" not in plain.body_html and "Lighthouse Rowing Club" in plain.body_html  # the name stands in

    def brand() -> None:
        save_settings({LOGO_SETTING: store_image(picture(), "logo", None).key,
                       DETAILS_SETTING: {"address_line1": "1 Quay Road", "city": "Falmouth", "postcode": "TR11 3HA",
                                         "phone": "+44 1326 000000", "email": "row@lighthouse.example"}})

    run(app, branded, brand)
    session_id = make_session(app, branded, starts_in=timedelta(days=2), name="Harbour Sculling")
    run(app, branded, lambda: book(session_id, member_id))
    message = _last_message(app, branded, email)
    logo = re.search(r'<img src="(http://[^"]+/files/logo/[0-9a-f]{32}\.png)" alt="Lighthouse Rowing Club"',
                     message.body_html)
    assert logo, message.body_html
    assert logo.group(1).startswith(f"http://{branded.slug}.localhost")
    path = logo.group(1).split("localhost", 1)[1].split("/", 1)[1]
    assert client.get("/" + path, headers=host(branded)).status_code == 200  # what the mail app fetches is served
    for body in (message.body_text, message.body_html):
        assert "1 Quay Road, TR11 3HA Falmouth" in body and "+44 1326 000000" in body
        assert "row@lighthouse.example" in body
    assert "openstreetmap.org/search?query=1+Quay+Road" in message.body_text


def test_invitations_and_password_links_are_letters_in_the_studios_frame(app, branded):
    """The account emails too: HTML with its twin, the link as a button, the studio's address at the foot."""
    from flask import current_app

    from nexphys.auth.services import request_password_reset, send_invitation
    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.settings.services import save_settings
    from nexphys.studio.branding import DETAILS_SETTING
    from nexphys.tenancy.urls import studio_url

    member_id, email = person(app, branded, "member", full_name="Ines Invited")

    def send() -> None:
        save_settings({DETAILS_SETTING: {"address_line1": "1 Quay Road", "city": "Falmouth", "postcode": "TR11 3HA"}})
        with current_app.test_request_context("/", base_url=studio_url(branded.slug)):
            send_invitation(db.session.get(User, member_id), invited_by="Olga Owner")
            request_password_reset(email)

    run(app, branded, send)
    invitation, reset = rows(app, branded, sa.select(OutboxMessage).where(OutboxMessage.to_address == email)
                             .order_by(OutboxMessage.id))[-2:]
    for message, button in ((invitation, "Choose your password"), (reset, "Choose a new password")):
        link = re.search(r"(http://\S+/password/reset/\S+)", message.body_text).group(1)
        assert f"{button}: {link}" in message.body_text and "Hello Ines Invited," in message.body_text
        assert f'<a href="{link}"' in message.body_html and f">{button}</a>" in message.body_html
        for body in (message.body_text, message.body_html):
            assert "1 Quay Road, TR11 3HA Falmouth" in body
    assert "Olga Owner invited you to Lighthouse Rowing Club" in invitation.body_html
