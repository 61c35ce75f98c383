"""identity: profiles, permissions, audit log, API credentials, outbox

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

Revision ID: 0002_identity
Revises: 0001_tenant
Create Date: 2026-11-27 15:15:51.874734
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0002_identity'
down_revision = '0001_tenant'
branch_labels = None
depends_on = None


# A snapshot of the permission catalogue and default grants at this revision (later revisions add to
# it); existing tenants get them here, new tenants get the current catalogue at provisioning.
PERMISSIONS = [   ('members', 'read', None, "See every member's profile"),
    ('members', 'read', 'own', "See one's own profile"),
    ('members', 'create', None, 'Add and invite members'),
    ('members', 'update', None, "Edit any member's profile"),
    ('members', 'update', 'own', "Edit one's own profile"),
    ('members', 'delete', None, 'Deactivate members'),
    ('roles', 'read', None, 'See roles and permissions'),
    ('roles', 'create', None, 'Create custom roles'),
    ('roles', 'update', None, 'Change roles and who holds them'),
    ('roles', 'delete', None, 'Delete custom roles'),
    ('classes', 'read', None, 'See the timetable'),
    ('classes', 'create', None, 'Schedule classes'),
    ('classes', 'update', None, 'Change classes'),
    ('classes', 'delete', None, 'Cancel classes'),
    ('bookings', 'read', None, 'See every booking and roster'),
    ('bookings', 'read', 'own', "See one's own bookings"),
    ('bookings', 'create', None, 'Book anyone into a class'),
    ('bookings', 'create', 'own', 'Book oneself into a class'),
    ('bookings', 'update', None, 'Check people in, change bookings'),
    ('bookings', 'delete', None, "Cancel anyone's booking"),
    ('bookings', 'delete', 'own', "Cancel one's own booking"),
    ('audit', 'read', None, 'Read the audit log'),
    ('api_keys', 'read', None, 'See API keys'),
    ('api_keys', 'create', None, 'Create API keys'),
    ('api_keys', 'delete', None, 'Revoke API keys'),
    ('settings', 'read', None, 'See studio settings'),
    ('settings', 'update', None, 'Change studio settings')]

GRANTS = {   'instructor': [   'members:read:own',
                      'members:update:own',
                      'classes:read',
                      'bookings:read:own',
                      'bookings:create:own',
                      'bookings:delete:own',
                      'members:read',
                      'bookings:read',
                      'bookings:update'],
    'manager': [   'members:read:own',
                   'members:update:own',
                   'classes:read',
                   'bookings:read:own',
                   'bookings:create:own',
                   'bookings:delete:own',
                   'members:read',
                   'bookings:read',
                   'bookings:update',
                   'members:create',
                   'members:update',
                   'members:delete',
                   'roles:read',
                   'classes:create',
                   'classes:update',
                   'classes:delete',
                   'bookings:create',
                   'bookings:delete',
                   'settings:read'],
    'member': [   'members:read:own',
                  'members:update:own',
                  'classes:read',
                  'bookings:read:own',
                  'bookings:create:own',
                  'bookings:delete:own'],
    'owner': [   'members:read',
                 'members:read:own',
                 'members:create',
                 'members:update',
                 'members:update:own',
                 'members:delete',
                 'roles:read',
                 'roles:create',
                 'roles:update',
                 'roles:delete',
                 'classes:read',
                 'classes:create',
                 'classes:update',
                 'classes:delete',
                 'bookings:read',
                 'bookings:read:own',
                 'bookings:create',
                 'bookings:create:own',
                 'bookings:update',
                 'bookings:delete',
                 'bookings:delete:own',
                 'audit:read',
                 'api_keys:read',
                 'api_keys:create',
                 'api_keys:delete',
                 'settings:read',
                 'settings:update'],
    'premium_member': [   'members:read:own',
                          'members:update:own',
                          'classes:read',
                          'bookings:read:own',
                          'bookings:create:own',
                          'bookings:delete:own']}

DESCRIPTIONS = {   'instructor': 'Teaches classes, sees rosters, checks people in.',
    'manager': 'Runs the studio day to day.',
    'member': 'Books classes and manages their own profile.',
    'owner': 'Full control of the studio.',
    'premium_member': 'A member with premium booking privileges.'}


def seed_catalogue():
    bind = op.get_bind()
    permissions = sa.table("permissions", sa.column("id", sa.Integer), sa.column("resource"),
                           sa.column("action"), sa.column("condition"), sa.column("description"))
    op.bulk_insert(permissions, [{"resource": r, "action": a, "condition": c, "description": d}
                                 for r, a, c, d in PERMISSIONS])
    ids = {}
    for pid, r, a, c in bind.execute(sa.text("SELECT id, resource, action, condition FROM permissions")):
        ids[f"{r}:{a}" + (f":{c}" if c else "")] = pid
    roles = dict(bind.execute(sa.text("SELECT key, id FROM roles")).all())
    for key, text in DESCRIPTIONS.items():
        bind.execute(sa.text("UPDATE roles SET description = :d WHERE key = :k"), {"d": text, "k": key})
    rows = [{"role_id": roles[key], "permission_id": ids[code]}
            for key, codes in GRANTS.items() if key in roles for code in codes]
    if rows:
        op.bulk_insert(sa.table("role_permissions", sa.column("role_id", sa.Integer),
                                sa.column("permission_id", sa.Integer)), rows)


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('outbox',
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
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    op.create_index(op.f('ix_outbox_created_at'), 'outbox', ['created_at'], unique=False)
    op.create_table('permissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource', sa.String(length=40), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('condition', sa.String(length=40), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_permissions')),
    sa.UniqueConstraint('resource', 'action', 'condition', name=op.f('uq_permissions_resource_action_condition'))
    )
    op.create_table('role_permissions',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('permission_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['permission_id'], ['permissions.id'], name=op.f('fk_role_permissions_permission_id_permissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['roles.id'], name=op.f('fk_role_permissions_role_id_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_id', 'permission_id', name=op.f('pk_role_permissions'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('permissions', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_keys_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('target', sa.String(length=254), nullable=True),
    sa.Column('details', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_audit_log_actor_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_action'), 'audit_log', ['action'], unique=False)
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'], unique=False)
    op.create_table('auth_refresh_tokens',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('family_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_refresh_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_refresh_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_auth_refresh_tokens_token_hash'))
    )
    op.create_index(op.f('ix_auth_refresh_tokens_family_id'), 'auth_refresh_tokens', ['family_id'], unique=False)
    op.create_index(op.f('ix_auth_refresh_tokens_user_id'), 'auth_refresh_tokens', ['user_id'], unique=False)
    op.add_column('roles', sa.Column('description', sa.String(length=200), nullable=False, server_default=''))
    op.alter_column('roles', 'description', server_default=None)
    op.add_column('users', sa.Column('phone', sa.Text(), nullable=True))
    op.add_column('users', sa.Column('date_of_birth', sa.Date(), nullable=True))
    op.add_column('users', sa.Column('emergency_contact', sa.Text(), nullable=True))
    op.add_column('users', sa.Column('health_notes', sa.Text(), nullable=True))
    op.add_column('users', sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False,
                                     server_default=sa.func.now()))
    op.alter_column('users', 'updated_at', server_default=None)
    # ### end Alembic commands ###
    seed_catalogue()


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_column('users', 'updated_at')
    op.drop_column('users', 'last_login_at')
    op.drop_column('users', 'health_notes')
    op.drop_column('users', 'emergency_contact')
    op.drop_column('users', 'date_of_birth')
    op.drop_column('users', 'phone')
    op.drop_column('roles', 'description')
    op.drop_index(op.f('ix_auth_refresh_tokens_user_id'), table_name='auth_refresh_tokens')
    op.drop_index(op.f('ix_auth_refresh_tokens_family_id'), table_name='auth_refresh_tokens')
    op.drop_table('auth_refresh_tokens')
    op.drop_index(op.f('ix_audit_log_at'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_action'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('api_keys')
    op.drop_table('role_permissions')
    op.drop_table('permissions')
    op.drop_index(op.f('ix_outbox_created_at'), table_name='outbox')
    op.drop_table('outbox')
    # ### end Alembic commands ###
