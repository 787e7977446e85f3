"""Every foreign-key column is indexed, so joins and ON DELETE checks never scan a whole table."""
from __future__ import annotations

from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

from app.extensions import db


def _leading_columns(table) -> set[str]:
    """Columns that lead an index, a unique constraint or the primary key of ``table``."""
    leading = {index.columns.values()[0].name for index in table.indexes if len(index.columns)}
    for constraint in table.constraints:
        if isinstance(constraint, (UniqueConstraint, PrimaryKeyConstraint)) and len(constraint.columns):
            leading.add(constraint.columns.values()[0].name)
    leading.update(column.name for column in table.columns if column.unique or column.index)
    return leading


def test_every_foreign_key_column_leads_an_index(app):
    missing = []
    for table in db.metadata.sorted_tables:
        leading = _leading_columns(table)
        for constraint in table.foreign_key_constraints:
            first = constraint.columns.values()[0].name
            if first not in leading:
                missing.append(f"{table.name}.{first}")
    assert missing == [], f"foreign keys without an index (add index=True and a migration): {missing}"


def test_report_filter_columns_are_indexed(app):
    """The completion-report, dashboard and user-list filters (see migrations 0008_indexes)."""
    wanted = {
        "users": {"opd_id", "role", "eselon", "golongan", "employment_type"},
        "enrolments": {"course_id", "cohort_id", "user_id", "status", "completed_at"},
        "certificates": {"enrolment_id", "status"},
    }
    for name, columns in wanted.items():
        leading = _leading_columns(db.metadata.tables[name])
        assert columns <= leading, f"{name}: not indexed: {columns - leading}"
