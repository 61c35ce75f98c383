"""Joining a studio from its pages: who may (the studio's policy), signing up, the email link, the staff's
decision. The same rules as an invitation: a valid address, a name, a strong password, the plan's member
limit, and an audit entry for each step.

The answer to a sign-up never says whether the address is known: someone who already has an account (or a
request waiting) gets an email saying so, and the page says "check your email" either way.
Functions flush; the request commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from nexphys.audit.services import record
from nexphys.errors import Conflict, DomainError, Invalid, NotFound
from nexphys.extensions import db
from nexphys.joining import terms
from nexphys.joining.models import SignUp, SignUpStatus, TermsVersion
from nexphys.mail.services import queue_letter
from nexphys.members import services as members
from nexphys.members.models import User, UserStatus
from nexphys.security.passwords import WeakPassword, check_strength, hash_password
from nexphys.settings.services import cached_setting, save_settings
from nexphys.tenancy.context import require_tenant
from nexphys.validation import FieldErrors, email_address
from nexphys.web.access import Principal

POLICY_SETTING = "joining_policy"
INVITE, OPEN, APPROVAL = "invite", "open", "approval"
POLICIES = {INVITE: "Invite only", OPEN: "Open: anyone can join", APPROVAL: "Staff approval"}
POLICY_HINTS = {
    INVITE: "Only people you invite can sign in. Nobody sees a Join link.",
    OPEN: "Anyone can join from your pages; they become members once they confirm their email.",
    APPROVAL: "Anyone can ask to join; they become members once they confirm their email and staff approve.",
}
VERIFY_SECONDS = 24 * 3600
SIGNED_UP = "joining.signed_up"
VERIFIED = "joining.verified"
JOINED = "joining.joined"
APPROVED = "joining.approved"
DECLINED = "joining.declined"
POLICY_CHANGED = "joining.policy_changed"


class JoiningError(DomainError):
    """Base of the joining errors; the message is safe to show."""


class JoiningClosed(JoiningError):
    """The studio takes members by invitation only."""

    status = 403


class SignUpInvalid(JoiningError, Invalid):
    """Field → messages for a sign-up form."""


class LinkInvalid(JoiningError):
    """A verification link that cannot be used (expired, altered, another studio's, already used)."""

    status = 400


class SignUpNotFound(JoiningError, NotFound):
    """No waiting sign-up with that id."""


class AlreadyDecided(JoiningError, Conflict):
    """Someone already approved or declined it."""


# --- the policy --------------------------------------------------------------------------------

def policy() -> str:
    """Who can join: "invite" (the default), "open" or "approval"."""
    value = cached_setting(POLICY_SETTING, INVITE)
    return value if value in POLICIES else INVITE


def set_policy(value: str, by: Principal) -> bool:
    """Change who can join; False when unchanged. Audited. Flushes."""
    if value not in POLICIES:
        raise JoiningError("Choose one of the three ways to join.")
    previous = policy()
    if value == previous:
        return False
    save_settings({POLICY_SETTING: value})
    record(POLICY_CHANGED, actor=by.label, actor_user_id=by.person_id, target="settings:joining",
           details={"from": previous, "to": value})
    return True


def join_url() -> str | None:
    """The Join link of the studio's header, when sign-up is not invitation-only."""
    return url_for("joining.join") if policy() != INVITE else None


# --- signing up ----------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    # The tenant's id in the salt: a link made by one studio is refused by every other.
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"nexphys:join:{require_tenant().id}")


def verification_token(sign_up: SignUp) -> str:
    return _serializer().dumps({"s": sign_up.id, "e": sign_up.email.lower()})


def _clean(email: str, full_name: str, password: str, accepted_terms: bool) -> tuple[str, str, str]:
    errors = FieldErrors()
    address = email_address(errors, "email", email)
    name = (full_name or "").strip()
    if not name:
        errors.add("full_name", "Enter your name.")
    elif len(name) > members.NAME_MAX:
        errors.add("full_name", f"Use at most {members.NAME_MAX} characters for your name.")
    try:
        check_strength(password or "")
    except WeakPassword as exc:
        errors.add("password", str(exc).capitalize() + ".")
    if terms.current_number() is not None and not accepted_terms:
        errors.add("accept_terms", "Tick the box to accept the studio's terms: you cannot join without them.")
    errors.raise_if_any(SignUpInvalid)
    return address, name, password


def sign_up(email: str, full_name: str, password: str, accepted_terms: bool) -> None:
    """Ask to join: a new request and its verification email, or (for a known address) an email saying so."""
    if policy() == INVITE:
        raise JoiningClosed("This studio takes new members by invitation. Ask the studio to invite you.")
    address, name, password = _clean(email, full_name, password, accepted_terms)
    tenant = require_tenant()
    existing = members.find_by_email(address)
    if existing is not None:
        _email_existing(existing)
        return
    waiting = db.session.scalar(sa.select(SignUp).where(sa.func.lower(SignUp.email) == address.lower(),
                                                        SignUp.status.in_(SignUpStatus.OPEN)).with_for_update())
    if waiting is not None and waiting.status == SignUpStatus.PENDING:
        queue_letter(waiting.email, f"Your request to join {tenant.name}", name=waiting.full_name, kind="sign_up",
                     paragraphs=[f"You have already asked to join {tenant.name}: the staff will answer soon, and "
                                 "you will get an email when they do."])
        return
    version = terms.current()
    request = waiting or SignUp(email=address)
    request.full_name, request.password_hash = name, hash_password(password)
    request.terms_version_id = version.id if version else None
    request.created_at = datetime.now(UTC)
    try:
        with db.session.begin_nested():  # a second sign-up of the same address at the same moment
            db.session.add(request)
    except IntegrityError:
        return  # the other request sent its email; this answer says the same
    record(SIGNED_UP, actor=address, target=f"sign_up:{request.id}",
           details={"terms_version": version.number if version else None})
    link = url_for("joining.verify", token=verification_token(request), _external=True)
    queue_letter(address, f"Confirm your email to join {tenant.name}", name=name, kind="sign_up",
                 paragraphs=[f"To finish joining {tenant.name}, confirm your email address by opening this link "
                             "within 24 hours."],
                 action=("Confirm my email", link),
                 after=("If you did not ask to join, ignore this message: nothing happens without the link.",))


def _email_existing(user: User) -> None:
    tenant = require_tenant()
    subject = f"You already have an account at {tenant.name}"
    asked = f"Someone asked to join {tenant.name} with this email address"
    if user.status == UserStatus.INACTIVE:
        queue_letter(user.email, subject, name=user.full_name, kind="sign_up",
                     paragraphs=[f"{asked}. This address belongs to an account that is no longer active: please "
                                 f"contact {tenant.name} if you want to come back."])
        return
    queue_letter(user.email, subject, name=user.full_name, kind="sign_up",
                 paragraphs=[f"{asked}, but you already have an account there."],
                 action=("Sign in", url_for("auth.login", _external=True)),
                 after=("Forgotten your password? Choose a new one here: "
                        + url_for("auth.forgot_password", _external=True),
                        "If it was not you, you can ignore this message: nothing has changed."))


def sign_up_for_token(token: str) -> SignUp:
    """The sign-up a verification link is for, or LinkInvalid saying why it cannot be used."""
    try:
        data = _serializer().loads(token, max_age=VERIFY_SECONDS)
    except SignatureExpired as exc:
        raise LinkInvalid("This link has expired. Sign up again to get a new one.") from exc
    except BadSignature as exc:
        raise LinkInvalid("This link is not valid here.") from exc
    request = db.session.get(SignUp, data.get("s"), with_for_update=True)
    if request is None or request.email.lower() != data.get("e"):
        raise LinkInvalid("This link is not valid here.")
    return request


@dataclass(frozen=True)
class Verified:
    """What a verification link did: the request, and whether it made its member just now."""

    sign_up: SignUp
    just_joined: bool


def verify(token: str) -> Verified:
    """Confirm the email of a sign-up: a member at once when sign-up is open, else waiting for the staff.

    Used twice, the link only says where the request stands (it never signs anyone in again). Flushes.
    """
    request = sign_up_for_token(token)
    if request.status != SignUpStatus.UNVERIFIED:
        return Verified(request, False)
    request.verified_at = datetime.now(UTC)
    record(VERIFIED, actor=request.email, target=f"sign_up:{request.id}")
    if policy() == OPEN:
        try:
            _make_member(request, decided_by="open sign-up")
        except members.MemberLimitReached:
            request.status = SignUpStatus.PENDING  # the staff see it, and decide once there is room
        except members.DuplicateEmail:
            _close(request, SignUpStatus.DECLINED, "already a member")
    else:
        request.status = SignUpStatus.PENDING
    db.session.flush()
    return Verified(request, request.status == SignUpStatus.JOINED)


def _make_member(request: SignUp, decided_by: str, actor: Principal | None = None) -> User:
    role = members.get_role(members.DEFAULT_ROLE_KEY)
    if members.find_by_email(request.email) is not None:
        raise members.DuplicateEmail(f"Someone at this studio already uses {request.email}.")
    members.check_member_limit(role)
    user = User(email=request.email, full_name=request.full_name, role=role, status=UserStatus.ACTIVE,
                password_hash=request.password_hash)
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as exc:
        raise members.DuplicateEmail(f"Someone at this studio already uses {request.email}.") from exc
    if request.terms_version_id is not None:
        terms.accept(user.id, db.session.get(TermsVersion, request.terms_version_id), at=request.created_at)
    request.user_id = user.id
    _close(request, SignUpStatus.JOINED, decided_by)
    record(JOINED, actor=actor.label if actor else user.email, actor_user_id=actor.person_id if actor else user.id,
           target=f"user:{user.id}", details={"sign_up": request.id, "by": decided_by})
    return user


def _close(request: SignUp, status: str, decided_by: str) -> None:
    request.status, request.decided_at, request.decided_by = status, datetime.now(UTC), decided_by[:254]
    request.password_hash = None  # the member's own now, or nobody's


# --- the staff's decision ---------------------------------------------------------------------------

def waiting(limit: int = 50) -> list[SignUp]:
    """Verified sign-ups waiting for the staff, oldest first."""
    return list(db.session.scalars(sa.select(SignUp).where(SignUp.status == SignUpStatus.PENDING)
                                   .order_by(SignUp.verified_at, SignUp.id).limit(limit)))


def waiting_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SignUp)
                             .where(SignUp.status == SignUpStatus.PENDING)) or 0


def _waiting(sign_up_id: int) -> SignUp:
    request = db.session.get(SignUp, sign_up_id, with_for_update=True)  # two staff deciding at once: one wins
    if request is None or request.status == SignUpStatus.UNVERIFIED:
        raise SignUpNotFound("There is no such request to join.")
    if request.status != SignUpStatus.PENDING:
        raise AlreadyDecided(f"The request of {request.full_name} was already answered.")
    return request


def approve(sign_up_id: int, by: Principal) -> User:
    """Let a waiting sign-up in: a member who can sign in with their password, emailed. Audited."""
    request = _waiting(sign_up_id)
    user = _make_member(request, decided_by=by.label, actor=by)
    record(APPROVED, actor=by.label, actor_user_id=by.person_id, target=f"user:{user.id}",
           details={"sign_up": request.id})
    tenant = require_tenant()
    queue_letter(user.email, f"Welcome to {tenant.name}", name=user.full_name, kind="sign_up",
                 paragraphs=[f"{tenant.name} approved your request to join. Sign in with your email and the "
                             "password you chose."],
                 action=("Sign in", url_for("auth.login", _external=True)))
    return user


def decline(sign_up_id: int, by: Principal) -> SignUp:
    """Say no to a waiting sign-up: the person is emailed, nothing of their password is kept. Audited."""
    request = _waiting(sign_up_id)
    _close(request, SignUpStatus.DECLINED, by.label)
    db.session.flush()
    record(DECLINED, actor=by.label, actor_user_id=by.person_id, target=f"sign_up:{request.id}")
    tenant = require_tenant()
    queue_letter(request.email, f"Your request to join {tenant.name}", name=request.full_name, kind="sign_up",
                 paragraphs=[f"{tenant.name} cannot take your request to join at the moment. If you think this is "
                             "a mistake, please contact the studio."])
    return request


def sign_up_of(user_id: int) -> SignUp | None:
    """How a member joined, when it was by signing up."""
    return db.session.scalar(sa.select(SignUp).where(SignUp.user_id == user_id).limit(1))
