"""workouts: the exercise library, with its starter exercises and its permissions (workouts:*)

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

`exercises` holds the studio's library (names unique whatever their case; muscles and equipment as text
arrays, the equipment by name until the equipment domain links them). Studios made before it get the
starter library (nexphys.workouts.starter, the same rows a new studio's seed inserts, skipping names the
studio has) and the workouts permissions, granted to the roles the catalogue names: read to members and up,
create/update/delete to instructors and managers, everything to owners.

Revision ID: 0010_workouts
Revises: 0009_public_face
Create Date: 2026-12-03 10:00:00.000000
"""
from alembic import op

from nexphys.workouts.starter import add_starter_library

revision = '0010_workouts'
down_revision = '0009_public_face'
branch_labels = None
depends_on = None

# (action, description, default roles besides the owner): as nexphys.workouts declares them
PERMISSIONS = (
    ('read', 'See the exercise library', ('member', 'premium_member', 'instructor', 'manager')),
    ('create', 'Add exercises', ('instructor', 'manager')),
    ('update', 'Change exercises', ('instructor', 'manager')),
    ('delete', 'Archive exercises', ('instructor', 'manager')),
)


def upgrade():
    # IF NOT EXISTS: a schema taken back to an older revision for a test keeps its tables, and replays this.
    op.execute("""
        CREATE TABLE IF NOT EXISTS exercises (
            id SERIAL NOT NULL,
            name VARCHAR(100) NOT NULL,
            description TEXT DEFAULT '' NOT NULL,
            category VARCHAR(30) NOT NULL,
            primary_muscles VARCHAR(30)[] DEFAULT '{}' NOT NULL,
            secondary_muscles VARCHAR(30)[] DEFAULT '{}' NOT NULL,
            equipment VARCHAR(80)[] DEFAULT '{}' NOT NULL,
            image_key VARCHAR(200),
            video_url VARCHAR(500),
            archived_at TIMESTAMP WITH TIME ZONE,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT pk_exercises PRIMARY KEY (id)
        )""")
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_exercises_name_lower ON exercises (lower(name))")
    op.execute("CREATE INDEX IF NOT EXISTS ix_exercises_category ON exercises (category)")
    add_starter_library(op.get_bind())
    for action, description, roles in PERMISSIONS:
        # NOT EXISTS rather than ON CONFLICT: the unique constraint does not see two NULL conditions as equal.
        op.execute(f"INSERT INTO permissions (resource, action, condition, description) "
                   f"SELECT 'workouts', '{action}', NULL, '{description}' "
                   f"WHERE NOT EXISTS (SELECT 1 FROM permissions WHERE resource = 'workouts' "
                   f"AND action = '{action}' AND condition IS NULL)")
        keys = ", ".join(f"'{key}'" for key in ('owner', *roles))
        op.execute(f"INSERT INTO role_permissions (role_id, permission_id) "
                   f"SELECT r.id, p.id FROM roles r, permissions p "
                   f"WHERE r.key IN ({keys}) AND p.resource = 'workouts' "
                   f"AND p.action = '{action}' AND p.condition IS NULL ON CONFLICT DO NOTHING")


def downgrade():
    # Their grants go with them (role_permissions cascades).
    op.execute("DELETE FROM permissions WHERE resource = 'workouts'")
    op.execute("DROP TABLE IF EXISTS exercises")
