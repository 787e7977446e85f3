"""The completion report as CSV, streamed row by row.

Format:

* UTF-8 with a byte-order mark, so Excel opens Indonesian names correctly.
* Delimiter ``,`` by default, or ``;`` for Excel set to Indonesian regional
  settings (decimal comma, list separator ``;``).
* JP with a decimal comma, never rounded (``19,5``; EYD, domain-facts §8).
* Dates are local calendar dates (``LENTERA_TIMEZONE``) as ``YYYY-MM-DD``.

Spreadsheet safety:

* **NIP.** A spreadsheet reads ``196608011988031001`` as a number and keeps
  only 15 significant digits (``1.96608E+17``), destroying the NIP. A value
  of exactly 18 ASCII digits (what :func:`app.common.nip.parse_nip` stores)
  is therefore written as the text formula ``="196608011988031001"``, the
  idiom Excel and LibreOffice Calc both evaluate to the text itself. Only
  such a value gets this form; it cannot carry anything but digits.
* **Formula injection** (OWASP "CSV Injection"). Every other cell that
  starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading single quote (``=cmd`` → ``'=cmd``), so it is shown as text and
  never run. Names, course titles and jabatan are typed by users.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date

from app.common.formatting import format_decimal_id, to_local
from app.reports.services import CompletionRow

HEADER = (
    "NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Nama Lengkap dengan Gelar", "Email", "OPD", "Jabatan",
    "Eselon", "Golongan", "Kursus", "JP", "Tanggal Mulai", "Tanggal Selesai", "Nomor Sertifikat",
)

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NIP = re.compile(r"[0-9]{18}")
_FLUSH_EVERY = 200


def safe_cell(value) -> str:
    """``value`` as text, with a leading ``'`` when it starts with ``= + - @``, tab or CR (OWASP)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def nip_cell(value: str | None) -> str:
    """A NIP of exactly 18 ASCII digits as ``="<nip>"`` (kept as text); anything else via :func:`safe_cell`."""
    if value is not None and _NIP.fullmatch(value):
        return f'="{value}"'
    return safe_cell(value)


def completion_record(row: CompletionRow, tz_name: str) -> list[str]:
    """The CSV cells of one report row, in :data:`HEADER` order."""
    return [
        nip_cell(row.nip),
        safe_cell(row.full_name),
        safe_cell(row.gelar_depan),
        safe_cell(row.gelar_belakang),
        safe_cell(row.display_name),
        safe_cell(row.email),
        safe_cell(row.opd_name),
        safe_cell(row.jabatan),
        safe_cell(row.eselon),
        safe_cell(row.golongan),
        safe_cell(row.course_title),
        safe_cell(format_decimal_id(row.jp)),
        to_local(row.enrolled_at, tz_name).date().isoformat(),
        to_local(row.completed_at, tz_name).date().isoformat(),
        safe_cell(row.certificate_number),
    ]


def generate_csv(rows: Iterable[CompletionRow], tz_name: str, delimiter: str = ",") -> Iterator[str]:
    """Yield the CSV text in chunks: BOM and header first, then the rows, a few hundred at a time.

    Rows are consumed lazily, so a generator of rows is never held in memory whole.
    Lines end with CRLF (RFC 4180).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow(completion_record(row, tz_name))
        pending += 1
        if pending >= _FLUSH_EVERY:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def csv_filename(today: date) -> str:
    """``laporan-penyelesaian-YYYYMMDD.csv`` for the local date ``today``."""
    return f"laporan-penyelesaian-{today:%Y%m%d}.csv"
