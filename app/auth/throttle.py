"""Throttle of failed sign-in attempts, kept in the database (every worker shares it).

ASVS 5.0 V6.3.1 (brute force and credential stuffing). Two keys count each
failure: the account (``"account:<normalised email>"``, also for emails that
do not exist, so the answer never tells which exist) and the client address
(``"address:<ip>"``). Once a key has ``limit`` failures, each further failure
locks it for ``LENTERA_LOGIN_BACKOFF_SECONDS * 2**(failures - limit)``
seconds, at most ``LENTERA_LOGIN_BACKOFF_MAX_SECONDS`` (15 minutes by
default). Failures older than ``LENTERA_LOGIN_FAILURE_WINDOW_SECONDS`` are
forgotten. Sign-in, the 2FA code, password-reset requests and reset links all
count here. Callers commit.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app.auth.models import LoginThrottle
from app.common.db import utcnow
from app.extensions import db

ACCOUNT = "account:"
ADDRESS = "address:"


def keys_for(email: str | None, address: str | None) -> list[str]:
    """Throttle keys for one attempt: the account (if an email was given) and the address."""
    from app.auth.services import normalize_email

    keys = []
    if email:
        keys.append(ACCOUNT + normalize_email(email)[:254])
    keys.append(ADDRESS + (address or "unknown")[:64])
    return keys


def _limit(key: str) -> int:
    if key.startswith(ADDRESS):
        return current_app.config["LENTERA_LOGIN_MAX_FAILURES_ADDRESS"]
    return current_app.config["LENTERA_LOGIN_MAX_FAILURES"]


def lock_seconds(failures: int, limit: int) -> int:
    """Seconds a key is locked after its ``failures``-th failure (0 below ``limit``)."""
    if failures < limit:
        return 0
    base = current_app.config["LENTERA_LOGIN_BACKOFF_SECONDS"]
    ceiling = current_app.config["LENTERA_LOGIN_BACKOFF_MAX_SECONDS"]
    exponent = min(failures - limit, 30)  # 2**30 s is far past any ceiling
    return min(base * 2 ** exponent, ceiling)


def blocked_until(keys: list[str], now: datetime | None = None) -> datetime | None:
    """The latest lock end among ``keys`` still in the future, or ``None`` when free to try."""
    now = now or utcnow()
    ends = db.session.scalars(select(LoginThrottle.locked_until).where(
        LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)).all()
    return max(ends) if ends else None


def _row_for_update(key: str) -> LoginThrottle:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # Insert-if-absent is race free across workers; the row lock then serialises updates.
    db.session.execute(insert(LoginThrottle).values(key=key, failures=0).on_conflict_do_nothing(
        index_elements=["key"]))
    return db.session.scalars(select(LoginThrottle).where(LoginThrottle.key == key)
                              .with_for_update().execution_options(populate_existing=True)).one()


def record_failure(keys: list[str], now: datetime | None = None) -> datetime | None:
    """Count one failure against every key; return the resulting lock end, if any."""
    now = now or utcnow()
    window = timedelta(seconds=current_app.config["LENTERA_LOGIN_FAILURE_WINDOW_SECONDS"])
    latest = None
    for key in keys:
        row = _row_for_update(key)
        if row.last_failure_at is not None and now - row.last_failure_at > window and (
                row.locked_until is None or row.locked_until <= now):
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        seconds = lock_seconds(row.failures, _limit(key))
        if seconds:
            row.locked_until = now + timedelta(seconds=seconds)
            latest = max(latest, row.locked_until) if latest else row.locked_until
    db.session.flush()
    return latest


def reset(key: str) -> None:
    """Forget the failures of ``key`` (after a successful sign-in to that account)."""
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == key))
    if row is not None:
        db.session.delete(row)
        db.session.flush()
