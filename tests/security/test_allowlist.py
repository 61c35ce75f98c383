"""Allowed networks (issue 10 item 5): staff sign-in and API keys only from a studio's networks, members and
the timetable from anywhere, a guard against locking yourself out, and the platform's way to clear it.

Real app, database and Redis; the caller's address is the test client's REMOTE_ADDR.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from nexphys.allowlist import networks as nets
from nexphys.allowlist.services import STAFF_NETWORKS_SETTING, AllowlistAudit
from nexphys.audit.models import AuditEntry
from nexphys.extensions import db
from nexphys.settings.services import setting
from tests.factories import create_tenant, drop_tenant, password_hash, person, principal_for, set_settings
from tests.platform.requests import ADMIN_EMAIL, APEX, admin_login, apex_csrf
from tests.requests import api_token, bearer, login, page_csrf
from tests.running import host, in_studio, rows, run

OFFICE = ["203.0.113.0/24", "2001:db8::/32"]
INSIDE, OUTSIDE = "203.0.113.10", "198.51.100.7"
INSIDE_V6, OUTSIDE_V6 = "2001:db8::5", "2001:dead::1"
PROBLEM = "/problems/ip_not_allowed"


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def studio(app):
    """A studio of its own: its list changes in every test (the shared tenants must never see one)."""
    info = create_tenant(app, name="Harbour Yoga")
    yield info
    drop_tenant(app, info.slug)


@pytest.fixture(autouse=True)
def no_restriction_after(app, studio):
    yield
    set_settings(app, studio, **{STAFF_NETWORKS_SETTING: []})


@pytest.fixture(scope="module")
def people(app, studio) -> dict[str, str]:
    """role key → email of one person each."""
    return {role: person(app, studio, role)[1] for role in ("owner", "manager", "instructor", "member")}


@pytest.fixture(scope="module")
def admin(app) -> str:
    """A platform administrator (as tests/platform's fixture makes them)."""
    from nexphys.platform.services import create_admin, find_admin

    with app.app_context():
        if find_admin(ADMIN_EMAIL) is None:
            create_admin(ADMIN_EMAIL, "Root Admin", password_hash=password_hash())
            db.session.commit()
    return ADMIN_EMAIL


def client_at(app, address: str):
    """A test client whose requests come from `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def restrict(app, studio, networks=tuple(OFFICE)) -> None:
    set_settings(app, studio, **{STAFF_NETWORKS_SETTING: list(networks)})


def audit_entries(app, studio, action: str) -> list[AuditEntry]:
    return rows(app, studio, sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))


def save_list(client, studio, text: str, confirm: bool = False):
    """Post the owners' form as a browser does."""
    page = client.get("/settings/allowed-networks", headers=host(studio))
    assert page.status_code == 200, page.status_code
    data = {"csrf_token": page_csrf(page.get_data(as_text=True)), "networks": text}
    if confirm:
        data["confirm_lockout"] = "y"
    return client.post("/settings/allowed-networks", headers=host(studio), data=data)


# --- the rules, without a request ------------------------------------------------------------------


def test_ranges_parse_in_plain_words():
    networks, problems = nets.parse("203.0.113.0/24\n 2001:db8::/32, 198.51.100.7\n\n203.0.113.0/24")
    assert [str(n) for n in networks] == ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7/32"]
    assert problems == []
    _, problems = nets.parse("203.0.113.0/33\nlocalhost\n203.0.113.5/24")
    assert problems[0].startswith("“203.0.113.0/33” is not a network.")
    assert problems[1].startswith("“localhost” is not a network.")
    assert problems[2] == "“203.0.113.5/24” is an address, not the start of its range: did you mean 203.0.113.0/24?"
    _, problems = nets.parse("\n".join(f"10.0.{i}.0/24" for i in range(nets.MAX_NETWORKS + 1)))
    assert problems == [f"List at most {nets.MAX_NETWORKS} networks; this list has {nets.MAX_NETWORKS + 1}."]


def test_addresses_inside_and_outside():
    office = nets.stored(OFFICE)
    assert nets.allows(office, INSIDE) and nets.allows(office, INSIDE_V6)
    assert nets.allows(office, "::ffff:203.0.113.9")  # IPv4 reached over IPv6 counts as IPv4
    assert not nets.allows(office, OUTSIDE) and not nets.allows(office, OUTSIDE_V6)
    assert not nets.allows(office, None) and not nets.allows(office, "") and not nets.allows(office, "unix:")


# --- staff sign-in -------------------------------------------------------------------------------------


def test_no_list_restricts_nobody(app, studio, people):
    client = client_at(app, OUTSIDE)
    assert login(client, studio, people["owner"]).status_code == 302
    assert client.get("/members", headers=host(studio)).status_code == 200
    assert api_token(client_at(app, OUTSIDE_V6), studio, people["manager"])["access_token"]


def test_staff_sign_in_from_inside_is_allowed(app, studio, people):
    restrict(app, studio)
    for address, role in ((INSIDE, "owner"), (INSIDE_V6, "manager"), (INSIDE, "instructor")):
        client = client_at(app, address)
        assert login(client, studio, people[role]).status_code == 302, role
        assert client.get("/members", headers=host(studio)).status_code == 200, role
        assert api_token(client_at(app, address), studio, people[role])["access_token"]


def test_staff_sign_in_from_outside_is_refused_with_the_reason(app, studio, people):
    restrict(app, studio)
    for address in (OUTSIDE, OUTSIDE_V6):
        response = login(client_at(app, address), studio, people["manager"])
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert "Staff sign-in to Harbour Yoga is limited to the studio&#39;s network." in page
        assert address in page
    refused = audit_entries(app, studio, AllowlistAudit.SIGN_IN_REFUSED)
    assert [(e.actor, e.ip) for e in refused[-2:]] == [(people["manager"], OUTSIDE), (people["manager"], OUTSIDE_V6)]


def test_staff_api_token_from_outside_is_refused(app, studio, people):
    restrict(app, studio)
    response = client_at(app, OUTSIDE).post("/api/v1/auth/token", headers=host(studio),
                                            json={"email": people["instructor"], "password": "correct horse battery"})
    assert response.status_code == 403 and response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == PROBLEM
    assert problem["detail"].startswith("Staff sign-in to Harbour Yoga is limited to the studio's network.")


def test_a_wrong_password_from_outside_learns_nothing_of_the_list(app, studio, people):
    restrict(app, studio)
    response = login(client_at(app, OUTSIDE), studio, people["manager"], password="not the password")
    assert response.status_code == 401 and "Wrong email or password." in response.get_data(as_text=True)


# --- every request of a staff session, token or API key ---------------------------------------------


def test_staff_sessions_outside_a_new_list_are_refused_but_may_sign_out(app, studio, people):
    # (a session that moves to another address is dropped anyway: Flask-Login's strong session protection)
    client = client_at(app, OUTSIDE)
    assert login(client, studio, people["manager"]).status_code == 302
    assert client.get("/members", headers=host(studio)).status_code == 200
    restrict(app, studio)
    page = client.get("/members", headers=host(studio))
    assert page.status_code == 403 and page.mimetype == "text/html"
    assert "Staff access to Harbour Yoga works only from the studio&#39;s network." in page.get_data(as_text=True)
    api = client.get("/api/v1/me", headers=host(studio))
    assert api.status_code == 403 and api.get_json()["type"] == PROBLEM
    token = page_csrf(client.get("/", headers=host(studio)).get_data(as_text=True))
    assert client.post("/logout", headers=host(studio), data={"csrf_token": token}).status_code == 302


def test_a_staff_bearer_token_from_outside_is_refused(app, studio, people):
    access = api_token(client_at(app, INSIDE), studio, people["owner"])["access_token"]
    restrict(app, studio)
    assert client_at(app, INSIDE).get("/api/v1/me", headers=bearer(studio, access)).status_code == 200
    response = client_at(app, OUTSIDE_V6).get("/api/v1/members", headers=bearer(studio, access))
    assert response.status_code == 403 and response.get_json()["type"] == PROBLEM


def test_api_keys_work_only_from_inside_and_refusals_are_audited_once(app, studio, people):
    from nexphys.api_keys.services import issue_api_key
    from nexphys.members.models import User

    with in_studio(app, studio):
        owner_id = db.session.scalar(sa.select(User.id).where(User.email == people["owner"]))
    _key, secret = run(app, studio, lambda: issue_api_key("Door system", ["members:read"], principal_for(owner_id)))
    restrict(app, studio)
    headers = {**host(studio), "X-API-Key": secret}
    assert client_at(app, INSIDE).get("/api/v1/members", headers=headers).status_code == 200
    before = len(audit_entries(app, studio, AllowlistAudit.REQUEST_REFUSED))
    for _ in range(3):
        response = client_at(app, OUTSIDE).get("/api/v1/members", headers=headers)
        assert response.status_code == 403 and response.get_json()["type"] == PROBLEM
        assert "API keys of Harbour Yoga work only from the studio's network." in response.get_json()["detail"]
    refused = audit_entries(app, studio, AllowlistAudit.REQUEST_REFUSED)[before:]
    assert [(e.actor, e.ip, e.details["kind"]) for e in refused] == [("api-key:Door system", OUTSIDE, "api_key")]


# --- members and the public ------------------------------------------------------------------------


def test_members_and_the_timetable_stay_reachable_from_anywhere(app, studio, people):
    restrict(app, studio)
    member = client_at(app, OUTSIDE)
    assert login(member, studio, people["member"]).status_code == 302
    assert member.get("/bookings", headers=host(studio)).status_code == 200
    assert member.get("/profile", headers=host(studio)).status_code == 200
    access = api_token(client_at(app, OUTSIDE_V6), studio, people["member"])["access_token"]
    assert client_at(app, OUTSIDE_V6).get("/api/v1/me", headers=bearer(studio, access)).status_code == 200
    anyone = client_at(app, OUTSIDE)
    assert anyone.get("/", headers=host(studio)).status_code == 200
    assert anyone.get("/api/v1/classes?date=2026-01-07", headers=host(studio)).status_code == 200
    assert anyone.get("/login", headers=host(studio)).status_code == 200


# --- the owners' page ----------------------------------------------------------------------------------


def test_only_owners_may_change_the_list(app, studio, people):
    manager = client_at(app, INSIDE)
    login(manager, studio, people["manager"])
    assert manager.get("/settings/allowed-networks", headers=host(studio)).status_code == 403
    owner = client_at(app, INSIDE)
    login(owner, studio, people["owner"])
    page = owner.get("/settings/allowed-networks", headers=host(studio))
    assert page.status_code == 200
    assert f"Your current address is <strong><code>{INSIDE}</code></strong>" in page.get_data(as_text=True)


def test_saving_a_list_normalises_it_and_audits_it(app, studio, people):
    owner = client_at(app, INSIDE)
    login(owner, studio, people["owner"])
    response = save_list(owner, studio, "203.0.113.0/24, 2001:db8::/32\n\n198.51.100.99")
    assert response.status_code == 302
    with in_studio(app, studio):
        assert setting(STAFF_NETWORKS_SETTING) == [*OFFICE, "198.51.100.99/32"]
    changed = audit_entries(app, studio, AllowlistAudit.CHANGED)[-1]
    assert changed.actor == people["owner"] and changed.details == {"before": [],
                                                                    "after": [*OFFICE, "198.51.100.99/32"]}
    assert login(client_at(app, "198.51.100.99"), studio, people["manager"]).status_code == 302
    assert login(client_at(app, OUTSIDE), studio, people["manager"]).status_code == 403
    # The owners' audit log names the change in words and can be filtered to it.
    log = owner.get(f"/audit?action={AllowlistAudit.CHANGED}", headers=host(studio)).get_data(as_text=True)
    assert "Allowed networks changed" in log and f'value="{AllowlistAudit.CHANGED}" selected' in log


def test_every_audit_action_of_the_list_has_a_name_in_the_audit_log():
    from nexphys.audit.views import action_choices

    named = dict(action_choices())
    actions = [v for k, v in vars(AllowlistAudit).items() if k.isupper()]
    assert actions and all(action in named and named[action][0].isupper() for action in actions), named


def test_invalid_ranges_are_refused_in_plain_words(app, studio, people):
    owner = client_at(app, INSIDE)
    login(owner, studio, people["owner"])
    response = save_list(owner, studio, "203.0.113.0/24\n203.0.113.0/33\n10.1.2.3/8")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert "“203.0.113.0/33” is not a network." in page and "did you mean 10.0.0.0/8?" in page
    with in_studio(app, studio):
        assert setting(STAFF_NETWORKS_SETTING) == []


def test_a_list_that_would_lock_the_owner_out_needs_their_confirmation(app, studio, people):
    owner = client_at(app, OUTSIDE)
    login(owner, studio, people["owner"])
    response = save_list(owner, studio, "203.0.113.0/24")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"Your current address, {OUTSIDE}, is not in this list" in page
    assert 'name="confirm_lockout"' in page  # the box appears with the warning
    with in_studio(app, studio):
        assert setting(STAFF_NETWORKS_SETTING) == []
    assert save_list(owner, studio, "203.0.113.0/24", confirm=True).status_code == 302
    assert owner.get("/settings/allowed-networks", headers=host(studio)).status_code == 403  # as warned


def test_an_empty_list_lifts_the_restriction(app, studio, people):
    restrict(app, studio)
    owner = client_at(app, INSIDE_V6)
    login(owner, studio, people["owner"])
    assert save_list(owner, studio, "").status_code == 302
    assert login(client_at(app, OUTSIDE), studio, people["manager"]).status_code == 302
    assert audit_entries(app, studio, AllowlistAudit.CHANGED)[-1].details == {"before": OFFICE, "after": []}


# --- recovery by the platform ------------------------------------------------------------------------


def test_a_platform_admin_clears_a_locked_out_studio(app, studio, people, admin):
    restrict(app, studio, ["192.0.2.0/24"])
    assert login(client_at(app, OUTSIDE), studio, people["owner"]).status_code == 403
    console = app.test_client()
    admin_login(console)
    page = console.get(f"/platform/tenants/{studio.id}", headers=APEX).get_data(as_text=True)
    assert "<code>192.0.2.0/24</code>" in page and "Clear allowed networks" in page
    response = console.post(f"/platform/tenants/{studio.id}/allowed-networks/clear", headers=APEX,
                            data={"csrf_token": apex_csrf(console, f"/platform/tenants/{studio.id}")})
    assert response.status_code == 302
    page = console.get(f"/platform/tenants/{studio.id}", headers=APEX).get_data(as_text=True)
    assert "allowed networks cleared" in page and "No restriction" in page
    assert login(client_at(app, OUTSIDE), studio, people["owner"]).status_code == 302
    cleared = audit_entries(app, studio, AllowlistAudit.CLEARED)[-1]
    assert cleared.actor == f"platform:{ADMIN_EMAIL}"
    assert cleared.details == {"before": ["192.0.2.0/24"], "after": []}


def test_clearing_needs_a_platform_admin(app, studio, people):
    restrict(app, studio)
    owner = client_at(app, INSIDE)
    login(owner, studio, people["owner"])
    token = page_csrf(owner.get("/", headers=host(studio)).get_data(as_text=True))
    response = owner.post(f"/platform/tenants/{studio.id}/allowed-networks/clear", headers=host(studio),
                          data={"csrf_token": token})
    assert response.status_code == 404  # platform pages do not exist on studio hosts
    anonymous = app.test_client().post(f"/platform/tenants/{studio.id}/allowed-networks/clear", headers=APEX)
    assert anonymous.status_code in (302, 400)
    with in_studio(app, studio):
        assert setting(STAFF_NETWORKS_SETTING) == OFFICE


def test_the_command_line_shows_and_clears_the_list(app, studio):
    from nexphys.platform.tenants_cli import tenants_cli

    restrict(app, studio)
    runner = app.test_cli_runner()
    shown = runner.invoke(tenants_cli, ["allowlist", studio.slug])
    assert shown.exit_code == 0 and shown.output.strip() == f"{studio.slug}: 203.0.113.0/24, 2001:db8::/32"
    cleared = runner.invoke(tenants_cli, ["allowlist", studio.slug, "--clear"])
    assert cleared.exit_code == 0 and "allowed networks cleared (were: 203.0.113.0/24, 2001:db8::/32)" in cleared.output
    with in_studio(app, studio):
        assert setting(STAFF_NETWORKS_SETTING) == []
    assert audit_entries(app, studio, AllowlistAudit.CLEARED)[-1].actor == "platform:command line"
    again = runner.invoke(tenants_cli, ["allowlist", studio.slug, "--clear"])
    assert again.exit_code == 0 and "nothing to clear" in again.output
    missing = runner.invoke(tenants_cli, ["allowlist", "no-such-studio"])
    assert missing.exit_code == 1


# --- cost ---------------------------------------------------------------------------------------------


def test_checking_the_list_costs_no_query_per_request(app, studio, people):
    restrict(app, studio)
    access = api_token(client_at(app, INSIDE), studio, people["manager"])["access_token"]
    client = client_at(app, INSIDE)
    assert client.get("/api/v1/me", headers=bearer(studio, access)).status_code == 200  # warms the cache
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        for address in (INSIDE, OUTSIDE, INSIDE):
            client_at(app, address).get("/api/v1/me", headers=bearer(studio, access))
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert statements, "the requests ran no statement at all: the counter is not listening"
    assert [s for s in statements if re.search(r"\bsettings\b", s)] == []


# --- existing studios ---------------------------------------------------------------------------------


def test_the_tenant_migration_gives_existing_owners_the_permission(app, make_tenant, raw_engine):
    from tests.factories import granted_by_migrating

    assert granted_by_migrating(raw_engine, make_tenant(), "security", "update", "0004_sessions") == ["owner"]
