"""`flask platform create-admin` and `flask demo seed` (demo logins)."""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.demo.cli import demo_cli
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.platform.cli import platform_cli
from nexphys.platform.models import PlatformAdmin
from nexphys.platform.services import authenticate_admin, find_admin
from nexphys.security.passwords import verify_password
from nexphys.tenancy.context import tenant_bound
from nexphys.tenancy.resolver import load_tenant
from tests.factories import drop_tenant
from tests.platform.requests import APEX, admin_login


def test_create_admin_prompts_for_a_hidden_confirmed_password(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(platform_cli, ["create-admin", "Ops@Example.com", "--name", "Ops Person"],
                           input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    assert "a long enough secret" not in result.output
    with app.app_context():
        assert authenticate_admin("ops@example.com", "a long enough secret").full_name == "Ops Person"
    assert admin_login(client, "ops@example.com", "a long enough secret").status_code == 302

    again = runner.invoke(platform_cli, ["create-admin", "ops@example.com", "--name", "Twice"],
                          input="a long enough secret\na long enough secret\n")
    assert again.exit_code == 1 and "already exists" in again.output


def test_create_admin_refuses_weak_passwords_and_bad_emails(app):
    runner = app.test_cli_runner()
    weak = runner.invoke(platform_cli, ["create-admin", "weak@example.com", "--name", "W"], input="short\nshort\n")
    assert weak.exit_code == 1 and "at least" in weak.output
    bad = runner.invoke(platform_cli, ["create-admin", "not-an-email", "--name", "B", "--password", "x" * 12])
    assert bad.exit_code == 1
    with app.app_context():
        assert find_admin("weak@example.com") is None


def test_demo_seed_gives_everyone_the_demo_password_hashing_once(app, monkeypatch):
    from nexphys.security import passwords

    calls = []
    real = passwords.hash_password
    monkeypatch.setattr(passwords, "hash_password", lambda pw: calls.append(pw) or real(pw))
    runner = app.test_cli_runner()
    try:
        result = runner.invoke(demo_cli, ["seed"])
        assert result.exit_code == 0, result.output
        assert calls == ["nexphys-demo"]
        with app.app_context():
            admin = find_admin("admin@nexphys.example")
            assert admin.full_name == "Platform Admin" and verify_password(admin.password_hash, "nexphys-demo")
            gym = load_tenant("slug", "gym-abc")
        with app.app_context(), tenant_bound(gym):
            hashes = db.session.scalars(sa.select(User.password_hash)).all()
            from nexphys.demo.data import DEMO_STUDIOS, MEMBER_COUNT

            assert len(hashes) == len(DEMO_STUDIOS[0].staff) + MEMBER_COUNT and len(set(hashes)) == 1
            assert verify_password(hashes[0], "nexphys-demo")
            db.session.execute(sa.update(User).where(User.email == "member3@gym-abc.example")
                               .values(password_hash=None))
            db.session.commit()

        calls.clear()
        result = runner.invoke(demo_cli, ["seed"])
        assert result.exit_code == 0, result.output
        assert calls == ["nexphys-demo"] and "created" not in result.output
        with app.app_context(), tenant_bound(gym):
            restored = db.session.scalar(sa.select(User.password_hash).where(User.email == "member3@gym-abc.example"))
            assert restored and verify_password(restored, "nexphys-demo")
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(PlatformAdmin)
                                     .where(PlatformAdmin.email == "admin@nexphys.example")) == 1
    finally:
        drop_tenant(app, "gym-abc")
        drop_tenant(app, "studio-xyz")


def test_demo_seed_refuses_production(app_factory):
    production = app_factory(NEXPHYS_ENV="production")
    result = production.test_cli_runner().invoke(demo_cli, ["seed"])
    assert result.exit_code == 1 and "refusing" in result.output


def test_the_demo_admin_can_sign_in(app, client):
    from nexphys.demo.data import DEMO_PASSWORD
    from nexphys.platform.services import create_admin
    from tests.factories import password_hash

    with app.app_context():
        if find_admin("demo-like@example.com") is None:
            create_admin("demo-like@example.com", "Demo Like", password_hash=password_hash(DEMO_PASSWORD))
            db.session.commit()
    assert admin_login(client, "demo-like@example.com", DEMO_PASSWORD).status_code == 302
    assert client.get("/platform/", headers=APEX).status_code == 200
