"""Server-side sessions: sign-in creates a record, sign-out revokes it.

ASVS 5.0 V7. The signed Flask cookie holds only the user id (Flask-Login),
a random session id (``SESSION_ID_KEY``, 256 bits) and the time of the last
request (``LAST_SEEN_KEY``, epoch seconds). The database holds the SHA-256 of
the session id (:class:`app.auth.models.UserSession`). :func:`load_user`
accepts a cookie only when its record exists, is not revoked, is younger
than ``LENTERA_SESSION_ABSOLUTE_MINUTES`` and the last request is within
``LENTERA_SESSION_IDLE_MINUTES``; so a cookie replayed after sign-out, a
password change or a timeout loads no user.

This module is request glue (it reads the Flask session); callers commit.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import lazyload

from app.auth.models import User, UserSession
from app.common.db import utcnow
from app.extensions import db

SESSION_ID_KEY = "lentera_sid"
LAST_SEEN_KEY = "lentera_seen"
# Refresh the last-seen stamp at most this often (seconds) so that not every
# request re-sends the cookie.
_TOUCH_EVERY = 30


# Built once: SQLAlchemy memoises a statement object's cache key, so reusing it skips building and
# traversing the statement on every signed-in request (about 0.1 ms each, issue #8).
# The inner join loses nothing: deleting a user deletes their session records (CASCADE).
# The user's OPD (joined by default) loads only on the admin pages that show it.
_SESSION_AND_USER = (select(UserSession.user_id, UserSession.created_at, UserSession.revoked_at, User)
                     .join(User, User.id == UserSession.user_id)
                     .where(UserSession.token_hash == bindparam("token_hash"))
                     .options(lazyload(User.opd)))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def start(user: User, *, remember: bool = False) -> UserSession:
    """Sign ``user`` in with a brand-new session (old cookie content dropped: no fixation).

    ``remember`` keeps the cookie across browser restarts, never past the
    absolute timeout.
    """
    now = utcnow()
    absolute = timedelta(minutes=current_app.config["LENTERA_SESSION_ABSOLUTE_MINUTES"])
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.created_at < now - absolute))
    session.clear()
    raw = secrets.token_urlsafe(32)
    record = UserSession(user_id=user.id, token_hash=_digest(raw), created_at=now)
    db.session.add(record)
    db.session.flush()
    session[SESSION_ID_KEY] = raw
    session[LAST_SEEN_KEY] = int(now.timestamp())
    session.permanent = bool(remember)
    login_user(user, remember=False)
    return record


def current_record() -> UserSession | None:
    """The database record of this request's session, if the cookie names one."""
    raw = session.get(SESSION_ID_KEY)
    if not isinstance(raw, str) or not raw:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == _digest(raw)))


def end() -> None:
    """Revoke this request's session record and clear the cookie content."""
    record = current_record()
    if record is not None and record.revoked_at is None:
        record.revoked_at = utcnow()
        db.session.flush()
    logout_user()
    session.clear()


def revoke_all(user: User) -> None:
    """Revoke every open session of ``user`` (after a password change)."""
    db.session.execute(update(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def load_user(user_id: str) -> User | None:
    """Flask-Login user loader: the user of a valid, live session, else ``None``.

    A session that failed a check is cleared from the cookie, with a notice
    when it timed out.
    """
    if not isinstance(user_id, str) or not user_id.isdigit():
        return None
    raw = session.get(SESSION_ID_KEY)
    # One query for the session record and its user (this runs on every signed-in request).
    row = None
    if isinstance(raw, str) and raw:
        row = db.session.execute(_SESSION_AND_USER, {"token_hash": _digest(raw)}).first()
    now = utcnow()
    config = current_app.config
    if row is None or row.revoked_at is not None or row.user_id != int(user_id):
        _drop()
        return None
    seen = session.get(LAST_SEEN_KEY)
    idle = timedelta(minutes=config["LENTERA_SESSION_IDLE_MINUTES"]).total_seconds()
    absolute = timedelta(minutes=config["LENTERA_SESSION_ABSOLUTE_MINUTES"])
    if not isinstance(seen, int) or now.timestamp() - seen > idle or now - row.created_at > absolute:
        _drop(timed_out=True)
        return None
    user = row.User
    if not user.active:
        _drop()
        return None
    if now.timestamp() - seen >= _TOUCH_EVERY:
        session[LAST_SEEN_KEY] = int(now.timestamp())
    return user


def _drop(timed_out: bool = False) -> None:
    from flask import flash
    from flask_babel import gettext as _

    session.clear()
    if timed_out:
        flash(_("Sesi Anda telah berakhir. Silakan masuk kembali."), "info")
