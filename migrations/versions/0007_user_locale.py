"""Interface language per user

Revision ID: 0007_user_locale
Revises: 0006_assessment_engine
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa


revision = "0007_user_locale"
down_revision = "0006_assessment_engine"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locale", sa.String(length=8), nullable=True))
        batch_op.create_check_constraint(op.f("ck_users_locale_valid"), "locale IS NULL OR locale IN ('id', 'en')")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_users_locale_valid"), type_="check")
        batch_op.drop_column("locale")
