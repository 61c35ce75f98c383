"""allowed networks: the owners' permission to choose them (security:update)

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

The list itself (setting staff_allowed_networks) needs no row: a missing setting reads as its declared
default, the empty list, which restricts nobody. New studios get the permission from the catalogue at
provisioning; existing ones get it here, granted to their owner role as every permission is.

Revision ID: 0005_allowed_networks
Revises: 0004_sessions
Create Date: 2026-12-01 14:10:00.000000
"""
from alembic import op

revision = '0005_allowed_networks'
down_revision = '0004_sessions'
branch_labels = None
depends_on = None


def upgrade():
    # NOT EXISTS rather than ON CONFLICT: the unique constraint does not see two NULL conditions as equal.
    op.execute("INSERT INTO permissions (resource, action, condition, description) "
               "SELECT 'security', 'update', NULL, 'Choose the networks staff and API keys may work from' "
               "WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE resource = 'security' AND action = 'update' "
               "AND condition IS NULL)")
    op.execute("INSERT INTO role_permissions (role_id, permission_id) "
               "SELECT r.id, p.id FROM roles r, permissions p WHERE r.key = 'owner' AND p.resource = 'security' "
               "AND p.action = 'update' AND p.condition IS NULL ON CONFLICT DO NOTHING")


def downgrade():
    # Its grants go with it (role_permissions cascades).
    op.execute("DELETE FROM permissions WHERE resource = 'security' AND action = 'update' AND condition IS NULL")
