"""Imports every model, so both metadata collections (public and tenant) are complete."""

from nexphys.bookings.models import Booking
from nexphys.classes.models import ClassSession, ClassType, Room
from nexphys.db import TenantModel
from nexphys.members.models import User
from nexphys.roles.models import Role
from nexphys.studio.models import StudioSetting
from nexphys.tenancy.models import Plan, Subscription, SystemSetting, Tenant, TenantDomain, TenantMigration

TENANT_METADATA = TenantModel.metadata

__all__ = [
    "TENANT_METADATA",
    "Booking",
    "ClassSession",
    "ClassType",
    "Plan",
    "Role",
    "Room",
    "StudioSetting",
    "Subscription",
    "SystemSetting",
    "Tenant",
    "TenantDomain",
    "TenantMigration",
    "User",
]
