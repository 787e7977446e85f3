"""Course authoring: drafts, attachments, ownership, change log

Course cover image and lesson video (generated names / canonical URLs), and
lesson attachments. The change log uses the existing audit_events table.

Revision ID: 0005_authoring
Revises: 0004_hardening
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0005_authoring"
down_revision = "0004_hardening"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_attachments_size_positive')),
    sa.CheckConstraint("content_type IN ('application/pdf', 'image/png', 'image/jpeg', 'image/webp')",
                       name=op.f('ck_attachments_type_valid')),
    sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id'], name=op.f('fk_attachments_lesson_id_lessons'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_attachments_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_lesson_id'), ['lesson_id'], unique=False)

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cover_image', sa.String(length=80), nullable=True))

    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('video_url', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('lessons', schema=None) as batch_op:
        batch_op.drop_column('video_url')

    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_column('cover_image')

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_lesson_id'))

    op.drop_table('attachments')
