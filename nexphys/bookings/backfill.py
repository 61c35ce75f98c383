"""Events rebuilt from booking rows that have none: bookings from before events existed (the 0014
migration) and rows written directly (the demo seed's past classes).

One INSERT … SELECT (one SELECT per kind, in time order so ids follow time), only for bookings without
any event, so running it again adds nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from nexphys.extensions import db
from nexphys.tenancy.context import require_tenant

# Each kind of event a booking's row still shows, with when it happened and who did it. A waitlisted
# booking (or one promoted from the waitlist) never had confirmed_at before its seat; a cancellation at
# the very moment its class was cancelled is the class's; staff removals cannot be told from a member's
# own cancellation any more, and undone check-ins left no trace.
# {schema}: "" in a migration (search_path names the tenant's schema), the bound tenant's quoted schema and a dot
# in the app (whose connections name no real schema: a plain text statement is not translated).
REBUILD_MISSING = """
WITH todo AS (
    SELECT b.*, s.starts_at, s.ends_at, s.class_type_id, s.instructor_id, s.room_id,
           s.status AS session_status, s.cancelled_at AS session_cancelled_at,
           (b.promoted OR (b.confirmed_at IS NULL
                           AND b.status IN ('waitlisted', 'cancelled', 'late_cancelled'))) AS waited
    FROM {schema}bookings b JOIN {schema}class_sessions s ON s.id = b.session_id
    WHERE NOT EXISTS (SELECT 1 FROM {schema}booking_events e WHERE e.booking_id = b.id)
), rebuilt AS (
    SELECT id, session_id, member_id, 'booked' AS kind, 'confirmed' AS status, created_at AS occurred_at,
           CASE WHEN booked_by_id IS NULL THEN 'member' ELSE 'staff' END AS actor,
           COALESCE(booked_by_id, member_id) AS by_user_id, starts_at, class_type_id, instructor_id, room_id, 1 AS step
    FROM todo WHERE NOT waited
    UNION ALL
    SELECT id, session_id, member_id, 'waitlisted', 'waitlisted', created_at,
           CASE WHEN booked_by_id IS NULL THEN 'member' ELSE 'staff' END,
           COALESCE(booked_by_id, member_id), starts_at, class_type_id, instructor_id, room_id, 1
    FROM todo WHERE waited
    UNION ALL
    SELECT id, session_id, member_id, 'promoted', 'confirmed', COALESCE(confirmed_at, created_at), 'system',
           NULL, starts_at, class_type_id, instructor_id, room_id, 2
    FROM todo WHERE promoted
    UNION ALL
    SELECT id, session_id, member_id,
           CASE WHEN session_status = 'cancelled' AND cancelled_at >= session_cancelled_at THEN 'class_cancelled'
                ELSE 'cancelled' END,
           'cancelled', COALESCE(cancelled_at, created_at),
           CASE WHEN session_status = 'cancelled' AND cancelled_at >= session_cancelled_at THEN 'staff'
                ELSE 'member' END,
           CASE WHEN session_status = 'cancelled' AND cancelled_at >= session_cancelled_at THEN NULL
                ELSE member_id END, starts_at, class_type_id, instructor_id, room_id, 3
    FROM todo WHERE status = 'cancelled'
    UNION ALL
    SELECT id, session_id, member_id, 'late_cancelled', 'late_cancelled', COALESCE(cancelled_at, created_at),
           'member', member_id, starts_at, class_type_id, instructor_id, room_id, 3
    FROM todo WHERE status = 'late_cancelled'
    UNION ALL
    SELECT id, session_id, member_id, 'checked_in', 'checked_in', checked_in_at, 'staff',
           NULL, starts_at, class_type_id, instructor_id, room_id, 3
    FROM todo WHERE status = 'checked_in' AND checked_in_at IS NOT NULL
    UNION ALL
    SELECT id, session_id, member_id, 'no_show', 'no_show', ends_at, 'system',
           NULL, starts_at, class_type_id, instructor_id, room_id, 3
    FROM todo WHERE status = 'no_show'
)
INSERT INTO {schema}booking_events (booking_id, session_id, member_id, kind, status, occurred_at, actor, by_user_id,
                            starts_at, class_type_id, instructor_id, room_id)
SELECT id, session_id, member_id, kind, status, occurred_at, actor, by_user_id,
       starts_at, class_type_id, instructor_id, room_id
FROM rebuilt ORDER BY occurred_at, id, step
"""


def rebuild_missing() -> int:
    """Write the events of every booking of the bound studio that has none; returns how many were written."""
    schema = f'"{require_tenant().schema_name}".'  # a validated "tenant_<slug>": safe to quote
    return db.session.execute(sa.text(REBUILD_MISSING.format(schema=schema))).rowcount
