"""Every route declares its access, and every default role gets exactly what its permissions say."""

from __future__ import annotations

import re

import pytest

from nexphys.roles.catalog import DEFAULT_ROLES
from nexphys.tenancy.resolver import Scope, endpoint_scope
from nexphys.web.access import access_of
from tests.factories import TEST_PASSWORD, make_user
from tests.requests import host, login

MISSING_ID = 987654


def _rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]


def _path(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        values[name] = MISSING_ID if converter == "IntegerConverter" else "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_route_declares_its_access(app):
    undeclared = sorted(rule.endpoint for rule in _rules(app) if access_of(app, rule.endpoint) is None)
    assert undeclared == [], f"routes without @public/@signed_in/@requires/@platform_admin: {undeclared}"


def test_every_route_declares_its_host_scope(app):
    scopes = {rule.endpoint: endpoint_scope(app, rule.endpoint) for rule in _rules(app)}
    assert set(scopes.values()) <= {Scope.TENANT, Scope.PLATFORM, Scope.ANY, Scope.NONE}


@pytest.fixture(scope="module")
def role_clients(app, tenant_a):
    clients = {}
    for key, *_ in DEFAULT_ROLES:
        email = f"matrix-{key}@example.com"
        make_user(app, tenant_a, key, email)
        client = app.test_client()
        assert login(client, tenant_a, email).status_code == 302
        page = client.get("/", headers=host(tenant_a)).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        clients[key] = (client, token)
    return clients


def _call(client, token, tenant, method, path):
    if path.startswith("/api/"):
        return client.open(path, method=method, headers=host(tenant), json={})
    return client.open(path, method=method, headers=host(tenant), data={"csrf_token": token})


@pytest.mark.parametrize("role_key", [key for key, *_ in DEFAULT_ROLES])
def test_tenant_routes_against_every_default_role(app, tenant_a, role_clients, role_key):
    client, token = role_clients[role_key]
    grants = set(next(codes for key, _n, _l, _d, codes in DEFAULT_ROLES if key == role_key))
    wrong = []
    for rule in _rules(app):
        access = access_of(app, rule.endpoint)
        scope = endpoint_scope(app, rule.endpoint)
        if rule.endpoint in ("auth.logout", "auth_api.sign_out_everywhere") or scope in (Scope.NONE,):
            continue
        path = _path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = _call(client, token, tenant_a, method, path).status_code
            if rule.endpoint == "kiosk.start" and status == 302:  # this browser is now a kiosk: unlock it
                client.post("/kiosk/unlock", headers=host(tenant_a), data={"csrf_token": token,
                                                                           "password": TEST_PASSWORD})
            if scope == Scope.PLATFORM:
                expected_denied, ok = True, status == 404  # platform pages do not exist on studio hosts
            elif access.kind == "permission":
                expected_denied = not access.grants(grants)
                ok = (status == 403) if expected_denied else status not in (401, 403)
            elif access.kind == "platform":
                expected_denied, ok = True, status in (403, 404)
            else:  # public or signed_in: a signed-in studio person is let through
                expected_denied, ok = False, status not in (401, 403)
            if not ok:
                wrong.append(f"{method} {path} ({access.describe()}): {status}, "
                             f"expected {'denied' if expected_denied else 'allowed'}")
    assert wrong == []


def test_anonymous_callers_are_sent_to_sign_in(app, client, tenant_a):
    wrong = []
    for rule in _rules(app):
        access = access_of(app, rule.endpoint)
        if access.kind in ("public",) or endpoint_scope(app, rule.endpoint) != Scope.TENANT:
            continue
        path = _path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = _call(client, "", tenant_a, method, path).status_code
            expected = (401,) if path.startswith("/api/") else (302, 400)  # 400: CSRF on anonymous posts
            if status not in expected:
                wrong.append(f"{method} {path}: {status}")
    assert wrong == []
