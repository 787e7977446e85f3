"""CSV exports (completion report, JP ledger, riwayat diklat, audit log), streamed row by row.

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
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import islice


BOM = "\ufeff"
#: First characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NIP = re.compile(r"[0-9]{18}")
_FLUSH_EVERY = 200


def safe_cell(value) -> str:
    """``value`` as text, with a leading ``'`` when it starts with ``= + - @``, tab or CR (OWASP)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def nip_cell(value: str | None) -> str:
    """A NIP of exactly 18 ASCII digits as ``="<nip>"`` (kept as text); anything else via :func:`safe_cell`."""
    if value is not None and _NIP.fullmatch(value):
        return f'="{value}"'
    return safe_cell(value)


def stream_csv(header: Iterable[str], records: Iterable[Sequence[str]], delimiter: str = ",") -> Iterator[str]:
    """Yield CSV text in chunks: BOM and header first, then the records, :data:`_FLUSH_EVERY` at a time.

    ``records`` are sequences (lists, tuples) of cells already made safe (:func:`safe_cell`,
    :func:`nip_cell`); they are consumed lazily, so a generator is never
    held in memory whole (at most one chunk of text is). Lines end with CRLF (RFC 4180).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    yield BOM + buffer.getvalue()
    records = iter(records)
    while True:
        buffer.seek(0)
        buffer.truncate()
        # writerows runs the loop in C; every record writes at least "\r\n", so empty text means no more records.
        writer.writerows(islice(records, _FLUSH_EVERY))
        text = buffer.getvalue()
        if not text:
            return
        yield text


def csv_filename(today: date, stem: str = "laporan-penyelesaian", ext: str = "csv") -> str:
    """``<stem>-YYYYMMDD.<ext>`` for the local date ``today`` (default ``laporan-penyelesaian-….csv``)."""
    return f"{stem}-{today:%Y%m%d}.{ext}"
