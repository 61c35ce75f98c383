"""self-service studios: the platform's own mail, and the verified "start a studio" links that made a tenant

Public-schema migration (tenant registry, plans, system settings). Applied by `flask db upgrade`.

Whether gym owners may start a studio themselves is the system setting "self_service" (a missing row
reads as on, on the starter plan); platform administrators turn it off in the console.

Revision ID: 0006_public
Revises: 0005_public
Create Date: 2026-12-03 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_public'
down_revision = '0005_public'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('platform_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_mail')),
    schema='public'
    )
    op.create_index(op.f('ix_platform_mail_created_at'), 'platform_mail', ['created_at'], unique=False, schema='public')
    op.create_table('studio_starts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['public.tenants.id'], name=op.f('fk_studio_starts_tenant_id_tenants'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_studio_starts')),
    sa.UniqueConstraint('nonce', name=op.f('uq_studio_starts_nonce')),
    schema='public'
    )
    op.create_index(op.f('ix_studio_starts_tenant_id'), 'studio_starts', ['tenant_id'], unique=False, schema='public')


def downgrade():
    op.drop_index(op.f('ix_studio_starts_tenant_id'), table_name='studio_starts', schema='public')
    op.drop_table('studio_starts', schema='public')
    op.drop_index(op.f('ix_platform_mail_created_at'), table_name='platform_mail', schema='public')
    op.drop_table('platform_mail', schema='public')
