"""Fixtures of the roles, API-key and audit tests: signed-in owners and managers of tenant_a."""

from __future__ import annotations

import pytest

from tests.requests import login
from tests.roles.factories import person


@pytest.fixture
def owner_email(app, tenant_a) -> str:
    return person(app, tenant_a, "owner")


@pytest.fixture
def manager_email(app, tenant_a) -> str:
    return person(app, tenant_a, "manager")


@pytest.fixture
def owner_client(app, tenant_a, owner_email):
    client = app.test_client()
    assert login(client, tenant_a, owner_email).status_code == 302
    return client


@pytest.fixture
def manager_client(app, tenant_a, manager_email):
    client = app.test_client()
    assert login(client, tenant_a, manager_email).status_code == 302
    return client
