"""staff schedule for instructors: the permission to read it (schedule:read)

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

Instructors may read the staff schedule (/schedule) without changing it. New studios get the permission
from the catalogue at provisioning (granted to instructors, managers and owners); existing ones get it
here, granted to the same default roles.

Revision ID: 0006_schedule_read
Revises: 0005_allowed_networks
Create Date: 2026-12-01 15:45:00.000000
"""
from alembic import op

revision = '0006_schedule_read'
down_revision = '0005_allowed_networks'
branch_labels = None
depends_on = None


def upgrade():
    # NOT EXISTS rather than ON CONFLICT: the unique constraint does not see two NULL conditions as equal.
    op.execute("INSERT INTO permissions (resource, action, condition, description) "
               "SELECT 'schedule', 'read', NULL, 'See the staff schedule' "
               "WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE resource = 'schedule' AND action = 'read' "
               "AND condition IS NULL)")
    op.execute("INSERT INTO role_permissions (role_id, permission_id) "
               "SELECT r.id, p.id FROM roles r, permissions p "
               "WHERE r.key IN ('owner', 'manager', 'instructor') AND p.resource = 'schedule' "
               "AND p.action = 'read' AND p.condition IS NULL ON CONFLICT DO NOTHING")


def downgrade():
    # Its grants go with it (role_permissions cascades).
    op.execute("DELETE FROM permissions WHERE resource = 'schedule' AND action = 'read' AND condition IS NULL")
