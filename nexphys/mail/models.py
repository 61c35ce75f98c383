"""Outgoing mail (tenant schema): every message is written here first, then sent by a job.

In development (no SMTP configured) messages stay here and the outbox page shows them.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class OutboxMessage(TenantModel):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body_text: Mapped[str] = mapped_column(sa.Text)
    # The same message as HTML (sent as an alternative to the text), when there is one.
    body_html: Mapped[str | None] = mapped_column(sa.Text)
    # Files sent with it: [{"filename", "content_type", "content"}] (text content: a calendar invitation).
    attachments: Mapped[list] = mapped_column(JSONB, default=list, server_default=sa.text("'[]'::jsonb"))
    kind: Mapped[str] = mapped_column(sa.String(40), default="generic")
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")  # pending, sent, kept, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
