"""The exercise library of a studio (tenant schema)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class Exercise(TenantModel):
    """One movement a studio programs: what it is, what it works and what it needs."""

    __tablename__ = "exercises"
    __table_args__ = (
        # Names are unique whatever their case: "Back squat" and "back squat" are one exercise.
        sa.Index("uq_exercises_name_lower", sa.func.lower(sa.column("name")), unique=True),
        sa.Index("ix_exercises_category", "category"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    category: Mapped[str] = mapped_column(sa.String(30))  # a key of vocabulary.CATEGORIES
    primary_muscles: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), default=list, server_default="{}")
    secondary_muscles: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), default=list, server_default="{}")
    # Names of the studio's equipment categories; plain text until the equipment domain links them.
    equipment: Mapped[list[str]] = mapped_column(ARRAY(sa.String(80)), default=list, server_default="{}")
    image_key: Mapped[str | None] = mapped_column(sa.String(200))  # a picture in storage (nexphys.storage)
    video_url: Mapped[str | None] = mapped_column(sa.String(500))
    archived_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)
