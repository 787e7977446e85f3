"""Quiz pages: taking a module's quiz and seeing an attempt's result."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.assessment import services
from app.assessment.forms import field_name, parse_answers
from app.catalog import services as catalog
from app.catalog.routes import certificate_links_enabled
from app.common.access import login_required
from app.common.web import user_error
from app.extensions import db
from app.learning import services as learning

bp = Blueprint("assessment", __name__, template_folder="templates")


@bp.route("/kursus/<slug>/kuis/<int:quiz_id>", methods=["GET", "POST"])
@login_required
def quiz(slug: str, quiz_id: int):
    found = catalog.visible_course(slug, current_user)
    if found is None:
        abort(404)
    course, enrolment = found
    quiz = services.load_quiz(quiz_id)
    if quiz is None or quiz.module.course_id != course.id:
        abort(404)
    if enrolment is None:
        flash("Ikuti kursus ini terlebih dahulu.", "info")
        return redirect(url_for("catalog.course", slug=course.slug))

    if request.method == "POST":
        try:
            answers = parse_answers(request.form, quiz.questions)
            attempt = services.submit_attempt(enrolment, quiz, answers)
        except services.AnswerError as error:
            db.session.rollback()
            raise user_error(400, str(error)) from None
        except services.AttemptConflict as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("catalog.course", slug=course.slug))
        db.session.commit()
        return redirect(url_for("assessment.result", attempt_id=attempt.id))

    status = catalog.quiz_statuses(enrolment).get(quiz.id, catalog.QuizStatus())
    return render_template("assessment/quiz.html", course=course, module=quiz.module, quiz=quiz,
                           status=status, field_name=field_name)


@bp.route("/kuis/hasil/<int:attempt_id>")
@login_required
def result(attempt_id: int):
    attempt = services.load_attempt(attempt_id)
    if attempt is None or not services.can_see_attempt(attempt, current_user):
        abort(404)
    enrolment = attempt.enrolment
    course = enrolment.course
    certificate = learning.certificate_for(enrolment) if enrolment.completed_at else None
    return render_template(
        "assessment/result.html",
        attempt=attempt,
        quiz=attempt.quiz,
        course=course,
        enrolment=enrolment,
        review=services.attempt_review(attempt),
        is_owner=enrolment.user_id == current_user.id,
        certificate=certificate,
        certificate_links=certificate_links_enabled(),
    )
