"""Fixtures of the joining tests: a studio of their own, and signing up through the real pages."""

from __future__ import annotations

import re

import pytest

from tests.factories import create_tenant, drop_tenant, outbox_for, set_settings
from tests.requests import post_form
from tests.running import host

PASSWORD = "a-good-long-password"


@pytest.fixture(scope="module")
def studio(app):
    info = create_tenant(app, name="Joining Test Studio")
    yield info
    drop_tenant(app, info.slug)


def open_sign_up(app, tenant, policy: str = "open") -> None:
    set_settings(app, tenant, joining_policy=policy)


def sign_up(client, tenant, email: str, name: str = "Nina Newcomer", password: str = PASSWORD, accept: bool = True):
    data = {"full_name": name, "email": email, "password": password}
    if accept:
        data["accept_terms"] = "y"
    return post_form(client, tenant, "/join", data)


def verification_path(app, tenant, email: str) -> str:
    """The link of the newest verification email to `email`."""
    bodies = [m["body"] for m in outbox_for(app, tenant, email) if "Confirm your email" in m["subject"]]
    assert bodies, outbox_for(app, tenant, email)
    match = re.search(r"https?://[^/\s]+(/join/verify/\S+)", bodies[-1])
    assert match, bodies[-1]
    return match.group(1)


def get(client, tenant, path: str):
    return client.get(path, headers=host(tenant))
