"""Imports every model, so both metadata collections (public and tenant) are complete."""

from nexphys.audit.models import AuditEntry
from nexphys.auth.models import ApiKey, RefreshToken
from nexphys.bookings.models import Booking
from nexphys.classes.models import ClassSession, ClassType, Room
from nexphys.db import TenantModel
from nexphys.mail.models import OutboxMessage
from nexphys.members.models import User
from nexphys.platform.models import PlatformAdmin
from nexphys.roles.models import Permission, Role
from nexphys.studio.models import StudioSetting
from nexphys.tenancy.models import Plan, Subscription, SystemSetting, Tenant, TenantDomain, TenantMigration

TENANT_METADATA = TenantModel.metadata

__all__ = [
    "TENANT_METADATA", "ApiKey", "AuditEntry", "Booking", "ClassSession", "ClassType", "OutboxMessage",
    "Permission", "Plan", "PlatformAdmin", "RefreshToken", "Role", "Room", "StudioSetting", "Subscription",
    "SystemSetting", "Tenant", "TenantDomain", "TenantMigration", "User",
]
