"""Validation of the NIP, the 18-digit civil-servant number.

PNS (Peraturan Kepala BKN 22/2007, see shared/domain-facts.md §4):
``YYYYMMDD`` birth date (8) + ``YYYYMM`` first CPNS appointment (6) +
sex digit, 1 male / 2 female (1) + sequence (3). Example
``19660801 198803 1 001``.
PPPK (NI PPPK, domain-facts §4, marked partial there): birth date (8) +
year appointed (4) + a 2-digit code (seen as "21") + sex digit (1) +
sequence (3). Example ``19931228 2025 21 2 001``. The code is checked only
for being digits, since no rule text fixing its values was found.
Both are text: leading zeros and all 18 digits matter, so they are never
handled as numbers.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

_SPACES = re.compile(r"[\s.\-]")


class NipError(ValueError):
    """A NIP that cannot be right; ``str(error)`` is a message for the user (gettext, Indonesian msgid)."""


@dataclass(frozen=True)
class Nip:
    """A parsed, valid NIP."""

    value: str
    birth_date: date
    appointed_year: int
    appointed_month: int | None  # None for PPPK, whose number holds only the year
    sex: str  # "L" (laki-laki) or "P" (perempuan)
    sequence: str
    kind: str = "PNS"  # "PNS" or "PPPK"

    @property
    def grouped(self) -> str:
        """As printed on documents: ``"19660801 198803 1 001"`` (PPPK: ``"19931228 2025 21 2 001"``)."""
        v = self.value
        if self.kind == "PPPK":
            return f"{v[:8]} {v[8:12]} {v[12:14]} {v[14]} {v[15:]}"
        return f"{v[:8]} {v[8:14]} {v[14]} {v[15:]}"


def normalize_nip(raw: str) -> str:
    """Strip the spaces, dots and dashes people type between NIP groups."""
    return _SPACES.sub("", raw or "")


def parse_nip(raw: str, *, employment_type: str | None = None, today: date | None = None) -> Nip:
    """Validate ``raw`` and return the parsed :class:`Nip`.

    ``employment_type`` ``"PPPK"`` checks the NI PPPK layout; anything else
    (``"PNS"`` or unknown) the NIP PNS layout.
    Accepts the 18 digits with optional spaces, dots or dashes between groups.
    Raises :class:`NipError` with a message in the current language (Indonesian
    outside a request) for: anything but
    digits (including a spreadsheet's scientific notation such as
    ``1.96608E+17``), a length other than 18, an impossible birth date, an
    appointment month outside 1–12, an appointment before age 18 or after
    ``today``, a sex digit other than 1 or 2, and sequence ``000``.
    """
    today = today or date.today()
    value = normalize_nip(raw)
    if employment_type == "PPPK":
        return _parse_ni_pppk(value, today)
    if not value:
        raise NipError(_("NIP wajib diisi."))
    if re.search(r"[eE]\+?\d", value):
        raise NipError(_("NIP tertulis dalam notasi ilmiah (mis. 1,96608E+17); simpan kolom NIP sebagai teks."))
    if not value.isascii() or not value.isdigit():
        raise NipError(_("NIP hanya boleh berisi angka."))
    if len(value) != 18:
        raise NipError(_("NIP harus 18 digit (tertulis %(count)d digit).", count=len(value)))
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise NipError(_("Tanggal lahir pada NIP (%(date)s) tidak ada di kalender.", date=f"{value[6:8]}-{value[4:6]}-{value[0:4]}")) from None
    if birth.year < 1900 or birth > today:
        raise NipError(_("Tahun lahir pada NIP tidak masuk akal."))
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        raise NipError(_("Bulan pengangkatan CPNS pada NIP (%(month)s) harus 01–12.", month=value[12:14]))
    if (year, month) > (today.year, today.month):
        raise NipError(_("Bulan pengangkatan CPNS pada NIP belum terjadi."))
    if year - birth.year < 18:
        raise NipError(_("Tahun pengangkatan CPNS pada NIP terlalu dekat dengan tahun lahir (kurang dari 18 tahun)."))
    sex = value[14]
    if sex not in "12":
        raise NipError(_("Digit jenis kelamin pada NIP (digit ke-15) harus 1 atau 2, bukan %(digit)s.", digit=sex))
    if value[15:] == "000":
        raise NipError(_("Nomor urut pada NIP (3 digit terakhir) tidak boleh 000."))
    return Nip(value, birth, year, month, "L" if sex == "1" else "P", value[15:])


def _parse_ni_pppk(value: str, today: date) -> Nip:
    if not value:
        raise NipError(_("NI PPPK wajib diisi."))
    if re.search(r"[eE]\+?\d", value):
        raise NipError(_("NI PPPK tertulis dalam notasi ilmiah (mis. 1,99312E+17); simpan kolom sebagai teks."))
    if not value.isascii() or not value.isdigit():
        raise NipError(_("NI PPPK hanya boleh berisi angka."))
    if len(value) != 18:
        raise NipError(_("NI PPPK harus 18 digit (tertulis %(count)d digit).", count=len(value)))
    try:
        birth = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise NipError(_("Tanggal lahir pada NI PPPK (%(date)s) tidak ada di kalender.", date=f"{value[6:8]}-{value[4:6]}-{value[0:4]}")) from None
    if birth.year < 1900 or birth > today:
        raise NipError(_("Tahun lahir pada NI PPPK tidak masuk akal."))
    year = int(value[8:12])
    if year > today.year:
        raise NipError(_("Tahun pengangkatan pada NI PPPK belum terjadi."))
    if year - birth.year < 18:
        raise NipError(_("Tahun pengangkatan pada NI PPPK terlalu dekat dengan tahun lahir (kurang dari 18 tahun)."))
    sex = value[14]
    if sex not in "12":
        raise NipError(_("Digit jenis kelamin pada NI PPPK (digit ke-15) harus 1 atau 2, bukan %(digit)s.", digit=sex))
    if value[15:] == "000":
        raise NipError(_("Nomor urut pada NI PPPK (3 digit terakhir) tidak boleh 000."))
    return Nip(value, birth, year, None, "L" if sex == "1" else "P", value[15:], kind="PPPK")
