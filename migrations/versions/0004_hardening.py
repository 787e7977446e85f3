"""Sign-in throttling, server-side sessions, reset tokens, TOTP

Revision ID: 0004_hardening
Revises: 0003_administration
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_hardening"
down_revision = "0003_administration"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
