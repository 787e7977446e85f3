"""Background jobs (bulk certificates, large exports)

One row per job: kind, owner, status, progress, parameters, result file and
error; the state every web process and worker shares.

Revision ID: 0009_background_jobs
Revises: 0008_indexes
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_background_jobs"
down_revision = "0008_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('background_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=True),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('result_file', sa.String(length=120), nullable=True),
    sa.Column('result_name', sa.String(length=200), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'finished', 'failed')",
                       name=op.f('ck_background_jobs_status_valid')),
    sa.CheckConstraint('progress_done >= 0', name=op.f('ck_background_jobs_progress_done_nonnegative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_background_jobs_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_background_jobs'))
    )
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_background_jobs_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('background_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_background_jobs_user_id'))

    op.drop_table('background_jobs')
