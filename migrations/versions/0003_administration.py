"""Cohorts, roster import, OPD admins, self-enrolment

Revision ID: 0003_administration
Revises: 0002_certificate_lifecycle
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0003_administration"
down_revision = "0002_certificate_lifecycle"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
