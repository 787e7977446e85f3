"""Password-reset links: random, stored hashed, single use, short-lived.

ASVS 5.0 V6.4: the token is 256 random bits (``secrets.token_urlsafe(32)``);
only its SHA-256 is stored; it expires after ``LENTERA_RESET_TOKEN_MINUTES``
(60 by default); it is used at most once; and any password change voids it,
because the token keeps a digest of the password hash it was made under.
Callers commit, and send the mail only after the commit.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from app.auth.models import PasswordResetToken, User
from app.auth.services import AccountError, set_password
from app.common.db import utcnow
from app.extensions import db


def digest(value: str) -> str:
    """SHA-256 hex digest of ``value`` (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def create_token(user: User, now: datetime | None = None) -> str:
    """Store a new reset token for ``user`` and return the raw token (for the link only).

    Expired tokens of the user are deleted on the way.
    """
    now = now or utcnow()
    db.session.execute(delete(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.expires_at <= now))
    raw = secrets.token_urlsafe(32)
    minutes = current_app.config["LENTERA_RESET_TOKEN_MINUTES"]
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=digest(raw),
                                      password_fingerprint=digest(user.password_hash),
                                      created_at=now, expires_at=now + timedelta(minutes=minutes)))
    db.session.flush()
    return raw


def find_valid(raw: str | None, now: datetime | None = None) -> PasswordResetToken | None:
    """The unused, unexpired token for ``raw`` whose user is active and kept the same password."""
    if not raw or len(raw) > 200:
        return None
    now = now or utcnow()
    token = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == digest(raw)))
    if token is None or token.used_at is not None or token.expires_at <= now:
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active or digest(user.password_hash) != token.password_fingerprint:
        return None
    return token


class ResetError(ValueError):
    """The reset link is unknown, used, expired or void."""


def reset_password(raw: str, new_password: str, now: datetime | None = None) -> User:
    """Set a new password through the link ``raw``; the token is used up.

    Raises :class:`ResetError` for a bad link and
    :class:`app.auth.services.AccountError` for a refused password (the
    token then stays usable).
    """
    now = now or utcnow()
    token = find_valid(raw, now)
    if token is None:
        raise ResetError(_("Tautan atur ulang kata sandi tidak berlaku atau sudah kedaluwarsa."))
    user = db.session.get(User, token.user_id)
    set_password(user, new_password)  # marks this and every other open token used
    token.used_at = now
    db.session.flush()
    return user


__all__ = ["AccountError", "ResetError", "create_token", "digest", "find_valid", "reset_password"]
