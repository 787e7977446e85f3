"""Job pages: the user's jobs, one job's progress and result, and starting bulk certificate jobs.

A job is shown only to its owner and to BPSDM admins; anyone else gets 404
(its existence is not confirmed), also for the result download.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.catalog.models import Course
from app.common.access import login_required, roles_required
from app.common.web import user_error
from app.extensions import db
from app.jobs import services, tasks
from app.jobs.forms import ACTION_ISSUE, BulkCertificateForm
from app.jobs.models import KIND_CERTIFICATE_ISSUE, KIND_CERTIFICATE_REGENERATE
from app.learning.models import Cohort

bp = Blueprint("jobs", __name__, template_folder="templates")

#: Seconds between reloads of a job page while the job is queued or running.
REFRESH_SECONDS = 3


@bp.route("/tugas")
@login_required
def index():
    """The signed-in user's newest jobs."""
    return render_template("jobs/index.html", jobs=services.jobs_of(current_user))


@bp.route("/tugas/<int:job_id>")
@login_required
def detail(job_id: int):
    """Status, progress, result link or error of one job; reloads itself while the job is active."""
    job = services.visible_job(job_id, current_user)
    if job is None:
        abort(404)
    has_file = services.result_path(job) is not None
    response = render_template("jobs/detail.html", job=job, has_file=has_file, refresh=REFRESH_SECONDS)
    if job.is_active:
        # The Refresh header reloads the page without any script (CSP allows none inline).
        return response, 200, {"Refresh": str(REFRESH_SECONDS)}
    return response


@bp.route("/tugas/<int:job_id>/unduh")
@login_required
def download(job_id: int):
    """The result file of a finished job, for its owner or a BPSDM admin (others: 404)."""
    job = services.visible_job(job_id, current_user)
    if job is None:
        abort(404)
    path = services.result_path(job)
    if path is None:
        raise user_error(404, _("Berkas hasil tugas ini tidak tersedia (belum selesai atau sudah dihapus)."))
    response = send_file(path, as_attachment=True, download_name=job.result_name or path.name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/tugas/sertifikat", methods=["POST"])
@roles_required("admin")
def start_certificates():
    """Start issuing the missing certificates (or regenerating the current ones) of a course or cohort."""
    form = BulkCertificateForm()
    if not form.validate_on_submit():
        raise user_error(400, _("Permintaan tidak valid. Muat ulang halaman lalu coba lagi."))
    course_id, cohort_id = form.kursus.data, form.angkatan.data
    if course_id is None and cohort_id is None:
        raise user_error(400, _("Pilih kursus atau angkatan terlebih dahulu."))
    if course_id is not None and db.session.get(Course, course_id) is None:
        raise user_error(404, _("Kursus tidak ditemukan."))
    if cohort_id is not None:
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is None or (course_id is not None and cohort.course_id != course_id):
            raise user_error(404, _("Angkatan tidak ditemukan pada kursus ini."))
    kind = KIND_CERTIFICATE_ISSUE if form.aksi.data == ACTION_ISSUE else KIND_CERTIFICATE_REGENERATE
    parameters = tasks.certificate_parameters(course_id, cohort_id)
    running = services.find_active(kind, current_user, parameters)
    if running is not None:
        flash(_("Tugas yang sama sedang berjalan."), "info")
        return redirect(url_for("jobs.detail", job_id=running.id))
    job_id = services.submit(kind, current_user, parameters).id
    db.session.commit()  # the job is dispatched once this commit is done
    flash(_("Tugas dimulai. Halaman ini menampilkan kemajuannya."), "success")
    return redirect(url_for("jobs.detail", job_id=job_id))
