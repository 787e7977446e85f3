"""Rules for accounts: registration, authentication, creation by operators.

Services never read ``request``; callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.auth.models import EMPLOYMENT_TYPES, ROLES, Opd, User
from app.auth.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, needs_rehash, verify_password
from app.common.asn import ESELON, GOLONGAN
from app.common.nip import parse_nip
from app.extensions import db


class AccountError(ValueError):
    """Bad account data. ``field_errors`` maps form field names to Indonesian messages."""

    def __init__(self, field_errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in field_errors.items()))
        self.field_errors = field_errors


@dataclass
class AccountData:
    """What is needed to create a user. ``nip`` only for ASN; strings as typed."""

    email: str
    full_name: str
    password: str
    role: str = "learner"
    gelar_depan: str | None = None
    gelar_belakang: str | None = None
    nip: str | None = None
    opd_id: int | None = None
    jabatan: str | None = None
    eselon: str | None = None
    golongan: str | None = None
    employment_type: str | None = None
    extra: dict = field(default_factory=dict)


def normalize_email(email: str) -> str:
    """Emails are compared case-insensitively; stored lower-cased and stripped."""
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(data: AccountData) -> User:
    """Validate and add a new user to the session (flushed, not committed).

    Raises :class:`AccountError` for a taken email or NIP, an unknown role,
    OPD, eselon, golongan or employment type, a bad NIP (see
    :func:`app.common.nip.parse_nip`) or a password outside 8–128 characters.
    """
    errors: dict[str, str] = {}
    email = normalize_email(data.email)
    if not email or "@" not in email:
        errors["email"] = "Alamat email tidak valid."
    elif find_user_by_email(email):
        errors["email"] = "Email ini sudah terdaftar. Silakan masuk."
    name = (data.full_name or "").strip()
    if not name:
        errors["full_name"] = "Nama wajib diisi."
    if data.role not in ROLES:
        errors["role"] = f"Peran tidak dikenal: {data.role}."
    if not MIN_LENGTH <= len(data.password or "") <= MAX_LENGTH:
        errors["password"] = f"Kata sandi {MIN_LENGTH}–{MAX_LENGTH} karakter."
    nip = None
    if data.nip:
        try:
            nip = parse_nip(data.nip).value
        except ValueError as error:
            errors["nip"] = str(error)
        else:
            if db.session.scalar(select(func.count()).select_from(User).where(User.nip == nip)):
                errors["nip"] = "NIP ini sudah terdaftar."
    if data.opd_id is not None and db.session.get(Opd, data.opd_id) is None:
        errors["opd_id"] = "OPD tidak dikenal."
    if data.eselon and data.eselon not in ESELON:
        errors["eselon"] = "Eselon tidak dikenal."
    if data.golongan and data.golongan not in GOLONGAN:
        errors["golongan"] = "Golongan tidak dikenal."
    if data.employment_type and data.employment_type not in EMPLOYMENT_TYPES:
        errors["employment_type"] = "Jenis kepegawaian harus PNS atau PPPK."
    if errors:
        raise AccountError(errors)

    user = User(
        email=email,
        password_hash=hash_password(data.password),
        role=data.role,
        full_name=name,
        gelar_depan=(data.gelar_depan or "").strip() or None,
        gelar_belakang=(data.gelar_belakang or "").strip() or None,
        nip=nip,
        opd_id=data.opd_id,
        jabatan=(data.jabatan or "").strip() or None,
        eselon=data.eselon or None,
        golongan=data.golongan or None,
        employment_type=data.employment_type or None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user whose email and password match, else ``None``.

    Unknown emails cost one argon2 verification too, so timing does not tell
    which emails exist. Upgrades the stored hash when parameters changed.
    """
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password or ""):
        return None
    if not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


def opd_choices() -> list[tuple[int, str]]:
    """OPD options for forms, by name: ``[(id, name), ...]``."""
    return [(o.id, o.name) for o in db.session.scalars(select(Opd).order_by(Opd.name))]
