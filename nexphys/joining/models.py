"""Joining a studio (tenant schema): sign-ups waiting for their email or the staff, the studio's terms in
versions, who accepted which, and what members tell the studio before their first visit.

A sign-up is not a person until its email is verified (and, when the studio approves sign-ups, until staff
approve it): an unverified address never takes a place in the members list or blocks an invitation.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.members.models import User


class SignUpStatus:
    UNVERIFIED = "unverified"  # waiting for the email link
    PENDING = "pending"  # verified, waiting for the staff
    JOINED = "joined"  # a member now (user_id)
    DECLINED = "declined"  # the staff said no
    OPEN = (UNVERIFIED, PENDING)
    ALL = (UNVERIFIED, PENDING, JOINED, DECLINED)


class TermsVersion(TenantModel):
    """One published text of the studio's terms and waiver: never changed, a new publication is a new row."""

    __tablename__ = "terms_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    body: Mapped[str] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    published_by: Mapped[str] = mapped_column(sa.String(254))
    published_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))


class TermsAcceptance(TenantModel):
    """A person accepted one version of the terms, at a time."""

    __tablename__ = "terms_acceptances"
    __table_args__ = (sa.UniqueConstraint("user_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey(TermsVersion.id))
    accepted_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)


class SignUp(TenantModel):
    """Someone asked to join from the studio's pages."""

    __tablename__ = "sign_ups"
    __table_args__ = (
        sa.CheckConstraint(sa.column("status").in_(SignUpStatus.ALL), name="status_known"),
        # One open request per address: a second sign-up updates it (and races end here, not in two rows).
        sa.Index("uq_sign_ups_open_email", sa.func.lower(sa.column("email")), unique=True,
                 postgresql_where=sa.text("status IN ('unverified', 'pending')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    # Kept only until the request is decided: then it is the member's, or gone.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    terms_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey(TermsVersion.id))
    status: Mapped[str] = mapped_column(sa.String(20), default=SignUpStatus.UNVERIFIED, index=True)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    decided_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    decided_by: Mapped[str | None] = mapped_column(sa.String(254))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey(User.id, ondelete="SET NULL"))


class FirstVisit(TenantModel):
    """What a member told the studio before their first visit (the rest is on their profile)."""

    __tablename__ = "first_visits"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey(User.id, ondelete="CASCADE"), primary_key=True)
    heard_about: Mapped[str | None] = mapped_column(sa.String(200))
    completed_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)
