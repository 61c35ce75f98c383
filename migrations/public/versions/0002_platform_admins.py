"""platform administrators

Public-schema migration (tenant registry, plans, system settings). Applied by `flask db upgrade`.

Revision ID: 0002_public
Revises: 0001_public
Create Date: 2026-11-27 15:30:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0002_public'
down_revision = '0001_public'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'platform_admins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('full_name', sa.String(length=120), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_admins')),
        schema='public',
    )
    op.create_index('uq_platform_admins_email_lower', 'platform_admins', [sa.literal_column('lower(email)')],
                    unique=True, schema='public')


def downgrade():
    op.drop_index('uq_platform_admins_email_lower', table_name='platform_admins', schema='public')
    op.drop_table('platform_admins', schema='public')
