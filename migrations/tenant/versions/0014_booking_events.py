"""booking events: every change of a booking's state, appended and never changed (analytics, "as of")

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

A trigger refuses UPDATE, DELETE and TRUNCATE of booking_events (the models add the same to a new
studio's schema: nexphys.bookings.models.IMMUTABLE_DDL). Existing bookings get their events rebuilt
from their rows in one INSERT … SELECT (one SELECT per kind, in time order so ids follow time), only
for bookings that have no event yet: a rerun adds nothing.

Revision ID: 0014_booking_events
Revises: 0013_equipment_schedule
Create Date: 2026-12-05 10:00:00.000000
"""
from alembic import op

revision = '0014_booking_events'
down_revision = '0013_equipment_schedule'
branch_labels = None
depends_on = None

# A copy, not an import: a migration must keep doing what it did when it was written.
IMMUTABLE_DDL = (
    """CREATE OR REPLACE FUNCTION booking_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'restrict_violation',
        MESSAGE = 'booking events are immutable: ' || TG_OP || ' refused';
END $$""",
    "DROP TRIGGER IF EXISTS booking_events_immutable ON booking_events",
    """CREATE TRIGGER booking_events_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON booking_events
    FOR EACH STATEMENT EXECUTE FUNCTION booking_events_refuse_change()""",
)

# Each kind of event a booking's row still shows, with when it happened and who did it. A waitlisted
# booking (or one promoted from the waitlist) never had confirmed_at before its seat; a cancellation at
# the very moment its class was cancelled is the class's; staff removals cannot be told from a member's
# own cancellation any more, and undone check-ins left no trace.
BACKFILL = """
WITH todo AS (
    SELECT b.*, s.starts_at, s.ends_at, s.class_type_id, s.instructor_id, s.room_id,
           s.status AS session_status, s.cancelled_at AS session_cancelled_at,
           (b.promoted OR (b.confirmed_at IS NULL
                           AND b.status IN ('waitlisted', 'cancelled', 'late_cancelled'))) AS waited
    FROM bookings b JOIN class_sessions s ON s.id = b.session_id
    WHERE NOT EXISTS (SELECT 1 FROM booking_events e WHERE e.booking_id = b.id)
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
           NULL, starts_at, class_type_id, instructor_id, room_id, 3
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
INSERT INTO booking_events (booking_id, session_id, member_id, kind, status, occurred_at, actor, by_user_id,
                            starts_at, class_type_id, instructor_id, room_id)
SELECT id, session_id, member_id, kind, status, occurred_at, actor, by_user_id,
       starts_at, class_type_id, instructor_id, room_id
FROM rebuilt ORDER BY occurred_at, id, step
"""


def upgrade():
    # IF NOT EXISTS: a schema taken back to an older revision for a test keeps its tables, and replays this.
    op.execute("""
        CREATE TABLE IF NOT EXISTS booking_events (
            id BIGSERIAL NOT NULL,
            booking_id INTEGER NOT NULL,
            session_id INTEGER NOT NULL,
            member_id INTEGER NOT NULL,
            kind VARCHAR(20) NOT NULL,
            status VARCHAR(20) NOT NULL,
            occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
            actor VARCHAR(10) NOT NULL,
            by_user_id INTEGER,
            starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
            class_type_id INTEGER NOT NULL,
            instructor_id INTEGER,
            room_id INTEGER,
            waitlist_position INTEGER,
            CONSTRAINT pk_booking_events PRIMARY KEY (id),
            CONSTRAINT ck_booking_events_kind_known CHECK (kind IN ('booked', 'waitlisted', 'promoted', 'cancelled',
                'late_cancelled', 'checked_in', 'check_in_undone', 'no_show', 'removed', 'class_cancelled')),
            CONSTRAINT ck_booking_events_status_known CHECK (status IN ('confirmed', 'waitlisted', 'checked_in',
                'no_show', 'cancelled', 'late_cancelled')),
            CONSTRAINT ck_booking_events_actor_known CHECK (actor IN ('member', 'staff', 'api', 'system')),
            CONSTRAINT fk_booking_events_booking_id_bookings FOREIGN KEY(booking_id) REFERENCES bookings (id)
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_booking_events_session_id_occurred_at "
               "ON booking_events (session_id, occurred_at)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_booking_events_occurred_at_id ON booking_events (occurred_at, id)")
    for statement in IMMUTABLE_DDL:
        op.execute(statement)
    op.execute(BACKFILL)


def downgrade():
    op.execute('DROP TABLE IF EXISTS booking_events')
    op.execute('DROP FUNCTION IF EXISTS booking_events_refuse_change()')
