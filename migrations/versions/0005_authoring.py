"""Course authoring: drafts, attachments, ownership, change log

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
    pass


def downgrade():
    pass
