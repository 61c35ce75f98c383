"""Sensitive columns are encrypted at rest, bound to their tenant, and keys rotate."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.security.crypto import DecryptionError, KeyRing, generate_key_spec
from nexphys.tenancy.context import tenant_bound
from tests.factories import make_user

SECRET_PHONE = "+44 7700 900123"
SECRET_NOTES = "asthma; knee surgery 2024"


def _set_profile(app, tenant, user_id):
    with app.app_context(), tenant_bound(tenant):
        user = db.session.get(User, user_id)
        user.phone, user.health_notes, user.emergency_contact = SECRET_PHONE, SECRET_NOTES, "Sam, +44 7700 900999"
        db.session.commit()


def _raw(raw_engine, tenant, user_id) -> dict:
    with raw_engine.connect() as conn:
        return dict(conn.execute(sa.text(
            f'SELECT phone, health_notes, emergency_contact FROM "{tenant.schema_name}".users WHERE id = :id'),
            {"id": user_id}).mappings().one())


def test_sensitive_columns_are_unreadable_in_the_raw_table(app, raw_engine, tenant_a):
    user_id = make_user(app, tenant_a, "member", "encrypted@example.com")
    _set_profile(app, tenant_a, user_id)
    raw = _raw(raw_engine, tenant_a, user_id)
    for value in raw.values():
        assert value.startswith("v1.")
    assert SECRET_PHONE not in str(raw) and "asthma" not in str(raw)
    with app.app_context(), tenant_bound(tenant_a):
        user = db.session.get(User, user_id)
        assert (user.phone, user.health_notes) == (SECRET_PHONE, SECRET_NOTES)
        assert SECRET_PHONE not in repr(user)


def test_a_ciphertext_copied_into_another_tenant_does_not_decrypt(app, raw_engine, tenant_a, make_tenant):
    tenant_b = make_tenant()  # its own tenant: the planted value must not disturb other tests
    source = make_user(app, tenant_a, "member", "copy-source@example.com")
    _set_profile(app, tenant_a, source)
    target = make_user(app, tenant_b, "member", "copy-target@example.com")
    stolen = _raw(raw_engine, tenant_a, source)["phone"]
    with raw_engine.begin() as conn:
        conn.execute(sa.text(f'UPDATE "{tenant_b.schema_name}".users SET phone = :p WHERE id = :id'),
                     {"p": stolen, "id": target})
    with app.app_context(), tenant_bound(tenant_b):
        with pytest.raises(DecryptionError):
            db.session.get(User, target).phone  # noqa: B018 - loading is the test
        db.session.rollback()


def test_rotation_reports_unreadable_values_and_goes_on(app_factory, app, raw_engine, make_tenant):
    tenant = make_tenant()
    good = make_user(app, tenant, "member", "rotate-good@example.com")
    bad = make_user(app, tenant, "member", "rotate-bad@example.com")
    _set_profile(app, tenant, good)
    with raw_engine.begin() as conn:
        conn.execute(sa.text(f'UPDATE "{tenant.schema_name}".users SET phone = :p WHERE id = :id'),
                     {"p": "v1.dev1.AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "id": bad})
    rotated = app_factory(NEXPHYS_DATA_KEYS=f"{generate_key_spec('new3')},{app.config['NEXPHYS_DATA_KEYS']}")
    result = rotated.test_cli_runner().invoke(args=["keys", "rotate", "--tenant", tenant.slug])
    assert result.exit_code == 1
    assert f"{tenant.slug}: 1 people re-encrypted" in result.output and f"user {bad}" in result.output


def test_key_rotation_reencrypts_with_the_new_key(app_factory, app, raw_engine, make_tenant):
    tenant = make_tenant()
    user_id = make_user(app, tenant, "member", "rotate@example.com")
    _set_profile(app, tenant, user_id)
    old_spec = app.config["NEXPHYS_DATA_KEYS"]
    old_kid = KeyRing.parse(old_spec).active
    assert _raw(raw_engine, tenant, user_id)["phone"].split(".")[1] == old_kid

    rotated = app_factory(NEXPHYS_DATA_KEYS=f"{generate_key_spec('new2')},{old_spec}")
    result = rotated.test_cli_runner().invoke(args=["keys", "rotate", "--tenant", tenant.slug])
    assert result.exit_code == 0, result.output
    assert f"{tenant.slug}: 1 people re-encrypted" in result.output
    assert {v.split(".")[1] for v in _raw(raw_engine, tenant, user_id).values()} == {"new2"}
    with rotated.app_context(), tenant_bound(tenant):
        assert db.session.get(User, user_id).phone == SECRET_PHONE
    only_new = app_factory(NEXPHYS_DATA_KEYS=rotated.config["NEXPHYS_DATA_KEYS"].split(",")[0])
    with only_new.app_context(), tenant_bound(tenant):  # the old key can now be retired
        assert db.session.get(User, user_id).health_notes == SECRET_NOTES


def test_bad_key_configuration_fails_fast():
    with pytest.raises(ValueError):
        KeyRing.parse("k1:tooshort")
    with pytest.raises(ValueError):
        KeyRing.parse("")
