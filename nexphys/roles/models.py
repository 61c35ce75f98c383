"""Roles and permissions of a studio's people (tenant schema).

A permission is (resource, action[, condition]); condition "own" limits it to the holder's own
records. Roles have a level (BASIC 1 … OWNER 4) that decides who may change whose role.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexphys.db import TenantModel, TimestampTZ, utcnow


class RoleLevel:
    BASIC = 1
    PREMIUM = 2
    MANAGER = 3
    OWNER = 4
    # What each level means to a studio (an instructor's role is at the staff level, like a manager's).
    NAMES = {1: "Member level", 2: "Premium member level", 3: "Staff level", 4: "Owner level"}


role_permissions = sa.Table(
    "role_permissions",
    TenantModel.metadata,
    sa.Column("role_id", sa.ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("permission_id", sa.ForeignKey("permissions.id", ondelete="CASCADE"), primary_key=True),
)


class Permission(TenantModel):
    __tablename__ = "permissions"
    __table_args__ = (sa.UniqueConstraint("resource", "action", "condition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(sa.String(40))
    action: Mapped[str] = mapped_column(sa.String(40))
    condition: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.String(200), default="")

    @property
    def code(self) -> str:
        return f"{self.resource}:{self.action}" + (f":{self.condition}" if self.condition else "")


class Role(TenantModel):
    __tablename__ = "roles"
    __table_args__ = (sa.CheckConstraint("level BETWEEN 1 AND 4", name="level_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    level: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    is_system: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(TimestampTZ(), default=utcnow)

    # Loaded when asked for (role pages ask with selectinload): every signed-in request loads a
    # person's role, and takes its permissions from the per-role cache instead.
    permissions: Mapped[list[Permission]] = relationship(secondary=role_permissions, lazy="select",
                                                         order_by=Permission.id)

    @property
    def permission_codes(self) -> set[str]:
        return {p.code for p in self.permissions}
