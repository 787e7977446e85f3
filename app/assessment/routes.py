"""Quiz pages (start, save, submit, result) and the trainer's assessment view (report, CSV, regrade)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.services import can_view_course
from app.assessment import reports, services
from app.catalog.models import Course
from app.catalog import services as catalog
from app.catalog.routes import certificate_links_enabled
from app.common.access import login_required, roles_required
from app.common.db import utcnow
from app.common.web import page_number, user_error
from app.common.db import commit_keeping_loaded
from app.extensions import db
from app.learning import services as learning
from app.learning.models import ENROLMENT_ACTIVE

bp = Blueprint("assessment", __name__, template_folder="templates")

ACTION_SAVE = "simpan"
ACTION_SUBMIT = "kirim"


def _quiz_for(slug: str, quiz_id: int, *, bank: bool = True):
    # The course row and the enrolment in one query; the outline (cached) says whether the quiz is
    # the course's before it is loaded (issue #8).
    view = catalog.open_course(slug, current_user)
    if view is None or quiz_id not in view.outline.quiz_ids:
        abort(404)
    course, enrolment = view.course, view.enrolment
    quiz = services.load_quiz(quiz_id, bank=bank)
    if quiz is None or quiz.module.course_id != course.id:
        abort(404)
    return course, enrolment, quiz


def _not_enrolled(course):
    flash(_("Ikuti kursus ini terlebih dahulu."), "info")
    return redirect(url_for("catalog.course", slug=course.slug))


@bp.route("/kursus/<slug>/kuis/<int:quiz_id>", methods=["GET", "POST"])
@login_required
def quiz(slug: str, quiz_id: int):
    # Only a POST (start and submit at once) draws from the bank; the pages read the attempt's layout.
    course, enrolment, quiz = _quiz_for(slug, quiz_id, bank=request.method == "POST")
    if enrolment is None or enrolment.status != ENROLMENT_ACTIVE:
        return _not_enrolled(course)
    now = utcnow()
    if request.method == "POST":
        return _submit_in_one_step(enrolment, quiz, now)
    status = services.quiz_status(enrolment, quiz, now)
    # An attempt whose time ran out has just been submitted: commit it, but keep the loaded
    # course, quiz and attempts (they hold what was just committed); expiring them made the page
    # below reload all of them, doubling its cost (bench/results/20261129-summary.md).
    commit_keeping_loaded()
    attempt = status.in_progress
    if attempt is None:
        return render_template("assessment/quiz.html", course=course, module=quiz.module, quiz=quiz,
                               status=status, bank_size=services.bank_size(quiz))
    return render_template("assessment/attempt.html", course=course, module=quiz.module, quiz=quiz,
                           attempt=attempt, questions=services.attempt_view(attempt),
                           seconds_left=services.seconds_left(attempt, now), status=status)


def _submit_in_one_step(enrolment, quiz, now):
    """A quiz form posted to the quiz's own URL: start (or resume) the attempt and submit it at once.

    ``action=simpan`` keeps the answers on the open attempt instead (as on the attempt's own form).
    """
    action = request.form.get("action", ACTION_SUBMIT)
    if action not in (ACTION_SAVE, ACTION_SUBMIT):
        raise user_error(400, _("Tindakan tidak dikenal. Muat ulang halaman kuis."))
    try:
        attempt = services.start_attempt(enrolment, quiz, now)
        responses = services.parse_form(attempt, request.form)
    except services.AttemptNotAllowed as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("assessment.quiz", slug=enrolment.course.slug, quiz_id=quiz.id))
    except (services.AnswerError, services.AttemptConflict) as error:
        db.session.rollback()
        raise user_error(400, str(error)) from None
    if action == ACTION_SAVE and services.save_answers(attempt, responses, now):
        db.session.commit()
        flash(_("Jawaban disimpan. Anda dapat melanjutkan atau mengirimnya nanti."), "success")
        return redirect(url_for("assessment.quiz", slug=enrolment.course.slug, quiz_id=quiz.id))
    services.submit_attempt(attempt, responses, now)
    db.session.commit()
    flash(_("Jawaban Anda sudah dikirim dan dinilai."), "success")
    return redirect(url_for("assessment.result", attempt_id=attempt.id))


@bp.route("/kursus/<slug>/kuis/<int:quiz_id>/mulai", methods=["POST"])
@login_required
def start(slug: str, quiz_id: int):
    course, enrolment, quiz = _quiz_for(slug, quiz_id)
    if enrolment is None or enrolment.status != ENROLMENT_ACTIVE:
        return _not_enrolled(course)
    try:
        services.start_attempt(enrolment, quiz, utcnow())
    except services.AttemptNotAllowed as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("assessment.quiz", slug=course.slug, quiz_id=quiz.id))
    except (services.AnswerError, services.AttemptConflict) as error:
        db.session.rollback()
        raise user_error(409, str(error)) from None
    commit_keeping_loaded()  # the redirect needs the course's slug: no reload after the commit
    return redirect(url_for("assessment.quiz", slug=course.slug, quiz_id=quiz.id))


@bp.route("/kuis/percobaan/<int:attempt_id>", methods=["POST"])
@login_required
def answer(attempt_id: int):
    attempt = services.load_attempt(attempt_id, answers=False)
    if attempt is None or attempt.enrolment.user_id != current_user.id:
        abort(404)
    result_url = url_for("assessment.result", attempt_id=attempt.id)
    quiz_url = url_for("assessment.quiz", slug=attempt.enrolment.course.slug, quiz_id=attempt.quiz_id)
    # The page's buttons always send action=simpan or action=kirim. A POST without one (a script,
    # a crafted form) must not end the attempt: it is kept as a save, with a notice saying so.
    action = request.form.get("action") or None
    if action is not None and action not in (ACTION_SAVE, ACTION_SUBMIT):
        raise user_error(400, _("Tindakan tidak dikenal. Muat ulang halaman kuis."))
    if attempt.state != services.STATE_IN_PROGRESS:
        return redirect(result_url)  # a second submit: graded once already
    now = utcnow()
    if services.expire_if_due(attempt, now):
        db.session.commit()
        flash(_("Waktu pengerjaan sudah habis. Jawaban yang terakhir disimpan telah dinilai."), "error")
        return redirect(result_url)
    try:
        responses = services.parse_form(attempt, request.form)
    except services.AnswerError as error:
        db.session.rollback()
        raise user_error(400, str(error)) from None
    if action in (ACTION_SAVE, None):
        saved = services.save_answers(attempt, responses, now)
        db.session.commit()
        if saved and action is None:
            flash(_("Jawaban disimpan tetapi belum dikirim: formulir tidak menyebut tombol yang ditekan. Tekan "
                    "“Kirim jawaban” bila sudah selesai."), "info")
            return redirect(quiz_url)
        if saved:
            flash(_("Jawaban disimpan. Anda dapat melanjutkan atau mengirimnya nanti."), "success")
            return redirect(quiz_url)
        return redirect(result_url)
    services.submit_attempt(attempt, responses, now)
    commit_keeping_loaded()  # the flash message's language is the user's: no reload after the commit
    flash(_("Jawaban Anda sudah dikirim dan dinilai."), "success")
    return redirect(result_url)


@bp.route("/kuis/hasil/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt = services.load_attempt(attempt_id)
    if attempt is None or not services.can_see_attempt(attempt, current_user):
        abort(404)
    enrolment = attempt.enrolment
    course = enrolment.course
    is_owner = enrolment.user_id == current_user.id
    if attempt.state != services.STATE_SUBMITTED:
        if is_owner:
            return redirect(url_for("assessment.quiz", slug=course.slug, quiz_id=attempt.quiz_id))
        abort(404)
    status = services.quiz_status(enrolment, attempt.quiz)
    # Keep the loaded rows: a plain commit would expire them and the page would reload each.
    commit_keeping_loaded()
    show = services.answers_visible(attempt.quiz, status.grade.passed, staff=not is_owner)
    certificate = learning.certificate_for(enrolment) if enrolment.completed_at else None
    return render_template(
        "assessment/result.html",
        attempt=attempt,
        quiz=attempt.quiz,
        course=course,
        enrolment=enrolment,
        status=status,
        show_answers=show,
        review=services.attempt_review(attempt, show),
        is_owner=is_owner,
        certificate=certificate,
        certificate_links=certificate_links_enabled(),
    )


# --- Trainer's view --------------------------------------------------------------------------------

def _taught_course(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    if not can_view_course(current_user, course):
        abort(404)  # another trainer's course: not revealed to exist
    return course


@bp.route("/pengajar/kursus/<int:course_id>/penilaian")
@roles_required("trainer", "admin")
def course_report(course_id: int):
    course = _taught_course(course_id)
    page = page_number(request.args.get("page"))
    report = reports.course_report(course, page=page)
    if page > 1 and not report.rows:
        abort(404)
    return render_template("assessment/report.html", course=course, report=report)


def _csv_response(chunks, name: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/pengajar/kursus/<int:course_id>/penilaian.csv")
@roles_required("trainer", "admin")
def course_report_csv(course_id: int):
    course = _taught_course(course_id)
    delimiter = ";" if request.args.get("pemisah") == "titik-koma" else ","
    return _csv_response(reports.learners_csv(reports.course_report(course), delimiter),
                         f"penilaian-{course.slug}.csv")


@bp.route("/pengajar/kursus/<int:course_id>/statistik-soal.csv")
@roles_required("trainer", "admin")
def question_stats_csv(course_id: int):
    course = _taught_course(course_id)
    delimiter = ";" if request.args.get("pemisah") == "titik-koma" else ","
    return _csv_response(reports.questions_csv(reports.course_report(course), delimiter),
                         f"statistik-soal-{course.slug}.csv")


@bp.route("/pengajar/kursus/<int:course_id>/kuis/<int:quiz_id>/nilai-ulang", methods=["POST"])
@roles_required("trainer", "admin")
def regrade(course_id: int, quiz_id: int):
    course = _taught_course(course_id)
    quiz = services.load_quiz(quiz_id)
    if quiz is None or quiz.module.course_id != course.id:
        abort(404)
    summary = services.regrade_quiz(quiz, current_user, utcnow())
    db.session.commit()
    flash(_("Penilaian ulang %(quiz)s: %(attempts)d percobaan diperiksa, %(changed)d berubah nilai, "
            "%(passed)d menjadi lulus, %(failed)d menjadi tidak lulus.", quiz=quiz.title, attempts=summary.attempts,
            changed=summary.changed, passed=summary.newly_passed, failed=summary.newly_failed), "success")
    if summary.certified_now_failing:
        flash(_("Perhatian: peserta berikut sudah bersertifikat tetapi kini tidak lulus kuis ini. Sertifikat "
                "mereka TIDAK dicabut; tinjau dan putuskan secara manual: %(names)s.",
                names=", ".join(summary.certified_now_failing)), "error")
    return redirect(url_for("assessment.course_report", course_id=course.id))
