"""Indexes for every foreign key and report filter

Revision ID: 0008_indexes
Revises: 0007_user_locale
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0008_indexes"
down_revision = "0007_user_locale"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
