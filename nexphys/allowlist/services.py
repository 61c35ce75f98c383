"""A studio's allowed networks: reading them (cached), checking a staff sign-in, editing, and clearing them.

The list is one studio setting (STAFF_NETWORKS_SETTING, a list of ranges such as "203.0.113.0/24");
empty means no restriction. Who it restricts: staff (roles at manager level and above, owners
included) and API keys. Members and the public pages are never restricted.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import has_request_context, request

from nexphys.allowlist import networks as nets
from nexphys.audit.services import record
from nexphys.errors import Invalid, NotAllowed
from nexphys.extensions import db
from nexphys.members.models import User
from nexphys.roles.models import RoleLevel
from nexphys.settings.services import save_settings, setting
from nexphys.tenancy.cache import cached_tenant_value
from nexphys.tenancy.context import TenantStatus, require_tenant, tenant_bound
from nexphys.tenancy.resolver import load_tenant
from nexphys.validation import FieldErrors
from nexphys.web.access import Principal

log = logging.getLogger(__name__)

STAFF_NETWORKS_SETTING = "staff_allowed_networks"
TARGET = "settings:allowed_networks"


class AllowlistAudit:
    """Audit actions of this domain (the audit log's column holds at most 60 characters)."""

    CHANGED = "security.allowed_networks_changed"
    CLEARED = "security.allowed_networks_cleared"  # by a platform administrator (recovery)
    SIGN_IN_REFUSED = "auth.sign_in_refused_network"
    REQUEST_REFUSED = "security.request_refused_network"


class NetworkNotAllowed(NotAllowed):
    """A staff member or API key calling from outside the studio's allowed networks (403)."""

    problem_type = "ip_not_allowed"


class NetworksInvalid(Invalid):
    """The list cannot be saved: `errors` has "networks" (bad entries) or "confirm_lockout" (it would lock you out)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors, " ".join(m for messages in errors.values() for m in messages))


def is_staff_level(level: int) -> bool:
    """Instructors, managers, owners and custom roles at their level are staff; members are not."""
    return level >= RoleLevel.MANAGER


def allowed_networks() -> tuple[nets.Network, ...]:
    """The bound studio's allowed networks, parsed, kept in process: no query on the request path."""
    return cached_tenant_value("allowed-networks", lambda: nets.stored(saved_networks()))


def saved_networks() -> list[str]:
    """The stored list as written by `save` (one query; for the settings page and the audit log)."""
    value = setting(STAFF_NETWORKS_SETTING, [])
    return [str(v) for v in value] if isinstance(value, list) else []


def caller_address() -> str | None:
    """The address of this request's client (the real one behind the balancer, once ProxyFix is on)."""
    return request.remote_addr if has_request_context() else None


def outside(address: str | None) -> bool:
    """Whether the studio restricts staff and `address` is not in its list."""
    networks = allowed_networks()
    return bool(networks) and not nets.allows(networks, address)


def check_sign_in_network(user: User) -> None:
    """Refuse a staff member's sign-in from outside the studio's networks, after their password was right.

    Checked after the password so only someone who knows it learns of the restriction. Audited;
    the refusal's handler commits the entry. Outside a request (a script) there is no network to check.
    """
    address = caller_address()
    if not has_request_context() or not outside(address) or not is_staff_level(user.role.level):
        return
    record(AllowlistAudit.SIGN_IN_REFUSED, actor=user.email, actor_user_id=user.id,
           details={"reason": "network", "address": address or "unknown"})
    raise NetworkNotAllowed(
        f"Staff sign-in to {require_tenant().name} is limited to the studio's network. You are connecting "
        f"from {address or 'an unknown address'}, which is not on its list: sign in from the studio, "
        "or ask the owner to add this network.")


def clean(text: str, address: str | None, confirmed: bool) -> list[str]:
    """The ranges to store, from what an owner wrote; NetworksInvalid names every problem in plain words.

    A list that leaves out the owner's own address is refused unless they confirm: once saved they
    could no longer reach the studio's staff pages from where they are.
    """
    errors = FieldErrors()
    networks, problems = nets.parse(text)
    for problem in problems:
        errors.add("networks", problem)
    if not problems and networks and not confirmed and not nets.allows(networks, address):
        errors.add("confirm_lockout",
                   f"Your current address, {address or 'unknown'}, is not in this list: once it is saved you "
                   "could not sign in or manage the studio from here. Add your network, or tick the box to "
                   "confirm you will only sign in from the networks listed.")
    errors.raise_if_any(NetworksInvalid)
    return [str(network) for network in networks]


def save(networks: list[str], actor: Principal) -> bool:
    """Store the list and audit it (before and after); False when nothing changed. Flushes."""
    before = saved_networks()
    if before == networks:
        return False
    save_settings({STAFF_NETWORKS_SETTING: networks})  # also drops the cached list after the commit
    record(AllowlistAudit.CHANGED, actor.label, actor.person_id, target=TARGET,
           details={"before": before, "after": networks})
    return True


def _readable(tenant_id: int):
    """The tenant, when its schema exists (serving or suspended); None otherwise."""
    tenant = load_tenant("id", str(tenant_id))
    if tenant is None or tenant.status not in (TenantStatus.ACTIVE, TenantStatus.SUSPENDED):
        return None
    return tenant


def networks_of_tenant(tenant_id: int) -> list[str] | None:
    """A studio's stored list, read from the apex host (platform console); None when it has no schema yet.

    Binding the studio ends the caller's session (tenant_bound): call this before loading ORM objects.
    """
    tenant = _readable(tenant_id)
    if tenant is None:
        return None
    try:
        with tenant_bound(tenant):
            return saved_networks()
    except sa.exc.ProgrammingError:  # a schema in a broken state: the console page must still show the rest
        log.warning("could not read the allowed networks of tenant %s", tenant.slug)
        return None


def clear_for_tenant(tenant_id: int, actor: str) -> list[str]:
    """Recovery: remove a studio's restriction (a platform administrator); returns what was cleared. Commits.

    It commits in the studio's own transaction (not the caller's), like every platform write into a studio.
    """
    tenant = _readable(tenant_id)
    if tenant is None:
        raise LookupError(f"tenant {tenant_id} is not set up: it has no allowed networks to clear")
    with tenant_bound(tenant):
        before = saved_networks()
        if before:
            save_settings({STAFF_NETWORKS_SETTING: []})
            record(AllowlistAudit.CLEARED, actor=actor, target=TARGET, details={"before": before, "after": []})
        db.session.commit()
    log.info("allowed networks of tenant %s cleared by %s (were %s)", tenant.slug, actor, before)
    return before

