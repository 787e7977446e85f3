"""Online backup and restore of the database: ``flask backup PATH`` / ``flask restore PATH``.

Language (issue #7): operator-facing only -- CLI output and file:line
diagnostics stay in Indonesian and are not in the gettext catalogues.

- SQLite: the SQLite online-backup API (``sqlite3.Connection.backup``)
  copies a consistent snapshot in one read transaction while the
  application keeps writing (WAL: readers and writers do not block each other). Restore copies
  the backup file back into the live database with the same API, in one
  write transaction.
- PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot,
  REPEATABLE READ) and ``pg_restore --clean --if-exists --single-transaction``.
  The client major version must not be older than the server's
  (``postgresql-client-15`` for server 15).

Certificate PDFs are not in the backup: after a restore,
``flask certificates reconcile`` rebuilds any missing file from the rows'
snapshots. The commands refuse to overwrite an existing backup file.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.extensions import db


class BackupError(RuntimeError):
    """The backup or restore could not be made; the message is Indonesian."""


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("Basis data SQLite di memori tidak dapat dicadangkan.")
    return url.database


def _libpq_url(url) -> str:
    # pg_dump speaks libpq URLs: drop SQLAlchemy's "+driver"; the password goes by PGPASSWORD
    # so it never shows in the process list.
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _pg_env(url) -> dict:
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return env


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"Program {name} tidak ditemukan; pasang paket postgresql-client yang versinya sama "
                          "dengan server PostgreSQL.")
    return path


def backup(target: str | os.PathLike) -> Path:
    """Write a consistent copy of the live database to ``target`` (must not exist); returns its path."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"Berkas {target} sudah ada; pilih nama lain.")
    target.parent.mkdir(parents=True, exist_ok=True)
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    partial = target.with_name(target.name + ".part")
    try:
        if url.get_backend_name() == "sqlite":
            source = sqlite3.connect(_sqlite_path(url), timeout=30)
            dest = sqlite3.connect(partial)
            try:
                # One step: a single read transaction, so the copy is one consistent snapshot
                # (stepwise copies restart whenever another connection writes). WAL lets
                # writers go on meanwhile.
                source.backup(dest)
            finally:
                dest.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            result = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                                     "--file", str(partial), "--dbname", _libpq_url(url)],
                                    capture_output=True, text=True, env=_pg_env(url))
            if result.returncode != 0:
                raise BackupError("pg_dump gagal: " + result.stderr.strip()[:500])
        else:
            raise BackupError(f"Jenis basis data {url.get_backend_name()} tidak didukung.")
        os.replace(partial, target)  # a half-written backup never carries the final name
    finally:
        if partial.exists():
            partial.unlink()
    return target


def restore(source: str | os.PathLike) -> None:
    """Replace the live database's content by the backup at ``source``."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Berkas cadangan {source} tidak ditemukan.")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    highest_revision = _highest_content_revision()
    db.session.remove()
    db.engine.dispose()  # no pooled connection keeps an old view
    if url.get_backend_name() == "sqlite":
        backup_conn = sqlite3.connect(source)
        try:
            if backup_conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("Berkas cadangan rusak (integrity_check gagal).")
            live = sqlite3.connect(_sqlite_path(url), timeout=30)
            try:
                backup_conn.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"Berkas cadangan SQLite tidak dapat dibaca: {error}") from error
        finally:
            backup_conn.close()
    elif url.get_backend_name() == "postgresql":
        result = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                 "--single-transaction", "--dbname", _libpq_url(url), str(source)],
                                capture_output=True, text=True, env=_pg_env(url))
        if result.returncode != 0:
            raise BackupError("pg_restore gagal: " + result.stderr.strip()[:500])
    else:
        raise BackupError(f"Jenis basis data {url.get_backend_name()} tidak didukung.")
    _move_revisions_past(highest_revision)


def _highest_content_revision() -> int:
    """The highest ``courses.content_revision`` now (0 without courses or before migration 0010)."""
    try:
        return int(db.session.scalar(text("SELECT MAX(content_revision) FROM courses")) or 0)
    except DBAPIError:
        return 0
    finally:
        db.session.rollback()


def _move_revisions_past(highest: int) -> None:
    """Number every restored course's content above ``highest``, the highest revision before the restore.

    Running web processes keep copies of course outlines under (course, revision)
    (app/catalog/outline.py); the restored database may give one of those numbers to
    different content. After this no restored revision equals one seen before.
    """
    if highest <= 0:
        return
    try:
        db.session.execute(text("UPDATE courses SET content_revision = content_revision + :offset"),
                           {"offset": highest})
        db.session.commit()
    except DBAPIError:
        db.session.rollback()  # a backup from before migration 0010: nothing is numbered yet


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Cadangkan basis data ke PATH (aman saat aplikasi berjalan)."""
    try:
        written = backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Cadangan tersimpan: {written} ({written.stat().st_size} byte).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Jangan tanya konfirmasi.")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """Pulihkan basis data dari cadangan PATH (isi basis data saat ini diganti)."""
    if not yes:
        click.confirm("Seluruh isi basis data akan diganti dengan isi cadangan. Lanjutkan?", abort=True)
    try:
        restore(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    # Web processes keep copies of course outlines numbered by revision (app/catalog/outline.py).
    click.echo("Basis data sudah dipulihkan. Mulai ulang proses web (gunicorn), lalu jalankan "
               "'flask certificates reconcile' untuk memeriksa berkas PDF.")
