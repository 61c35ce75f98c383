"""A studio's people: members and staff (tenant schema). The same email may exist in two studios.

Phone, emergency contact and health notes are encrypted at rest (nexphys.security.crypto).
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.db import TenantModel, TimestampTZ, utcnow
from nexphys.roles.models import Role
from nexphys.security.crypto import EncryptedText


class UserStatus:
    ACTIVE = "active"
    INVITED = "invited"
    INACTIVE = "inactive"
    ALL = (ACTIVE, INVITED, INACTIVE)


class User(TenantModel):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index("uq_users_email_lower", sa.func.lower(sa.column("email")), unique=True),
        sa.CheckConstraint(sa.column("status").in_(UserStatus.ALL), name="status_known"),
        {"info": {"singular": "user", "plural": "people"}},  # how messages count its rows
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    full_name: Mapped[str] = mapped_column(sa.String(120))
    role_id: Mapped[int] = mapped_column(sa.ForeignKey(Role.id), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default=UserStatus.ACTIVE)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(EncryptedText("users.phone"))
    date_of_birth: Mapped[date | None] = mapped_column(sa.Date)
    emergency_contact: Mapped[str | None] = mapped_column(EncryptedText("users.emergency_contact"))
    health_notes: Mapped[str | None] = mapped_column(EncryptedText("users.health_notes"))
    last_login_at: Mapped[datetime | None] = mapped_column(TimestampTZ())
    # Part of every session id and remember cookie of this person (nexphys.auth.sessions): raised on a
    # password or role change, deactivation and "sign out everywhere", which ends them all (and their API tokens).
    session_version: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    # The secret in the member's personal calendar-feed URL; reset to revoke a leaked feed.
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # An instructor's public profile (nexphys.studio.profiles): a few paragraphs and a photo (a storage key).
    bio: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    photo_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow, onupdate=utcnow)

    role: Mapped[Role] = relationship(lazy="joined")

    def __repr__(self) -> str:  # never include the sensitive fields
        return f"<User {self.id} {self.email}>"
