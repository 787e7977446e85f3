"""Password hashing with argon2id (argon2-cffi defaults, RFC 9106 low-memory profile)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("lentera-dummy-password")

MIN_LENGTH = 8
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    """Return an encoded argon2id hash (``$argon2id$v=19$...``) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an absent or malformed hash never matches."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


_COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The refused common passwords, lower-cased (data/common-passwords.txt; source in its header)."""
    with _COMMON_FILE.open(encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip() and not line.startswith("#"))


def password_problem(password: str | None, *personal: str | None) -> str | None:
    """Why ``password`` is refused, as a message in the current language, or ``None`` when it is acceptable.

    Rules (ASVS 5.0 V6.2): 8–128 characters (any character, spaces kept);
    not one of the common passwords; not the user's own email, its local part
    or name (``personal``), compared case-insensitively.
    """
    password = password or ""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return _("Kata sandi %(min)d–%(max)d karakter.", min=MIN_LENGTH, max=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords():
        return _("Kata sandi ini terlalu umum dan mudah ditebak. Pilih kata sandi lain.")
    for value in personal:
        value = (value or "").strip().lower()
        if value and (lowered == value or ("@" in value and lowered == value.split("@", 1)[0])):
            return _("Kata sandi tidak boleh sama dengan email atau nama Anda.")
    return None
