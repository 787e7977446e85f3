"""Issuing, loading and looking up certificates.

Rules (issue "Lentera end to end", brief requirement 1):

* One certificate per enrolment, guarded by the unique constraint on
  ``certificates.enrolment_id``; issuing again returns the existing one,
  and a concurrent duplicate ends as one row (savepoint + re-read).
* The number comes from ``LENTERA_CERT_NUMBER_PATTERN`` (fields ``seq``,
  ``year``, ``month``, ``roman_month``), gapless per calendar year of the
  local completion date: ``CertificateSequence.last_value`` is incremented
  in the issuing transaction, so a rollback gives the number back.
  PostgreSQL serialises issuers on the sequence row lock
  (``UPDATE ... RETURNING``); SQLite on the ``BEGIN IMMEDIATE`` write lock.
* What the PDF prints is copied onto the row, and the PDF is rebuilt from
  the row alone when its file is missing (:func:`load_pdf`).
* A certificate that cannot be rendered (a character missing from the font,
  a name too long to fit) never undoes the learner's completion:
  :class:`CertificateIssueError` is raised after the savepoint is rolled
  back, the cause is logged for the admin, and a later attempt (next
  completion check, ``flask certificates reconcile``) issues it.

Services never read ``request`` and never commit; the caller commits once.
"""
from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.certificates import storage
from app.certificates.models import Certificate, CertificateSequence
from app.certificates.pdf import CertificateContent, render_certificate_pdf
from app.common.formatting import roman_month, to_local
from app.extensions import db

log = logging.getLogger("lentera.certificates")

#: Shown to the learner when the certificate could not be made.
ISSUE_FAILED_MESSAGE = (
    "Pelatihan Anda sudah tercatat selesai, tetapi sertifikat Anda belum dapat dibuat. "
    "Admin sudah diberi tahu; sertifikat akan tersedia setelah masalahnya diperbaiki."
)

# secrets.token_urlsafe(24): 32 characters of the URL-safe base64 alphabet.
CODE_BYTES = 24
_CODE_RE = re.compile(r"[A-Za-z0-9_-]{32}")


class CertificateIssueError(RuntimeError):
    """The certificate of a completed enrolment could not be made.

    ``str(error)`` and ``message`` are the Indonesian text for the learner
    (:data:`ISSUE_FAILED_MESSAGE`); ``detail`` is the cause for the admin
    (the renderer's Indonesian message, e.g. which character of the name is
    missing from the font); ``enrolment_id`` names the enrolment. The
    completion itself is untouched and the certificate number is given back.
    """

    def __init__(self, enrolment_id: int, detail: str):
        self.enrolment_id = enrolment_id
        self.detail = detail
        self.message = ISSUE_FAILED_MESSAGE
        super().__init__(ISSUE_FAILED_MESSAGE)


@dataclass(frozen=True)
class LoadedPdf:
    """Bytes of a certificate PDF and how they were obtained.

    ``rebuilt`` is True when the stored file was missing or damaged and was
    rendered again from the row; ``matches`` is False when the bytes differ
    from the SHA-256 recorded at issue (logged as an error).
    """

    data: bytes
    rebuilt: bool
    matches: bool


# --------------------------------------------------------------------------
# Look-ups
# --------------------------------------------------------------------------


def certificate_for_enrolment(enrolment_id: int) -> Certificate | None:
    """The certificate of an enrolment, or ``None`` if none was issued."""
    return db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment_id))


def is_well_formed_code(code: str) -> bool:
    """True if ``code`` looks like a verification code (32 URL-safe characters)."""
    return isinstance(code, str) and _CODE_RE.fullmatch(code) is not None


def find_by_code(code: str) -> Certificate | None:
    """The certificate with verification ``code``; ``None`` for an unknown or
    malformed code (checked before the database is asked, so any input is safe)."""
    if not is_well_formed_code(code):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def verify_url(code: str) -> str:
    """Absolute public verification URL for ``code``.

    ``LENTERA_BASE_URL`` (which may carry a path prefix) joined with the path
    of the ``certificates.verify`` route, built from the URL map so the path
    is defined in one place; works without a request context.
    """
    adapter = current_app.url_map.bind("localhost", script_name="/")
    path = adapter.build("certificates.verify", {"code": code})
    return current_app.config["LENTERA_BASE_URL"].rstrip("/") + path


def format_number(seq: int, year: int, month: int) -> str:
    """Apply ``LENTERA_CERT_NUMBER_PATTERN``: ``(1, 2026, 11)`` ->
    ``"0001/BPSDM-KT/XI/2026"`` with the default pattern.

    :raises ValueError: the pattern uses an unknown field or the result does
        not fit the 100-character column.
    """
    pattern = current_app.config["LENTERA_CERT_NUMBER_PATTERN"]
    try:
        number = pattern.format(seq=seq, year=year, month=month, roman_month=roman_month(month))
    except (KeyError, IndexError, ValueError) as error:
        raise ValueError(f"LENTERA_CERT_NUMBER_PATTERN tidak valid: {error}") from error
    if not number or len(number) > 100:
        raise ValueError("Nomor sertifikat dari LENTERA_CERT_NUMBER_PATTERN kosong atau lebih dari 100 karakter.")
    return number


# --------------------------------------------------------------------------
# Issuing
# --------------------------------------------------------------------------


def _next_sequence(year: int) -> int:
    """Take the next number of ``year`` inside the current transaction.

    The year row is created if missing (``ON CONFLICT DO NOTHING`` -- a
    concurrent creator makes us wait, then do nothing), then incremented
    with ``UPDATE ... RETURNING``, which on PostgreSQL holds the row lock
    until the transaction ends, so issuers queue and numbers never repeat.
    """
    table = CertificateSequence.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:  # pragma: no cover - only the two supported engines
        raise NotImplementedError(f"unsupported database: {dialect}")
    db.session.execute(insert.values(year=year, last_value=0).on_conflict_do_nothing(index_elements=["year"]))
    return db.session.execute(
        update(table).where(table.c.year == year)
        .values(last_value=table.c.last_value + 1)
        .returning(table.c.last_value)
    ).scalar_one()


def content_for(certificate: Certificate) -> CertificateContent:
    """What the PDF of ``certificate`` prints, taken from the row's snapshot
    alone, so a rebuilt PDF is byte-identical to the issued one even after
    the configuration or the holder's profile changed.
    """
    return CertificateContent(
        holder_name=certificate.holder_name,
        nip=certificate.nip,
        course_title=certificate.course_title,
        jp=certificate.jp,
        completed_on=certificate.completed_on,
        number=certificate.number,
        verify_url=certificate.verify_url,
        institution_name=certificate.institution,
        signatory_name=certificate.signatory_name,
        signatory_title=certificate.signatory_title,
        signatory_nip=certificate.signatory_nip,
        place=certificate.place,
        opd_name=certificate.opd_name,
    )


def _fail(enrolment, detail: str, error: BaseException) -> CertificateIssueError:
    log.error(
        "certificate for enrolment %s (user %s, course %s) could not be issued: %s",
        enrolment.id, enrolment.user_id, enrolment.course_id, detail, exc_info=error,
    )
    return CertificateIssueError(enrolment.id, detail)


def issue_certificate(enrolment) -> Certificate:
    """Issue the certificate of a completed ``enrolment`` exactly once.

    Returns the existing certificate if one was issued already (also when a
    concurrent request issued it a moment ago). Otherwise, in a savepoint:
    takes the next number of the completion year, snapshots holder name
    (``user.display_name``, gelar as written), NIP, OPD, course title, JP,
    the completion date in ``LENTERA_TIMEZONE``, and the institution,
    signatory and verify address from the configuration, renders the PDF, stages
    the file (moved into place when the transaction commits, see
    :mod:`app.certificates.storage`) and flushes the row. Does not commit.

    :raises ValueError: ``enrolment.completed_at`` is not set.
    :raises CertificateIssueError: the PDF could not be rendered or written;
        the savepoint is rolled back (number given back, no file left) and
        the cause is logged; the enrolment's completion is kept.
    """
    if enrolment.completed_at is None:
        raise ValueError("enrolment is not complete; no certificate can be issued")
    existing = certificate_for_enrolment(enrolment.id)
    if existing is not None:
        return existing

    user, course = enrolment.user, enrolment.course
    config = current_app.config
    completed_on = to_local(enrolment.completed_at, config["LENTERA_TIMEZONE"]).date()
    try:
        with db.session.begin_nested():
            sequence = _next_sequence(completed_on.year)
            try:
                number = format_number(sequence, completed_on.year, completed_on.month)
            except ValueError as error:
                raise _fail(enrolment, str(error), error) from error
            code = secrets.token_urlsafe(CODE_BYTES)
            certificate = Certificate(
                enrolment_id=enrolment.id,
                code=code,
                number=number,
                year=completed_on.year,
                sequence=sequence,
                holder_name=user.display_name,
                nip=user.nip,
                course_title=course.title,
                jp=course.jp,
                completed_on=completed_on,
                opd_name=user.opd.name if user.opd else None,
                institution=config["LENTERA_INSTITUTION"],
                place=config["LENTERA_PLACE"],
                signatory_name=config["LENTERA_SIGNATORY_NAME"],
                signatory_title=config["LENTERA_SIGNATORY_TITLE"],
                signatory_nip=config["LENTERA_SIGNATORY_NIP"],
                verify_url=verify_url(code),
                file_name=storage.relative_path(completed_on.year, code),
            )
            try:
                data = render_certificate_pdf(content_for(certificate))
            except (ValueError, TypeError) as error:  # font, layout, empty setting
                raise _fail(enrolment, str(error), error) from error
            certificate.sha256 = storage.sha256_hex(data)
            try:
                storage.stage_file(db.session, certificate.file_name, data)
            except OSError as error:
                raise _fail(enrolment, f"Berkas sertifikat tidak dapat ditulis: {error}", error) from error
            db.session.add(certificate)
            db.session.flush()
    except IntegrityError:
        # A concurrent request issued it first; the savepoint rollback gave
        # our number back and deleted our tmp file.
        existing = certificate_for_enrolment(enrolment.id)
        if existing is None:
            raise
        return existing
    return certificate


def missing_certificates() -> list:
    """Completed enrolments without a certificate, oldest completion first."""
    from app.learning.models import Enrolment

    return list(db.session.scalars(
        select(Enrolment)
        .outerjoin(Certificate, Certificate.enrolment_id == Enrolment.id)
        .where(Enrolment.completed_at.is_not(None), Certificate.id.is_(None))
        .order_by(Enrolment.completed_at, Enrolment.id)
    ))


# --------------------------------------------------------------------------
# Reading the file back
# --------------------------------------------------------------------------


def load_pdf(certificate: Certificate) -> LoadedPdf:
    """The PDF bytes of ``certificate``, never partial.

    Serves the stored file when its SHA-256 matches the row. When the file
    is missing (a crash between commit and rename, a lost disk) or damaged,
    the PDF is rendered again from the row's snapshot (the renderer is
    deterministic), written atomically and returned; a hash that still
    differs from the row (e.g. the signatory setting changed since issue)
    is logged as an error.

    :raises storage.StoragePathError: the row's ``file_name`` is outside the
        certificate folder.
    :raises CertificateFontError, CertificateLayoutError: the snapshot no
        longer renders (only possible if the settings changed).
    """
    path = storage.absolute_path(certificate.file_name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.warning("certificate %s: file %s is missing; rebuilding it", certificate.id, certificate.file_name)
    else:
        if storage.sha256_hex(data) == certificate.sha256:
            return LoadedPdf(data=data, rebuilt=False, matches=True)
        log.error("certificate %s: file %s does not match its SHA-256; rebuilding it",
                  certificate.id, certificate.file_name)
    data = render_certificate_pdf(content_for(certificate))
    matches = storage.sha256_hex(data) == certificate.sha256
    if not matches:
        log.error("certificate %s: rebuilt PDF differs from the SHA-256 recorded at issue "
                  "(settings or renderer changed since)", certificate.id)
    try:
        storage.write_atomic(path, data)
    except OSError:
        log.exception("certificate %s: could not write rebuilt file %s", certificate.id, path)
    return LoadedPdf(data=data, rebuilt=True, matches=matches)


def download_name(certificate: Certificate) -> str:
    """A safe attachment file name: ``"sertifikat-0001-BPSDM-KT-XI-2026.pdf"``.

    Slashes and anything outside ``[A-Za-z0-9._-]`` become ``-``.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", certificate.number).strip("-.") or str(certificate.id)
    return f"sertifikat-{safe}.pdf"
