"""Certificate pages: download by the holder or an admin, public verification."""
from __future__ import annotations

import io

from flask import Blueprint, abort, make_response, render_template, send_file
from flask_login import current_user

from app.auth.models import ROLE_ADMIN
from app.certificates import services
from app.certificates.models import STATUS_VALID, Certificate
from app.common.access import login_required, public
from app.extensions import db

bp = Blueprint("certificates", __name__, template_folder="templates")


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
    pdf = services.load_pdf(certificate)
    response = send_file(io.BytesIO(pdf.data), mimetype="application/pdf", as_attachment=True,
                         download_name=services.download_name(certificate), max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/verify/", defaults={"code": ""})
@bp.route("/verify/<path:code>")
@public
def verify(code: str):
    """Public check of a certificate by its code (the QR code's target).

    Shows only holder name, course title, JP, completion date, number and
    status. Any unknown or malformed code gets the same "tidak valid" page
    with status 404; the input is never echoed.
    """
    certificate = services.find_by_code(code)
    if certificate is None:
        response = make_response(render_template("certificates/invalid.html"), 404)
    else:
        response = make_response(render_template(
            "certificates/verify.html", certificate=certificate,
            is_valid=certificate.status == STATUS_VALID))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"  # holders' names stay out of search engines
    return response
