"""Background jobs (bulk certificates, large exports)

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
    pass


def downgrade():
    pass
