"""Column helpers shared by the models of every area."""
from __future__ import annotations

from datetime import datetime, timezone

from decimal import Decimal

from sqlalchemy import DateTime, Integer, TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware (UTC).

    SQLite keeps no zone, so values are normalised to UTC on the way in and
    tagged as UTC on the way out; PostgreSQL stores ``timestamptz``.
    Naive datetimes given to it are refused (``ValueError``) to keep local
    times out of the database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store UTC-aware datetimes only")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class ScaledDecimal(TypeDecorator):
    """An exact decimal stored as a scaled integer (``value * 10**scale``).

    Used for JP credits, pass marks and quiz points so that SQLite and
    PostgreSQL hold the same exact value (SQLite has no exact NUMERIC; it
    would silently keep floats). Binding a value with more decimal places
    than ``scale`` raises ``ValueError`` instead of rounding.
    ``func.sum(col)`` keeps this type, so sums come back as exact Decimals too.
    """

    impl = Integer
    cache_ok = True

    def __init__(self, scale: int = 2):
        super().__init__()
        self.scale = scale
        self._factor = Decimal(10) ** scale

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        scaled = Decimal(value) * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) / self._factor).normalize() + Decimal(0)

    @property
    def python_type(self):
        return Decimal


#: Largest id any table can hold: ids are INTEGER, which is 32-bit on PostgreSQL
#: (SQLite's is 64-bit). A larger id in a URL or query string cannot exist.
MAX_ID = 2**31 - 1


def commit_keeping_loaded() -> None:
    """Commit the request's session without expiring the objects it has loaded.

    For routes that render from rows they just wrote: expiring them on commit
    would reload each one (one query per object) for the page that follows.
    """
    from app.extensions import db

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


#: ``Connection.info`` key set by the engine listeners in :mod:`app` when a transaction ran anything
#: but SELECT/SHOW (or began outside a request).
WROTE_INFO_KEY = "lentera_wrote"


def transaction_wrote(session) -> bool:
    """Whether ``session``'s current transaction may have written (or began outside a request).

    Caches of database rows (:mod:`app.catalog.outline`) must not keep what such a transaction
    reads: its own changes may still be rolled back. Begins a transaction if none is open.
    """
    return bool(session.connection().info.get(WROTE_INFO_KEY, True))
