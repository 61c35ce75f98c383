"""The roles services without HTTP: levels, escalation, the owner role, audit details."""

from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa

from nexphys.roles import services
from nexphys.roles.catalog import ALL_CODES
from nexphys.web.access import Principal
from tests.factories import make_user, unique


@contextlib.contextmanager
def bound(app, tenant):
    """Run services inside the tenant; nothing is committed (rolled back when the block ends)."""
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        yield


def principal_for(user_id: int, tenant, level: int, codes) -> Principal:
    return Principal("user", user_id, f"user-{user_id}@example.com", tenant.id, role_level=level,
                     permissions=frozenset(codes))


@pytest.fixture
def owner(app, tenant_a) -> Principal:
    return principal_for(make_user(app, tenant_a, "owner"), tenant_a, 4, ALL_CODES)


@pytest.fixture
def senior(app, tenant_a) -> Principal:
    """A level-3 person allowed to manage roles (a custom "senior manager" role)."""
    codes = {"roles:read", "roles:create", "roles:update", "roles:delete", "members:read", "classes:read"}
    return principal_for(make_user(app, tenant_a, "manager"), tenant_a, 3, codes)


def test_list_roles_counts_holders(app, tenant_a):
    make_user(app, tenant_a, "premium_member")
    with bound(app, tenant_a):
        summaries = {s.role.key: s for s in services.list_roles()}
        assert summaries["premium_member"].member_count >= 1
        assert next(iter(summaries.values())).role.level == 4  # highest level first


def test_catalogue_is_grouped_by_resource(app, tenant_a):
    with bound(app, tenant_a):
        groups = dict(services.permission_catalogue())
        assert list(groups)[:2] == ["members", "roles"]
        assert [p.code for p in groups["api_keys"]] == ["api_keys:read", "api_keys:create", "api_keys:delete"]


def test_create_audits_the_codes_added(app, tenant_a, owner):
    from nexphys.audit.models import AuditEntry
    from nexphys.extensions import db

    with bound(app, tenant_a):
        role = services.create_role(unique("Desk"), 1, ["classes:read", "members:read"], owner)
        assert role.is_system is False and role.level == 1
        entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert entry.action == "role.created" and entry.target == f"role:{role.key}"
        assert entry.details["added"] == ["members:read", "classes:read"] and entry.actor_user_id == owner.id


def test_a_role_is_changed_only_from_a_higher_level(app, tenant_a, owner, senior):
    with bound(app, tenant_a):
        peer = services.create_role(unique("Peer"), 3, ["classes:read"], owner)
        junior = services.create_role(unique("Junior"), 2, ["classes:read"], owner)

        with pytest.raises(services.NotAllowed, match="Only someone above level 3"):
            services.update_role(peer, senior, name="Renamed")
        with pytest.raises(services.NotAllowed):
            services.delete_role(peer, senior)
        services.update_role(junior, senior, permission_codes=["classes:read", "members:read"])
        assert junior.permission_codes == {"classes:read", "members:read"}
        with pytest.raises(services.RoleInvalid) as raised:
            services.update_role(junior, senior, level=3)
        assert "below your own" in raised.value.errors["level"][0]


def test_nobody_grants_what_they_do_not_hold(app, tenant_a, owner, senior):
    with bound(app, tenant_a):
        junior = services.create_role(unique("Junior"), 1, [], owner)
        with pytest.raises(services.RoleInvalid) as raised:
            services.update_role(junior, senior, permission_codes=["audit:read"])
        assert raised.value.errors == {"permissions": ["You cannot grant audit:read: you do not hold it yourself."]}
        with pytest.raises(services.RoleInvalid):
            services.create_role(unique("Sneaky"), 1, ["api_keys:create"], senior)
        assert junior.permission_codes == set()


def test_owners_may_change_any_role_but_their_own(app, tenant_a, owner):
    from nexphys.extensions import db
    from nexphys.roles.models import Role

    with bound(app, tenant_a):
        manager = db.session.scalar(sa.select(Role).where(Role.key == "manager"))
        owner_role = db.session.scalar(sa.select(Role).where(Role.key == "owner"))
        services.update_role(manager, owner, level=2)
        assert manager.level == 2
        with pytest.raises(services.NotAllowed, match="cannot be reduced"):
            services.update_role(owner_role, owner, permission_codes=ALL_CODES[:-1])
        with pytest.raises(services.NotAllowed):
            services.update_role(owner_role, owner, permission_codes=ALL_CODES, name="Boss")
        with pytest.raises(services.RoleInvalid):
            services.update_role(manager, owner, level=4)
        assert owner_role.permission_codes == set(ALL_CODES)


def test_keys_are_derived_from_names_and_never_clash(app, tenant_a, owner):
    with bound(app, tenant_a):
        first = services.create_role("Yoga teacher ünïcode " + unique("x"), 1, [], owner)
        assert first.key.startswith("yoga_teacher_unicode_x_")
        member_like = services.create_role(unique("Member").replace(" ", ""), 1, [], owner)
        assert member_like.key != "member"
        digits = services.create_role("123 " + unique("n"), 1, [], owner)
        assert digits.key.startswith("role_123_")


def test_an_api_key_acts_at_its_creators_level(app, tenant_a, owner):
    from nexphys.api_keys.services import create_api_key

    with bound(app, tenant_a):
        key, _secret = create_api_key("Roles bot", ["roles:read", "roles:update"], owner.id)
        as_key = Principal("api_key", key.id, "api-key:Roles bot", tenant_a.id,
                           permissions=frozenset(key.permissions))
        assert services.actor_level(as_key) == 4
        orphan, _ = create_api_key("Orphan", ["roles:update"], None)
        assert services.actor_level(Principal("api_key", orphan.id, "api-key:Orphan", tenant_a.id)) == 0


def test_deleting_a_held_role_is_refused(app, tenant_a, owner):
    with bound(app, tenant_a):
        role = services.create_role(unique("Held"), 1, [], owner)
        from nexphys.extensions import db
        from nexphys.members.models import User

        db.session.add(User(email=f"{role.key}@example.com", full_name="Holder", role=role))
        db.session.flush()
        with pytest.raises(services.RoleInUse, match="1 person holds"):
            services.delete_role(role, owner)


def test_get_role_raises_not_found(app, tenant_a):
    with bound(app, tenant_a), pytest.raises(services.RoleNotFound):
        services.get_role(987654)
