"""SQLite: pages read beside a writer; a page that writes after losing the race is run again (issue #8).

Safe requests (GET, HEAD) begin a deferred transaction, so in WAL mode they read while
another request holds the write lock instead of queueing behind it. A GET that then
writes after another connection committed cannot upgrade its snapshot (SQLite answers
SQLITE_BUSY_SNAPSHOT at once); :class:`app.Lentera` runs its view once more under
``BEGIN IMMEDIATE``. PostgreSQL has no such lock: these tests are for SQLite only.
"""
from __future__ import annotations

import sqlite3
import time

import pytest
from sqlalchemy import func, select

from app.auth.models import Opd
from app.extensions import db
from tests import factories


@pytest.fixture()
def sqlite_path(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("sqlite:///"):
        pytest.skip("SQLite's write lock only")
    return url.removeprefix("sqlite:///")


def test_a_page_reads_while_another_connection_holds_the_write_lock(app, sqlite_path):
    factories.make_course()
    writer = sqlite3.connect(sqlite_path, timeout=1, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # e.g. a bulk certificate job between two rows
    try:
        client = app.test_client()
        started = time.monotonic()
        response = client.get("/")
        waited = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 200
    assert "Kursus Uji" in response.get_data(as_text=True)
    assert waited < 5, f"the catalogue waited {waited:.1f} s for the write lock"


def test_a_get_that_writes_after_a_concurrent_commit_runs_again_under_the_write_lock(app, sqlite_path):
    runs = []

    @app.get("/_uji/baca-lalu-tulis")
    def read_then_write():
        runs.append(db.session.scalar(select(func.count()).select_from(Opd)))  # the read snapshot starts here
        if len(runs) == 1:
            other = sqlite3.connect(sqlite_path, timeout=5, isolation_level=None)
            other.execute("INSERT INTO opds (code, name) VALUES ('LAIN', 'Badan Lain')")
            other.close()
        db.session.add(Opd(code=f"OPD{len(runs)}", name=f"OPD ke-{len(runs)}"))
        db.session.commit()
        return "ok"

    response = app.test_client().get("/_uji/baca-lalu-tulis")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert runs == [0, 1]  # the second run saw the other connection's row
    db.session.remove()
    assert sorted(db.session.scalars(select(Opd.code))) == ["LAIN", "OPD2"]


def test_a_post_still_takes_the_write_lock_at_begin(app, sqlite_path):
    # Writers queue on the lock instead of failing: a POST never runs its view twice.
    statements = []
    from sqlalchemy import event

    def record(conn, cursor, statement, *rest):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        app.test_client().post("/masuk", data={"email": "tidak-ada@contoh.go.id", "password": "salah-sekali"})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert "BEGIN IMMEDIATE" in statements
