"""The studio's stored files (tenant schema): one row per object in storage, so replaced ones are cleaned up."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from nexphys.db import TenantModel, TimestampTZ, utcnow


class StoredFile(TenantModel):
    __tablename__ = "files"
    __table_args__ = (sa.CheckConstraint("size >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    purpose: Mapped[str] = mapped_column(sa.String(40))  # logo, instructor_photo, class_type_image
    content_type: Mapped[str] = mapped_column(sa.String(80))
    size: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    # No foreign key: the uploader may leave the studio, the file stays as long as it is in use.
    uploaded_by: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
