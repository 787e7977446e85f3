"""Course content revision, bumped by the database

``courses.content_revision`` goes up by one on every insert, update or delete
of a row of the course's modules, lessons, quizzes or lesson attachments, from
the ORM, Core statements, the importer or raw SQL alike: triggers do it, so a
per-process cache of the course outline is validated with one cheap read.
A row that moves to another course bumps both courses. Rows removed by
``ON DELETE CASCADE`` of a deleted course find no course row and bump nothing.

A later SQLite batch migration (copy, drop, rename) of these tables must drop
the triggers first and create them again after: on ``courses``, ``modules``
or ``lessons`` the rename fails ("error in trigger ...: no such table"), since
trigger bodies name them; on ``quizzes`` or ``attachments`` the rebuild drops
their triggers silently. ``tests/test_content_revision.py`` checks that every
trigger exists at head.

Revision ID: 0010_course_content_revision
Revises: 0009_background_jobs
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa


revision = "0010_course_content_revision"
down_revision = "0009_background_jobs"
branch_labels = None
depends_on = None

# Per table: SQL giving the course id of the row {row} (NEW or OLD); NULL when
# the parent row is gone already (cascade of a deleted course).
COURSE_OF = {
    "modules": "{row}.course_id",
    "lessons": "(SELECT course_id FROM modules WHERE id = {row}.module_id)",
    "quizzes": "(SELECT course_id FROM modules WHERE id = {row}.module_id)",
    "attachments": ("(SELECT m.course_id FROM lessons l JOIN modules m ON m.id = l.module_id"
                    " WHERE l.id = {row}.lesson_id)"),
}
OPERATIONS = ("insert", "update", "delete")


def _bump(table: str, rows: tuple[str, ...]) -> str:
    """The UPDATE that bumps the course(s) of ``rows`` (``NEW``/``OLD``); IN bumps a course once."""
    courses = ", ".join(COURSE_OF[table].format(row=row) for row in rows)
    return f"UPDATE courses SET content_revision = content_revision + 1 WHERE id IN ({courses})"


def _rows(operation: str) -> tuple[str, ...]:
    return {"insert": ("NEW",), "update": ("NEW", "OLD"), "delete": ("OLD",)}[operation]


def sqlite_trigger_names() -> list[str]:
    """Names of the SQLite triggers (one per table and operation)."""
    return [f"trg_{table}_after_{operation}_course_revision" for table in COURSE_OF for operation in OPERATIONS]


def create_triggers():
    """Create the triggers (and on PostgreSQL their functions) of every outline table."""
    if op.get_bind().dialect.name == "postgresql":
        for table in COURSE_OF:
            op.execute(f"""
                CREATE FUNCTION {table}_bump_course_revision() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        {_bump(table, _rows("insert"))};
                    ELSIF TG_OP = 'UPDATE' THEN
                        {_bump(table, _rows("update"))};
                    ELSE
                        {_bump(table, _rows("delete"))};
                    END IF;
                    RETURN NULL;
                END;
                $$
            """)
            op.execute(f"""
                CREATE TRIGGER trg_{table}_course_revision
                AFTER INSERT OR UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {table}_bump_course_revision()
            """)
    else:
        for table in COURSE_OF:
            for operation in OPERATIONS:
                op.execute(f"""
                    CREATE TRIGGER trg_{table}_after_{operation}_course_revision
                    AFTER {operation.upper()} ON {table} FOR EACH ROW
                    BEGIN
                        {_bump(table, _rows(operation))};
                    END
                """)


def drop_triggers():
    """Drop what :func:`create_triggers` created."""
    if op.get_bind().dialect.name == "postgresql":
        for table in COURSE_OF:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_course_revision ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_bump_course_revision()")
    else:
        for name in sqlite_trigger_names():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade():
    # 64-bit: `flask restore` moves every revision past the highest one before the restore.
    op.add_column("courses", sa.Column("content_revision", sa.BigInteger(), server_default="1", nullable=False))
    create_triggers()


def downgrade():
    drop_triggers()
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("content_revision")
