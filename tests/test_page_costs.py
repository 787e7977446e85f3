"""The shortcuts of issue #8 (per-request cost) give the same answers as the long way.

No timings here (speed is measured in bench/): these tests pin the behaviour
of the cheaper code paths: the joined session check, the course page's
progress counted from its outline, the lesson body loaded for the shown
lesson only, the next step's quiz grade, and no row lock once a course is
complete.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.assessment.models import GRADING_LAST, KIND_PRETEST, QuizAttempt
from app.auth.models import User, UserSession
from app.catalog.models import Course
from app.catalog import outline as outlines, services as catalog
from app.extensions import db
from app.learning import services
from tests.statements import recorded_statements


def _attempt(enrolment, quiz, passed: bool, number: int = 1):
    db.session.add(QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=number,
                               score=Decimal(2 if passed else 0), max_score=Decimal(2),
                               percent=Decimal(100 if passed else 0), passed=passed))
    db.session.flush()


def test_course_page_progress_from_the_outline_equals_course_progress(app, make_user, make_course):
    course = make_course(modules=3, lessons_per_module=2)
    first, second, third = course.modules
    second.lessons[1].is_required = False  # optional lessons are not steps
    third.quiz.kind = KIND_PRETEST  # pre-tests are not steps
    first.quiz.grading = GRADING_LAST
    enrolment = services.enrol(make_user(), course)
    db.session.commit()

    def both():
        db.session.flush()
        structure = outlines.course_outline(course)
        outline = catalog.course_outline(structure, enrolment)
        # The structure from the outline or from the database gives the same count.
        assert services.course_progress(enrolment, structure) == services.course_progress(enrolment)
        return catalog.outline_progress(outline), services.course_progress(enrolment)

    shown, expected = both()
    assert shown == expected and shown.steps_total == 5 + 2  # 5 required lessons, 2 quizzes (no pre-test)
    for lesson in (first.lessons[0], second.lessons[1], third.lessons[0]):
        services.mark_lesson_complete(enrolment, lesson)
    _attempt(enrolment, first.quiz, passed=True)
    _attempt(enrolment, third.quiz, passed=True)  # a passed pre-test counts for nothing
    shown, expected = both()
    assert shown == expected and (shown.lessons_done, shown.quizzes_passed) == (2, 1)
    _attempt(enrolment, first.quiz, passed=False, number=2)  # "last" grading: the quiz is failed now
    shown, expected = both()
    assert shown == expected and shown.quizzes_passed == 0


def test_the_outline_leaves_lesson_bodies_unloaded_and_the_lesson_page_shows_its_own(
        app, client, login, make_user, make_course):
    course = make_course(modules=1, lessons_per_module=2)
    first, other = course.modules[0].lessons
    first.body_md, other.body_md = "Isi **pertama**.", "Isi kedua yang tidak dimuat."
    user = make_user()
    services.enrol(user, course)
    db.session.commit()
    slug, first_id = course.slug, first.id
    login(user)
    db.session.expunge_all()
    # The outline carries no lesson bodies; a page reads (and keeps) only the one it shows.
    assert not any(hasattr(lesson, "body_md") for lesson in outlines.course_outline(
        db.session.scalar(select(Course).where(Course.slug == slug))).lessons)
    db.session.expunge_all()

    page = client.get(f"/kursus/{slug}/pelajaran/{first_id}").get_data(as_text=True)
    assert "<strong>pertama</strong>" in page and "kedua yang tidak dimuat" not in page
    assert set(app.extensions["lentera_outline_cache"].contents) == {first_id}


def test_step_after_lesson_grades_the_module_quiz_by_its_own_pass_mark(app, make_user, make_course):
    course = make_course(modules=1, lessons_per_module=1, pass_mark=Decimal("70"))
    module = course.modules[0]
    module.quiz.pass_mark = Decimal("40")  # the quiz's own mark wins over the course's
    enrolment = services.enrol(make_user(), course)
    db.session.flush()
    outline = outlines.course_outline(course)
    lesson, quiz = outline.modules[0].lessons[0], outline.modules[0].quiz
    assert quiz.effective_pass_mark == Decimal("40")
    services.mark_lesson_complete(enrolment, lesson)
    assert services.step_after_lesson(enrolment, outline, lesson) == services.NextStep("quiz", quiz)
    _attempt(enrolment, module.quiz, passed=True)
    assert services.step_after_lesson(enrolment, outline, lesson) == services.NextStep("course")


def test_a_complete_enrolment_is_not_locked_again_but_an_open_one_is(app, make_user, make_course):
    course = make_course(modules=1, lessons_per_module=2, questions_per_quiz=0)
    enrolment = services.enrol(make_user(), course)
    db.session.commit()
    first, last = course.modules[0].lessons
    assert enrolment.completed_at is None  # loaded again after the commit, before counting
    with recorded_statements() as seen:
        services.mark_lesson_complete(enrolment, first)
    reads_of_the_enrolment = [s for s in seen if s.lstrip().upper().startswith("SELECT ENROLMENTS.")]
    assert len(reads_of_the_enrolment) == 1  # the (locking, on PostgreSQL) refresh
    if db.engine.dialect.name == "postgresql":
        assert "FOR NO KEY UPDATE" in reads_of_the_enrolment[0]
    services.mark_lesson_complete(enrolment, last)
    db.session.commit()
    assert enrolment.completed_at is not None
    certificate = services.evaluate_completion(enrolment)

    with recorded_statements() as seen:
        assert services.mark_lesson_complete(enrolment, last) is False  # nothing changed
        assert services.evaluate_completion(enrolment) is certificate
    assert not [s for s in seen if "FOR NO KEY UPDATE" in s or s.lstrip().upper().startswith("SELECT ENROLMENTS.")]


def test_session_check_refuses_revoked_records_and_deactivated_users(app, client, login, make_user):
    user = make_user()
    login(user)
    assert client.get("/saya").status_code == 200
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert client.get("/saya").headers["Location"].startswith("/masuk")

    other = make_user()
    fresh = app.test_client()
    assert fresh.post("/masuk", data={"email": other.email, "password": "rahasia-123"}).status_code == 302
    assert fresh.get("/saya").status_code == 200
    for record in db.session.scalars(select(UserSession).where(UserSession.user_id == other.id)):
        record.revoked_at = record.created_at
    db.session.commit()
    assert fresh.get("/saya").headers["Location"].startswith("/masuk")
