"""Issued certificates and their yearly number sequence."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import ScaledDecimal, UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.learning.models import Enrolment

STATUS_VALID = "valid"
STATUS_REVOKED = "revoked"
STATUS_SUPERSEDED = "superseded"
#: Not stored: a valid certificate whose ``valid_until`` has passed.
STATUS_EXPIRED = "expired"

DEFAULT_TEMPLATE = "default"

# One current (not superseded) certificate per enrolment. A partial unique
# index, so a reissue can add a new row for the same enrolment once the old
# row is marked superseded; the same rule holds on SQLite and PostgreSQL.
_CURRENT_ONLY = text("status <> 'superseded'")


class Certificate(db.Model):
    """A certificate of completion; at most one *current* per enrolment.

    What the PDF prints is copied here when it is issued (holder name with
    gelar, NIP, OPD, course title, JP, completion date, validity, institution,
    place, signatory, template name and verification address), so the
    certificate stays as issued when a course or profile is later edited.

    ``code`` is the public verification code: ``secrets.token_urlsafe(24)``,
    192 random bits. ``sha256`` is the hash of the signed file as stored (the
    file is the source of truth once signed); ``content_sha256`` is the hash
    of the unsigned rendering, which is deterministic, so a rebuild can prove
    it printed the same content before re-signing it.

    ``status``: ``valid``, ``revoked`` (``revoked_at``, ``revoked_reason``) or
    ``superseded`` (``superseded_by_id`` points to the reissued certificate).
    Expiry (``valid_until``) is not stored as a status: it depends on today.
    """

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("year", "sequence"),
        CheckConstraint("status IN ('valid', 'revoked', 'superseded')", name="status_valid"),
        Index("uq_certificates_enrolment_current", "enrolment_id", unique=True,
              sqlite_where=_CURRENT_ONLY, postgresql_where=_CURRENT_ONLY),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    year: Mapped[int] = mapped_column()
    sequence: Mapped[int] = mapped_column()
    holder_name: Mapped[str] = mapped_column(String(400))
    nip: Mapped[Optional[str]] = mapped_column(String(18))
    course_title: Mapped[str] = mapped_column(String(200))
    jp: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    completed_on: Mapped[date] = mapped_column()
    valid_until: Mapped[Optional[date]] = mapped_column()
    opd_name: Mapped[Optional[str]] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(100))
    signatory_name: Mapped[str] = mapped_column(String(300))
    signatory_title: Mapped[str] = mapped_column(String(300))
    signatory_nip: Mapped[Optional[str]] = mapped_column(String(18))
    verify_url: Mapped[str] = mapped_column(String(500))
    template: Mapped[str] = mapped_column(String(100), default=DEFAULT_TEMPLATE, server_default=DEFAULT_TEMPLATE)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_sha256: Mapped[Optional[str]] = mapped_column(String(64))
    signed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    signer: Mapped[Optional[str]] = mapped_column(String(300))
    dev_signature: Mapped[bool] = mapped_column(default=False, server_default=false())
    resigned_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=STATUS_VALID, index=True)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[Optional[str]] = mapped_column(String(500))
    superseded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    superseded_by_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("certificates.id", ondelete="RESTRICT"), index=True)

    enrolment: Mapped[Enrolment] = relationship()
    superseded_by: Mapped[Optional[Certificate]] = relationship(remote_side=[id])


class CertificateSequence(db.Model):
    """The last certificate sequence number used in a calendar year.

    Incremented inside the issuing transaction, so a rolled-back issue gives
    its number back and numbers stay gapless per year.
    """

    __tablename__ = "certificate_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)
