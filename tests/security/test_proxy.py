"""Behind a load balancer: TRUSTED_PROXY_HOPS decides whose X-Forwarded-* headers are believed.

Off (0), a client's own X-Forwarded-For, -Proto and -Host change nothing, and the per-IP sign-in limit
counts the socket's address. With one trusted hop, each visitor behind the balancer has their own
address (and their own limit), and links follow the scheme the visitor used.
"""

from __future__ import annotations

import uuid

import pytest
from flask import request, url_for

from tests.factories import unique_slug
from tests.requests import host, page_csrf

BALANCER = "10.0.0.2"  # the socket every request arrives on, behind the balancer


def _address() -> str:
    """An address of the documentation range no other test counts against (limits live in the shared Redis)."""
    return f"198.51.100.{uuid.uuid4().int % 250 + 1}"


def sign_in_attempt(client, tenant, socket: str, forwarded: str | None = None):
    """A wrong-password sign-in through the real form, arriving from `socket` with an optional X-Forwarded-For."""
    headers = {**host(tenant), **({"X-Forwarded-For": forwarded} if forwarded else {})}
    environ = {"REMOTE_ADDR": socket}
    page = client.get("/login", headers=headers, environ_base=environ).get_data(as_text=True)
    data = {"csrf_token": page_csrf(page), "email": f"{unique_slug('nobody')}@example.com", "password": "wrong"}
    return client.post("/login", headers=headers, environ_base=environ, data=data)


@pytest.fixture(scope="module")
def direct(app_factory):
    """An app reached directly (no trusted proxy), with a tight per-IP sign-in limit."""
    return app_factory(TRUSTED_PROXY_HOPS=0, LOGIN_LIMIT_PER_IP="3 per minute")


@pytest.fixture(scope="module")
def behind_balancer(app_factory):
    """An app behind one load balancer, with the same limit."""
    return app_factory(TRUSTED_PROXY_HOPS=1, LOGIN_LIMIT_PER_IP="3 per minute")


FORGED = {"X-Forwarded-For": "203.0.113.66", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
          "X-Forwarded-Port": "8443"}


def test_without_trusted_proxies_forged_headers_change_nothing(direct, tenant_a):
    socket = _address()
    with direct.test_client() as client:
        response = client.get("/", headers={**host(tenant_a), **FORGED}, environ_base={"REMOTE_ADDR": socket})
        assert response.status_code == 200  # still Alpha Gym's page: the forged host was not believed
        assert request.remote_addr == socket
        assert request.scheme == "http" and request.host == "alpha-gym.localhost"
        assert url_for("web.home", _external=True) == "http://alpha-gym.localhost/"
        assert 'value="http://alpha-gym.localhost/calendar/' in response.get_data(as_text=True)


def test_without_trusted_proxies_the_ip_limit_counts_the_real_client(direct, make_tenant):
    tenant = make_tenant()
    socket = _address()
    client = direct.test_client()
    answers = [sign_in_attempt(client, tenant, socket, forwarded=f"203.0.113.{i}").status_code for i in range(4)]
    assert answers == [401, 401, 401, 429]  # a new X-Forwarded-For each time bought no new attempts


def test_behind_the_balancer_each_visitor_has_their_own_address(behind_balancer, tenant_a):
    visitor = _address()
    with behind_balancer.test_client() as client:
        client.get("/", headers={**host(tenant_a), "X-Forwarded-For": visitor}, environ_base={"REMOTE_ADDR": BALANCER})
        assert request.remote_addr == visitor


def test_behind_the_balancer_only_the_address_it_appended_counts(behind_balancer, tenant_a):
    """A visitor's own X-Forwarded-For arrives first in the list; the balancer appends the real address last."""
    visitor = _address()
    with behind_balancer.test_client() as client:
        client.get("/", headers={**host(tenant_a), "X-Forwarded-For": f"203.0.113.66, {visitor}"},
                   environ_base={"REMOTE_ADDR": BALANCER})
        assert request.remote_addr == visitor


def test_two_visitors_behind_one_balancer_do_not_share_the_sign_in_limit(behind_balancer, make_tenant):
    tenant = make_tenant()
    first, second = _address(), _address()
    while second == first:
        second = _address()
    client = behind_balancer.test_client()
    answers = [sign_in_attempt(client, tenant, BALANCER, forwarded=first).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]
    assert sign_in_attempt(behind_balancer.test_client(), tenant, BALANCER, forwarded=second).status_code == 401


def test_behind_the_balancer_links_follow_the_visitors_scheme_and_host(behind_balancer, tenant_a):
    from nexphys.platform.services import studio_base_url_for_request

    headers = {"Host": "app-internal:5000", "X-Forwarded-For": _address(), "X-Forwarded-Proto": "https",
               "X-Forwarded-Host": "alpha-gym.localhost", "X-Forwarded-Port": "443"}
    with behind_balancer.test_client() as client:
        response = client.get("/", headers=headers, environ_base={"REMOTE_ADDR": BALANCER})
        assert response.status_code == 200 and "Alpha Gym" in response.get_data(as_text=True)
        assert request.is_secure and request.host == "alpha-gym.localhost"
        assert url_for("web.home", _external=True) == "https://alpha-gym.localhost/"
        assert studio_base_url_for_request("beta-studio") == "https://beta-studio.localhost/"
        assert 'value="https://alpha-gym.localhost/calendar/' in response.get_data(as_text=True)
