"""A new studio's first person: its owner, invited by email once provisioning has finished.

The platform keeps nothing about the owner in `public`: the email travels in the provisioning job's
arguments and ends up only in the studio's own schema (the user and the outbox message).
"""

from __future__ import annotations

import sqlalchemy as sa
from email_validator import validate_email
from flask import current_app

from nexphys.audit.services import AuditAction, record
from nexphys.auth.services import find_user_by_email, send_invitation
from nexphys.extensions import db
from nexphys.members.models import User, UserStatus
from nexphys.roles.defaults import OWNER as OWNER_ROLE
from nexphys.roles.models import Role
from nexphys.tenancy.context import tenant_bound
from nexphys.tenancy.resolver import load_tenant
from nexphys.tenancy.urls import studio_url

INVITED_BY = "The nexphys team"


def invite_owner(tenant_id: int, email: str, full_name: str | None = None, base_url: str | None = None) -> int | None:
    """Create the studio's owner (invited, no password) and email a set-password link; commits.

    Idempotent: when someone in the studio already has this email, nothing is done and None is returned.
    An invalid email raises email_validator.EmailNotValidError (callers validate first).
    `base_url` is the studio's address for the link (default: `studio_url` of its slug).
    """
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
