"""a studio's public face: stored files, instructor profiles, class type pictures

Tenant migration: runs once in every tenant schema, with search_path set to that schema.
Write unqualified table names; never name a schema here.

`files` records every uploaded picture (its bytes are in storage under `key`), so a replaced one is cleaned
up. Instructors get a bio and a photo, class types a picture. The studio's details and logo are settings
(studio_details, studio_logo): a missing row reads as the declared default, so they need no row here.

Revision ID: 0008_public_face
Revises: 0007_mail_html
Create Date: 2026-12-02 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_public_face'
down_revision = '0007_mail_html'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('purpose', sa.String(length=40), nullable=False),
        sa.Column('content_type', sa.String(length=80), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('size >= 0', name=op.f('ck_files_size_not_negative')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_files')),
        sa.UniqueConstraint('key', name=op.f('uq_files_key')),
    )
    op.add_column('users', sa.Column('bio', sa.Text(), server_default='', nullable=False))
    op.add_column('users', sa.Column('photo_key', sa.String(length=200), nullable=True))
    op.add_column('class_types', sa.Column('image_key', sa.String(length=200), nullable=True))


def downgrade():
    op.drop_column('class_types', 'image_key')
    op.drop_column('users', 'photo_key')
    op.drop_column('users', 'bio')
    op.drop_table('files')
