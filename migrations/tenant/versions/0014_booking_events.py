"""booking events: every change of a booking's state, appended and never changed (analytics, "as of")

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

A trigger refuses UPDATE, DELETE and TRUNCATE of booking_events (the models add the same to a new
studio's schema: nexphys.bookings.models.IMMUTABLE_DDL). Existing bookings get their events rebuilt
from their rows (nexphys.bookings.backfill, which the demo seed uses too), only for bookings that have
no event yet: a rerun adds nothing.

Revision ID: 0014_booking_events
Revises: 0013_equipment_schedule
Create Date: 2026-12-05 10:00:00.000000
"""
from alembic import op

from nexphys.bookings.backfill import REBUILD_MISSING

revision = '0014_booking_events'
down_revision = '0013_equipment_schedule'
branch_labels = None
depends_on = None

# The trigger is a copy (this revision must keep making what it made); the rebuild is imported, as 0010
# imports its starter library: it only ever adds events to bookings that have none.
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
    op.execute(REBUILD_MISSING.format(schema=''))


def downgrade():
    op.execute('DROP TABLE IF EXISTS booking_events')
    op.execute('DROP FUNCTION IF EXISTS booking_events_refuse_change()')
