"""People: users (learners, trainers, admins) and the OPD they belong to."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_babel import pgettext
from flask_babel.speaklater import LazyString
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import UTCDateTime, utcnow
from app.extensions import db

ROLE_LEARNER = "learner"
ROLE_TRAINER = "trainer"
ROLE_OPD_ADMIN = "opd_admin"
ROLE_ADMIN = "admin"
ROLES = (ROLE_LEARNER, ROLE_TRAINER, ROLE_OPD_ADMIN, ROLE_ADMIN)


def _role_label_texts() -> dict[str, str]:
    # msgctxt "peran": "Pengajar" is also a plain word elsewhere (e.g. a page
    # title "Trainers"); every catalogue is merged into one, so the role needs
    # its own context to get its own English.
    return {ROLE_LEARNER: pgettext("peran", "Peserta"), ROLE_TRAINER: pgettext("peran", "Pengajar"),
            ROLE_OPD_ADMIN: pgettext("peran", "Admin OPD"), ROLE_ADMIN: pgettext("peran", "Admin BPSDM")}


# Lazy: each label is read in the language of the page that shows it.
ROLE_LABELS = {role: LazyString(lambda role=role: _role_label_texts()[role]) for role in ROLES}

EMPLOYMENT_TYPES = ("PNS", "PPPK")


class Opd(db.Model):
    """A regional government agency (Organisasi Perangkat Daerah): Dinas, Badan, Biro."""

    __tablename__ = "opds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    def __repr__(self) -> str:
        return f"<Opd {self.code}>"


class User(UserMixin, db.Model):
    """A person who signs in.

    ASN fields (NIP, OPD, jabatan, eselon, golongan, employment type) are empty
    for public learners (Digital Talent style), who need only email and name.
    ``full_name`` is stored exactly as written; gelar are kept apart so that
    they print exactly as written ("dr." is not "Dr.").
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('learner', 'trainer', 'opd_admin', 'admin')", name="role_valid"),
        CheckConstraint(
            "employment_type IS NULL OR employment_type IN ('PNS', 'PPPK')",
            name="employment_type_valid",
        ),
        CheckConstraint("locale IS NULL OR locale IN ('id', 'en')", name="locale_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=ROLE_LEARNER, index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    gelar_depan: Mapped[Optional[str]] = mapped_column(String(60))
    gelar_belakang: Mapped[Optional[str]] = mapped_column(String(100))
    nip: Mapped[Optional[str]] = mapped_column(String(18), unique=True)
    opd_id: Mapped[Optional[int]] = mapped_column(ForeignKey("opds.id"), index=True)
    jabatan: Mapped[Optional[str]] = mapped_column(String(200))
    # Indexed: report and cohort-rule filters.
    eselon: Mapped[Optional[str]] = mapped_column(String(8), index=True)
    golongan: Mapped[Optional[str]] = mapped_column(String(8), index=True)
    employment_type: Mapped[Optional[str]] = mapped_column(String(8), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # TOTP two-factor (RFC 6238): base32 secret when enrolled; last accepted
    # 30-second step, so one code cannot be replayed.
    totp_secret: Mapped[Optional[str]] = mapped_column(String(64))
    totp_last_step: Mapped[Optional[int]] = mapped_column()
    # Interface language chosen by the user ("id" or "en"); empty: Indonesian.
    locale: Mapped[Optional[str]] = mapped_column(String(8))

    opd: Mapped[Optional[Opd]] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot sign in
        return self.active

    @property
    def display_name(self) -> str:
        """Full name with gelar as written: ``"Dr. Ir. Budi Santoso, M.T."``."""
        return compose_display_name(self.gelar_depan, self.full_name, self.gelar_belakang)

    @property
    def role_label(self) -> str:
        """The role's name in the current language (Indonesian outside a request)."""
        return str(ROLE_LABELS.get(self.role, self.role))

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.email}>"


def compose_display_name(gelar_depan: str | None, full_name: str, gelar_belakang: str | None) -> str:
    """Join gelar and name the way Indonesian documents print them.

    Front titles are separated by a space, back titles by ", " (PUEBI: gelar
    akademik di belakang nama didahului koma). Nothing is re-cased.
    """
    name = full_name.strip()
    if gelar_depan and gelar_depan.strip():
        name = f"{gelar_depan.strip()} {name}"
    if gelar_belakang and gelar_belakang.strip():
        name = f"{name}, {gelar_belakang.strip()}"
    return name


class LoginThrottle(db.Model):
    """Failed sign-in (and reset) attempts per key, shared by every worker.

    ``key`` is ``"account:<email>"`` or ``"address:<ip>"``; see
    :mod:`app.auth.throttle` for the backoff rule.
    """

    __tablename__ = "login_throttles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(320), unique=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    locked_until: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class UserSession(db.Model):
    """A server-side record of one sign-in; the cookie carries only its random id.

    ``token_hash`` is the SHA-256 (hex) of that id. Sign-out sets
    ``revoked_at``, so a replayed cookie loads no user.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())


class PasswordResetToken(db.Model):
    """A password-reset link: stored as SHA-256 of the token, single use.

    ``password_fingerprint`` is a digest of the password hash when the token
    was made; any later password change makes it differ, voiding the token.
    """

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
