"""Indexes for every foreign key and report filter

Foreign keys were indexed already except ``attachments.uploaded_by_id``; the
others are the columns the completion report, dashboard, user list and
cohort rules filter on (role, eselon, golongan, employment type, enrolment
and certificate status). ``tests/test_indexes.py`` keeps every new foreign
key indexed.

Revision ID: 0008_indexes
Revises: 0007_user_locale
Create Date: 2026-11-29
"""
from alembic import op


revision = "0008_indexes"
down_revision = "0007_user_locale"
branch_labels = None
depends_on = None

# (table, column): index name is ix_<table>_<column> (naming convention in app/extensions.py).
INDEXES = (
    ("attachments", "uploaded_by_id"),
    ("users", "role"),
    ("users", "eselon"),
    ("users", "golongan"),
    ("users", "employment_type"),
    ("enrolments", "status"),
    ("certificates", "status"),
)


def upgrade():
    for table, column in INDEXES:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def downgrade():
    for table, column in reversed(INDEXES):
        op.drop_index(op.f(f"ix_{table}_{column}"), table_name=table)
