"""Recording the SQL statements a piece of test code runs (query-count and N+1 tests)."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def recorded_statements(only: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> Iterator[list[str]]:
    """Yield a list that fills with the SQL text of every statement run on ``db.engine`` inside the block.

    ``only`` keeps statements starting with one of these keywords (e.g. ``("SELECT",)``),
    ``skip`` drops those starting with one of them (e.g. ``("BEGIN", "SAVEPOINT")``: they depend on
    the engine and on session state, not on the page).
    """
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        head = statement.lstrip().upper()
        if (not only or head.startswith(only)) and not (skip and head.startswith(skip)):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
