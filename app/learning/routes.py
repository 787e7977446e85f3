"""Learner pages: enrolling, reading lessons, marking them complete, and "Kursus saya"."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from app.authoring.video import lesson_csp, video_of
from app.catalog import outline, services as catalog
from app.catalog.routes import certificate_links_enabled
from app.common.access import login_required
from app.common.markdown import render_markdown
from app.common.web import user_error
from app.common.db import commit_keeping_loaded
from app.extensions import db
from app.learning import services
from app.learning.cohorts import local_today
from app.reports.ledger import JpTargets
from app.learning.models import ENROLMENT_PENDING, ENROLMENT_REJECTED

bp = Blueprint("learning", __name__, template_folder="templates")

ENROL_FIRST = _l("Ikuti kursus ini terlebih dahulu.")
MSG_PENDING = _l("Permintaan pendaftaran Anda menunggu persetujuan admin.")
MSG_REJECTED = _l("Permintaan pendaftaran Anda ditolak. Hubungi admin BPSDM bila ada pertanyaan.")


@bp.app_template_global()
def enrolment_request(course):
    """For templates: the signed-in user's pending or rejected request in ``course``, else ``None``."""
    if not current_user.is_authenticated:
        return None
    found = services.find_enrolment(current_user, course)
    return found if found is not None and found.status in (ENROLMENT_PENDING, ENROLMENT_REJECTED) else None


def _not_enrolled_message(course) -> str:
    found = services.find_enrolment(current_user, course)
    if found is not None and found.status == ENROLMENT_PENDING:
        return str(MSG_PENDING)
    if found is not None and found.status == ENROLMENT_REJECTED:
        return str(MSG_REJECTED)
    return str(ENROL_FIRST)


def _course_or_404(slug: str):
    view = catalog.open_course(slug, current_user)
    if view is None:
        abort(404)
    return view.course, view.enrolment


def _lesson_or_404(slug: str, lesson_id: int, *, with_done: bool = False):
    """``(CourseView, LessonEntry)`` of a lesson of a course the user may open; 404 otherwise."""
    view = catalog.open_course(slug, current_user, lesson_id=lesson_id if with_done else None)
    lesson = view.outline.lesson(lesson_id) if view is not None else None
    if lesson is None:
        abort(404)
    return view, lesson


@bp.route("/kursus/<slug>/ikuti", methods=["POST"])
@login_required
def enrol(slug: str):
    course, enrolment = _course_or_404(slug)
    if enrolment is not None:
        flash(_("Anda sudah terdaftar di kursus ini."), "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    existing = services.find_enrolment(current_user, course)
    if existing is not None:  # a pending or rejected request: asking again changes nothing
        flash(_not_enrolled_message(course), "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    try:
        created = services.enrol(current_user, course)
    except services.EnrolmentClosed as error:
        db.session.rollback()
        raise user_error(403, str(error)) from None
    except services.EnrolmentError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("catalog.course", slug=course.slug))
    db.session.commit()
    if created.status == ENROLMENT_PENDING:
        flash(_("Permintaan pendaftaran di kursus %(title)s terkirim dan menunggu persetujuan admin.",
                title=course.title), "info")
    else:
        flash(_("Anda terdaftar di kursus %(title)s. Selamat belajar!", title=course.title), "success")
    return redirect(url_for("catalog.course", slug=course.slug))


@bp.route("/kursus/<slug>/pelajaran/<int:lesson_id>")
@login_required
def lesson(slug: str, lesson_id: int):
    view, lesson = _lesson_or_404(slug, lesson_id, with_done=True)
    course, enrolment = view.course, view.enrolment
    if enrolment is None and not services.is_staff(current_user):
        flash(_not_enrolled_message(course), "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    content = outline.lesson_content(view.outline, lesson)
    if content is None:
        abort(404)
    previous, following = view.outline.neighbours(lesson)
    lesson_video = video_of(content)
    page = render_template(
        "learning/lesson.html",
        course=course,
        module=lesson.module,
        lesson=lesson,
        attachments=content.attachments,
        body_html=render_markdown(content.body_md),
        enrolment=enrolment,
        done=view.lesson_done,
        previous=previous,
        following=following,
        lesson_video=lesson_video,
    )
    response = make_response(page)
    if lesson_video is not None:
        # Only a lesson with an allowlisted video may frame YouTube/Vimeo (app/authoring/video.py).
        response.headers["Content-Security-Policy"] = lesson_csp()
    return response


@bp.route("/kursus/<slug>/pelajaran/<int:lesson_id>/selesai", methods=["POST"])
@login_required
def complete_lesson(slug: str, lesson_id: int):
    view, lesson = _lesson_or_404(slug, lesson_id)
    course, enrolment = view.course, view.enrolment
    if enrolment is None:
        flash(_not_enrolled_message(course), "info")
        return redirect(url_for("catalog.course", slug=course.slug))
    was_complete = enrolment.completed_at is not None
    services.mark_lesson_complete(enrolment, lesson, view.outline)
    step = services.step_after_lesson(enrolment, view.outline, lesson)
    # Read what the answer needs before the commit expires the loaded rows.
    slug, course_title, lesson_title = course.slug, course.title, lesson.title
    target_id = step.target.id if step.target is not None else None
    finished_now = not was_complete and enrolment.completed_at is not None
    # Keep the loaded rows after the commit: the signed-in user would otherwise be reloaded
    # for the flash message's language and the response headers (one more query).
    commit_keeping_loaded()
    if finished_now:
        flash(_("Selamat! Anda telah menyelesaikan kursus %(title)s.", title=course_title), "success")
        return redirect(url_for("catalog.course", slug=slug))
    flash(_("Pelajaran \u201c%(title)s\u201d ditandai selesai.", title=lesson_title), "success")
    if step.kind == "lesson":
        return redirect(url_for("learning.lesson", slug=slug, lesson_id=target_id))
    if step.kind == "quiz":
        return redirect(url_for("assessment.quiz", slug=slug, quiz_id=target_id))
    return redirect(url_for("catalog.course", slug=slug))


@bp.route("/saya")
@login_required
def dashboard():
    enrolments = services.user_enrolments(current_user)
    outlines = {e.course_id: outline.course_outline(e.course) for e in enrolments}
    tz_name = current_app.config["LENTERA_TIMEZONE"]
    summary = services.jp_summary(current_user, services.local_year(tz_name), tz_name,
                                  JpTargets.from_config(current_app.config))
    certificates, revoked = services.current_certificates_for_enrolments(enrolments)
    return render_template(
        "learning/dashboard.html",
        enrolments=enrolments,
        progress=services.progress_for_enrolments(enrolments, outlines),
        certificates=certificates,
        revoked=revoked,
        certificate_links=certificate_links_enabled(),
        jp=summary,
        today=local_today(tz_name),
    )
