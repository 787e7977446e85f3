"""Question types, banks, attempts with time limits, grading methods, question versions

Revision ID: 0006_assessment_engine
Revises: 0005_authoring
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_assessment_engine"
down_revision = "0005_authoring"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
