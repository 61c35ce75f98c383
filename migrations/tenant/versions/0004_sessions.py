"""sessions: a per-person session version, raised to end every session and token of that person

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

The new sign-in lifetime settings need no rows: a missing setting reads as its declared default.

Revision ID: 0004_sessions
Revises: 0003_booking
Create Date: 2026-12-01 13:40:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_sessions'
down_revision = '0003_booking'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows start at 0; sessions made before this release carry no version and are signed out once.
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default=sa.text('0'), nullable=False))


def downgrade():
    op.drop_column('users', 'session_version')
