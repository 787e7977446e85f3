"""Issued certificates and their yearly number sequence."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import ScaledDecimal, UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.learning.models import Enrolment

STATUS_VALID = "valid"


class Certificate(db.Model):
    """A certificate of completion, at most one per enrolment (unique constraint).

    What the PDF prints is copied here when it is issued (holder name with
    gelar, NIP, OPD, course title, JP, completion date, institution, place,
    signatory and verification address), so the certificate stays
    as issued when a course or profile is later edited, and the PDF can be
    rebuilt byte-identically from this row alone.
    ``code`` is the public verification code: ``secrets.token_urlsafe(24)``,
    192 random bits.
    """

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("year", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="RESTRICT"), unique=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    number: Mapped[str] = mapped_column(String(100), unique=True)
    year: Mapped[int] = mapped_column()
    sequence: Mapped[int] = mapped_column()
    holder_name: Mapped[str] = mapped_column(String(400))
    nip: Mapped[Optional[str]] = mapped_column(String(18))
    course_title: Mapped[str] = mapped_column(String(200))
    jp: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    completed_on: Mapped[date] = mapped_column()
    opd_name: Mapped[Optional[str]] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(300))
    place: Mapped[str] = mapped_column(String(100))
    signatory_name: Mapped[str] = mapped_column(String(300))
    signatory_title: Mapped[str] = mapped_column(String(300))
    signatory_nip: Mapped[Optional[str]] = mapped_column(String(18))
    verify_url: Mapped[str] = mapped_column(String(500))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=STATUS_VALID)

    enrolment: Mapped[Enrolment] = relationship()


class CertificateSequence(db.Model):
    """The last certificate sequence number used in a calendar year.

    Incremented inside the issuing transaction, so a rolled-back issue gives
    its number back and numbers stay gapless per year.
    """

    __tablename__ = "certificate_sequences"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(default=0)
