"""A rate limiter whose counters live in the database, shared by every worker.

Fixed windows: a counter per ``(limiter name, client key)`` counts hits since
``window_start``; a hit after the window has passed starts a new window at 1.
The increment is one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
statement, so concurrent workers (gunicorn processes, threads) never lose a
hit, on SQLite and PostgreSQL alike. Counters go through ``db.session``: the
caller commits (a route commits once at its end, also when it answers 429).

Usage::

    VERIFY_MISSES = RateLimiter("verify-miss", limit=20, window_seconds=600)
    if VERIFY_MISSES.blocked(request.remote_addr): ...   # read only
    result = VERIFY_MISSES.hit(request.remote_addr)      # counts one
    if not result.allowed: ...                           # answer 429

A Redis backend can replace this class later without changing callers.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.common.db import UTCDateTime, utcnow
from app.extensions import db

#: Shown with HTTP 429.
# Lazy: read in the language of the request that is refused.
RATE_LIMITED_MESSAGE = _l("Terlalu banyak permintaan dari alamat Anda. Tunggu beberapa menit lalu coba lagi.")


class RateLimitCounter(db.Model):
    """Hits of one client against one limiter in the current window.

    ``key`` is ``"<limiter>:<sha256 of the client key>"`` (client addresses are
    not stored in clear).
    """

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(default=0)


@dataclass(frozen=True)
class RateLimitResult:
    """Outcome of a hit: ``allowed`` is False once ``count`` exceeds the limit;
    ``retry_after`` is the whole number of seconds until the window ends."""

    allowed: bool
    count: int
    retry_after: int


class RateLimiter:
    """At most ``limit`` hits per client per ``window_seconds``.

    :param name: short limiter name (letters, digits, dashes), part of the key.
    """

    def __init__(self, name: str, limit: int, window_seconds: int):
        if limit < 1 or window_seconds < 1:
            raise ValueError("limit and window_seconds must be positive")
        self.name = name
        self.limit = limit
        self.window = timedelta(seconds=window_seconds)

    def _key(self, client: str | None) -> str:
        digest = hashlib.sha256((client or "unknown").encode("utf-8")).hexdigest()
        return f"{self.name}:{digest}"[:120]

    def _retry_after(self, window_start: datetime, now: datetime) -> int:
        return max(1, math.ceil((window_start + self.window - now).total_seconds()))

    def blocked(self, client: str | None, now: datetime | None = None) -> bool:
        """True if ``client`` already used up the current window (does not count a hit)."""
        now = now or utcnow()
        row = db.session.get(RateLimitCounter, self._key(client), populate_existing=True)
        return row is not None and row.window_start > now - self.window and row.count >= self.limit

    def hit(self, client: str | None, now: datetime | None = None) -> RateLimitResult:
        """Count one hit for ``client`` and say whether it is within the limit.

        :raises NotImplementedError: on a database other than SQLite/PostgreSQL.
        """
        now = now or utcnow()
        table = RateLimitCounter.__table__
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            insert = postgresql.insert(table)
        elif dialect == "sqlite":
            insert = sqlite.insert(table)
        else:  # pragma: no cover - only the two supported engines
            raise NotImplementedError(f"unsupported database: {dialect}")
        expired = table.c.window_start <= now - self.window
        statement = (
            insert.values(key=self._key(client), window_start=now, count=1)
            .on_conflict_do_update(
                index_elements=["key"],
                set_={
                    "count": case((expired, 1), else_=table.c.count + 1),
                    "window_start": case((expired, literal(now, UTCDateTime())), else_=table.c.window_start),
                },
            )
            .returning(table.c.count, table.c.window_start)
        )
        count, window_start = db.session.execute(statement).one()
        if window_start.tzinfo is None:  # RETURNING bypasses the column type on some drivers
            window_start = window_start.replace(tzinfo=now.tzinfo)
        return RateLimitResult(allowed=count <= self.limit, count=count,
                               retry_after=self._retry_after(window_start, now))

    def reset(self, client: str | None) -> None:
        """Forget ``client``'s counter (e.g. after a successful sign-in)."""
        db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.key == self._key(client)))


def purge_expired(older_than: timedelta, name: str | None = None, now: datetime | None = None) -> int:
    """Delete counters whose window started more than ``older_than`` ago
    (only those of limiter ``name`` when given); returns how many. The caller commits."""
    now = now or utcnow()
    stale = select(RateLimitCounter.key).where(RateLimitCounter.window_start < now - older_than)
    if name is not None:
        stale = stale.where(RateLimitCounter.key.startswith(f"{name}:", autoescape=True))
    keys = list(db.session.scalars(stale))
    if keys:
        db.session.execute(delete(RateLimitCounter).where(RateLimitCounter.key.in_(keys)))
    return len(keys)
