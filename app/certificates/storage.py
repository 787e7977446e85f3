"""Crash-safe storage of certificate PDFs on disk.

Files live under ``LENTERA_DATA_DIR/certificates/<year>/<code>.pdf``; the
``Certificate.file_name`` column holds the path relative to
``LENTERA_DATA_DIR`` (``"certificates/2026/<code>.pdf"``).

A new file is written in two steps tied to the database transaction:

1. :func:`stage_file` writes the bytes to a temporary file
   ``<code>.pdf.<random>.tmp`` in the final folder, flushes and fsyncs it,
   and ties it to the session's current (possibly nested) transaction
   (:func:`app.common.after_commit.on_outcome`).
2. When the outermost transaction commits, the temporary file is renamed
   over the final name (``os.replace``, atomic on POSIX) and the folder is
   fsynced. When the transaction (or the savepoint the file was staged in)
   rolls back, or the session is closed without committing, the temporary
   file is deleted.

So a final file only ever exists for a committed row, and it is never
partial. A crash between the commit and the rename leaves a committed row
without a file plus a ``*.tmp``; :func:`load_pdf` (downloads) and
``flask certificates reconcile`` rebuild the file from the row's snapshot
and :func:`remove_stale_tmp_files` clears the leftovers.

The session hooks (in :mod:`app.common.after_commit`) are registered once on
``db.session``, so routes keep their single ``db.session.commit()`` and need
not know about files.
"""
from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session, scoped_session

from app.common.after_commit import on_outcome
from app.common.durable import fsync_dir

log = logging.getLogger("lentera.certificates")

CERT_SUBDIR = "certificates"
TMP_SUFFIX = ".tmp"


class StoragePathError(ValueError):
    """A stored ``file_name`` points outside the certificate folder."""


def data_root() -> Path:
    """``LENTERA_DATA_DIR`` of the current app as an absolute path."""
    return Path(current_app.config["LENTERA_DATA_DIR"]).resolve()


def relative_path(year: int, code: str) -> str:
    """The ``file_name`` for a certificate: ``"certificates/<year>/<code>.pdf"``."""
    return f"{CERT_SUBDIR}/{int(year)}/{code}.pdf"


def absolute_path(file_name: str) -> Path:
    """Resolve a stored ``file_name`` under the data folder.

    :raises StoragePathError: if the result would leave
        ``LENTERA_DATA_DIR/certificates`` (a tampered row).
    """
    base = data_root() / CERT_SUBDIR
    path = (data_root() / file_name).resolve()
    if base not in path.parents:
        raise StoragePathError(f"file_name outside the certificate folder: {file_name!r}")
    return path


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data`` (64 lowercase characters)."""
    return hashlib.sha256(data).hexdigest()



def _write_tmp(final: Path, data: bytes) -> Path:
    """Write ``data`` to a new, fsynced ``*.tmp`` file next to ``final``."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(f"{final.name}.{secrets.token_hex(8)}{TMP_SUFFIX}")
    with open(tmp, "xb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return tmp


def write_atomic(final: Path, data: bytes) -> None:
    """Replace ``final`` with ``data`` at once: tmp file, fsync, rename, fsync folder.

    Used outside any transaction (rebuilding a missing file). Readers see
    either the old file or the complete new one, never a partial one.
    :raises OSError: on a disk error (the tmp file is removed).
    """
    tmp = _write_tmp(final, data)
    try:
        os.replace(tmp, final)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(final.parent)


# --------------------------------------------------------------------------
# Files staged inside a transaction
# --------------------------------------------------------------------------


@dataclass(eq=False)
class StagedFile:
    """A fsynced tmp file waiting for its transaction's outcome (:mod:`app.common.after_commit`)."""

    tmp: Path
    final: Path

    def promote(self) -> None:
        try:
            os.replace(self.tmp, self.final)
            fsync_dir(self.final.parent)
        except OSError:
            # The row is committed already; a download or reconcile rebuilds the file.
            log.exception("could not move %s into place as %s", self.tmp, self.final)

    def discard(self) -> None:
        try:
            self.tmp.unlink(missing_ok=True)
        except OSError:
            log.exception("could not delete temporary file %s", self.tmp)


def stage_file(session: Session | scoped_session, file_name: str, data: bytes) -> StagedFile:
    """Write ``data`` to a tmp file for ``file_name`` and tie it to ``session``.

    The file is moved into place when the outermost transaction commits and
    deleted if the transaction -- or the savepoint that was current when it
    was staged -- rolls back, or if the session closes without a commit.
    :raises OSError: when the tmp file cannot be written (nothing is left behind).
    """
    final = absolute_path(file_name)
    tmp = _write_tmp(final, data)
    staged = StagedFile(tmp=tmp, final=final)
    on_outcome(session, commit=staged.promote, rollback=staged.discard)
    return staged


# --------------------------------------------------------------------------
# Housekeeping
# --------------------------------------------------------------------------


def remove_stale_tmp_files(max_age_seconds: float) -> list[Path]:
    """Delete ``*.tmp`` files under the certificate folder older than ``max_age_seconds``.

    Younger files may belong to a transaction still in progress and are
    kept. Returns the deleted paths.
    """
    base = data_root() / CERT_SUBDIR
    if not base.is_dir():
        return []
    cutoff = time.time() - max_age_seconds
    removed = []
    for path in sorted(base.rglob(f"*{TMP_SUFFIX}")):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue  # committed or rolled back meanwhile
    return removed
