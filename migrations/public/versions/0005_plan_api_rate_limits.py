"""plan API rate limits: requests a minute per caller and per studio

Public-schema migration (tenant registry, plans, system settings). Applied by `flask db upgrade`.

Revision ID: 0005_public
Revises: 0004_public
Create Date: 2026-12-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0005_public'
down_revision = '0004_public'
branch_labels = None
depends_on = None

# Requests a minute: (per caller: an API key, a person, an anonymous address; per studio: all together).
# A studio's limit is five of its callers at their limit; plans added later start at NULL (the config's
# platform default) until an operator sets them.
PLAN_LIMITS = {
    'starter': (120, 600),
    'studio': (300, 1500),
    'pro': (600, 3000),
}


def upgrade():
    op.add_column('plans', sa.Column('api_requests_per_minute_per_key', sa.Integer(), nullable=True), schema='public')
    op.add_column('plans', sa.Column('api_requests_per_minute_per_studio', sa.Integer(), nullable=True),
                  schema='public')
    op.create_check_constraint(op.f('ck_plans_api_per_key_not_negative'), 'plans',
                               'api_requests_per_minute_per_key >= 0', schema='public')
    op.create_check_constraint(op.f('ck_plans_api_per_studio_not_negative'), 'plans',
                               'api_requests_per_minute_per_studio >= 0', schema='public')
    plans = sa.table('plans', sa.column('code', sa.String()),
                     sa.column('api_requests_per_minute_per_key', sa.Integer()),
                     sa.column('api_requests_per_minute_per_studio', sa.Integer()), schema='public')
    for code, (per_key, per_studio) in PLAN_LIMITS.items():
        op.execute(plans.update().where(plans.c.code == code).values(
            api_requests_per_minute_per_key=per_key, api_requests_per_minute_per_studio=per_studio))


def downgrade():
    op.drop_constraint(op.f('ck_plans_api_per_studio_not_negative'), 'plans', type_='check', schema='public')
    op.drop_constraint(op.f('ck_plans_api_per_key_not_negative'), 'plans', type_='check', schema='public')
    op.drop_column('plans', 'api_requests_per_minute_per_studio', schema='public')
    op.drop_column('plans', 'api_requests_per_minute_per_key', schema='public')
