"""schema pool: spare tenant schemas built at head

Public-schema migration (tenant registry, plans, system settings). Applied by `flask db upgrade`.

Revision ID: 0003_public
Revises: 0002_public
Create Date: 2026-11-27 16:35:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_public'
down_revision = '0002_public'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'schema_pool',
        sa.Column('schema_name', sa.String(length=63), nullable=False),
        sa.Column('revision', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('schema_name', name=op.f('pk_schema_pool')),
        schema='public',
    )
    op.create_index(op.f('ix_schema_pool_created_at'), 'schema_pool', ['created_at'], unique=False, schema='public')


def downgrade():
    op.drop_index(op.f('ix_schema_pool_created_at'), table_name='schema_pool', schema='public')
    op.drop_table('schema_pool', schema='public')
