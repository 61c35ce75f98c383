"""The job outbox (public schema): background work recorded in the transaction that asks for it.

A row is written in the same transaction as the change that needs the job, pushed to RQ after that
transaction commits, and deleted by the job itself in the transaction that carries out its effect.
So a row exists exactly while the work is still to be done (or has finally failed, `failed_at`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TimestampTZ
from nexphys.extensions import db


class OutboxJob(db.Model):
    __tablename__ = "job_outbox"
    __table_args__ = (
        # What the relay scans: work still to be pushed or running (finally failed rows are set aside).
        sa.Index("ix_job_outbox_waiting", "id", postgresql_where=sa.text("failed_at IS NULL")),
        # A keyed job (e.g. one provisioning per tenant) has at most one row waiting.
        sa.Index("uq_job_outbox_waiting_key", "job_key", unique=True,
                 postgresql_where=sa.text("job_key IS NOT NULL AND failed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    func: Mapped[str] = mapped_column(sa.String(200))
    args: Mapped[list] = mapped_column(JSONB, server_default=sa.text("'[]'::jsonb"))
    kwargs: Mapped[dict] = mapped_column(JSONB, server_default=sa.text("'{}'::jsonb"))
    queue: Mapped[str] = mapped_column(sa.String(20), server_default="default")
    job_key: Mapped[str | None] = mapped_column(sa.String(200))
    retry_intervals: Mapped[list] = mapped_column(JSONB, server_default=sa.text("'[]'::jsonb"))
    timeout_seconds: Mapped[int] = mapped_column(server_default="600")
    tenant_id: Mapped[int | None] = mapped_column(index=True)  # no foreign key: see the outbox module
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), server_default=sa.func.now())
    pushes: Mapped[int] = mapped_column(server_default="0")
    failed_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    @property
    def rq_id(self) -> str:
        return rq_job_id(self.id, self.job_key)


def rq_job_id(outbox_id: int, job_key: str | None) -> str:
    """RQ's id for the row's job: its key when it has one (so RQ shows one job per key), else its row."""
    return job_key or f"outbox-{outbox_id}"
