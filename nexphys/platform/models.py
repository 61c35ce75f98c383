"""Platform administrators (public schema): they sign in on the apex host only."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TimestampTZ, utcnow
from nexphys.extensions import db


class PlatformAdmin(db.Model):
    __tablename__ = "platform_admins"
    __table_args__ = (sa.Index("uq_platform_admins_email_lower", sa.func.lower(sa.column("email")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(TimestampTZ())


class PlatformMessage(db.Model):
    """An email the platform itself sends (no studio yet: "start a studio" links), delivered by a job.

    Without SMTP_URL the message is kept here and the apex's development mail page shows it.
    """

    __tablename__ = "platform_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(40), default="generic")
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")  # pending, sent, kept, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(TimestampTZ())

    # The delivery code reads an outbox message's fields; a platform message has no HTML and no attachments.
    body_html = None
    attachments: list = []


class StudioStart(db.Model):
    """A verified "start a studio" link that made a tenant: a second use shows that studio's progress.

    Nothing about the owner is kept here (their email travels in the provisioning job, as from the console).
    """

    __tablename__ = "studio_starts"

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(sa.String(64), unique=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
