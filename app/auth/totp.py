"""TOTP two-factor sign-in (RFC 6238: 6 digits, 30-second steps, SHA-1), via pyotp.

A code is accepted for the current step or one step either side (clock
drift), and never twice: the last accepted step is stored on the user
(ASVS 5.0 V6.5.1). Callers commit.
"""
from __future__ import annotations

import time

import pyotp
import segno
from flask import current_app

from app.auth.models import ROLE_ADMIN, ROLE_OPD_ADMIN, User
from app.extensions import db

STEP_SECONDS = 30


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226 §4 recommends 160)."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    """``otpauth://`` URI for authenticator apps."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["LENTERA_TOTP_ISSUER"])


def qr_data_uri(uri: str) -> str:
    """The URI as an SVG QR code in a ``data:`` URI (allowed by the CSP img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=4)


def _normalise(code: str | None) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


def matching_step(secret: str, code: str | None, at: float | None = None) -> int | None:
    """The time step (``unix_time // 30``) whose code equals ``code``, within ±1 step, else ``None``."""
    code = _normalise(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if pyotp.utils.strings_equal(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def verify(user: User, code: str | None, at: float | None = None) -> bool:
    """True when ``code`` is a fresh valid code for ``user``; records its step to stop replays."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, at)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    db.session.flush()
    return True


def enable(user: User, secret: str, code: str | None, at: float | None = None) -> bool:
    """Turn two-factor on with ``secret`` once ``code`` proves the app has it; False otherwise."""
    step = matching_step(secret, code, at)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    db.session.flush()
    return True


def disable(user: User) -> None:
    """Turn two-factor off."""
    user.totp_secret = None
    user.totp_last_step = None
    db.session.flush()


def required_for(user: User) -> bool:
    """True when ``user`` must have two-factor on (BPSDM and OPD admins, when LENTERA_REQUIRE_ADMIN_2FA)."""
    return bool(current_app.config.get("LENTERA_REQUIRE_ADMIN_2FA")) and user.role in (ROLE_ADMIN, ROLE_OPD_ADMIN)
