"""The edge (nginx with nexphys/security/edge.nginx.conf, as docker-compose.yml runs it) in front of the real app.

It replaces whatever X-Forwarded-* a client sends with what it saw, so behind it (one trusted hop) a forged
header changes nothing; and it paces each API caller, answering those past their burst with the app's kind
of 429, while requests without a credential pass unpaced. Skipped where nginx is absent (.ci/run installs it).
"""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from nexphys.security import edge

pytestmark = pytest.mark.skipif(edge.nginx_path() is None,
                                reason="nginx is not installed (Debian: nginx-light; .ci/run installs it)")

FORGED = {"X-Forwarded-For": "203.0.113.66", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}
PACED_DETAIL = "answered at a steady pace"


@pytest.fixture(scope="module")
def edge_port(app_factory) -> Iterator[int]:
    """The app (one trusted hop, API limits counted but not enforced) on a threaded server, nginx in front
    pacing each API caller at 1 request a second with a burst of 1."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app_factory(TRUSTED_PROXY_HOPS=1, API_RATE_LIMITS="report"), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="behind-the-edge", daemon=True)
    thread.start()
    front = edge.Edge(server.server_port, rate="1r/s", burst=1).start()
    yield front.port
    front.stop()
    server.shutdown()
    thread.join(timeout=5)


def fetch(port: int, path: str, headers: dict) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode()
    finally:
        connection.close()


def test_the_edge_replaces_forged_forwarded_headers(edge_port, make_tenant, app):
    from nexphys.kv import get_redis

    tenant = make_tenant()
    status, _headers, page = fetch(edge_port, "/", {"Host": f"{tenant.slug}.localhost", **FORGED})
    assert status == 200 and tenant.name in page  # the studio's page: the forged host was not believed
    assert "evil.example" not in page and "https://" not in page  # links use what the edge saw: plain http

    fetch(edge_port, "/api/v1/classes", {"Host": f"{tenant.slug}.localhost", **FORGED})
    with app.app_context():
        counted = {key.decode() for key in get_redis(app).scan_iter(f"nexphys:api-rate:{{t{tenant.id}}}:*")}
    # The anonymous caller was counted by the address the edge saw, not the one it claimed.
    assert f"nexphys:api-rate:{{t{tenant.id}}}:ip:127.0.0.1" in counted
    assert not any("203.0.113.66" in key for key in counted)


def test_the_edge_paces_an_api_caller_and_answers_past_its_burst_with_a_problem(edge_port, tenant_a):
    headers = {"Host": f"{tenant_a.slug}.localhost", "X-API-Key": "nxp_a-runaway-integration"}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _n: fetch(edge_port, "/api/v1/members", headers), range(8)))
    paced = [a for a in answers if a[0] == 429]
    passed = [a for a in answers if a[0] != 429]
    # 1 a second with a burst of 1: of 8 at once, one goes through, one waits its turn, the rest are refused.
    assert paced and passed, [a[0] for a in answers]
    assert all(status == 401 for status, _h, _b in passed)  # the app's own answer to an unknown key
    _status, answer_headers, body = paced[0]
    assert answer_headers["content-type"].startswith("application/problem+json")
    assert answer_headers["retry-after"] == "1"
    problem = json.loads(body)
    assert problem["type"] == "/problems/rate_limited" and problem["status"] == 429
    assert PACED_DETAIL in problem["detail"]


def test_the_edge_does_not_pace_requests_without_a_credential(edge_port, tenant_a):
    headers = {"Host": f"{tenant_a.slug}.localhost"}
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _n: fetch(edge_port, "/api/v1/classes", headers)[0], range(8)))
    assert statuses == [200] * 8
