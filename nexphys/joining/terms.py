"""The studio's terms and waiver: published in versions that never change, accepted by people one version at a
time. A member who has not accepted the newest version is asked to before their next booking and on sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from nexphys.audit.services import record
from nexphys.errors import Invalid
from nexphys.extensions import db
from nexphys.joining.models import TermsAcceptance, TermsVersion
from nexphys.members.models import User
from nexphys.roles.models import RoleLevel
from nexphys.tenancy.cache import cached_tenant_value, forget_tenant_values_after_commit
from nexphys.validation import FieldErrors, TextWords, text
from nexphys.web.access import Principal

TERMS_MAX = 20000
TERMS_PUBLISHED = "joining.terms_published"
TERMS_ACCEPTED = "joining.terms_accepted"
_TERMS_TEXT = TextWords(missing="Write the text people agree to before publishing it.",
                        too_long="Keep the terms under {limit} characters.")


class TermsInvalid(Invalid):
    """The text to publish is empty or too long."""


@dataclass(frozen=True)
class Accepted:
    """The newest version a person accepted, and when."""

    number: int
    accepted_at: datetime


def current() -> TermsVersion | None:
    """The newest published version, or None before the studio publishes any."""
    return db.session.scalar(sa.select(TermsVersion).order_by(TermsVersion.number.desc()).limit(1))


def current_number() -> int | None:
    """The newest version's number, kept in process (asked on every booking and sign-in)."""
    return cached_tenant_value("terms:current", lambda: db.session.scalar(sa.select(sa.func.max(TermsVersion.number))))


def versions() -> list[TermsVersion]:
    """Every published version, newest first."""
    return list(db.session.scalars(sa.select(TermsVersion).order_by(TermsVersion.number.desc())))


def publish(body: str, by: Principal) -> TermsVersion:
    """Publish a new version (the next number); people are asked to accept it. Flushes."""
    errors = FieldErrors()
    cleaned = text(errors, "body", body, TERMS_MAX, required=True, words=_TERMS_TEXT)
    errors.raise_if_any(TermsInvalid)
    latest = db.session.scalar(sa.select(TermsVersion).order_by(TermsVersion.number.desc()).limit(1)
                               .with_for_update())  # two owners publishing at once get 2 and 3, not 2 twice
    version = TermsVersion(number=(latest.number if latest else 0) + 1, body=cleaned.strip(), published_by=by.label,
                           published_by_user_id=by.person_id)
    db.session.add(version)
    db.session.flush()
    forget_tenant_values_after_commit()
    record(TERMS_PUBLISHED, actor=by.label, actor_user_id=by.person_id, target=f"terms:{version.number}",
           details={"version": version.number})
    return version


def accept(user_id: int, version: TermsVersion, at: datetime | None = None) -> None:
    """Record that the person accepted `version` (idempotent). Flushes."""
    exists = db.session.scalar(sa.select(TermsAcceptance.id).where(TermsAcceptance.user_id == user_id,
                                                                   TermsAcceptance.version_id == version.id))
    if exists is None:
        acceptance = TermsAcceptance(user_id=user_id, version_id=version.id)
        if at is not None:
            acceptance.accepted_at = at
        db.session.add(acceptance)
        db.session.flush()
        user = db.session.get(User, user_id)
        record(TERMS_ACCEPTED, actor=user.email if user else "member", actor_user_id=user_id,
               target=f"terms:{version.number}", details={"version": version.number})


def accepted(user_id: int) -> Accepted | None:
    """The newest version the person accepted (None: none yet)."""
    row = db.session.execute(
        sa.select(TermsVersion.number, TermsAcceptance.accepted_at)
        .join(TermsVersion, TermsVersion.id == TermsAcceptance.version_id)
        .where(TermsAcceptance.user_id == user_id).order_by(TermsVersion.number.desc()).limit(1)).first()
    return Accepted(row.number, row.accepted_at) if row else None


def needs_acceptance(principal: Principal | None) -> bool:
    """Whether a member must accept the newest terms first (staff never: the terms are the members')."""
    if principal is None or principal.kind != "user" or principal.role_level >= RoleLevel.MANAGER:
        return False
    newest = current_number()
    if newest is None:
        return False
    mine = accepted(principal.id)
    return mine is None or mine.number < newest
