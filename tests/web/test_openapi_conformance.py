"""The API answers as its OpenAPI document says, whoever calls: schemathesis generates requests from the
document and checks every answer (no 5xx, a documented status, content type and headers, and a body that
matches the documented response schema), against the real app, database and Redis.

The same generated traffic runs once per caller, each a parametrized test (a failure names its caller):

- `staff`: a studio owner's bearer token (the role that may do everything, so the most answers are 2xx
  and their bodies are checked; the narrower staff roles are a subset of it);
- `member`: a member's bearer token (their own bookings and profile; most else is refused);
- `api-key`: an API key, sent in X-API-Key as the document's `apiKey` scheme says, issued by the owner
  (through the rule that a key holds no more than its maker) with what a booking site / CRM sync /
  door check-in holds: INTEGRATOR_PERMISSIONS;
- `anonymous`: no credential at all (the public timetable and sign-in; the rest is refused);
- `platform-admin`: a platform administrator's bearer token (the platform reads; refused in a studio).

Studio operations are called on the caller's studio host, platform operations on the apex host, with the
same credential: the studio callers are refused there, the administrator is answered. Schemathesis would
also generate the security headers the document declares (random Authorization / X-API-Key values); that is
turned off, so each request carries exactly its caller's credential or, for `anonymous`, none. Refusals are
checked too: a 401 or 403 must be documented for the operation (its own entry or the "4XX" entry every
operation has) and be an RFC 9457 problem (problem+json, its `status` the answer's status).

Random ids almost never name a record, so half the cases of an operation with an id in its path are aimed
at the studio's own first records (ids 1 to KNOWN_IDS: the caller or the key's owner, another member, a
class tomorrow and both their bookings; the studio's own id for a platform tenant_id). That reaches the 2xx,
403 and 409 answers behind an existing record, and makes the run mutate: it cancels, deactivates and deletes.
So mutations cannot spoil another caller's run, every caller gets a studio of its own, fresh for its test and
dropped afterwards. Within one run, operations go in document order with a fixed seed, so what an earlier
one changes is the same every run; GET /me checks that the caller is still signed in (or not) at the end.

Left out, for everyone: the operations that would end a caller's own sign-in or change the tenant registry
other tests rely on (revoke; creating, suspending and reactivating tenants), each covered by its own tests.
The budget is bounded: a few examples per operation (fewer for the callers mostly refused, who are refused
before their request is even read), no deadline, a fixed seed (derandomize, no example database); the whole
file takes about 25 s. Generated text includes NUL characters, which the app refuses with a 400 before any
view runs (nexphys.web.input_guard); the requests by which the fuzzer first found them as 500s are kept below.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.factories import (
    TEST_PASSWORD,
    create_tenant,
    drop_tenant,
    make_session,
    make_user,
    password_hash,
    principal_for,
    unique_slug,
)
from tests.requests import api_token
from tests.running import host, run

# Refused callers are answered before their request is read: more examples would only repeat the refusal.
EXAMPLES_PER_OPERATION = {"staff": 10, "member": 6, "api-key": 6, "anonymous": 3, "platform-admin": 4}
# GET /api/v1/me on the caller's studio: who the caller is there, before and after its run.
SIGNED_IN_AS = {"staff": 200, "member": 200, "api-key": 200, "anonymous": 401, "platform-admin": 401}
LEFT_OUT = ("POST /api/v1/auth/revoke", "POST /api/v1/platform/tenants",
            "POST /api/v1/me/sign-out-everywhere", "POST /api/v1/members/{id}/sign-out-everywhere",
            "POST /api/v1/platform/tenants/{tenant_id}/suspend", "POST /api/v1/platform/tenants/{tenant_id}/reactivate")
INTEGRATOR_PERMISSIONS = ["classes:read", "members:read", "members:create", "members:update",
                          "bookings:read", "bookings:create", "bookings:update", "bookings:delete"]
KNOWN_IDS = 3  # the studio's first records, made by `_studio_with_records`
APEX = {"Host": "localhost"}
PLATFORM_PATHS = "/api/v1/platform/"
# Text with NUL characters reaches PostgreSQL, which refuses it: a 500 (see the xfail test below). Until that
# is fixed the fuzzer sends none; the fix turns that test into an XPASS failure: then drop both.
ALLOW_NUL = True


def refusals_are_problems(ctx, response, case) -> None:
    """A 401/403 is documented for the operation and is an RFC 9457 problem whose status is the answer's."""
    if response.status_code not in (401, 403):
        return
    documented = case.operation.definition.raw.get("responses", {})
    assert str(response.status_code) in documented or "4XX" in documented, \
        f"{response.status_code} is not documented for {case.operation.label}"
    content_type = (response.headers.get("content-type") or [""])[0]
    assert content_type.split(";")[0].strip() == "application/problem+json", \
        f"a {response.status_code} answered {content_type!r}, not application/problem+json"
    status = json.loads(response.content).get("status")
    assert status == response.status_code, f"a {response.status_code} problem says status {status!r}"


CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_headers_conformance, checks.response_schema_conformance, refusals_are_problems]


@dataclass(frozen=True)
class Caller:
    name: str
    tenant_id: int  # of its studio
    studio_host: dict
    credential: dict  # {"Authorization": "Bearer …"}, {"X-API-Key": …} or {} (none)

    def headers_for(self, operation) -> dict:
        where = APEX if operation.path.startswith(PLATFORM_PATHS) else self.studio_host
        return {**where, **self.credential}

    def me(self, app) -> int:
        return app.test_client().get("/api/v1/me", headers={**self.studio_host, **self.credential}).status_code


@pytest.fixture(scope="module")
def admin_credential(app) -> dict:
    from nexphys.extensions import db
    from nexphys.platform.services import create_admin

    email = f"{unique_slug('fuzz-admin')}@nexphys.example"
    with app.app_context():
        create_admin(email, "Fuzz Admin", password_hash=password_hash(TEST_PASSWORD))
        db.session.commit()
    token = app.test_client().post("/api/v1/auth/token", headers=APEX, json={"email": email, "password": TEST_PASSWORD})
    assert token.status_code == 200, token.get_json()
    return {"Authorization": f"Bearer {token.get_json()['access_token']}"}


def _studio_with_records(app, name: str):
    """A fresh studio whose first records sit at small ids: people 1 (the caller, or the key's owner) and 2
    (a member), class type and session 1 (tomorrow), and bookings 1 and 2 (theirs, in it)."""
    from nexphys.bookings.services import book

    studio = create_tenant(app, unique_slug(f"fuzz-{name}"), f"Fuzzed Studio ({name})")
    email = f"fuzz-{name}@{studio.slug}.example.com"
    role = {"staff": "owner", "api-key": "owner"}.get(name, "member")
    people = [make_user(app, studio, role, email), make_user(app, studio, "member")]
    session_id = make_session(app, studio)
    for person_id in people:
        run(app, studio, book, session_id, person_id)
    return studio, email, people[0]


def _credential(app, studio, name: str, email: str, person_id: int, request) -> dict:
    from nexphys.api_keys.services import issue_api_key

    if name in ("staff", "member"):
        return {"Authorization": f"Bearer {api_token(app.test_client(), studio, email)['access_token']}"}
    if name == "api-key":
        _key, secret = run(app, studio, lambda: issue_api_key("Fuzzed integration", INTEGRATOR_PERMISSIONS,
                                                              principal_for(person_id)))
        return {"X-API-Key": secret}
    if name == "platform-admin":
        return request.getfixturevalue("admin_credential")
    return {}


@pytest.fixture(params=list(EXAMPLES_PER_OPERATION))
def caller(request, app):
    """One caller on a studio of its own, dropped after its run."""
    studio, email, person_id = _studio_with_records(app, request.param)
    credential = _credential(app, studio, request.param, email, person_id, request)
    yield Caller(request.param, studio.id, host(studio), credential)
    drop_tenant(app, studio.slug)


@pytest.fixture(scope="module")
def operations(app) -> list:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Only the caller's own credential: no generated Authorization / X-API-Key values.
    schema.config.generation.update(with_security_parameters=False, allow_x00=ALLOW_NUL)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) > 40
    return [operation for operation in found if operation.label not in LEFT_OUT]


def _cases(operation, caller: Caller):
    """The generated cases and, for an operation with ids in its path, as many aimed at the studio's records."""
    generated = operation.as_strategy()
    ids = [p.name for p in operation.path_parameters if p.definition.get("schema", {}).get("type") == "integer"]
    if not ids:
        return generated

    def aimed(drawn):
        case, record_id = drawn
        case.path_parameters = {**(case.path_parameters or {}), **{
            name: caller.tenant_id if name == "tenant_id" else record_id for name in ids}}
        return case

    return st.one_of(generated, st.tuples(generated, st.integers(1, KNOWN_IDS)).map(aimed))


def _answers_as_documented(operation, caller: Caller) -> str | None:
    """None when every generated request of `operation` is answered as documented for `caller`, else the failure."""
    headers = caller.headers_for(operation)

    @given(case=_cases(operation, caller))
    @settings(max_examples=EXAMPLES_PER_OPERATION[caller.name], deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(headers=dict(headers), checks=CHECKS)

    try:
        call()
    except Exception as exc:  # noqa: BLE001 - reported with the operation's name, after all are tried
        return f"{operation.label}: {type(exc).__name__}: {exc}"[:3000]
    return None


def test_every_answer_matches_the_document(app, caller, operations):
    assert caller.me(app) == SIGNED_IN_AS[caller.name], "the caller is not who it should be"
    failures = [failure for operation in operations if (failure := _answers_as_documented(operation, caller))]
    assert failures == [], f"as {caller.name}:\n\n" + "\n\n".join(failures)
    assert caller.me(app) == SIGNED_IN_AS[caller.name], "the run changed who the caller is"


# Found by this fuzzer: a NUL character in text that reached a query was a 500 (psycopg: "A string literal
# cannot contain NUL (0x00) characters"), on the public sign-in too. Now refused with a 400 as it arrives.
NUL = "a\x00b"
NUL_REQUESTS = [("GET", "/api/v1/members?search=a%00b", None), ("GET", "/api/v1/members?role=a%00b", None),
                ("POST", "/api/v1/auth/token", {"email": NUL, "password": "x"}),
                ("POST", "/api/v1/members", {"email": "nul@example.com", "full_name": NUL}),
                ("PATCH", "/api/v1/members/1", {"full_name": NUL}), ("PATCH", "/api/v1/members/1", {"role": NUL}),
                ("POST", "/api/v1/class-types", {"name": NUL}), ("PATCH", "/api/v1/class-types/1", {"name": NUL}),
                ("POST", "/api/v1/rooms", {"name": NUL}), ("POST", "/api/v1/classes/1/cancel", {"reason": NUL})]


def test_nul_characters_in_text_are_refused_not_a_server_error(app):
    studio, email, _person_id = _studio_with_records(app, "staff")  # an owner: every request reaches its query
    try:
        headers = {**host(studio), **_credential(app, studio, "staff", email, 0, None)}
        client = app.test_client()
        answers = [(client.open(url, method=method, headers=headers, json=body).status_code, method, url, body)
                   for method, url, body in NUL_REQUESTS]
    finally:
        drop_tenant(app, studio.slug)
    assert [answer for answer in answers if answer[0] != 400] == []
