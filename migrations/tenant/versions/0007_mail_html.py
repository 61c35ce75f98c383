"""email as HTML with a text twin, and attachments (a calendar invitation with a booking)

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

Messages already in the outbox have no HTML and no attachments: they are sent as text, as before.

Revision ID: 0007_mail_html
Revises: 0006_schedule_read
Create Date: 2026-12-01 16:45:00.000000
"""
from alembic import op

revision = '0007_mail_html'
down_revision = '0006_schedule_read'
branch_labels = None
depends_on = None


def upgrade():
    # IF NOT EXISTS: a schema taken back to an older revision for a test keeps its columns, and replays this.
    op.execute("ALTER TABLE outbox ADD COLUMN IF NOT EXISTS body_html TEXT")
    op.execute("ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attachments JSONB NOT NULL DEFAULT '[]'::jsonb")


def downgrade():
    op.drop_column('outbox', 'attachments')
    op.drop_column('outbox', 'body_html')
