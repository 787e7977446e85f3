"""Issuing, signing, loading, verifying, revoking and reissuing certificates.

Rules (issues "Lentera end to end" and 4):

* One *current* certificate per enrolment, guarded by the partial unique
  index ``uq_certificates_enrolment_current`` (``enrolment_id`` among rows
  whose status is not ``superseded``); issuing again returns the existing
  one, and a concurrent duplicate ends as one row (savepoint + re-read).
* The number comes from ``LENTERA_CERT_NUMBER_PATTERN`` (fields ``seq``,
  ``year``, ``month``, ``roman_month``), gapless per calendar year of the
  local completion date: ``CertificateSequence.last_value`` is incremented
  in the issuing transaction, so a rollback gives the number back.
  PostgreSQL serialises issuers on the sequence row lock
  (``UPDATE ... RETURNING``); SQLite on the ``BEGIN IMMEDIATE`` write lock.
* What the PDF prints is copied onto the row. The rendering is
  deterministic (``content_sha256``), then it is signed (PAdES, pyHanko);
  the signed file is the source of truth (``sha256``). A missing or damaged
  file is rebuilt from the row and *re-signed* (a signature carries its
  signing time, so the bytes differ): the row's ``sha256`` is updated,
  ``resigned_at`` set and the step written to the audit log.
* Template: the cohort's choice, else the course's, else ``default``.
* A certificate that cannot be rendered or signed never undoes the
  learner's completion: :class:`CertificateIssueError` is raised after the
  savepoint is rolled back, the cause is logged for the admin, and a later
  attempt (next completion check, ``flask certificates reconcile``) issues it.

Services never read ``request`` and never commit; the caller commits once.
"""
from __future__ import annotations

import calendar
import datetime as _dt
import io
import logging
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.common.i18n import N_
from app.admin.audit import record_event
from app.certificates import signing, storage
from app.certificates.layout import DEFAULT_TEMPLATE_DIR, load_template
from app.certificates.models import (
    DEFAULT_TEMPLATE,
    STATUS_EXPIRED,
    STATUS_REVOKED,
    STATUS_SUPERSEDED,
    STATUS_VALID,
    Certificate,
    CertificateSequence,
)
from app.certificates.pdf import CertificateContent, render_certificate_pdf
from app.common.db import utcnow
from app.common.formatting import roman_month, to_local
from app.extensions import db

log = logging.getLogger("lentera.certificates")



#: Shown to the learner when the certificate could not be made.
ISSUE_FAILED_MESSAGE = N_(
    "Pelatihan Anda sudah tercatat selesai, tetapi sertifikat Anda belum dapat dibuat. "
    "Admin sudah diberi tahu; sertifikat akan tersedia setelah masalahnya diperbaiki."
)

#: Indonesian labels; the JSON API returns them as they are, pages translate them.
STATUS_LABELS = {
    STATUS_VALID: N_("Valid"),
    STATUS_REVOKED: N_("Dicabut"),
    STATUS_SUPERSEDED: N_("Digantikan"),
    STATUS_EXPIRED: N_("Kedaluwarsa"),
}

# secrets.token_urlsafe(24): 32 characters of the URL-safe base64 alphabet.
CODE_BYTES = 24
_CODE_RE = re.compile(r"[A-Za-z0-9_-]{32}")
MAX_REASON = 500


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


class LifecycleError(ValueError):
    """A revoke or reissue is not allowed in the certificate's state.

    ``str(error)`` is the Indonesian message; ``msgid`` and ``params`` let the page translate it.
    """

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params
        super().__init__(msgid % params if params else msgid)


@dataclass(frozen=True)
class LoadedPdf:
    """Bytes of a certificate PDF and how they were obtained.

    ``rebuilt`` is True when the stored file was missing or damaged and was
    rendered again from the row and re-signed (the row then holds the new
    SHA-256; the caller commits); ``matches`` is False when the rebuilt
    *content* differs from what was rendered at issue (logged as an error).
    """

    data: bytes
    rebuilt: bool
    matches: bool


# --------------------------------------------------------------------------
# Look-ups
# --------------------------------------------------------------------------


def certificate_for_enrolment(enrolment_id: int) -> Certificate | None:
    """The current (not superseded) certificate of an enrolment, or ``None``."""
    return db.session.scalar(select(Certificate).where(
        Certificate.enrolment_id == enrolment_id, Certificate.status != STATUS_SUPERSEDED))


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


def add_months(day: _dt.date, months: int) -> _dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day
    (31 January + 1 month = 28/29 February)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return _dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_today() -> _dt.date:
    """Today's date in ``LENTERA_TIMEZONE``."""
    return to_local(utcnow(), current_app.config["LENTERA_TIMEZONE"]).date()


def status_of(certificate: Certificate, today: _dt.date | None = None) -> str:
    """``valid``, ``revoked``, ``superseded`` or ``expired`` (a valid
    certificate whose ``valid_until`` is before ``today``, local date)."""
    if certificate.status != STATUS_VALID:
        return certificate.status
    if certificate.valid_until is not None and certificate.valid_until < (today or local_today()):
        return STATUS_EXPIRED
    return STATUS_VALID


def template_root() -> Path:
    """Folder of the certificate templates: ``LENTERA_CERT_TEMPLATE_DIR`` or ``certificates/``."""
    configured = current_app.config.get("LENTERA_CERT_TEMPLATE_DIR")
    return Path(configured) if configured else DEFAULT_TEMPLATE_DIR


def template_name_for(enrolment) -> str:
    """The template an enrolment's certificate uses: its cohort's choice,
    else its course's, else ``"default"``."""
    cohort = getattr(enrolment, "cohort", None)
    return ((cohort.certificate_template if cohort is not None else None)
            or enrolment.course.certificate_template or DEFAULT_TEMPLATE)


# --------------------------------------------------------------------------
# Rendering and signing
# --------------------------------------------------------------------------


def content_for(certificate: Certificate) -> CertificateContent:
    """What the PDF of ``certificate`` prints, taken from the row's snapshot
    alone, so a rebuilt PDF prints the same even after the configuration or
    the holder's profile changed.
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
        valid_until=certificate.valid_until,
        development_signature=bool(certificate.dev_signature),
    )


def render_unsigned(certificate: Certificate) -> bytes:
    """The deterministic, unsigned rendering of the row with its template.

    :raises TemplateError, CertificateFontError, CertificateLayoutError, ValueError, TypeError:
    """
    template = load_template(certificate.template or DEFAULT_TEMPLATE, template_root())
    return render_certificate_pdf(content_for(certificate), template)


def _render_and_sign(certificate: Certificate) -> bytes:
    """Render the row, sign it with the configured key, and set the row's
    signing fields (``dev_signature``, ``signer``, ``signed_at``, both hashes)."""
    key = signing.load_signing_key()
    certificate.dev_signature = key.development
    unsigned = render_unsigned(certificate)
    certificate.content_sha256 = storage.sha256_hex(unsigned)
    data = signing.sign_pdf(unsigned, key, reason=f"Sertifikat nomor {certificate.number}",
                            location=certificate.place)
    certificate.sha256 = storage.sha256_hex(data)
    certificate.signer = key.subject
    certificate.signed_at = utcnow()
    return data


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


def _fail(enrolment, detail: str, error: BaseException) -> CertificateIssueError:
    log.error(
        "certificate for enrolment %s (user %s, course %s) could not be issued: %s",
        enrolment.id, enrolment.user_id, enrolment.course_id, detail, exc_info=error,
    )
    return CertificateIssueError(enrolment.id, detail)


def _new_certificate(enrolment, completed_on: _dt.date, template_name: str) -> Certificate:
    """A row for ``enrolment`` with a fresh number and code and the snapshot
    of holder, course and configuration (not added to the session)."""
    user, course = enrolment.user, enrolment.course
    config = current_app.config
    sequence = _next_sequence(completed_on.year)
    try:
        number = format_number(sequence, completed_on.year, completed_on.month)
    except ValueError as error:
        raise _fail(enrolment, str(error), error) from error
    code = secrets.token_urlsafe(CODE_BYTES)
    months = course.certificate_validity_months
    return Certificate(
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
        valid_until=add_months(completed_on, months) if months else None,
        opd_name=user.opd.name if user.opd else None,
        institution=config["LENTERA_INSTITUTION"],
        place=config["LENTERA_PLACE"],
        signatory_name=config["LENTERA_SIGNATORY_NAME"],
        signatory_title=config["LENTERA_SIGNATORY_TITLE"],
        signatory_nip=config["LENTERA_SIGNATORY_NIP"],
        verify_url=verify_url(code),
        template=template_name,
        file_name=storage.relative_path(completed_on.year, code),
        status=STATUS_VALID,
    )


def _render_stage_flush(enrolment, certificate: Certificate) -> None:
    """Render, sign and stage the file of a new row, then flush it (inside a savepoint)."""
    try:
        data = _render_and_sign(certificate)
    except (ValueError, TypeError, signing.SigningError) as error:  # font, layout, template, key
        raise _fail(enrolment, str(error), error) from error
    try:
        storage.stage_file(db.session, certificate.file_name, data)
    except OSError as error:
        raise _fail(enrolment, f"Berkas sertifikat tidak dapat ditulis: {error}", error) from error
    db.session.add(certificate)
    db.session.flush()


def issue_certificate(enrolment) -> Certificate:
    """Issue the certificate of a completed ``enrolment`` exactly once.

    Returns the current certificate if one was issued already (also when a
    concurrent request issued it a moment ago). Otherwise, in a savepoint:
    takes the next number of the completion year, snapshots holder name
    (``user.display_name``, gelar as written), NIP, OPD, course title, JP,
    the completion date in ``LENTERA_TIMEZONE``, the expiry (course's
    ``certificate_validity_months``), the template name, and the institution,
    signatory and verify address from the configuration; renders and signs
    the PDF, stages the file (moved into place when the transaction commits,
    see :mod:`app.certificates.storage`) and flushes the row. Does not commit.

    :raises ValueError: ``enrolment.completed_at`` is not set.
    :raises CertificateIssueError: the PDF could not be rendered, signed or
        written; the savepoint is rolled back (number given back, no file
        left) and the cause is logged; the enrolment's completion is kept.
    """
    if enrolment.completed_at is None:
        raise ValueError("enrolment is not complete; no certificate can be issued")
    existing = certificate_for_enrolment(enrolment.id)
    if existing is not None:
        return existing

    completed_on = to_local(enrolment.completed_at, current_app.config["LENTERA_TIMEZONE"]).date()
    try:
        with db.session.begin_nested():
            certificate = _new_certificate(enrolment, completed_on, template_name_for(enrolment))
            _render_stage_flush(enrolment, certificate)
    except IntegrityError:
        # A concurrent request issued it first; the savepoint rollback gave
        # our number back and deleted our tmp file.
        existing = certificate_for_enrolment(enrolment.id)
        if existing is None:
            raise
        return existing
    return certificate


def missing_certificates(course_id: int | None = None, cohort_id: int | None = None) -> list:
    """Completed, active enrolments without a current certificate, oldest
    completion first; optionally only those of one course or cohort."""
    from app.learning.models import Enrolment

    query = (
        select(Enrolment)
        .outerjoin(Certificate, (Certificate.enrolment_id == Enrolment.id)
                   & (Certificate.status != STATUS_SUPERSEDED))
        .where(Enrolment.completed_at.is_not(None), Certificate.id.is_(None))
        .order_by(Enrolment.completed_at, Enrolment.id)
    )
    if course_id is not None:
        query = query.where(Enrolment.course_id == course_id)
    if cohort_id is not None:
        query = query.where(Enrolment.cohort_id == cohort_id)
    return list(db.session.scalars(query))


def current_certificates(course_id: int | None = None, cohort_id: int | None = None) -> list[Certificate]:
    """Current (valid or revoked, not superseded) certificates of a course or
    cohort, by number order (year, sequence)."""
    from app.learning.models import Enrolment

    query = (select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
             .where(Certificate.status != STATUS_SUPERSEDED)
             .order_by(Certificate.year, Certificate.sequence))
    if course_id is not None:
        query = query.where(Enrolment.course_id == course_id)
    if cohort_id is not None:
        query = query.where(Enrolment.cohort_id == cohort_id)
    return list(db.session.scalars(query))


# --------------------------------------------------------------------------
# Lifecycle: revoke, reissue
# --------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise LifecycleError(N_("Alasan wajib diisi."))
    if len(reason) > MAX_REASON:
        raise LifecycleError(N_("Alasan paling banyak %(max)s karakter."), max=MAX_REASON)
    return reason


def revoke_certificate(certificate: Certificate, actor, reason: str) -> Certificate:
    """Revoke a valid certificate with a reason; recorded in the audit log.

    The update is conditional (``WHERE status = 'valid'``) so two admins
    acting at once cannot both succeed. Does not commit.

    :raises LifecycleError: empty/overlong reason, or the certificate is not valid.
    """
    reason = _clean_reason(reason)
    now = utcnow()
    result = db.session.execute(
        update(Certificate).where(Certificate.id == certificate.id, Certificate.status == STATUS_VALID)
        .values(status=STATUS_REVOKED, revoked_at=now, revoked_reason=reason)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise LifecycleError(N_("Sertifikat ini sudah dicabut atau sudah digantikan."))
    db.session.refresh(certificate)
    record_event(actor, "certificate.revoke", "certificate", certificate.id,
                 number=certificate.number, reason=reason)
    return certificate


def reissue_certificate(certificate: Certificate, actor, reason: str) -> Certificate:
    """Replace a valid certificate after a correction (e.g. of the holder's name).

    The old row is marked ``superseded`` first (conditional update: a
    concurrent reissue or revoke makes this one fail), then a new certificate
    is made for the same enrolment with a new number and code and a fresh
    snapshot of the holder's *current* profile and the course; both PDFs are
    kept. The old row points to the new one (``superseded_by_id``). Recorded
    in the audit log. Does not commit.

    :raises LifecycleError: empty reason, or the certificate is not valid.
    :raises CertificateIssueError: the new PDF could not be made (nothing changed).
    """
    reason = _clean_reason(reason)
    enrolment = certificate.enrolment
    completed_on = certificate.completed_on
    with db.session.begin_nested():
        result = db.session.execute(
            update(Certificate).where(Certificate.id == certificate.id, Certificate.status == STATUS_VALID)
            .values(status=STATUS_SUPERSEDED, superseded_at=utcnow())
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise LifecycleError(N_("Hanya sertifikat yang masih valid yang dapat diterbitkan ulang."))
        new = _new_certificate(enrolment, completed_on, template_name_for(enrolment))
        _render_stage_flush(enrolment, new)
        db.session.execute(update(Certificate).where(Certificate.id == certificate.id)
                           .values(superseded_by_id=new.id).execution_options(synchronize_session=False))
    db.session.refresh(certificate)
    record_event(actor, "certificate.reissue", "certificate", certificate.id,
                 old_number=certificate.number, new_number=new.number, new_id=new.id,
                 old_name=certificate.holder_name, new_name=new.holder_name, reason=reason)
    return new


# --------------------------------------------------------------------------
# Reading the file back; re-signing
# --------------------------------------------------------------------------


def resign(certificate: Certificate, *, why: str) -> LoadedPdf:
    """Render ``certificate`` from its row again, sign it with the current key,
    stage the file (moved into place on commit) and update the row's hashes,
    ``signed_at`` and ``resigned_at``; audit-logged. The caller commits.

    ``matches`` tells whether the rendered content equals the content
    rendered at issue (``content_sha256``).
    """
    previous_content = certificate.content_sha256
    data = _render_and_sign(certificate)
    matches = previous_content is None or certificate.content_sha256 == previous_content
    if not matches:
        log.error("certificate %s: rebuilt PDF differs from the content rendered at issue "
                  "(settings, template or renderer changed since)", certificate.id)
    certificate.resigned_at = certificate.signed_at
    storage.stage_file(db.session, certificate.file_name, data)
    record_event(None, "certificate.resign", "certificate", certificate.id, number=certificate.number,
                 why=why, sha256=certificate.sha256, same_content=matches)
    return LoadedPdf(data=data, rebuilt=True, matches=matches)


def load_pdf(certificate: Certificate) -> LoadedPdf:
    """The PDF bytes of ``certificate``, never partial.

    Serves the stored file when its SHA-256 matches the row. When the file
    is missing (a crash between commit and rename, a lost disk) or damaged,
    the PDF is rendered again from the row, re-signed and staged
    (:func:`resign`); the caller commits so the row and the file agree.

    :raises storage.StoragePathError: the row's ``file_name`` is outside the
        certificate folder.
    :raises TemplateError, CertificateFontError, CertificateLayoutError: the
        snapshot no longer renders (only possible if the template changed).
    :raises signing.SigningError: the signing key cannot be used.
    """
    path = storage.absolute_path(certificate.file_name)
    for attempt in (1, 2):
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = None
        if data is not None and storage.sha256_hex(data) == certificate.sha256:
            return LoadedPdf(data=data, rebuilt=False, matches=True)
        if attempt == 1:
            # Lock the row (PostgreSQL; SQLite holds the write lock already) and
            # look again: a concurrent request may have rebuilt it meanwhile.
            db.session.refresh(certificate, with_for_update=True)
    if data is None:
        log.warning("certificate %s: file %s is missing; rebuilding it", certificate.id, certificate.file_name)
        return resign(certificate, why="missing")
    log.error("certificate %s: file %s does not match its SHA-256; rebuilding it",
              certificate.id, certificate.file_name)
    return resign(certificate, why="damaged")


def download_name(certificate: Certificate) -> str:
    """A safe attachment file name: ``"sertifikat-0001-BPSDM-KT-XI-2026.pdf"``.

    Slashes and anything outside ``[A-Za-z0-9._-]`` become ``-``.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", certificate.number).strip("-.") or str(certificate.id)
    return f"sertifikat-{safe}.pdf"


# --------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------


def verification_facts(certificate: Certificate, today: _dt.date | None = None) -> dict:
    """The public facts of a certificate, as shown on /verify and in the JSON API.

    Keys: ``status`` (valid|revoked|superseded|expired), ``status_label``,
    ``number``, ``holder_name``, ``course_title``, ``jp`` (text, e.g. "19.5"),
    ``completed_on`` and ``valid_until`` (ISO dates or None), ``revoked_at``
    (ISO datetime or None), ``revoked_reason``, ``superseded_by`` (the new
    certificate's verification URL or None), ``issuer``. No NIP, no e-mail.
    """
    status = status_of(certificate, today)
    replacement = certificate.superseded_by
    return {
        "status": status,
        "status_label": STATUS_LABELS[status],
        "number": certificate.number,
        "holder_name": certificate.holder_name,
        "course_title": certificate.course_title,
        "jp": format(certificate.jp, "f"),
        "completed_on": certificate.completed_on.isoformat(),
        "valid_until": certificate.valid_until.isoformat() if certificate.valid_until else None,
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        "revoked_reason": certificate.revoked_reason if certificate.status == STATUS_REVOKED else None,
        "superseded_by": verify_url(replacement.code) if replacement is not None else None,
        "issuer": certificate.institution,
    }


UPLOAD_MATCH = "match"          # exact bytes of a certificate in the register
UPLOAD_SIGNED = "signed"        # our intact signature, bytes of an earlier signing of a certificate
UPLOAD_ALTERED = "altered"      # our signature, but the file was changed
UPLOAD_UNKNOWN = "unknown"      # not ours / unsigned / unreadable

#: Size limit for uploaded PDFs (certificates are ~80 KB).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class UploadVerdict:
    """Outcome of :func:`verify_upload`: ``kind`` is one of ``match``,
    ``signed``, ``altered``, ``unknown``; ``certificate`` is set for
    ``match`` and ``signed``; ``message`` is an Indonesian msgid and
    ``detail`` (possibly empty) the signature check's Indonesian reason
    (:data:`app.certificates.signing.SignatureCheck.reason`), both
    translated by the page."""

    kind: str
    message: str
    certificate: Certificate | None = None
    detail: str = ""

    @property
    def text(self) -> str:
        """``message`` and ``detail`` as one Indonesian sentence pair."""
        return f"{self.message} {self.detail}".strip()

    @property
    def genuine(self) -> bool:
        return self.kind in (UPLOAD_MATCH, UPLOAD_SIGNED)


def _code_from_signed_pdf(data: bytes) -> str | None:
    """The verification code in the verify URL the renderer puts in the PDF's /Keywords."""
    from pypdf import PdfReader

    try:
        meta = PdfReader(io.BytesIO(data)).metadata or {}
    except Exception:
        return None
    keywords = str(meta.get("/Keywords") or "")
    match = re.search(r"/verify/([A-Za-z0-9_-]{32})(?![A-Za-z0-9_-])", keywords)
    return match.group(1) if match else None


def verify_upload(data: bytes) -> UploadVerdict:
    """Tell whether ``data`` is a genuine, unaltered certificate PDF of this institution.

    1. The exact bytes match a certificate's stored SHA-256: genuine.
    2. Otherwise the embedded signature is checked against the current
       signing certificate (intact, valid, covering the whole file); if it
       holds, the certificate is found by the code embedded in the signed
       PDF (an earlier signing of a re-signed certificate): genuine.
    3. A signature by our key that does not hold: altered. Anything else:
       not a certificate of this institution.

    The caller has already checked size and the ``%PDF-`` header.
    """
    digest = storage.sha256_hex(data)
    found = db.session.scalar(select(Certificate).where(Certificate.sha256 == digest))
    if found is not None:
        return UploadVerdict(UPLOAD_MATCH, N_("Berkas ini adalah sertifikat asli yang tercatat, tidak diubah."), found)
    try:
        key = signing.load_signing_key()
    except signing.SigningError:
        log.exception("signing key unavailable for upload verification")
        return UploadVerdict(UPLOAD_UNKNOWN, N_("Berkas ini tidak cocok dengan sertifikat mana pun yang tercatat."))
    check = signing.check_signature(data, key)
    if check.genuine:
        code = _code_from_signed_pdf(data)
        found = find_by_code(code) if code else None
        if found is not None:
            return UploadVerdict(UPLOAD_SIGNED, N_("Tanda tangan elektronik pada berkas ini sah dan berkas utuh. "
                                                   "Berkas ini adalah salinan sertifikat sebelum ditandatangani ulang."),
                                 found)
        return UploadVerdict(UPLOAD_UNKNOWN, N_("Tanda tangan elektronik sah, tetapi sertifikatnya tidak tercatat."))
    if check.signer_fingerprint == key.fingerprint:
        return UploadVerdict(UPLOAD_ALTERED,
                             # Our own signature over changed bytes: the message says it all
                             # (the signature check's reason would repeat it).
                             N_("Berkas ini TIDAK ASLI: isinya telah diubah setelah ditandatangani."))
    return UploadVerdict(UPLOAD_UNKNOWN, N_("Berkas ini bukan sertifikat yang diterbitkan dan ditandatangani "
                                            "oleh instansi ini."), detail=check.reason)


def load_for_zip(certificates: list[Certificate]):
    """Yield ``(archive name, pdf bytes)`` for each certificate, one at a time
    (files are read lazily, so a big cohort is never held in memory).

    A missing file is rebuilt and re-signed as in :func:`load_pdf`; the
    caller commits afterwards.
    """
    for certificate in certificates:
        loaded = load_pdf(certificate)
        yield download_name(certificate), loaded.data


def sample_content(development: bool) -> CertificateContent:
    """Sample data for previewing a template (long name with gelar, NIP, OPD, expiry)."""
    config = current_app.config
    return CertificateContent(
        holder_name="Dr. Ir. Hj. Siti Nurhaliza Kusumawardhani, S.Kom., M.Kes., Ph.D.",
        nip="196608011988031001",
        course_title="Kepemimpinan Digital bagi Pejabat Administrator: Transformasi Layanan Publik",
        jp=Decimal("19.5"),
        completed_on=local_today(),
        number=format_number(123, local_today().year, local_today().month),
        verify_url=verify_url("CONTOH" + "x" * 26),
        institution_name=config["LENTERA_INSTITUTION"],
        signatory_name=config["LENTERA_SIGNATORY_NAME"],
        signatory_title=config["LENTERA_SIGNATORY_TITLE"],
        signatory_nip=config["LENTERA_SIGNATORY_NIP"],
        place=config["LENTERA_PLACE"],
        opd_name="Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur",
        valid_until=add_months(local_today(), 36),
        development_signature=development,
    )


def preview_pdf(template_name: str) -> bytes:
    """An unsigned PDF of ``template_name`` filled with :func:`sample_content`.

    :raises TemplateError: unknown or invalid template (Indonesian, names file and setting).
    :raises CertificateFontError, CertificateLayoutError: the sample does not fit the template.
    """
    template = load_template(template_name, template_root())
    return render_certificate_pdf(sample_content(development=True), template)
