"""joining: sign-ups from the studio's pages, versioned terms and who accepted them, the first-visit form

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

Who may join is the setting joining_policy; a missing row reads as its declared default, "invite", so
every existing studio stays invitation-only until its owner opens sign-up.

Revision ID: 0008_joining
Revises: 0007_mail_html
Create Date: 2026-12-03 10:00:00.000000
"""
from alembic import op
import sqlalchemy as sa

revision = '0008_joining'
down_revision = '0007_mail_html'
branch_labels = None
depends_on = None


def upgrade():
    # A schema taken back to an older revision for a test keeps its tables, and replays this: each once.
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'terms_versions' not in existing:
        _terms_versions()
    if 'terms_acceptances' not in existing:
        _terms_acceptances()
    if 'sign_ups' not in existing:
        _sign_ups()
    if 'first_visits' not in existing:
        _first_visits()


def _terms_versions():
    op.create_table('terms_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.String(length=254), nullable=False),
    sa.Column('published_by_user_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_user_id'], ['users.id'], name=op.f('fk_terms_versions_published_by_user_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms_versions')),
    sa.UniqueConstraint('number', name=op.f('uq_terms_versions_number'))
    )


def _terms_acceptances():
    op.create_table('terms_acceptances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_terms_acceptances_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['terms_versions.id'], name=op.f('fk_terms_acceptances_version_id_terms_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms_acceptances')),
    sa.UniqueConstraint('user_id', 'version_id', name=op.f('uq_terms_acceptances_user_id_version_id'))
    )
    op.create_index(op.f('ix_terms_acceptances_user_id'), 'terms_acceptances', ['user_id'], unique=False)


def _sign_ups():
    op.create_table('sign_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('terms_version_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=254), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('unverified', 'pending', 'joined', 'declined')", name=op.f('ck_sign_ups_status_known')),
    sa.ForeignKeyConstraint(['terms_version_id'], ['terms_versions.id'], name=op.f('fk_sign_ups_terms_version_id_terms_versions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_ups_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_ups'))
    )
    op.create_index(op.f('ix_sign_ups_status'), 'sign_ups', ['status'], unique=False)
    op.create_index('uq_sign_ups_open_email', 'sign_ups', [sa.text('lower(email)')], unique=True,
                    postgresql_where=sa.text("status IN ('unverified', 'pending')"))


def _first_visits():
    op.create_table('first_visits',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('heard_about', sa.String(length=200), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_first_visits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_first_visits'))
    )


def downgrade():
    op.drop_table('first_visits')
    op.drop_index('uq_sign_ups_open_email', table_name='sign_ups')
    op.drop_index(op.f('ix_sign_ups_status'), table_name='sign_ups')
    op.drop_table('sign_ups')
    op.drop_index(op.f('ix_terms_acceptances_user_id'), table_name='terms_acceptances')
    op.drop_table('terms_acceptances')
    op.drop_table('terms_versions')
