"""Lentera: a learning platform for the digital-leadership training of ASN.

``create_app(config_name)`` builds the Flask application; ``config_name`` is
``development`` (default, or ``LENTERA_ENV``), ``production`` or ``testing``,
or a config class/object.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from flask_babel import lazy_gettext
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.routing import IntegerConverter

from app.common.db import MAX_ID, WROTE_INFO_KEY
from app.extensions import csrf, db, login_manager, migrate
from config import CONFIGS


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` URL parts limited to the ids a table can hold (``MAX_ID``: 32-bit on PostgreSQL)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class ConfigurationError(RuntimeError):
    """The environment is missing a setting the application cannot run without."""


#: Requests that should only read (RFC 9110 §9.2.1); on SQLite they start a deferred transaction.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_LOCK_FLAG = "_lentera_sqlite_write_lock"


class Lentera(Flask):
    """Flask, plus one retry of a safe request that lost SQLite's write lock (see :func:`_sqlite_begin`)."""

    def dispatch_request(self):
        try:
            return super().dispatch_request()
        except OperationalError as error:
            if not _retry_with_write_lock(error):
                raise
            return super().dispatch_request()


def _retry_with_write_lock(error: OperationalError) -> bool:
    """Prepare to run this request's view again under ``BEGIN IMMEDIATE``; False when it must not.

    Only a safe request on SQLite, only once, and only for SQLITE_BUSY: a GET that writes
    (a quiz page submitting a timed-out attempt, an export's audit record) after another
    request committed since its read began cannot upgrade its read snapshot, and SQLite
    answers SQLITE_BUSY_SNAPSHOT at once. Its reads are simply taken again.
    """
    from flask import g, has_request_context, request

    name = getattr(getattr(error, "orig", None), "sqlite_errorname", "") or ""
    if not (name.startswith("SQLITE_BUSY") and has_request_context() and request.method in SAFE_METHODS
            and not g.get(_WRITE_LOCK_FLAG)):
        return False
    db.session.rollback()
    g.setdefault(_WRITE_LOCK_FLAG, True)
    return True


def create_app(config_name=None, **overrides) -> Flask:
    """Application factory.

    ``overrides`` are applied after the config class (used by tests).
    Raises :class:`ConfigurationError` in production without ``SECRET_KEY``.
    """
    app = Lentera(__name__, instance_relative_config=False,
                instance_path=os.environ.get("LENTERA_INSTANCE_DIR") or str(Path(__file__).resolve().parent.parent / "instance"))
    if config_name is None or isinstance(config_name, str):
        config_name = CONFIGS[config_name or os.environ.get("LENTERA_ENV", "development")]
    app.config.from_object(config_name)
    app.config.update(overrides)

    if not app.config.get("SECRET_KEY"):
        raise ConfigurationError("SECRET_KEY wajib diisi di lingkungan produksi (variabel lingkungan SECRET_KEY).")
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(Path(app.instance_path) / "lentera.db")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Writers wait for each other instead of failing at once with "database is locked".
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if not app.config.get("LENTERA_DATA_DIR"):
        app.config["LENTERA_DATA_DIR"] = str(Path(app.instance_path) / "data")
    Path(app.config["LENTERA_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    if app.config.get("LENTERA_PROXY_COUNT"):
        # Client address and scheme from the trusted reverse proxy (throttle keys, HSTS).
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["LENTERA_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Silakan masuk terlebih dahulu.")
    login_manager.login_message_category = "info"

    _import_models()
    # Ids beyond a 64-bit integer cannot exist; without a bound they reach the
    # database driver and fail with OverflowError instead of a plain 404.
    app.url_map.converters["int"] = BoundedIntegerConverter
    _register_blueprints(app)
    _register_cli(app)

    from app.common import i18n, web

    i18n.init_app(app)
    web.init_app(app)
    return app


def _import_models() -> None:
    # Every model must be imported before mappers configure and before Alembic compares.
    from app.admin import models as _admin  # noqa: F401
    from app.common import ratelimit as _ratelimit  # noqa: F401
    from app.assessment import models as _assessment  # noqa: F401
    from app.auth import models as _auth  # noqa: F401
    from app.catalog import models as _catalog  # noqa: F401
    from app.certificates import models as _certificates  # noqa: F401
    from app.learning import models as _learning  # noqa: F401
    from app.jobs import models as _jobs  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.assessment.routes import bp as assessment_bp
    from app.auth.routes import bp as auth_bp
    from app.authoring.routes import bp as authoring_bp
    from app.catalog.routes import bp as catalog_bp
    from app.certificates.routes import bp as certificates_bp
    from app.learning.routes import bp as learning_bp
    from app.reports.routes import bp as reports_bp

    from app.cohorts.routes import bp as cohorts_bp
    from app.jobs.routes import bp as jobs_bp

    for bp in (auth_bp, catalog_bp, learning_bp, assessment_bp, certificates_bp, reports_bp, admin_bp,
               authoring_bp, cohorts_bp, jobs_bp):
        app.register_blueprint(bp)


def _register_cli(app: Flask) -> None:
    from app.admin.cli import demo_cli, opd_cli, users_cli
    from app.admin.roster_cli import roster_cli
    from app.admin.seed_cli import seed_demo_command
    from app.catalog.cli import courses_cli
    from app.certificates.cli import certificates_cli
    from app.common.backup import backup_command, restore_command
    from app.jobs.cli import jobs_cli

    for command in (users_cli, courses_cli, demo_cli, opd_cli, certificates_cli, roster_cli,
                    backup_command, restore_command, seed_demo_command, jobs_cli):
        app.cli.add_command(command)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, use WAL, and let SQLAlchemy issue BEGIN itself.

    pysqlite's own transaction handling is turned off (isolation_level None),
    as the SQLAlchemy docs recommend, so that SAVEPOINTs work and
    :func:`_sqlite_begin` can take the write lock up front.
    """
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: a transaction that may write takes the write lock at BEGIN; a safe request's does not.

    A deferred transaction that reads, then writes after another writer
    committed, fails at once with SQLITE_BUSY (no wait); BEGIN IMMEDIATE makes
    concurrent writers queue on the busy timeout instead, so concurrent
    requests (two completions of one course, say) serialise rather than fail.
    Requests with a safe method (GET, HEAD) begin deferred, so pages read side by
    side in WAL mode instead of queueing on the write lock (issue #8); the few that
    write and lose the race are run again under BEGIN IMMEDIATE (:class:`Lentera`).
    Outside a request (CLI, background jobs) every transaction is IMMEDIATE.
    PostgreSQL relies on its own row locks and constraints.
    """
    if conn.dialect.name != "sqlite":
        return
    from flask import g, has_request_context, request

    if has_request_context() and request.method in SAFE_METHODS and not g.get(_WRITE_LOCK_FLAG):
        conn.exec_driver_sql("BEGIN")
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# --- PostgreSQL: keep psycopg's prepared statements across read-only requests ---------------------

#: Statements that only read. Anything else (INSERT, UPDATE, DELETE, WITH, SAVEPOINT, DDL, ...)
#: marks the transaction as one that wrote.
_READ_ONLY_PREFIXES = ("SELECT", "SHOW")
_WROTE = WROTE_INFO_KEY


@event.listens_for(Engine, "begin")
def _transaction_starts(conn):
    # A transaction begun outside a request (CLI, background jobs, raw DBAPI COPY in seed-demo)
    # counts as one that wrote: it always rolls back when asked.
    from flask import has_request_context

    conn.info[_WROTE] = not has_request_context()


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if not conn.info.get(_WROTE) and not statement.lstrip()[:6].upper().startswith(_READ_ONLY_PREFIXES):
        conn.info[_WROTE] = True


@event.listens_for(Engine, "rollback")
def _postgres_end_reads_with_commit(conn):
    """End a request's read-only PostgreSQL transaction with COMMIT instead of ROLLBACK.

    psycopg forgets every prepared statement when a transaction is rolled back
    (``Connection.rollback`` clears its cache), and a read-only page ends with a
    rollback when Flask-SQLAlchemy closes its session: so no statement was ever
    prepared and PostgreSQL parsed and planned every query of every page again
    (issue #8). For a transaction that ran only SELECTs, COMMIT and ROLLBACK are
    the same; the rollback that follows then finds no transaction and does nothing.
    Only for a transaction begun while serving a request, only when nothing but
    SELECT/SHOW ran in it through SQLAlchemy (any other statement, a SAVEPOINT
    included, makes it a real rollback), and only when it is healthy (a failed one
    still rolls back).
    """
    if conn.dialect.name != "postgresql" or conn.invalidated or conn.info.get(_WROTE, True):
        return
    from psycopg.pq import TransactionStatus

    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
        dbapi_connection.commit()
