"""Read-only pages end their PostgreSQL transaction with COMMIT, so psycopg keeps its prepared statements.

psycopg forgets every prepared statement on ROLLBACK; read-only pages used to end
with one, so PostgreSQL parsed and planned every query of every page again
(issue #8: 1.76 ms of database CPU per lesson page, 0.44 ms after). A transaction
that wrote anything, or that began outside a GET/HEAD request, must still roll
back when asked: these tests check that first, on both engines.
"""
from __future__ import annotations

import pytest
from flask import abort
from sqlalchemy import select, text

from app.auth.models import Opd
from app.extensions import db
from tests import factories


def _codes():
    db.session.remove()
    return sorted(db.session.scalars(select(Opd.code)))


def test_a_get_that_wrote_then_failed_still_rolls_back(app, client):
    @app.get("/_uji/tulis-lalu-gagal")
    def write_then_fail():
        db.session.add(Opd(code="SEMENTARA", name="Badan Sementara"))
        db.session.flush()  # the INSERT has run inside the transaction
        abort(409)

    assert client.get("/_uji/tulis-lalu-gagal").status_code == 409
    assert "SEMENTARA" not in _codes()


def test_a_get_whose_core_write_is_discarded_rolls_back(app, client):
    @app.get("/_uji/tulis-inti")
    def core_write_then_rollback():
        db.session.execute(text("INSERT INTO opds (code, name) VALUES ('INTI', 'Badan Inti')"))
        db.session.rollback()
        return "ok"

    assert client.get("/_uji/tulis-inti").status_code == 200
    assert "INTI" not in _codes()


def test_work_outside_a_request_rolls_back_as_asked(app):
    db.session.add(Opd(code="LUAR", name="Badan Luar Permintaan"))
    db.session.flush()
    db.session.rollback()
    assert "LUAR" not in _codes()


def test_read_only_pages_keep_prepared_statements_on_postgresql(app, client, login):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's prepared statements: PostgreSQL only")
    factories.make_course()
    login(factories.make_user("learner"))
    for _ in range(8):  # psycopg prepares a statement from its fifth execution on a connection
        db.session.remove()  # a session per request, as in production (tests share one app context)
        assert client.get("/").status_code == 200
    db.session.remove()
    # Every pooled connection, checked out at once: one of them served the pages.
    pooled = [db.engine.connect() for _ in range(db.engine.pool.checkedin())]
    try:
        prepared = [conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
                    for conn in pooled]
    finally:
        for conn in pooled:
            conn.close()
    assert max(prepared) > 0, prepared
