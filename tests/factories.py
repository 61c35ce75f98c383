"""Test data: tenants, people, class sessions and settings, and reading rows back.

Every helper works through the app (an app context, tenant-bound where it needs a tenant) and commits, so a
test sees what requests would. Data only one folder needs lives in that folder's `factories.py`.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tests.running import in_studio

# --- names --------------------------------------------------------------------------------------


def unique_slug(prefix: str = "t") -> str:
    """A tenant slug no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def unique(label: str) -> str:
    """A display name no other test uses (`label` and a random suffix)."""
    return f"{label} {uuid.uuid4().hex[:6]}"


def email_for(label: str) -> str:
    """An email address no other test uses."""
    return f"{label}-{uuid.uuid4().hex[:8]}@example.com"


# --- tenants ------------------------------------------------------------------------------------


def create_tenant(app, slug: str | None = None, name: str | None = None, provision: bool = True, **kwargs):
    """Register (and by default provision) a tenant through the production services."""
    from nexphys.extensions import db
    from nexphys.tenancy import services

    slug = slug or unique_slug()
    with app.app_context():
        tenant = services.register_tenant(slug, name or f"Studio {slug}", **kwargs)
        db.session.commit()
        tenant_id = tenant.id
        if provision:
            services.provision_tenant_now(tenant_id)
    return tenant_info(app, tenant_id)


def tenant_info(app, tenant_id: int):
    """The tenant as the resolver loads it (what `tenant_bound` and the helpers here take)."""
    from nexphys.tenancy.resolver import load_tenant

    with app.app_context():
        return load_tenant("id", str(tenant_id))


def drop_tenant(app, slug: str) -> None:
    """Drop a tenant and its schema; one already gone is fine."""
    from nexphys.tenancy import services

    with app.app_context():
        with contextlib.suppress(services.TenantMissing):
            services.drop_tenant(slug)


# --- people -------------------------------------------------------------------------------------

TEST_PASSWORD = "correct horse battery"
_HASH_CACHE: dict[str, str] = {}


def password_hash(password: str = TEST_PASSWORD) -> str:
    """Argon2 is slow by design: hash each test password once per run."""
    from nexphys.security.passwords import hash_password

    if password not in _HASH_CACHE:
        _HASH_CACHE[password] = hash_password(password)
    return _HASH_CACHE[password]


def make_user(app, tenant, role_key: str = "member", email: str | None = None, password: str | None = TEST_PASSWORD,
              status: str = "active", full_name: str | None = None) -> int:
    """Create a person in `tenant` with a default role; returns the user id."""
    from nexphys.extensions import db
    from nexphys.members.models import User
    from nexphys.roles.models import Role
    from nexphys.tenancy.context import tenant_bound

    email = email or email_for(role_key)
    with app.app_context(), tenant_bound(tenant):
        role = db.session.scalar(sa.select(Role).where(Role.key == role_key))
        user = User(email=email, full_name=full_name or email.split("@")[0].title(), role=role, status=status,
                    password_hash=password_hash(password) if password else None)
        db.session.add(user)
        db.session.commit()
        return user.id


def person(app, tenant, role_key: str = "member", label: str | None = None, **kwargs) -> tuple[int, str]:
    """Make a person; returns (id, email)."""
    email = email_for(label or role_key)
    return make_user(app, tenant, role_key, email, **kwargs), email


def principal_for(user_id: int):
    """The Principal a signed-in person would have (call inside `in_studio`)."""
    from nexphys.auth.principals import user_principal
    from nexphys.extensions import db
    from nexphys.members.models import User

    return user_principal(db.session.get(User, user_id))


# --- classes and settings -----------------------------------------------------------------------


def now() -> datetime:
    """The current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def add_class(app, tenant, name: str, starts_at: datetime | None = None, capacity: int = 10) -> int:
    """Give a tenant one class session (this week, by default now + 1h) of a class type called `name`."""
    from nexphys.classes.models import ClassSession, ClassType
    from nexphys.extensions import db
    from nexphys.tenancy.context import tenant_bound

    starts_at = starts_at or now() + timedelta(hours=1)
    with app.app_context(), tenant_bound(tenant):
        class_type = ClassType(name=name, duration_minutes=45, default_capacity=capacity)
        session = ClassSession(class_type=class_type, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=45),
                               capacity=capacity)
        db.session.add(session)
        db.session.commit()
        return session.id


def make_session(app, tenant, starts_in: timedelta = timedelta(days=1), capacity: int = 10,
                 minutes: int = 60, name: str | None = None) -> int:
    """A scheduled class session starting `starts_in` from now; returns its id."""
    from nexphys.classes.models import ClassSession, ClassType
    from nexphys.extensions import db

    with in_studio(app, tenant):
        type_name = name or f"Class {email_for('t')[:14]}"
        class_type = db.session.scalar(sa.select(ClassType).where(ClassType.name == type_name)) or ClassType(
            name=type_name, duration_minutes=minutes, default_capacity=capacity)
        starts_at = now() + starts_in
        session = ClassSession(class_type=class_type, starts_at=starts_at,
                               ends_at=starts_at + timedelta(minutes=minutes), capacity=capacity)
        db.session.add(session)
        db.session.commit()
        return session.id


def set_settings(app, tenant, **values) -> None:
    """Save studio settings (booking rules and the like) through the settings service."""
    from nexphys.extensions import db
    from nexphys.settings.services import save_settings

    with in_studio(app, tenant):
        save_settings(values)
        db.session.commit()


# --- reading data back --------------------------------------------------------------------------


def load_user(app, tenant, user_id: int) -> dict:
    """A person's current columns (decrypted), read in a fresh session."""
    from nexphys.extensions import db
    from nexphys.members.models import User

    with in_studio(app, tenant):
        user = db.session.get(User, user_id)
        return {"status": user.status, "role": user.role.key, "full_name": user.full_name, "phone": user.phone,
                "date_of_birth": user.date_of_birth, "health_notes": user.health_notes,
                "password_hash": user.password_hash, "email": user.email}


def session_state(app, tenant, session_id: int) -> dict:
    """The session's seat count and its bookings by status, read fresh."""
    from nexphys.bookings.models import Booking
    from nexphys.classes.models import ClassSession
    from nexphys.extensions import db

    with in_studio(app, tenant):
        session = db.session.get(ClassSession, session_id)
        rows = db.session.execute(sa.select(Booking.member_id, Booking.status).where(
            Booking.session_id == session_id).order_by(Booking.created_at, Booking.id)).all()
        by_status: dict[str, list[int]] = {}
        for member_id, status in rows:
            by_status.setdefault(status, []).append(member_id)
        return {"booked_count": session.booked_count, "capacity": session.capacity, "status": session.status,
                "bookings": by_status}


def audit_entries(app, tenant, action: str, target: str | None = None) -> list:
    """The studio's audit entries for `action` (and `target`), oldest first."""
    from nexphys.audit.models import AuditEntry
    from nexphys.extensions import db

    with in_studio(app, tenant):
        query = sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        if target:
            query = query.where(AuditEntry.target == target)
        return [{"actor": e.actor, "actor_user_id": e.actor_user_id, "target": e.target, "details": e.details}
                for e in db.session.scalars(query)]


def outbox_for(app, tenant, address: str) -> list:
    """The studio's outbox messages to `address`, oldest first."""
    from nexphys.extensions import db
    from nexphys.mail.models import OutboxMessage

    with in_studio(app, tenant):
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.to_address == address)
                                  .order_by(OutboxMessage.id))
        return [{"subject": m.subject, "body": m.body_text, "kind": m.kind} for m in rows]


def invitation_messages(app, tenant) -> list:
    """The studio's invitation emails as (to, subject, body)."""
    from nexphys.extensions import db
    from nexphys.mail.models import OutboxMessage
    from nexphys.tenancy.context import tenant_bound

    with app.app_context(), tenant_bound(tenant):
        rows = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "invitation")).all()
        return [(m.to_address, m.subject, m.body_text) for m in rows]


def granted_by_migrating(raw_engine, tenant, resource: str, action: str, from_revision: str) -> list[str]:
    """Take a studio back to how one made before `resource:action` existed (the permission gone, its
    schema at `from_revision`), run the tenant migrations to head, and return the role keys that then hold it."""
    from nexphys.tenancy.migrations import head_revision, migrate_one

    schema = tenant.schema_name
    holders = sa.text(
        f'SELECT r.key FROM "{schema}".role_permissions rp JOIN "{schema}".roles r ON r.id = rp.role_id '
        f'JOIN "{schema}".permissions p ON p.id = rp.permission_id '
        "WHERE p.resource = :resource AND p.action = :action ORDER BY r.key")
    with raw_engine.begin() as conn:
        conn.execute(sa.text(f'DELETE FROM "{schema}".permissions WHERE resource = :resource AND action = :action'),
                     {"resource": resource, "action": action})
        conn.execute(sa.text(f'UPDATE "{schema}".alembic_version SET version_num = :revision'),
                     {"revision": from_revision})
        assert conn.execute(holders, {"resource": resource, "action": action}).scalars().all() == []
    _tenant_id, revision, error = migrate_one(tenant.id, schema, raw_engine)
    assert error is None and revision == head_revision(), error
    with raw_engine.connect() as conn:
        return list(conn.execute(holders, {"resource": resource, "action": action}).scalars())
