"""Rules for accounts: registration, authentication, creation by operators.

Services never read ``request``; callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import EMPLOYMENT_TYPES, ROLES, Opd, User, compose_display_name
from app.auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from app.common.asn import ESELON, GOLONGAN
from app.common.names import PersonNameError, clean_person_text
from app.common.nip import parse_nip
from app.extensions import db


# A display name (gelar + name) longer than this no longer fits the certificate's name box.
MAX_DISPLAY_NAME = 150


class AccountError(ValueError):
    """Bad account data. ``field_errors`` maps form field names to messages in the current language (Indonesian outside a request)."""

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
    OPD, eselon, golongan or employment type, a bad NIP or NI PPPK (see
    :func:`app.common.nip.parse_nip`), a name or gelar that cannot be printed
    on a certificate (see :func:`app.common.names.clean_person_text`) or a password refused by
    :func:`app.auth.passwords.password_problem` (length 8–128, common, personal).
    """
    errors: dict[str, str] = {}
    email = normalize_email(data.email)
    if not email or "@" not in email:
        errors["email"] = _("Alamat email tidak valid.")
    elif find_user_by_email(email):
        errors["email"] = _("Email ini sudah terdaftar. Silakan masuk.")
    cleaned: dict[str, str | None] = {}
    for field_name, label, required, limit in (("full_name", _("Nama"), True, 120),
                                               ("gelar_depan", _("Gelar depan"), False, 40),
                                               ("gelar_belakang", _("Gelar belakang"), False, 80)):
        try:
            cleaned[field_name] = clean_person_text(getattr(data, field_name), label, required=required,
                                                    max_length=limit)
        except PersonNameError as error:
            errors[field_name] = str(error)
    name, gelar_depan, gelar_belakang = (cleaned.get(k) for k in ("full_name", "gelar_depan", "gelar_belakang"))
    if name and len(compose_display_name(gelar_depan, name, gelar_belakang)) > MAX_DISPLAY_NAME:
        # Longer names no longer fit the certificate's name box.
        errors["full_name"] = _("Nama beserta gelar paling banyak %(max)d karakter.", max=MAX_DISPLAY_NAME)
    if data.role not in ROLES:
        errors["role"] = _("Peran tidak dikenal: %(role)s.", role=data.role)
    problem = password_problem(data.password, email, name)
    if problem:
        errors["password"] = problem
    nip = None
    if data.nip:
        try:
            nip = parse_nip(data.nip, employment_type=data.employment_type).value
        except ValueError as error:
            errors["nip"] = str(error)
        else:
            if db.session.scalar(select(func.count()).select_from(User).where(User.nip == nip)):
                errors["nip"] = _("NIP ini sudah terdaftar.")
    if data.opd_id is not None and db.session.get(Opd, data.opd_id) is None:
        errors["opd_id"] = _("OPD tidak dikenal.")
    if data.eselon and data.eselon not in ESELON:
        errors["eselon"] = _("Eselon tidak dikenal.")
    if data.golongan and data.golongan not in GOLONGAN:
        errors["golongan"] = _("Golongan tidak dikenal.")
    if data.employment_type and data.employment_type not in EMPLOYMENT_TYPES:
        errors["employment_type"] = _("Jenis kepegawaian harus PNS atau PPPK.")
    if errors:
        raise AccountError(errors)

    user = User(
        email=email,
        password_hash=hash_password(data.password),
        role=data.role,
        full_name=name,
        gelar_depan=gelar_depan,
        gelar_belakang=gelar_belakang,
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


def set_password(user: User, new_password: str) -> None:
    """Give ``user`` a new password (argon2id) after the policy check.

    Every session of the user is ended and every outstanding reset link is
    voided (ASVS 5.0 V7.4.3). Raises :class:`AccountError` (field
    ``password``) when :func:`app.auth.passwords.password_problem` refuses it.
    """
    from app.auth import sessions
    from app.auth.models import PasswordResetToken
    from app.common.db import utcnow

    problem = password_problem(new_password, user.email, user.full_name)
    if problem:
        raise AccountError({"password": problem})
    user.password_hash = hash_password(new_password)
    sessions.revoke_all(user)
    now = utcnow()
    for token in db.session.scalars(select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))):
        token.used_at = now
    db.session.flush()


def set_locale(user: User, code: str) -> None:
    """Store ``user``'s interface language (``"id"`` or ``"en"``; see app.common.i18n.LANGUAGES).

    Raises ``ValueError`` for any other code.
    """
    from app.common.i18n import LANGUAGES

    if code not in LANGUAGES:
        raise ValueError(f"unknown locale {code!r}")
    user.locale = code
