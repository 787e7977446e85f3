"""Uploaded files: type check on the bytes, size limit, generated names outside static/.

Files live in ``LENTERA_DATA_DIR/attachments/<32 hex>.<ext>``; the uploaded
name is kept only as metadata (for Content-Disposition). The type is decided
by the file's leading bytes (magic numbers), never by its name or the
browser's Content-Type.
"""
from __future__ import annotations

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", WEBP: "webp"}
IMAGE_TYPES = (PNG, JPEG, WEBP)
ATTACHMENT_TYPES = (PDF, PNG, JPEG, WEBP)
#: Default upload limit in bytes (config ``LENTERA_ATTACHMENT_MAX_BYTES`` overrides).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|png|jpg|webp)$")
_CHUNK = 64 * 1024


class UploadError(ValueError):
    """The upload was refused; ``str()`` is the message in the user's language (Indonesian by default)."""


@dataclass(frozen=True)
class StoredFile:
    """A file written to storage: generated ``stored_name``, detected type, size in bytes, SHA-256 hex."""

    stored_name: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> str | None:
    """The content type told by the leading bytes, or ``None`` when not PDF/PNG/JPEG/WebP."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def storage_dir(data_dir: str | os.PathLike) -> Path:
    """``<data_dir>/attachments``, created if missing."""
    path = Path(data_dir) / "attachments"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(data_dir: str | os.PathLike, stored_name: str) -> Path:
    """The path of a stored file; raises ``ValueError`` for a name this module did not generate."""
    if not _STORED_NAME.match(stored_name or ""):
        raise ValueError("not a stored file name")
    return storage_dir(data_dir) / stored_name


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size // (1024 * 1024)} MB"
    return f"{size // 1024} KB"


def store_upload(stream: BinaryIO, data_dir: str | os.PathLike, *, allowed: tuple[str, ...],
                 max_bytes: int) -> StoredFile:
    """Check and store an uploaded stream under a generated name.

    Reads at most ``max_bytes + 1`` bytes. Raises :class:`UploadError` (file
    empty, larger than ``max_bytes``, or of a type not in ``allowed`` by its
    magic number); nothing is left on disk then. The file is written to a
    temporary name and renamed into place.
    """
    head = stream.read(16)
    if not head:
        raise UploadError(_("Berkas kosong atau tidak terkirim."))
    content_type = sniff(head)
    if content_type not in allowed:
        names = ", ".join(EXTENSIONS[t].upper() for t in allowed)
        raise UploadError(_("Jenis berkas tidak diizinkan; isi berkas harus %(types)s.", types=names))
    target_dir = storage_dir(data_dir)
    stored_name = f"{uuid.uuid4().hex}.{EXTENSIONS[content_type]}"
    temp = target_dir / f".{stored_name}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(temp, "wb") as out:
            chunk = head
            while chunk:
                size += len(chunk)
                if size > max_bytes:
                    raise UploadError(_("Berkas terlalu besar; batasnya %(limit)s.", limit=_human(max_bytes)))
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(_CHUNK)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target_dir / stored_name)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, content_type, size, digest.hexdigest())


def remove_stored(data_dir: str | os.PathLike, stored_name: str | None) -> None:
    """Delete a stored file if present; unknown or foreign names are ignored."""
    if not stored_name:
        return
    try:
        path_of(data_dir, stored_name).unlink(missing_ok=True)
    except ValueError:
        return


def store_bytes(data: bytes, data_dir: str | os.PathLike, *, allowed: tuple[str, ...], max_bytes: int) -> StoredFile:
    """:func:`store_upload` for bytes already in memory (course import)."""
    import io

    return store_upload(io.BytesIO(data), data_dir, allowed=allowed, max_bytes=max_bytes)


def sha256_of(data_dir: str | os.PathLike, stored_name: str | None) -> str | None:
    """SHA-256 hex of a stored file, or ``None`` when there is none (or it is missing)."""
    if not stored_name:
        return None
    try:
        return hashlib.sha256(path_of(data_dir, stored_name).read_bytes()).hexdigest()
    except (OSError, ValueError):
        return None
