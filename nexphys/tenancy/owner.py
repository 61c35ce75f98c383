"""A new studio's first person: its owner, invited by email once provisioning has finished.

The platform keeps nothing about the owner in `public`: the email travels in the provisioning job's
arguments and ends up only in the studio's own schema (the user and the outbox message).
"""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import validate_email
from flask import current_app
from rq import Retry

from nexphys.extensions import db
from nexphys.jobs.queues import enqueue
from nexphys.jobs.wrapper import tenant_job
from nexphys.tenancy.context import tenant_bound
from nexphys.tenancy.jobs import provisioning_job_id
from nexphys.tenancy.resolver import load_tenant

OWNER_ROLE = "owner"
INVITED_BY = "The nexphys team"


def studio_url(slug: str, custom_domain: str | None = None, scheme: str | None = None,
               port: str | int | None = None) -> str:
    """The studio's home URL: its custom domain, else `<slug>.<base domain>`, with the given port.

    Without a scheme or port (a CLI or a job, not a request), the configured ones are used; the port is
    left out in production, where a proxy serves the standard ports.
    """
    config = current_app.config
    scheme = scheme or config["PREFERRED_URL_SCHEME"]
    if port is None and config["NEXPHYS_ENV"] != "production":
        port = config["PUBLIC_PORT"]
    if str(port) in ("", "80" if scheme == "http" else "443"):
        port = None
    host = custom_domain or f"{slug}.{config['NEXPHYS_BASE_DOMAIN']}"
    return f"{scheme}://{host}{f':{port}' if port else ''}/"


def invite_owner(tenant_id: int, email: str, full_name: str | None = None, base_url: str | None = None) -> int | None:
    """Create the studio's owner (invited, no password) and email a set-password link; commits.

    Idempotent: when someone in the studio already has this email, nothing is done and None is returned.
    An invalid email raises email_validator.EmailNotValidError (callers validate first).
    `base_url` is the studio's address for the link (default: `studio_url` of its slug).
    """
    from nexphys.audit.services import AuditAction, record
    from nexphys.auth.services import find_user_by_email, send_invitation
    from nexphys.members.models import User, UserStatus
    from nexphys.roles.models import Role

    email = validate_email((email or "").strip(), check_deliverability=False).normalized  # as members' invites
    tenant = load_tenant("id", str(tenant_id))
    if tenant is None:
        raise LookupError(f"tenant {tenant_id} does not exist")
    with tenant_bound(tenant):
        if find_user_by_email(email) is not None:
            return None
        role = db.session.scalar(sa.select(Role).where(Role.key == OWNER_ROLE))
        if role is None:
            raise RuntimeError(f"tenant {tenant.slug} has no '{OWNER_ROLE}' role: is it provisioned?")
        name = (full_name or "").strip() or email.split("@", 1)[0].replace(".", " ").title()
        user = User(email=email, full_name=name[:120], role=role, status=UserStatus.INVITED, password_hash=None)
        db.session.add(user)
        db.session.flush()
        # The link must name the studio's host; a job has no request, so lend it one on that host.
        with current_app.test_request_context("/", base_url=base_url or studio_url(tenant.slug)):
            send_invitation(user, invited_by=INVITED_BY)
            record(AuditAction.MEMBER_INVITED, actor="platform", target=f"user:{user.id}",
                   details={"role": OWNER_ROLE})
        db.session.commit()
        return user.id


@tenant_job(platform=True)
def provision_with_owner(tenant_id_to_provision: int, owner_email: str, owner_name: str | None = None,
                         base_url: str | None = None) -> dict:
    """Provision a tenant, then invite its owner (both idempotent, so RQ's retries are safe)."""
    from nexphys.tenancy.services import provision_tenant_now

    seconds = provision_tenant_now(tenant_id_to_provision)
    owner_id = invite_owner(tenant_id_to_provision, owner_email, owner_name, base_url)
    return {"tenant_id": tenant_id_to_provision, "seconds": round(seconds, 4), "owner_id": owner_id}


def enqueue_provisioning_with_owner(tenant_id: int, owner_email: str, owner_name: str | None = None,
                                    base_url: str | None = None):
    """Queue `provision_with_owner` once per tenant (same job id as plain provisioning), with retries."""
    return enqueue(
        f"{provision_with_owner.__module__}.provision_with_owner", tenant_id, owner_email, owner_name, base_url,
        queue="high", job_id=provisioning_job_id(tenant_id), retry=Retry(max=3, interval=[2, 10, 30]),
    )


def queued_owner(tenant_id: int) -> tuple[str, str | None, str | None] | None:
    """(email, name, base_url) from the tenant's last provisioning job, if RQ still has it (for a retry)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from nexphys.kv import get_redis

    try:
        job = Job.fetch(provisioning_job_id(tenant_id), connection=get_redis(), serializer=JSONSerializer)
    except NoSuchJobError:
        return None
    except Exception:  # noqa: BLE001 - Redis down or a job we cannot read: the caller asks again
        return None
    if not job.func_name.endswith(".provision_with_owner") or len(job.args) < 2 or not job.args[1]:
        return None
    args = [*job.args, None, None]
    return args[1], args[2], args[3]


def provisioning_job_status(tenant_id: int) -> str | None:
    """RQ's status of the tenant's provisioning job (queued, started, failed, scheduled…), or None."""
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from nexphys.kv import get_redis

    try:
        job = Job.fetch(provisioning_job_id(tenant_id), connection=get_redis(), serializer=JSONSerializer)
        status = job.get_status(refresh=False)
    except Exception:  # noqa: BLE001 - no such job, or Redis down: nothing to show
        return None
    return getattr(status, "value", status)
