"""The members service layer without HTTP: invitations, profiles, deactivation and the role rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nexphys.extensions import db
from nexphys.members import services
from nexphys.members.models import User
from nexphys.roles.catalog import ALL_CODES
from nexphys.web.access import Principal
from tests.factories import audit_entries, email_for, load_user, outbox_for, person, principal_for
from tests.running import in_studio


def _manager_with_role_rights(user_id: int) -> Principal:
    """A manager-level person who also holds roles:update (the default manager role does not)."""
    base = principal_for(user_id)
    return Principal(kind="user", id=base.id, label=base.label, tenant_id=base.tenant_id, role_level=3,
                     role_key="manager", permissions=base.permissions | {"roles:update"})


# --- invitations -----------------------------------------------------------------------------

def test_invite_creates_an_invited_person_emails_a_link_and_audits(app, studio):
    manager_id, _ = person(app, studio, "manager")
    email = email_for("Invitee")
    with in_studio(app, studio):
        user = services.invite_member(email, "  Ivy Invitee ", "premium_member", principal_for(manager_id))
        db.session.commit()
        invited_id = user.id
    stored = load_user(app, studio, invited_id)
    assert stored["status"] == "invited" and stored["password_hash"] is None
    assert stored["full_name"] == "Ivy Invitee" and stored["role"] == "premium_member"
    assert stored["email"] == email
    [mail] = outbox_for(app, studio, email)
    assert mail["kind"] == "invitation" and "/password/reset/" in mail["body"]
    [entry] = audit_entries(app, studio, "member.invited", f"user:{invited_id}")
    assert entry["actor_user_id"] == manager_id and entry["details"] == {"role": "premium_member"}


def test_duplicate_email_is_refused_whatever_its_case(app, studio):
    owner_id, _ = person(app, studio, "owner")
    _, email = person(app, studio, "member", "Dup")
    with in_studio(app, studio):
        with pytest.raises(services.DuplicateEmail, match="already uses"):
            services.invite_member(email.upper(), "Someone Else", "member", principal_for(owner_id))


def test_invite_reports_every_bad_field(app, studio):
    owner_id, _ = person(app, studio, "owner")
    with in_studio(app, studio):
        with pytest.raises(services.ProfileInvalid) as caught:
            services.invite_member("not-an-email", "   ", "no_such_role", principal_for(owner_id))
    assert set(caught.value.errors) == {"email", "full_name", "role"}


def test_a_manager_may_only_invite_below_their_level(app, studio):
    manager_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        manager = principal_for(manager_id)
        assert [r.key for r in services.grantable_roles(manager)] == ["member", "premium_member"]
        for role in ("manager", "instructor", "owner"):
            with pytest.raises(services.NotAllowed):
                services.invite_member(email_for("nope"), "No Way", role, manager)
        owner = principal_for(person(app, studio, "owner")[0])
        assert {r.key for r in services.grantable_roles(owner)} >= {"owner", "manager"}


# --- profiles ---------------------------------------------------------------------------------

def test_profile_validation_reports_field_messages(app, studio):
    member_id, _ = person(app, studio)
    with in_studio(app, studio):
        user = db.session.get(User, member_id)
        with pytest.raises(services.ProfileInvalid) as caught:
            services.update_profile(user, {"full_name": "", "phone": "call me maybe",
                                           "date_of_birth": date.today() + timedelta(days=1)},
                                    principal_for(member_id))
        assert set(caught.value.errors) == {"full_name", "phone", "date_of_birth"}
        with pytest.raises(services.ProfileInvalid) as caught:
            services.update_profile(user, {"full_name": "x" * 121, "date_of_birth": "31/12/1990",
                                           "email": "new@example.test"}, principal_for(member_id))
        assert set(caught.value.errors) == {"full_name", "date_of_birth", "email"}


def test_profile_update_audits_field_names_never_values(app, studio):
    member_id, _ = person(app, studio)
    secret = "Asthma, uses inhaler"
    with in_studio(app, studio):
        user = db.session.get(User, member_id)
        changed = services.update_profile(user, {"phone": "+44 20 7946 0958", "health_notes": secret,
                                                 "date_of_birth": "1990-04-01", "full_name": user.full_name},
                                          principal_for(member_id))
        db.session.commit()
    assert changed == ["phone", "date_of_birth", "health_notes"]  # the unchanged name is not listed
    stored = load_user(app, studio, member_id)
    assert stored["phone"] == "+44 20 7946 0958" and stored["date_of_birth"] == date(1990, 4, 1)
    [entry] = audit_entries(app, studio, "member.updated", f"user:{member_id}")
    assert entry["details"] == {"fields": ["phone", "date_of_birth", "health_notes"]}
    assert secret not in str(entry) and "7946" not in str(entry)


def test_staff_cannot_edit_people_above_them(app, studio):
    manager_id, _ = person(app, studio, "manager")
    owner_id, _ = person(app, studio, "owner")
    member_id, _ = person(app, studio)
    with in_studio(app, studio):
        manager = principal_for(manager_id)
        with pytest.raises(services.NotAllowed):
            services.update_profile(db.session.get(User, owner_id), {"full_name": "Hacked"}, manager)
        assert services.update_profile(db.session.get(User, member_id), {"full_name": "Renamed"}, manager)
        with pytest.raises(services.NotAllowed):  # a member edits nobody but themself
            services.update_profile(db.session.get(User, manager_id), {"full_name": "X"}, principal_for(member_id))


# --- roles ----------------------------------------------------------------------------------------

def test_role_changes_need_a_level_above_both_roles(app, studio):
    manager_id, _ = person(app, studio, "manager")
    member_id, _ = person(app, studio)
    instructor_id, _ = person(app, studio, "instructor")
    with in_studio(app, studio):
        manager = _manager_with_role_rights(manager_id)
        member = db.session.get(User, member_id)
        assert services.change_role(member, services.get_role("premium_member"), manager)
        for target in ("manager", "instructor", "owner"):  # not above the new role
            with pytest.raises(services.NotAllowed):
                services.change_role(member, services.get_role(target), manager)
        with pytest.raises(services.NotAllowed):  # not above the current role
            services.change_role(db.session.get(User, instructor_id), services.get_role("member"), manager)
        with pytest.raises(services.NotAllowed):  # without roles:update, no role changes at all
            services.change_role(member, services.get_role("member"), principal_for(manager_id))
        assert [r.key for r in services.assignable_roles(manager, member)] == ["member"]


def test_owners_change_anyones_role_and_it_is_audited(app, studio):
    owner_id, _ = person(app, studio, "owner")
    manager_id, _ = person(app, studio, "manager")
    with in_studio(app, studio):
        owner = principal_for(owner_id)
        assert services.change_role(db.session.get(User, manager_id), services.get_role("owner"), owner)
        assert not services.change_role(db.session.get(User, manager_id), services.get_role("owner"), owner)
        db.session.commit()
    assert load_user(app, studio, manager_id)["role"] == "owner"
    [entry] = audit_entries(app, studio, "member.role_changed", f"user:{manager_id}")
    assert entry["details"] == {"from": "manager", "to": "owner"} and entry["actor_user_id"] == owner_id


def test_the_last_active_owner_cannot_be_demoted_or_deactivated(app, make_tenant):
    tenant = make_tenant()
    first_id, _ = person(app, tenant, "owner")
    with in_studio(app, tenant):
        first = db.session.get(User, first_id)
        acting_owner = principal_for(first_id)
        with pytest.raises(services.LastOwner):
            services.change_role(first, services.get_role("manager"), acting_owner)
        # Someone else at owner level (e.g. a later-removed owner's session) still may not remove the last one.
        other = Principal(kind="user", id=10**9, label="x", tenant_id=tenant.id, role_level=4,
                          permissions=frozenset(ALL_CODES))
        with pytest.raises(services.LastOwner):
            services.deactivate_member(first, other)
        with pytest.raises(services.NotAllowed, match="yourself"):
            services.deactivate_member(first, acting_owner)
    second_id, _ = person(app, tenant, "owner")
    with in_studio(app, tenant):
        first = db.session.get(User, first_id)
        assert services.change_role(first, services.get_role("manager"), principal_for(second_id))
        db.session.commit()
    with in_studio(app, tenant):
        with pytest.raises(services.LastOwner):  # now the second owner is the last
            services.change_role(db.session.get(User, second_id), services.get_role("member"),
                                 principal_for(second_id))
        # An invited (not yet active) owner does not count as a remaining owner.
        services.invite_member(email_for("future-owner"), "Future Owner", "owner", principal_for(second_id))
        with pytest.raises(services.LastOwner):
            services.change_role(db.session.get(User, second_id), services.get_role("member"),
                                 principal_for(second_id))


def test_deactivation_rules_and_audit(app, studio):
    manager_id, _ = person(app, studio, "manager")
    owner_id, _ = person(app, studio, "owner")
    member_id, _ = person(app, studio)
    with in_studio(app, studio):
        manager = principal_for(manager_id)
        with pytest.raises(services.NotAllowed):
            services.deactivate_member(db.session.get(User, owner_id), manager)
        with pytest.raises(services.NotAllowed):
            services.deactivate_member(db.session.get(User, manager_id), manager)
        assert services.deactivate_member(db.session.get(User, member_id), manager)
        assert not services.deactivate_member(db.session.get(User, member_id), manager)  # already inactive
        db.session.commit()
    assert load_user(app, studio, member_id)["status"] == "inactive"
    [entry] = audit_entries(app, studio, "member.deactivated", f"user:{member_id}")
    assert entry["actor_user_id"] == manager_id


# --- listing ------------------------------------------------------------------------------------

def test_list_searches_filters_orders_and_pages(app, make_tenant):
    tenant = make_tenant()
    for name in ("carol Zeta", "Alice Zeta", "bob zeta", "Dave Other"):
        person(app, tenant, "member", full_name=name)
    person(app, tenant, "instructor", label="ZETA-coach", full_name="Erin Coach")
    person(app, tenant, "member", full_name="Frank 100% Zeta", status="inactive")
    with in_studio(app, tenant):
        names = [u.full_name for u in services.list_members("zeta").items]
        assert names == ["Alice Zeta", "bob zeta", "carol Zeta", "Erin Coach", "Frank 100% Zeta"]
        assert [u.full_name for u in services.list_members("100%").items] == ["Frank 100% Zeta"]
        assert [u.full_name for u in services.list_members("%").items] == ["Frank 100% Zeta"]  # escaped
        assert [u.full_name for u in services.list_members("zeta", role_key="instructor").items] == ["Erin Coach"]
        assert [u.full_name for u in services.list_members(status="inactive").items] == ["Frank 100% Zeta"]
        second = services.list_members("zeta", page=2, per_page=2)
        assert second.total == 5 and second.pages == 3 and [u.full_name for u in second.items] == [
            "carol Zeta", "Erin Coach"]
        with pytest.raises(services.MemberNotFound):
            services.get_member(10**9)
