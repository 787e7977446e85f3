"""Column definitions shared by the CSV and XLSX exports, and the streaming XLSX writer.

Each export is a list of :class:`Column` (header, kind, getter), so the CSV
and the XLSX of one report always have the same columns in the same order
and the same values.

Headers, sheet names and value labels stay Indonesian whatever the reader's
interface language (issue #7): the files are a data format that other systems
and BKD's spreadsheets read, so they are deliberately not passed through gettext.

Cell kinds:

* ``text`` -- CSV: :func:`~app.reports.csv_export.safe_cell` (formula
  neutralised); XLSX: a string cell (``write_string``), never a formula.
* ``nip`` -- CSV: :func:`~app.reports.csv_export.nip_cell` (``="…"``);
  XLSX: always a string cell, so all 18 digits survive (a number cell keeps
  only 15 significant digits).
* ``decimal`` -- JP, scores, percentages: CSV with a decimal comma, never
  rounded (``19,5``); XLSX a number cell (exact for the 2-decimal values stored).
* ``int`` -- counts: CSV digits; XLSX a number cell.
* ``date`` -- a local calendar date: CSV ``YYYY-MM-DD``; XLSX a date cell
  shown as ``yyyy-mm-dd``.

XLSX files are written by xlsxwriter in ``constant_memory`` mode (each row
goes to a temporary file as soon as it is complete), to a temporary file
that is then streamed in 64 KiB chunks and deleted, so memory stays flat
however many rows there are.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timezone
from functools import lru_cache
from itertools import islice
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

import xlsxwriter

from app.common.formatting import format_datetime_id, format_decimal_id, to_local
from app.reports.csv_export import FORMULA_START, nip_cell, safe_cell

CHUNK_SIZE = 64 * 1024
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    """One exported column: header text, cell kind (see module doc) and how to read it from a row."""

    header: str
    kind: str
    value: Callable[[Any], Any]
    width: int = 18


# format_decimal_id's text depends only on the number (trailing zeros are stripped), and a report
# repeats a handful of JP and score values on every row, so the text is cached. Bounded, so memory
# stays flat; typed, so True is never served the cached text of 1 (format_decimal_id refuses bools).
_decimal_text = lru_cache(maxsize=1024, typed=True)(format_decimal_id)


def _csv_nip(value) -> str:
    return "" if value is None else nip_cell(value)


def _csv_decimal(value) -> str:
    return "" if value is None else _decimal_text(value)


def _csv_int(value) -> str:
    return "" if value is None else str(int(value))


def _csv_date(value) -> str:
    return "" if value is None else value.isoformat()


#: CSV text of a value per cell kind (see the module doc); ``None`` is an empty cell. Any other kind
#: is treated as text. Only ``text`` and ``nip`` neutralise formulas: the other kinds are text we
#: make ourselves from numbers and dates (digits, ``.``, ``,``, and ``-`` only for a negative number).
CSV_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "text": safe_cell, "nip": _csv_nip, "decimal": _csv_decimal, "int": _csv_int, "date": _csv_date,
}


def csv_cell(kind: str, value) -> str:
    """The CSV text of one value of cell ``kind`` (:data:`CSV_FORMATTERS`)."""
    return CSV_FORMATTERS.get(kind, safe_cell)(value)


#: Rows formatted together by :func:`csv_records` (bounds its memory).
CSV_BATCH = 500
_FORMULA_FIRST = frozenset(FORMULA_START)


def _csv_column(get: Callable[[Any], Any], fmt: Callable[[Any], str], batch: list) -> list[str]:
    """The CSV cells of one column for every row of ``batch``."""
    values = map(get, batch)
    # The common kinds are inlined (same text as their formatter, without a call per cell).
    if fmt is safe_cell:
        # A str not starting with a formula character is its own cell; a formula start or another
        # type goes through safe_cell.
        first = _FORMULA_FIRST
        return [v if v.__class__ is str and v[:1] not in first else "" if v is None else safe_cell(v)
                for v in values]
    if fmt is _csv_date:
        return ["" if v is None else v.isoformat() for v in values]
    if fmt is _csv_decimal:
        return ["" if v is None else _decimal_text(v) for v in values]
    return list(map(fmt, values))


def csv_records(columns: Sequence[Column], rows: Iterable) -> Iterator[Sequence[str]]:
    """Lazily turn ``rows`` into CSV records (one sequence of cells per row: :func:`csv_cell` of each column).

    Rows are read :data:`CSV_BATCH` at a time and formatted column by column, so the getter and
    formatter of a column are looked up once per batch and most of the loop runs in C
    (``map``, ``zip``): this runs for every cell of exports of 200,000 rows and more (issue #8).
    """
    plan = [(c.value, CSV_FORMATTERS.get(c.kind, safe_cell)) for c in columns]
    rows = iter(rows)
    while batch := list(islice(rows, CSV_BATCH)):
        if not plan:
            yield from ([] for _ in batch)
            continue
        yield from zip(*[_csv_column(get, fmt, batch) for get, fmt in plan])


def write_xlsx(target, columns: Sequence[Column], rows: Iterable, sheet_name: str = "Laporan",
               tmpdir: str | None = None) -> int:
    """Write a workbook with a bold header row and one row per item of ``rows``; returns the row count.

    ``target`` is a file name or a binary file object. Uses xlsxwriter
    ``constant_memory`` mode and turns off every string conversion (numbers,
    formulas, URLs), so a text cell is always stored as the text itself.
    """
    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "tmpdir": tmpdir, "strings_to_numbers": False,
        "strings_to_formulas": False, "strings_to_urls": False,
    })
    try:
        sheet = workbook.add_worksheet(sheet_name[:31])
        bold = workbook.add_format({"bold": True})
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, column.header, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for r, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                value = column.value(row)
                if value is None:
                    continue
                if column.kind in ("decimal", "int"):
                    sheet.write_number(r, col, float(value))
                elif column.kind == "date":
                    sheet.write_datetime(r, col, value, date_format)
                else:  # text and nip: always a string cell
                    sheet.write_string(r, col, str(value))
            count = r
    finally:
        workbook.close()
    return count


def xlsx_chunks(columns: Sequence[Column], rows: Iterable, sheet_name: str = "Laporan") -> Iterator[bytes]:
    """Build the workbook in a temporary file, then yield it in :data:`CHUNK_SIZE` chunks; the file
    (and xlsxwriter's row files) are deleted when the generator ends or is closed."""
    fd, path = tempfile.mkstemp(prefix="lentera-", suffix=".xlsx")
    os.close(fd)
    try:
        write_xlsx(path, columns, rows, sheet_name)
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK_SIZE):
                yield chunk
    finally:
        os.unlink(path)


def _local_date_of(field: str, tz_name: str) -> Callable[[Any], Any]:
    """``f(row)``: the local calendar date in ``tz_name`` of the instant ``row.<field>`` (``None`` for ``None``),
    as :func:`app.common.formatting.to_local` gives it; a UTC-aware datetime (what the database returns) is
    converted directly, in one call per cell."""
    zone, utc, get = ZoneInfo(tz_name), timezone.utc, attrgetter(field)

    def local(row):
        dt = get(row)
        if dt is None:
            return None
        if dt.tzinfo is utc:
            return dt.astimezone(zone).date()
        return to_local(dt, tz_name).date()
    return local


# A completion report shows revoked certificates too (the training happened), marked as such.
CERTIFICATE_STATUS_LABELS = {"valid": "Berlaku", "revoked": "Dicabut"}


def completion_columns(tz_name: str) -> list[Column]:
    """Columns of the completion report (rows: :class:`app.reports.services.CompletionRow`)."""
    # attrgetter (C) rather than lambdas: these run once per cell of exports of 200,000 rows (issue #8).
    return [
        Column("NIP", "nip", attrgetter("nip"), 21),
        Column("Nama", "text", attrgetter("full_name"), 28),
        Column("Gelar Depan", "text", attrgetter("gelar_depan"), 10),
        Column("Gelar Belakang", "text", attrgetter("gelar_belakang"), 12),
        Column("Nama Lengkap dengan Gelar", "text", attrgetter("display_name"), 34),
        Column("Email", "text", attrgetter("email"), 28),
        Column("OPD", "text", attrgetter("opd_name"), 34),
        Column("Jabatan", "text", attrgetter("jabatan"), 28),
        Column("Eselon", "text", attrgetter("eselon"), 8),
        Column("Golongan", "text", attrgetter("golongan"), 9),
        Column("Kursus", "text", attrgetter("course_title"), 34),
        Column("JP", "decimal", attrgetter("jp"), 6),
        Column("Tanggal Mulai", "date", _local_date_of("enrolled_at", tz_name), 12),
        Column("Tanggal Selesai", "date", _local_date_of("completed_at", tz_name), 12),
        Column("Nomor Sertifikat", "text", attrgetter("certificate_number"), 24),
        Column("Status Sertifikat", "text", lambda r: CERTIFICATE_STATUS_LABELS.get(r.certificate_status, ""), 12),
        Column("Angkatan", "text", attrgetter("cohort_name"), 20),
        Column("Nilai Kuis Terbaik (%)", "decimal", attrgetter("best_percent"), 10),
    ]


def ledger_columns(year: int) -> list[Column]:
    """Columns of the per-ASN JP compliance report (rows: :class:`app.reports.ledger.LedgerRow`)."""
    return [
        Column("NIP", "nip", lambda r: r.nip, 21),
        Column("Nama Lengkap dengan Gelar", "text", lambda r: r.display_name, 34),
        Column("Email", "text", lambda r: r.email, 28),
        Column("OPD", "text", lambda r: r.opd_name, 34),
        Column("Jabatan", "text", lambda r: r.jabatan, 28),
        Column("Eselon", "text", lambda r: r.eselon, 8),
        Column("Golongan", "text", lambda r: r.golongan, 9),
        Column("Jenis Kepegawaian", "text", lambda r: r.employment_type, 10),
        Column("Tahun", "int", lambda r: year, 7),
        Column("Kursus Selesai", "int", lambda r: r.courses, 8),
        Column("JP", "decimal", lambda r: r.jp, 6),
        Column("Target JP", "decimal", lambda r: r.target, 8),
        Column("Status", "text", lambda r: r.status_label, 16),
    ]


def opd_compliance_columns(year: int) -> list[Column]:
    """Columns of the per-OPD JP compliance table (rows: :class:`app.reports.ledger.OpdCompliance`)."""
    return [
        Column("OPD", "text", lambda r: r.opd_name, 40),
        Column("Tahun", "int", lambda r: year, 7),
        Column("Jumlah ASN", "int", lambda r: r.staff, 10),
        Column("Memenuhi", "int", lambda r: r.met, 10),
        Column("Belum Memenuhi", "int", lambda r: r.not_met, 10),
        Column("Persentase Memenuhi (%)", "decimal", lambda r: r.share, 12),
    ]


def riwayat_columns(tz_name: str, institution: str) -> list[Column]:
    """Columns of an ASN's riwayat diklat (rows: :class:`app.reports.ledger.RiwayatRow`).

    Jenis: e-learning is nonklasikal competency development (Perlan 10/2018);
    penyelenggara is ``LENTERA_INSTITUTION``.
    """
    from app.reports.ledger import JENIS_DIKLAT

    return [
        Column("Jenis Diklat", "text", lambda r: JENIS_DIKLAT, 30),
        Column("Penyelenggara", "text", lambda r: institution, 40),
        Column("Nama Diklat", "text", lambda r: r.course_title, 40),
        Column("Tanggal Mulai", "date", _local_date_of("enrolled_at", tz_name), 12),
        Column("Tanggal Selesai", "date", _local_date_of("completed_at", tz_name), 12),
        Column("JP", "decimal", lambda r: r.jp, 6),
        Column("Nomor Sertifikat", "text", lambda r: r.certificate_number, 24),
    ]


def audit_columns(tz_name: str) -> list[Column]:
    """Columns of the audit log export (rows: :class:`app.admin.models.AuditEvent` with ``actor`` loaded)."""
    return [
        Column("Waktu", "text", lambda e: format_datetime_id(e.at, tz_name), 30),
        Column("Waktu (UTC, ISO 8601)", "text", lambda e: e.at.isoformat(), 26),
        Column("Email Pelaku", "text", lambda e: e.actor.email if e.actor else "(baris perintah)", 28),
        Column("Aksi", "text", lambda e: e.action, 20),
        Column("Jenis Objek", "text", lambda e: e.target_type, 14),
        Column("ID Objek", "text", lambda e: e.target_id, 14),
        Column("Rincian", "text", lambda e: e.detail, 60),
    ]


def detail_text(detail: str) -> str:
    """The JSON detail of an audit event as ``key: value; …`` for the page (raw text when not JSON)."""
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return detail
    return "; ".join(f"{k}: {v}" for k, v in data.items())

