"""Indonesian formatting of dates, times and numbers.

Every rule here comes from a fixed table in this module, never from the
operating-system locale (``locale.setlocale`` is process-global, differs
between servers and is often missing ``id_ID`` entirely).

Sources (see /work/shared/domain-facts.md):

* §8 Formatting -- month names (EYD; "Februari", "Agustus", never
  "Pebruari"/"Agt"), long date ``5 Februari 2008``, decimal comma and dot
  thousands separator (``Rp200.250,75``), times written with a dot
  (``pukul 09.00 WITA``), Roman-numeral months in letter numbers.
* §7 Time zones -- Keppres 41/1987: WIB (UTC+7: Asia/Jakarta,
  Asia/Pontianak), WITA (UTC+8: Asia/Makassar), WIT (UTC+9: Asia/Jayapura);
  no daylight-saving time.
"""

from __future__ import annotations

import datetime as _dt
from decimal import ROUND_DOWN, Decimal, localcontext
from zoneinfo import ZoneInfo

__all__ = [
    "MONTHS_ID",
    "format_date_id",
    "to_local",
    "format_datetime_id",
    "format_decimal_id",
    "format_jp",
    "roman_month",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_jp_locale",
]

#: Indonesian month names, index 0 = Januari (EYD spelling, domain-facts §8).
MONTHS_ID: tuple[str, ...] = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)

_ROMAN_MONTHS: tuple[str, ...] = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
)

# IANA zone -> (abbreviation, UTC offset the abbreviation stands for).
# Keppres 41/1987 (domain-facts §7). The offset is checked so that instants
# before 1 Jan 1988 (when e.g. Pontianak was still on UTC+8) fall back to a
# numeric offset instead of a wrong abbreviation. "Asia/Ujung_Pandang" is
# the IANA backward-compatible alias of Asia/Makassar.
_ZONE_ABBREVIATIONS: dict[str, tuple[str, _dt.timedelta]] = {
    "Asia/Jakarta": ("WIB", _dt.timedelta(hours=7)),
    "Asia/Pontianak": ("WIB", _dt.timedelta(hours=7)),
    "Asia/Makassar": ("WITA", _dt.timedelta(hours=8)),
    "Asia/Ujung_Pandang": ("WITA", _dt.timedelta(hours=8)),
    "Asia/Jayapura": ("WIT", _dt.timedelta(hours=9)),
}


def _require_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def format_date_id(d: _dt.date) -> str:
    """Format a calendar date as an Indonesian long date.

    ``date(2026, 11, 29)`` -> ``"29 November 2026"``: day without a leading
    zero, full month name from :data:`MONTHS_ID`, four-digit year without a
    thousands dot (EYD; domain-facts §8 "Long date" / "Letter dates").

    :param d: a :class:`datetime.date` that is already in the reader's
        local calendar.
    :raises TypeError: if ``d`` is not a ``date`` -- including when it is a
        ``datetime``: a datetime is usually stored in UTC and its date part
        can be a day off, so convert explicitly with
        ``to_local(dt, tz).date()`` or use :func:`format_datetime_id`.
    """
    if isinstance(d, _dt.datetime) or not isinstance(d, _dt.date):
        raise TypeError(
            "format_date_id expects a datetime.date (not a datetime); "
            "use to_local(dt, tz_name).date() or format_datetime_id()"
        )
    return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"


def to_local(dt: _dt.datetime, tz_name: str) -> _dt.datetime:
    """Convert an instant to wall-clock time in an IANA time zone.

    :param dt: an aware :class:`datetime.datetime` (normally UTC, as stored
        in the database). A *naive* datetime is treated as UTC.
    :param tz_name: IANA zone name, e.g. ``"Asia/Makassar"`` for Samarinda
        (domain-facts §7).
    :returns: an aware datetime whose ``tzinfo`` is ``ZoneInfo(tz_name)``.
    :raises TypeError: if ``dt`` is not a datetime.
    :raises zoneinfo.ZoneInfoNotFoundError: (a ``KeyError``) for an unknown
        zone name; ``ValueError`` for a malformed one.
    """
    if not isinstance(dt, _dt.datetime):
        raise TypeError(f"to_local expects a datetime, got {type(dt).__name__}")
    zone = ZoneInfo(tz_name)
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        dt = dt.replace(tzinfo=_dt.timezone.utc)
    return dt.astimezone(zone)


def _zone_label(local: _dt.datetime, tz_name: str) -> str:
    offset = local.utcoffset() or _dt.timedelta(0)
    known = _ZONE_ABBREVIATIONS.get(tz_name)
    if known is not None and known[1] == offset:
        return known[0]
    total_minutes = int(offset.total_seconds()) // 60
    sign = "+" if total_minutes >= 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"UTC{sign}{hours:02d}.{minutes:02d}"


def format_datetime_id(dt: _dt.datetime, tz_name: str) -> str:
    """Format an instant as Indonesian local date and time with its zone.

    ``datetime(2026, 11, 29, 6, 5, tzinfo=UTC)``, ``"Asia/Makassar"`` ->
    ``"29 November 2026 pukul 14.05 WITA"``.

    Hours are zero-padded 24-hour, separated from minutes by a dot
    (EYD, domain-facts §8: ``pukul 09.00 WITA``). The zone is WIB / WITA /
    WIT for Asia/Jakarta and Asia/Pontianak / Asia/Makassar / Asia/Jayapura
    (Keppres 41/1987, domain-facts §7); any other zone, or an instant when
    those zones had a different offset (before 1988), is shown as the
    numeric offset, e.g. ``"UTC+08.00"``.

    :param dt: aware datetime (naive is treated as UTC, see :func:`to_local`).
    :param tz_name: IANA zone name.
    :raises: as :func:`to_local`.
    """
    local = to_local(dt, tz_name)
    return (
        f"{format_date_id(local.date())} pukul "
        f"{local.hour:02d}.{local.minute:02d} {_zone_label(local, tz_name)}"
    )


def _group_thousands(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)]
    return ".".join(parts)


def format_decimal_id(value: Decimal | int, places: int | None = None) -> str:
    """Format a number with Indonesian separators (EYD, domain-facts §8).

    Dot as thousands separator, comma as decimal separator:
    ``Decimal("1234.5")`` -> ``"1.234,5"``; ``1234567`` -> ``"1.234.567"``.

    :param value: a :class:`~decimal.Decimal` or ``int``. Floats are refused
        because their binary value is not the decimal the user typed.
    :param places: ``None`` (default) prints every significant decimal and
        strips trailing zeros (``Decimal("20.0")`` -> ``"20"``,
        ``Decimal("19.50")`` -> ``"19,5"``). An int ``>= 0`` prints exactly
        that many decimals, **truncating toward zero, never rounding up**
        (``Decimal("19.99")``, ``places=1`` -> ``"19,9"``;
        ``Decimal(20)``, ``places=2`` -> ``"20,00"``). A credited number of
        JP must never be shown larger than it is.
    :raises TypeError: for a float, bool or other non-Decimal/int value, or
        a non-int ``places``.
    :raises ValueError: for NaN/infinity or a negative ``places``.

    A result that is zero is printed without a minus sign.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(
            f"format_decimal_id expects Decimal or int, got {type(value).__name__}"
        )
    dec = Decimal(value)
    if not dec.is_finite():
        raise ValueError(f"cannot format non-finite number {value!r}")
    if places is not None:
        _require_int(places, "places")
        if places < 0:
            raise ValueError("places must be >= 0")

    with localcontext() as ctx:
        # Enough precision that quantize never raises InvalidOperation.
        ctx.prec = max(28, len(dec.as_tuple().digits) + (places or 0) + 2)
        if places is not None:
            dec = dec.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)
        text = format(abs(dec), "f")

    int_part, _, frac_part = text.partition(".")
    if places is None:
        frac_part = frac_part.rstrip("0")
    sign = "-" if dec.is_signed() and not dec.is_zero() else ""
    result = sign + _group_thousands(int_part)
    if frac_part:
        result += "," + frac_part
    return result


def format_jp(value: Decimal | int) -> str:
    """Format a number of *jam pelajaran* (JP) as ``"19,5 JP"`` / ``"20 JP"``.

    Uses :func:`format_decimal_id` with ``places=None`` (every stored
    decimal, trailing zeros stripped, never rounded). The JP unit length is
    configurable elsewhere (domain-facts §4); this only formats the count.

    :raises: as :func:`format_decimal_id`.
    """
    return f"{format_decimal_id(value)} JP"


def roman_month(month: int) -> str:
    """Return the Roman numeral for a month number: ``1`` -> ``"I"``,
    ``11`` -> ``"XI"``, ``12`` -> ``"XII"``.

    Used in letter/certificate numbers such as ``030/M2/LMJ/XI/23``
    (common practice, not a binding rule -- domain-facts §8 "Letter numbers").

    :raises TypeError: if ``month`` is not an int (bool refused).
    :raises ValueError: if ``month`` is outside 1..12.
    """
    _require_int(month, "month")
    if not 1 <= month <= 12:
        raise ValueError(f"month must be in 1..12, got {month}")
    return _ROMAN_MONTHS[month - 1]


# --- Locale-aware variants (issue #7: Indonesian first, English per user) ---
# Indonesian keeps the fixed tables above (certificates and CSV files call the
# *_id functions directly and must not change with the reader's language).
# English takes month names and separators from Babel's CLDR data for "en";
# the dates stay day-month-year ("5 February 2026") so both languages read
# the same order, and the zone keeps its Indonesian abbreviation (WIB/WITA/WIT).


def _is_indonesian(locale: str | None) -> bool:
    return not locale or str(locale).split("_")[0].split("-")[0] != "en"


def format_date(d: _dt.date, locale: str | None = "id") -> str:
    """Long date in ``locale``: ``"5 Februari 2026"`` (id) or ``"5 February 2026"`` (en).

    :raises TypeError: as :func:`format_date_id`.
    """
    if _is_indonesian(locale):
        return format_date_id(d)
    from babel.dates import get_month_names

    format_date_id(d)  # same type checks as the Indonesian form
    return f"{d.day} {get_month_names('wide', locale='en')[d.month]} {d.year}"


def format_datetime(dt: _dt.datetime, tz_name: str, locale: str | None = "id") -> str:
    """Local date and time with the zone: ``"… pukul 09.00 WITA"`` (id), ``"… at 09:00 WITA"`` (en).

    :raises: as :func:`to_local`.
    """
    if _is_indonesian(locale):
        return format_datetime_id(dt, tz_name)
    local = to_local(dt, tz_name)
    return f"{format_date(local.date(), 'en')} at {local.hour:02d}:{local.minute:02d} {_zone_label(local, tz_name)}"


def format_decimal(value: Decimal | int, places: int | None = None, locale: str | None = "id") -> str:
    """A number in ``locale``: ``"1.234,5"`` (id) or ``"1,234.5"`` (en).

    Same rules as :func:`format_decimal_id` (truncation, no float); only the
    separators change. :raises: as :func:`format_decimal_id`.
    """
    text = format_decimal_id(value, places)
    if _is_indonesian(locale):
        return text
    from babel.numbers import get_decimal_symbol, get_group_symbol

    decimal_sign, group_sign = get_decimal_symbol("en"), get_group_symbol("en")
    return text.replace(".", "\0").replace(",", decimal_sign).replace("\0", group_sign)


def format_jp_locale(value: Decimal | int, locale: str | None = "id") -> str:
    """A JP count in ``locale``: ``"19,5 JP"`` (id) or ``"19.5 JP"`` (en)."""
    return f"{format_decimal(value, None, locale)} JP"
