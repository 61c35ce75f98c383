"""`flask tenants ...` end to end."""

from __future__ import annotations

from tests.factories import drop_tenant, unique_slug
from tests.requests import host, wait_for_status


def _cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_create_now_list_suspend_reactivate_drop(app, client):
    slug = unique_slug("cli")
    result = _cli(app, "tenants", "create", slug, "--name", "CLI Gym", "--time-zone", "Europe/Paris", "--now")
    assert result.exit_code == 0, result.output
    assert f"{slug}: active" in result.output
    listing = _cli(app, "tenants", "list").output
    assert slug in listing and "active" in listing and f"tenant_{slug.replace('-', '_')}" in listing
    assert client.get("/", headers={"Host": f"{slug}.localhost"}).status_code == 200

    assert _cli(app, "tenants", "suspend", slug).exit_code == 0
    wait_for_status(client, {"Host": f"{slug}.localhost"}, 403)
    assert _cli(app, "tenants", "reactivate", slug).exit_code == 0
    wait_for_status(client, {"Host": f"{slug}.localhost"}, 200)

    aborted = _cli(app, "tenants", "drop", slug, input="n\n")
    assert aborted.exit_code != 0 and slug in _cli(app, "tenants", "list").output
    assert _cli(app, "tenants", "drop", slug, "--yes").exit_code == 0
    assert slug not in _cli(app, "tenants", "list").output
    wait_for_status(client, {"Host": f"{slug}.localhost"}, 404)


def test_create_enqueues_by_default(app):
    from nexphys.jobs.queues import get_queue

    slug = unique_slug("cli")
    result = _cli(app, "tenants", "create", slug, "--name", "Queued Gym")
    assert result.exit_code == 0 and "provisioning (job provision-tenant-" in result.output
    with app.app_context():
        queue = get_queue("high")
        assert any(job_id.startswith("provision-tenant-") for job_id in queue.get_job_ids())
        queue.empty()
    drop_tenant(app, slug)


def test_bad_input_is_a_clear_error(app, tenant_a):
    result = _cli(app, "tenants", "create", "Not A Slug", "--name", "x", "--now")
    assert result.exit_code == 1 and "error:" in result.output
    result = _cli(app, "tenants", "create", tenant_a.slug, "--name", "dup", "--now")
    assert result.exit_code == 1 and "already exists" in result.output
    assert _cli(app, "tenants", "suspend", "nobody-here").exit_code == 1
    assert _cli(app, "tenants", "reactivate", tenant_a.slug).exit_code == 1  # not suspended


def test_migrate_with_nothing_to_do(app, tenant_a):
    result = _cli(app, "tenants", "migrate")
    assert result.exit_code == 0 and "0 failed" in result.output


def test_failed_tenant_can_be_reprovisioned(app, client, make_tenant):
    from tests.factories import create_tenant

    tenant = create_tenant(app, provision=False)
    result = _cli(app, "tenants", "provision", tenant.slug)
    assert result.exit_code == 0 and "active" in result.output
    wait_for_status(client, host(tenant), 200)
    drop_tenant(app, tenant.slug)


def test_create_with_an_owner_invites_them(app):
    import sqlalchemy as sa

    from nexphys.extensions import db
    from nexphys.mail.models import OutboxMessage
    from nexphys.members.models import User
    from nexphys.tenancy.context import tenant_bound
    from tests.factories import tenant_info

    slug = unique_slug("cli")
    result = _cli(app, "tenants", "create", slug, "--name", "Owned Gym", "--owner-email", "boss@owned.example.com",
                  "--owner-name", "Big Boss", "--now")
    assert result.exit_code == 0, result.output
    assert "owner boss@owned.example.com invited" in result.output
    with app.app_context():
        from nexphys.tenancy.services import get_tenant

        tenant = tenant_info(app, get_tenant(slug).id)
    with app.app_context(), tenant_bound(tenant):
        owner = db.session.scalar(sa.select(User).where(User.email == "boss@owned.example.com"))
        assert owner.role.key == "owner" and owner.status == "invited"
        mail = db.session.scalar(sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "invitation"))
        assert "/password/reset/" in mail
    drop_tenant(app, slug)
