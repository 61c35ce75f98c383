"""The API answers as its OpenAPI document says: schemathesis generates requests from the document and
checks every answer (no 5xx, a documented status, content type and headers, and a body that matches
the documented response schema), against the real app, database and Redis.

The studio operations run as an owner of a studio of their own (so what the fuzzer creates, changes or
deactivates touches no other test); the platform's read operations as a platform administrator on the
apex host. Left out: the operations that would end the fuzzer's own sign-in or change the registry
other tests rely on (revoke, creating, suspending and reactivating tenants), each covered by its own tests.
The budget is bounded: a few examples per operation, no deadline, a fixed seed.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.factories import create_tenant, drop_tenant, make_user, unique_slug
from tests.requests import api_token, bearer

EXAMPLES_PER_OPERATION = 6
LEFT_OUT = ("POST /api/v1/auth/revoke", "POST /api/v1/platform/tenants",
            "POST /api/v1/platform/tenants/{tenant_id}/suspend", "POST /api/v1/platform/tenants/{tenant_id}/reactivate")
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance]


@pytest.fixture(scope="module")
def studio_headers(app):
    studio = create_tenant(app, unique_slug("fuzz"), "Fuzzed Studio")
    email = "fuzz-owner@example.com"
    make_user(app, studio, "owner", email)
    yield bearer(studio, api_token(app.test_client(), studio, email)["access_token"])
    drop_tenant(app, studio.slug)


@pytest.fixture(scope="module")
def platform_headers(app):
    from nexphys.extensions import db
    from nexphys.platform.services import create_admin
    from tests.factories import TEST_PASSWORD, password_hash

    with app.app_context():
        create_admin("fuzz-admin@nexphys.example", "Fuzz Admin", password_hash=password_hash(TEST_PASSWORD))
        db.session.commit()
    token = app.test_client().post("/api/v1/auth/token", headers={"Host": "localhost"},
                                   json={"email": "fuzz-admin@nexphys.example", "password": TEST_PASSWORD})
    return {"Host": "localhost", "Authorization": f"Bearer {token.get_json()['access_token']}"}


def _answers_as_documented(operation, headers: dict) -> str | None:
    """None when every generated request of `operation` is answered as documented, else the failure."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(headers=dict(headers), checks=CHECKS)

    try:
        call()
    except Exception as exc:  # noqa: BLE001 - reported with the operation's name, after all are tried
        return f"{operation.label}: {type(exc).__name__}: {exc}"[:3000]
    return None


def test_every_answer_matches_the_document(app, studio_headers, platform_headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures = []
    for operation in operations:
        if operation.label in LEFT_OUT:
            continue
        headers = platform_headers if operation.path.startswith("/api/v1/platform/") else studio_headers
        failure = _answers_as_documented(operation, headers)
        if failure:
            failures.append(failure)
    assert failures == [], "\n\n".join(failures)
