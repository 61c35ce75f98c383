"""equipment meets the schedule: the equipment a class type or a session needs

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

A requirement names a class type (all its sessions) or one session (overriding its type's requirement of that
category), an equipment category and a quantity, or "one per booked member". Shortfalls and uses are computed
from these rows and the assets in a session's room, so no counter column is needed.

Revision ID: 0013_equipment_schedule
Revises: 0012_training
Create Date: 2026-12-04 10:00:00.000000
"""
from alembic import op

revision = '0013_equipment_schedule'
down_revision = '0012_training'
branch_labels = None
depends_on = None


def upgrade():
    # IF NOT EXISTS: a schema taken back to an older revision for a test keeps its tables, and replays this.
    op.execute("""
        CREATE TABLE IF NOT EXISTS equipment_requirements (
            id SERIAL NOT NULL,
            class_type_id INTEGER,
            session_id INTEGER,
            category_id INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            per_member BOOLEAN DEFAULT false NOT NULL,
            CONSTRAINT pk_equipment_requirements PRIMARY KEY (id),
            CONSTRAINT ck_equipment_requirements_type_or_session CHECK ((class_type_id IS NULL) <> (session_id IS NULL)),
            CONSTRAINT ck_equipment_requirements_quantity_in_range CHECK (quantity >= 0 AND quantity <= 1000),
            CONSTRAINT uq_equipment_requirements_class_type_id_category_id UNIQUE (class_type_id, category_id),
            CONSTRAINT uq_equipment_requirements_session_id_category_id UNIQUE (session_id, category_id),
            CONSTRAINT fk_equipment_requirements_class_type_id_class_types FOREIGN KEY(class_type_id)
                REFERENCES class_types (id) ON DELETE CASCADE,
            CONSTRAINT fk_equipment_requirements_session_id_class_sessions FOREIGN KEY(session_id)
                REFERENCES class_sessions (id) ON DELETE CASCADE,
            CONSTRAINT fk_equipment_requirements_category_id_equipment_categories FOREIGN KEY(category_id)
                REFERENCES equipment_categories (id) ON DELETE CASCADE
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_equipment_requirements_category_id "
               "ON equipment_requirements (category_id)")


def downgrade():
    op.execute('DROP TABLE IF EXISTS equipment_requirements')
