"""job outbox: background work recorded in the transaction that asks for it

Public-schema migration (tenant registry, plans, system settings). Applied by `flask db upgrade`.

Revision ID: 0004_public
Revises: 0003_public
Create Date: 2026-12-01 13:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004_public'
down_revision = '0003_public'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_outbox',
        sa.Column('id', sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column('func', sa.String(length=200), nullable=False),
        sa.Column('args', postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column('kwargs', postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column('queue', sa.String(length=20), server_default='default', nullable=False),
        sa.Column('job_key', sa.String(length=200), nullable=True),
        sa.Column('retry_intervals', postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column('timeout_seconds', sa.Integer(), server_default='600', nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
        sa.Column('pushes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox')),
        schema='public',
    )
    op.create_index(op.f('ix_job_outbox_tenant_id'), 'job_outbox', ['tenant_id'], unique=False, schema='public')
    op.create_index('ix_job_outbox_waiting', 'job_outbox', ['id'], unique=False, schema='public',
                    postgresql_where=sa.text('failed_at IS NULL'))
    op.create_index('uq_job_outbox_waiting_key', 'job_outbox', ['job_key'], unique=True, schema='public',
                    postgresql_where=sa.text('job_key IS NOT NULL AND failed_at IS NULL'))


def downgrade():
    op.drop_index('uq_job_outbox_waiting_key', table_name='job_outbox', schema='public')
    op.drop_index('ix_job_outbox_waiting', table_name='job_outbox', schema='public')
    op.drop_index(op.f('ix_job_outbox_tenant_id'), table_name='job_outbox', schema='public')
    op.drop_table('job_outbox', schema='public')
