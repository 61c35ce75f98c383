"""The apex's two paths: members find their studio by name; gym owners start a studio themselves.

Starting a studio asks for its name, address and owner, and emails a signed link to the owner's address;
nothing is created until that link is used. The link then creates the tenant exactly as the console does
(nexphys.platform.services.create_tenant: the provisioning job that invites the owner), on the plan the
platform chose for self-service. Platform administrators can turn the whole path off (system setting).
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from nexphys.extensions import db
from nexphys.platform import services
from nexphys.platform.mail import queue_platform_email
from nexphys.platform.models import StudioStart
from nexphys.tenancy.context import TenantStatus
from nexphys.tenancy.models import Plan, SystemSetting, Tenant
from nexphys.tenancy.services import TenantError, TenantExists

SETTING = "self_service"
DEFAULTS = {"enabled": True, "plan": "starter"}
LINK_SECONDS = 48 * 3600
PROGRESS_SECONDS = 7 * 24 * 3600
FIND_LIMIT = 20


class LinkInvalid(Exception):
    """A start-a-studio or progress link that cannot be used; the message is safe to show."""


class StartInvalid(Exception):
    """Field → messages of the start-a-studio form."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid")
        self.errors = errors


class SelfServiceOff(Exception):
    """Platform administrators have turned self-service studios off."""


# --- the platform's switch ---------------------------------------------------------------------------

def settings() -> dict:
    """{"enabled": bool, "plan": plan code}: a missing row reads as on, on the starter plan."""
    row = db.session.get(SystemSetting, SETTING)
    return {**DEFAULTS, **(row.value if row and isinstance(row.value, dict) else {})}


def save_settings(enabled: bool, plan_code: str) -> None:
    """Turn self-service on or off and choose its plan (a known plan). Flushes."""
    if db.session.scalar(sa.select(Plan.id).where(Plan.code == plan_code)) is None:
        raise ValueError(f"Unknown plan {plan_code!r}.")
    row = db.session.get(SystemSetting, SETTING)
    value = {"enabled": bool(enabled), "plan": plan_code}
    if row is None:
        db.session.add(SystemSetting(key=SETTING, value=value))
    else:
        row.value = value
    db.session.flush()


# --- find your studio ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    name: str
    url: str


def find_studios(query: str, scheme: str, port: str) -> list[Found]:
    """Active studios whose name (or address) contains `query`, by name; never suspended or unfinished ones."""
    text = (query or "").strip()[:100]
    if len(text) < 2:
        return []
    pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    matches = sa.or_(Tenant.name.ilike(pattern, escape="\\"), Tenant.slug.ilike(pattern, escape="\\"))
    tenants = db.session.scalars(
        sa.select(Tenant).where(Tenant.status == TenantStatus.ACTIVE, matches)
        .order_by(sa.func.lower(Tenant.name), Tenant.id).limit(FIND_LIMIT))
    return [Found(t.name, services.studio_url_of(t, scheme, port)) for t in tenants]


# --- start a studio -----------------------------------------------------------------------------

def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"nexphys:start-studio:{purpose}")


@dataclass(frozen=True)
class StartRequest:
    name: str
    slug: str
    time_zone: str
    owner_name: str
    owner_email: str
    nonce: str


def clean(name: str, slug: str, time_zone: str, owner_name: str, owner_email: str) -> StartRequest:
    """The request as given, or StartInvalid with a plain message for each field in trouble."""
    if not settings()["enabled"]:
        raise SelfServiceOff()
    slug = (slug or "").strip().lower()
    errors = services.new_tenant_errors(slug, name, settings()["plan"], time_zone, owner_email, owner_name)
    errors.pop("plan", None)  # the platform's choice, not the visitor's
    if "owner_email" in errors:
        errors["owner_email"] = ["Enter a valid email address."]
    if "slug" in errors:  # the tenancy core's words name a "slug": an owner calls it the address
        errors["slug"] = [m.replace("A slug", "An address").replace("a slug", "an address") for m in errors["slug"]]
    if "slug" not in errors and db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == slug)) is not None:
        errors["slug"] = ["That address is taken: choose another."]
    if not (owner_name or "").strip():
        errors.setdefault("owner_name", []).append("Enter your name.")
    if errors:
        raise StartInvalid(errors)
    return StartRequest(name.strip(), slug, time_zone, owner_name.strip(), owner_email.strip(), secrets.token_hex(16))


def request_studio(request: StartRequest) -> None:
    """Email the owner a link that creates the studio (nothing is created before). Flushes."""
    token = _serializer("verify").dumps(request.__dict__)
    link = url_for("start.verify", token=token, _external=True)
    queue_platform_email(request.owner_email, f"Confirm your email to start {request.name} on nexphys",
                         f"Hello {request.owner_name},\n\nYou asked to start {request.name} on nexphys, at the address "
                         f"{request.slug}.{current_app.config['NEXPHYS_BASE_DOMAIN']}.\n\nTo create it, open this "
                         f"link within 48 hours and press the button:\n{link}\n\nIf you did not ask for this, ignore "
                         "this message: nothing is created without the link.\n", kind="start_studio")


def request_for_token(token: str) -> StartRequest:
    """The request a start link carries, or LinkInvalid."""
    try:
        data = _serializer("verify").loads(token, max_age=LINK_SECONDS)
        return StartRequest(**data)
    except SignatureExpired as exc:
        raise LinkInvalid("This link has expired. Start again to get a new one.") from exc
    except (BadSignature, TypeError) as exc:
        raise LinkInvalid("This link is not valid.") from exc


def _started(nonce: str) -> int | None:
    return db.session.scalar(sa.select(StudioStart.tenant_id).where(StudioStart.nonce == nonce))


def start(token: str, base_url: str) -> int:
    """Create the studio of a verified link (once: used again, the same studio's id). Commits.

    StartInvalid when its address was taken meanwhile; SelfServiceOff when turned off since.
    """
    request = request_for_token(token)
    existing = _started(request.nonce)
    if existing is not None:
        return existing
    if not settings()["enabled"]:
        raise SelfServiceOff()
    try:
        tenant = services.create_tenant(request.slug, request.name, settings()["plan"], request.time_zone,
                                        request.owner_email, request.owner_name, base_url=base_url)
        db.session.add(StudioStart(nonce=request.nonce, tenant_id=tenant.id))
        db.session.flush()
        tenant_id = tenant.id
        db.session.commit()
    except TenantExists as exc:
        db.session.rollback()
        existing = _started(request.nonce)  # the same link pressed twice at once
        if existing is not None:
            return existing
        raise StartInvalid({"slug": ["Someone took that address in the meantime: start again with another."]}) \
            from exc
    except (TenantError, IntegrityError) as exc:
        db.session.rollback()
        existing = _started(request.nonce)
        if existing is not None:
            return existing
        raise StartInvalid({"slug": ["That studio cannot be created: start again."]}) from exc
    return tenant_id


def progress_token(tenant_id: int) -> str:
    return _serializer("progress").dumps(tenant_id)


def tenant_for_progress(token: str) -> Tenant:
    """The studio a progress link follows, or LinkInvalid."""
    try:
        tenant_id = _serializer("progress").loads(token, max_age=PROGRESS_SECONDS)
    except (BadSignature, SignatureExpired) as exc:
        raise LinkInvalid("This link is not valid.") from exc
    tenant = db.session.get(Tenant, tenant_id)
    if tenant is None:
        raise LinkInvalid("This studio no longer exists.")
    return tenant


def suggest_slug(name: str) -> str:
    """An address from a studio's name ("Iron & Oak Gym" → "iron-oak-gym"), as the page's script suggests it."""
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    slug = re.sub(r"^[^a-z]+", "", slug)[:40].strip("-")
    return slug
