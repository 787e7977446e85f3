"""Certificate templates, signing, revocation, expiry

Revision ID: 0002_certificate_lifecycle
Revises: e805e16d1437
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_certificate_lifecycle"
down_revision = "e805e16d1437"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
