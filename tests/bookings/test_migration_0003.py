"""Migration 0003 on a studio with data from before it: statuses, seat counts and confirmation times."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import CreateSchema, DropSchema

from nexphys.tenancy import migrations
from nexphys.tenancy.binding import schema_transaction

SCHEMA = "tenant_zz_booking_0003_check"


def test_existing_bookings_are_carried_over(app, raw_engine):
    with raw_engine.begin() as conn:
        conn.execute(DropSchema(SCHEMA, cascade=True, if_exists=True))
        conn.execute(CreateSchema(SCHEMA))
    try:
        with schema_transaction(raw_engine, SCHEMA) as conn:
            migrations.upgrade_schema(conn, SCHEMA, "0002_identity")
            conn.execute(sa.text("""
                INSERT INTO roles (id, key, name, level, description, is_system, created_at)
                VALUES (99, 'r', 'R', 1, '', true, now());
                INSERT INTO users (id, email, full_name, role_id, status, created_at, updated_at)
                SELECT n, 'm' || n || '@example.com', 'M' || n, 99, 'active', now(), now()
                FROM generate_series(1, 4) n;
                INSERT INTO class_types (id, name, description, duration_minutes, default_capacity, color, level)
                VALUES (1, 'Yoga', '', 60, 3, '#000000', 'all');
                INSERT INTO class_sessions (id, class_type_id, starts_at, ends_at, capacity, status, created_at)
                VALUES (1, 1, now() - interval '2 days', now() - interval '2 days' + interval '1 hour', 3,
                        'scheduled', now()),
                       (2, 1, now() + interval '2 days', now() + interval '2 days' + interval '1 hour', 3,
                        'scheduled', now());
                INSERT INTO bookings (session_id, member_id, status, created_at) VALUES
                    (1, 1, 'attended', now()), (1, 2, 'no_show', now()), (1, 3, 'cancelled', now()),
                    (2, 1, 'confirmed', now()), (2, 2, 'waitlisted', now());
            """))
            assert migrations.upgrade_schema(conn, SCHEMA) == migrations.head_revision()
            statuses = dict(conn.execute(sa.text(
                "SELECT member_id, status FROM bookings WHERE session_id = 1")).all())
            counts = dict(conn.execute(sa.text("SELECT id, booked_count FROM class_sessions")).all())
            unconfirmed = conn.execute(sa.text(
                "SELECT count(*) FROM bookings WHERE status IN ('confirmed', 'checked_in', 'no_show') "
                "AND confirmed_at IS NULL")).scalar()
        assert statuses == {1: "checked_in", 2: "no_show", 3: "cancelled"}
        assert counts == {1: 2, 2: 1}
        assert unconfirmed == 0
    finally:
        with raw_engine.begin() as conn:
            conn.execute(DropSchema(SCHEMA, cascade=True, if_exists=True))
