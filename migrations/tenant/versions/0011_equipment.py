"""equipment: categories, assets and their status history, problem reports, maintenance schedules and records

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

Assets may stand in one of the schedule's rooms (or at a free-text location); every status change is a row of
asset_events. A maintenance schedule remembers the due day it last sent a reminder for (`reminded_for`), so the
daily job emails once per due occurrence. The equipment permissions are granted to the default roles here for
studios made before this migration.

Revision ID: 0011_equipment
Revises: 0010_workouts
Create Date: 2026-12-03 10:00:00.000000
"""
from alembic import op

revision = '0011_equipment'
down_revision = '0010_workouts'
branch_labels = None
depends_on = None

PERMISSIONS = (
    ("read", "See the equipment and its maintenance", ("owner", "manager", "instructor")),
    ("create", "Add equipment and log maintenance", ("owner", "manager")),
    ("update", "Change equipment and its status", ("owner", "manager")),
    ("delete", "Remove equipment", ("owner", "manager")),
)


def upgrade():
    # IF NOT EXISTS: a schema taken back to an older revision for a test keeps its tables, and replays this.
    op.execute("""
        CREATE TABLE IF NOT EXISTS equipment_categories (
            id SERIAL NOT NULL,
            name VARCHAR(80) NOT NULL,
            CONSTRAINT pk_equipment_categories PRIMARY KEY (id),
            CONSTRAINT uq_equipment_categories_name UNIQUE (name)
        )""")
    op.execute("""
        CREATE TABLE IF NOT EXISTS assets (
            id SERIAL NOT NULL,
            name VARCHAR(120) NOT NULL,
            category_id INTEGER,
            make VARCHAR(80) DEFAULT '' NOT NULL,
            model VARCHAR(80) DEFAULT '' NOT NULL,
            serial VARCHAR(80) DEFAULT '' NOT NULL,
            room_id INTEGER,
            location VARCHAR(120) DEFAULT '' NOT NULL,
            purchased_on DATE,
            cost NUMERIC(12, 2),
            status VARCHAR(20) NOT NULL,
            photo_key VARCHAR(200),
            notes TEXT DEFAULT '' NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT pk_assets PRIMARY KEY (id),
            CONSTRAINT ck_assets_status_known
                CHECK (status IN ('in_service', 'needs_attention', 'out_of_service', 'retired')),
            CONSTRAINT ck_assets_cost_not_negative CHECK (cost IS NULL OR cost >= 0),
            CONSTRAINT fk_assets_category_id_equipment_categories FOREIGN KEY(category_id)
                REFERENCES equipment_categories (id),
            CONSTRAINT fk_assets_room_id_rooms FOREIGN KEY(room_id) REFERENCES rooms (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_assets_category_id ON assets (category_id)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_assets_room_id ON assets (room_id)")
    op.execute("CREATE INDEX IF NOT EXISTS ix_assets_status ON assets (status)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS asset_events (
            id SERIAL NOT NULL,
            asset_id INTEGER NOT NULL,
            from_status VARCHAR(20),
            to_status VARCHAR(20) NOT NULL,
            reason TEXT DEFAULT '' NOT NULL,
            by_user_id INTEGER,
            by_label VARCHAR(254) DEFAULT '' NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT pk_asset_events PRIMARY KEY (id),
            CONSTRAINT fk_asset_events_asset_id_assets FOREIGN KEY(asset_id) REFERENCES assets (id) ON DELETE CASCADE,
            CONSTRAINT fk_asset_events_by_user_id_users FOREIGN KEY(by_user_id) REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_asset_events_asset_id ON asset_events (asset_id)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS problem_reports (
            id SERIAL NOT NULL,
            asset_id INTEGER NOT NULL,
            reported_by INTEGER,
            text TEXT NOT NULL,
            photo_key VARCHAR(200),
            status VARCHAR(20) NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            resolved_by INTEGER,
            resolved_at TIMESTAMP WITH TIME ZONE,
            CONSTRAINT pk_problem_reports PRIMARY KEY (id),
            CONSTRAINT ck_problem_reports_status_known CHECK (status IN ('open', 'resolved')),
            CONSTRAINT fk_problem_reports_asset_id_assets FOREIGN KEY(asset_id)
                REFERENCES assets (id) ON DELETE CASCADE,
            CONSTRAINT fk_problem_reports_reported_by_users FOREIGN KEY(reported_by)
                REFERENCES users (id) ON DELETE SET NULL,
            CONSTRAINT fk_problem_reports_resolved_by_users FOREIGN KEY(resolved_by)
                REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_problem_reports_asset_id ON problem_reports (asset_id)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS maintenance_schedules (
            id SERIAL NOT NULL,
            asset_id INTEGER NOT NULL,
            title VARCHAR(120) NOT NULL,
            every_days INTEGER,
            every_uses INTEGER,
            responsible_id INTEGER,
            starts_on DATE NOT NULL,
            last_done_on DATE,
            reminded_for DATE,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT pk_maintenance_schedules PRIMARY KEY (id),
            CONSTRAINT ck_maintenance_schedules_one_interval CHECK ((every_days IS NULL) <> (every_uses IS NULL)),
            CONSTRAINT ck_maintenance_schedules_days_positive CHECK (every_days IS NULL OR every_days > 0),
            CONSTRAINT ck_maintenance_schedules_uses_positive CHECK (every_uses IS NULL OR every_uses > 0),
            CONSTRAINT fk_maintenance_schedules_asset_id_assets FOREIGN KEY(asset_id)
                REFERENCES assets (id) ON DELETE CASCADE,
            CONSTRAINT fk_maintenance_schedules_responsible_id_users FOREIGN KEY(responsible_id)
                REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_maintenance_schedules_asset_id ON maintenance_schedules (asset_id)")
    op.execute("""
        CREATE TABLE IF NOT EXISTS maintenance_records (
            id SERIAL NOT NULL,
            asset_id INTEGER NOT NULL,
            schedule_id INTEGER,
            done_on DATE NOT NULL,
            by_user_id INTEGER,
            what TEXT NOT NULL,
            cost NUMERIC(12, 2),
            attachment_keys VARCHAR(200)[] DEFAULT '{}' NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT pk_maintenance_records PRIMARY KEY (id),
            CONSTRAINT ck_maintenance_records_cost_not_negative CHECK (cost IS NULL OR cost >= 0),
            CONSTRAINT fk_maintenance_records_asset_id_assets FOREIGN KEY(asset_id)
                REFERENCES assets (id) ON DELETE CASCADE,
            CONSTRAINT fk_maintenance_records_schedule_id_maintenance_schedules FOREIGN KEY(schedule_id)
                REFERENCES maintenance_schedules (id) ON DELETE SET NULL,
            CONSTRAINT fk_maintenance_records_by_user_id_users FOREIGN KEY(by_user_id)
                REFERENCES users (id) ON DELETE SET NULL
        )""")
    op.execute("CREATE INDEX IF NOT EXISTS ix_maintenance_records_asset_id ON maintenance_records (asset_id)")
    # The catalogue's equipment permissions for studios made before this (new ones get them at provisioning).
    for action, description, roles in PERMISSIONS:
        op.execute("INSERT INTO permissions (resource, action, condition, description) "
                   f"SELECT 'equipment', '{action}', NULL, '{description}' "
                   "WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE resource = 'equipment' "
                   f"AND action = '{action}' AND condition IS NULL)")
        keys = ", ".join(f"'{key}'" for key in roles)
        op.execute("INSERT INTO role_permissions (role_id, permission_id) "
                   f"SELECT r.id, p.id FROM roles r, permissions p WHERE r.key IN ({keys}) "
                   f"AND p.resource = 'equipment' AND p.action = '{action}' AND p.condition IS NULL "
                   "ON CONFLICT DO NOTHING")


def downgrade():
    op.execute("DELETE FROM permissions WHERE resource = 'equipment'")  # their grants cascade
    op.execute('DROP TABLE IF EXISTS maintenance_records')
    op.execute('DROP TABLE IF EXISTS maintenance_schedules')
    op.execute('DROP TABLE IF EXISTS problem_reports')
    op.execute('DROP TABLE IF EXISTS asset_events')
    op.execute('DROP TABLE IF EXISTS assets')
    op.execute('DROP TABLE IF EXISTS equipment_categories')
