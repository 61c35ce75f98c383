"""a studio's public face: stored files, instructor profiles, class type pictures

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

`files` records every uploaded picture (its bytes are in storage under `key`), so a replaced one is cleaned
up. Instructors get a bio and a photo, class types a picture. The studio's details and logo are settings
(studio_details, studio_logo): a missing row reads as the declared default, so they need no row here.

Revision ID: 0009_public_face
Revises: 0008_joining
Create Date: 2026-12-02 10:00:00.000000
"""
from alembic import op

revision = '0009_public_face'
down_revision = '0008_joining'
branch_labels = None
depends_on = None


def upgrade():
    # IF NOT EXISTS: a schema taken back to an older revision for a test keeps its tables, and replays this.
    op.execute("""
        CREATE TABLE IF NOT EXISTS files (
            id SERIAL NOT NULL,
            key VARCHAR(200) NOT NULL,
            purpose VARCHAR(40) NOT NULL,
            content_type VARCHAR(80) NOT NULL,
            size INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            uploaded_by INTEGER,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL,
            CONSTRAINT pk_files PRIMARY KEY (id),
            CONSTRAINT ck_files_size_not_negative CHECK (size >= 0),
            CONSTRAINT uq_files_key UNIQUE (key)
        )""")
    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS bio TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE users ADD COLUMN IF NOT EXISTS photo_key VARCHAR(200)")
    op.execute("ALTER TABLE class_types ADD COLUMN IF NOT EXISTS image_key VARCHAR(200)")


def downgrade():
    op.drop_column('class_types', 'image_key')
    op.drop_column('users', 'photo_key')
    op.drop_column('users', 'bio')
    op.drop_table('files')
