"""Certificate pages: download by the holder or an admin, public verification
(by code, by uploaded PDF, as JSON), and the admins' lifecycle pages
(list, revoke, reissue, ZIP of a course or cohort, template preview)."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile

from flask import (Blueprint, abort, current_app, flash, jsonify, make_response, redirect, render_template,
                   request, send_file, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.admin.audit import record_event
from app.auth.models import ROLE_ADMIN
from app.catalog.models import Course
from app.certificates import services
from app.certificates.forms import CertificateFilterForm, ReasonForm, UploadForm
from app.certificates.layout import TemplateError, load_template, template_names
from app.certificates.models import Certificate
from app.certificates.pdf import CertificateFontError, CertificateLayoutError
from app.common.access import login_required, public, roles_required
from app.common.ratelimit import RATE_LIMITED_MESSAGE, RateLimiter
from app.common.web import id_argument, page_number, user_error
from app.extensions import db
from app.learning.models import Cohort, Enrolment

bp = Blueprint("certificates", __name__, template_folder="templates")

PAGE_SIZE = 50


def _limiter(kind: str) -> RateLimiter:
    """Per-address limits: unknown codes (``miss``) and uploads (``upload``).

    ``LENTERA_VERIFY_MISS_LIMIT`` / ``LENTERA_VERIFY_UPLOAD_LIMIT`` per
    ``LENTERA_VERIFY_WINDOW_SECONDS`` (defaults 30, 20, 600).
    """
    config = current_app.config
    window = int(config.get("LENTERA_VERIFY_WINDOW_SECONDS", 600))
    if kind == "miss":
        return RateLimiter("verify-miss", int(config.get("LENTERA_VERIFY_MISS_LIMIT", 30)), window)
    return RateLimiter("verify-upload", int(config.get("LENTERA_VERIFY_UPLOAD_LIMIT", 20)), window)


def _client() -> str:
    return request.remote_addr or "unknown"


def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"  # holders' names stay out of search engines
    return response


def _too_many(json: bool = False):
    db.session.commit()
    if json:
        response = jsonify({"status": "rate_limited", "message": RATE_LIMITED_MESSAGE})
    else:
        response = make_response(render_template("error.html", code=429, title=_("Terlalu banyak permintaan"),
                                                 message=_(RATE_LIMITED_MESSAGE)))
    response.status_code = 429
    response.headers["Retry-After"] = str(int(current_app.config.get("LENTERA_VERIFY_WINDOW_SECONDS", 600)))
    return _private(response)


def _lookup(code: str):
    """``(certificate, None)`` or ``(None, response-kind)``: ``"limited"`` when the
    address is blocked or just used up its allowance of unknown codes, else ``"unknown"``."""
    limiter = _limiter("miss")
    if limiter.blocked(_client()):
        return None, "limited"
    # A link copied out of a sentence often drags its punctuation along ("…/verify/abc." or "abc,").
    certificate = services.find_by_code(code.rstrip(".,;:)]/ \u00a0"))
    if certificate is not None:
        return certificate, None
    result = limiter.hit(_client())
    db.session.commit()
    return None, ("unknown" if result.allowed else "limited")


# --------------------------------------------------------------------------
# Holder and public pages
# --------------------------------------------------------------------------


@bp.route("/sertifikat/<int:certificate_id>/unduh")
@login_required
def download(certificate_id: int):
    """The PDF as an attachment; only for the holder and admins (others get 404,
    so the existence of a certificate is not confirmed)."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not (
        certificate.enrolment.user_id == current_user.id or current_user.role == ROLE_ADMIN
    ):
        abort(404)
    name = services.download_name(certificate)
    pdf = services.load_pdf(certificate)
    db.session.commit()  # a rebuilt file is moved into place with its row
    response = send_file(io.BytesIO(pdf.data), mimetype="application/pdf", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/verify/<path:code>")
@public
def verify(code: str):
    """Public check of a certificate by its code (the QR code's target).

    Shows holder name, course title, JP, completion date, number, expiry and
    status (valid, revoked with date and reason, superseded with a link to
    the new certificate, expired). Any unknown or malformed code gets the
    same "tidak valid" page with status 404; the input is never echoed.
    Unknown codes are rate-limited per address (429).
    """
    certificate, problem = _lookup(code)
    if problem == "limited":
        return _too_many()
    if certificate is None:
        return _private(make_response(render_template("certificates/invalid.html"), 404))
    return _private(make_response(render_template(
        "certificates/verify.html", certificate=certificate, facts=services.verification_facts(certificate))))


@bp.route("/api/verify/<path:code>")
@public
def verify_json(code: str):
    """The same verification as JSON for other systems.

    200 ``{"status": "valid"|"revoked"|"superseded"|"expired", "certificate": {...}}``;
    404 ``{"status": "unknown"}`` for every unknown or malformed code;
    429 ``{"status": "rate_limited", "message": ...}``.
    """
    certificate, problem = _lookup(code)
    if problem == "limited":
        return _too_many(json=True)
    if certificate is None:
        response = jsonify({"status": "unknown", "message": "Sertifikat tidak dikenal."})
        response.status_code = 404
        return _private(response)
    facts = services.verification_facts(certificate)
    return _private(jsonify({"status": facts["status"], "certificate": facts}))


@bp.route("/verify", methods=["GET", "POST"])
@public
def verify_upload():
    """Upload a PDF and learn whether it is a genuine, unaltered certificate of
    this institution, and which one. POST with CSRF; at most
    :data:`services.MAX_UPLOAD_BYTES`; the bytes must start with ``%PDF-``."""
    form = UploadForm()
    if request.method == "GET":
        return _private(make_response(render_template("certificates/upload.html", form=form, verdict=None)))
    if not form.validate_on_submit():
        return _private(make_response(render_template("certificates/upload.html", form=form, verdict=None), 400))
    limiter = _limiter("upload")
    if not limiter.hit(_client()).allowed:
        return _too_many()
    data = form.file.data.stream.read(services.MAX_UPLOAD_BYTES + 1)
    error = None
    if len(data) > services.MAX_UPLOAD_BYTES:
        error = _("Berkas terlalu besar; paling besar %(mb)s MB.", mb=services.MAX_UPLOAD_BYTES // (1024 * 1024))
    elif not data.startswith(b"%PDF-"):
        error = _("Berkas bukan PDF.")
    if error:
        db.session.commit()
        form.file.errors.append(error)
        return _private(make_response(render_template("certificates/upload.html", form=form, verdict=None), 400))
    verdict = services.verify_upload(data)
    facts = services.verification_facts(verdict.certificate) if verdict.certificate is not None else None
    db.session.commit()
    return _private(make_response(render_template("certificates/upload.html", form=UploadForm(formdata=None),
                                                  verdict=verdict, facts=facts)))


# --------------------------------------------------------------------------
# Admin pages
# --------------------------------------------------------------------------


def _course_choices():
    return [("", _("Semua kursus"))] + [(str(c.id), c.title) for c in
                                      db.session.scalars(select(Course).order_by(Course.title))]


def _cohort_choices():
    rows = db.session.execute(select(Cohort.id, Cohort.name, Course.title).join(Course)
                              .order_by(Course.title, Cohort.starts_on.desc()))
    return [("", _("Semua angkatan"))] + [(str(i), f"{title} — {name}") for i, name, title in rows]


def _int_arg(value) -> int | None:
    return id_argument(value)


@bp.route("/sertifikat/kelola")
@roles_required("admin")
def admin_index():
    """Certificates with filters (name/number, course, cohort, status), 50 per page."""
    form = CertificateFilterForm(formdata=request.args)
    form.kursus.choices = _course_choices()
    form.angkatan.choices = _cohort_choices()
    valid = form.validate()
    # A course or cohort not in the list (text, unknown id) is refused like a bad filter on the
    # reports pages: ignoring it showed every certificate as if no filter had been chosen.
    for select_field, message in ((form.kursus, _("Kursus tidak ditemukan; pilih dari daftar.")),
                                  (form.angkatan, _("Angkatan tidak ditemukan; pilih dari daftar."))):
        value = (select_field.data or "").strip()
        if value and value not in {choice for choice, _label in select_field.choices}:
            select_field.errors = list(select_field.errors) + [message]
            valid = False
    if not valid:
        return render_template("certificates/admin_index.html", form=form, pagination=None, args={}), 400
    query = (select(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    if form.q.data:
        needle = f"%{form.q.data.strip()}%"
        query = query.where(or_(Certificate.holder_name.ilike(needle), Certificate.number.ilike(needle)))
    course_id, cohort_id = _int_arg(form.kursus.data), _int_arg(form.angkatan.data)
    if course_id:
        query = query.where(Enrolment.course_id == course_id)
    if cohort_id:
        query = query.where(Enrolment.cohort_id == cohort_id)
    if form.status.data:
        query = query.where(Certificate.status == form.status.data)
    page = page_number(request.args.get("page"))
    pagination = db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
    args = {k: v for k, v in (("q", form.q.data), ("kursus", form.kursus.data),
                              ("angkatan", form.angkatan.data), ("status", form.status.data)) if v}
    return render_template("certificates/admin_index.html", form=form, pagination=pagination, args=args,
                           course_id=course_id, cohort_id=cohort_id, labels=services.STATUS_LABELS,
                           status_of=services.status_of)


@bp.route("/sertifikat/kelola/<int:certificate_id>")
@roles_required("admin")
def admin_detail(certificate_id: int):
    """One certificate: facts, its history (replaced / replacement), revoke and reissue forms."""
    certificate = db.get_or_404(Certificate, certificate_id)
    return _detail(certificate, ReasonForm(prefix="cabut"), ReasonForm(prefix="ulang"))


def _detail(certificate, revoke_form, reissue_form, status: int = 200):
    replaced = db.session.scalar(select(Certificate).where(Certificate.superseded_by_id == certificate.id))
    user = certificate.enrolment.user
    return render_template(
        "certificates/admin_detail.html", certificate=certificate, facts=services.verification_facts(certificate),
        replaced=replaced, revoke_form=revoke_form, reissue_form=reissue_form,
        current_name=user.display_name), status


@bp.route("/sertifikat/kelola/<int:certificate_id>/cabut", methods=["POST"])
@roles_required("admin")
def admin_revoke(certificate_id: int):
    """Revoke with a reason (audit-logged)."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm(prefix="cabut")
    if not form.validate_on_submit():
        return _detail(certificate, form, ReasonForm(prefix="ulang"), 400)
    try:
        services.revoke_certificate(certificate, current_user, form.reason.data)
    except services.LifecycleError as error:
        db.session.rollback()
        raise user_error(400, _(error.msgid, **error.params)) from error
    db.session.commit()
    flash(_("Sertifikat %(number)s telah dicabut.", number=certificate.number), "success")
    return redirect(url_for("certificates.admin_detail", certificate_id=certificate.id))


@bp.route("/sertifikat/kelola/<int:certificate_id>/terbitkan-ulang", methods=["POST"])
@roles_required("admin")
def admin_reissue(certificate_id: int):
    """Reissue with the holder's current name (audit-logged); the old one becomes superseded."""
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReasonForm(prefix="ulang")
    if not form.validate_on_submit():
        return _detail(certificate, ReasonForm(prefix="cabut"), form, 400)
    try:
        new = services.reissue_certificate(certificate, current_user, form.reason.data)
    except services.LifecycleError as error:
        db.session.rollback()
        raise user_error(400, _(error.msgid, **error.params)) from error
    except services.CertificateIssueError as error:
        db.session.rollback()
        # The detail is the renderer's own (Indonesian) diagnosis for the admin.
        raise user_error(400, _("Sertifikat baru tidak dapat dibuat: %(detail)s", detail=error.detail)) from error
    new_id, new_number = new.id, new.number
    db.session.commit()
    flash(_("Sertifikat baru %(new)s diterbitkan; %(old)s kini digantikan.", new=new_number, old=certificate.number),
          "success")
    return redirect(url_for("certificates.admin_detail", certificate_id=new_id))


@bp.route("/sertifikat/kelola/zip")
@roles_required("admin")
def admin_zip():
    """ZIP of the current certificates of a course (``kursus``) or cohort (``angkatan``).

    Built in a temporary file one PDF at a time (never all in memory),
    then streamed; the temporary file is deleted when the response closes.
    """
    course_id, cohort_id = _int_arg(request.args.get("kursus")), _int_arg(request.args.get("angkatan"))
    if not (course_id or cohort_id):
        raise user_error(400, _("Pilih kursus atau angkatan yang sertifikatnya akan diunduh."))
    if course_id:
        db.get_or_404(Course, course_id)
    if cohort_id:
        db.get_or_404(Cohort, cohort_id)
    certificates = services.current_certificates(course_id, cohort_id)
    if not certificates:
        raise user_error(404, _("Belum ada sertifikat untuk pilihan ini."))
    spool = tempfile.TemporaryFile(dir=current_app.config["LENTERA_DATA_DIR"])
    try:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED) as archive:
            for name, data in services.load_for_zip(certificates):
                archive.writestr(name, data)  # PDFs are compressed already
        record_event(current_user, "certificate.zip", "course" if course_id else "cohort",
                     course_id or cohort_id, count=len(certificates))
        db.session.commit()
    except Exception:
        spool.close()
        raise
    spool.seek(0)
    label = f"kursus-{course_id}" if course_id else f"angkatan-{cohort_id}"
    response = send_file(spool, mimetype="application/zip", as_attachment=True,
                         download_name=f"sertifikat-{label}.zip", max_age=0)
    response.headers["Content-Length"] = str(os.fstat(spool.fileno()).st_size)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/sertifikat/templat")
@roles_required("admin")
def admin_templates():
    """The templates in certificates/, each validated (errors shown in Indonesian)."""
    root = services.template_root()
    rows = []
    for name in template_names(root):
        try:
            rows.append((name, load_template(name, root), None))
        except TemplateError as error:
            rows.append((name, None, str(error)))
    return render_template("certificates/admin_templates.html", rows=rows)


@bp.route("/sertifikat/templat/<name>/pratinjau")
@roles_required("admin")
def admin_preview(name: str):
    """The template filled with sample data, shown inline as a PDF (unsigned)."""
    try:
        data = services.preview_pdf(name)
    except TemplateError as error:
        if name not in template_names(services.template_root()):
            abort(404)
        raise user_error(400, str(error)) from error
    except (CertificateFontError, CertificateLayoutError) as error:
        raise user_error(400, _("Templat %(name)s: %(error)s", name=name, error=str(error))) from error
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False,
                         download_name=f"pratinjau-{name}.pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
