"""Progress and completion rules, and the yearly JP sum."""
from datetime import datetime, timezone
from decimal import Decimal

from app.assessment.models import QuizAttempt
from app.catalog import outline as outlines
from app.extensions import db
from app.learning import services
from app.reports.ledger import JpTargets


def _pass_quiz(enrolment, quiz, passed=True):
    number = db.session.query(QuizAttempt).filter_by(enrolment_id=enrolment.id, quiz_id=quiz.id).count() + 1
    db.session.add(QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=number, score=Decimal(1),
                               max_score=Decimal(2), percent=Decimal(50), passed=passed))
    db.session.flush()


def test_progress_counts_lessons_and_quizzes_and_never_exceeds_100(app, make_user, make_course):
    course = make_course(modules=2, lessons_per_module=2)
    enrolment = services.enrol(make_user(), course)
    db.session.flush()
    assert services.course_progress(enrolment).percent == 0
    lessons = [lesson for module in course.modules for lesson in module.lessons]
    for lesson in lessons:
        services.mark_lesson_complete(enrolment, lesson)
        services.mark_lesson_complete(enrolment, lesson)  # twice: still one row
    progress = services.course_progress(enrolment)
    assert (progress.lessons_done, progress.lessons_total, progress.percent) == (4, 4, 66)
    assert enrolment.completed_at is None  # quizzes not attempted: no completion


def test_jp_earned_sums_exactly_and_respects_local_year(app, make_user, make_course):
    user = make_user()
    a = make_course(jp=Decimal("8"))
    b = make_course(jp=Decimal("11.5"))
    c = make_course(jp=Decimal("3"))
    for course, when in ((a, datetime(2026, 3, 1, tzinfo=timezone.utc)),
                         (b, datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)),   # 23.59 WITA, still 2026
                         (c, datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc))):  # 00.00 WITA 2027
        enrolment = services.enrol(user, course)
        enrolment.completed_at = when
    db.session.commit()
    assert services.jp_earned(user, 2026, "Asia/Makassar") == Decimal("19.5")
    assert services.jp_earned(user, 2027, "Asia/Makassar") == Decimal("3")
    assert services.jp_earned(user, 2025, "Asia/Makassar") == Decimal("0")


def test_lesson_neighbours_and_step_after_lesson(app, make_user, make_course):
    course = make_course(modules=2, lessons_per_module=2)
    db.session.commit()
    outline = outlines.course_outline(course)
    (a, b), (c, d) = [module.lessons for module in outline.modules]
    quiz1, quiz2 = (module.quiz for module in outline.modules)
    assert outline.neighbours(a) == (None, b)
    assert outline.neighbours(b) == (a, c)  # across the module boundary
    assert outline.neighbours(d) == (c, None)
    enrolment = services.enrol(make_user(), course)
    db.session.flush()
    services.mark_lesson_complete(enrolment, b)  # out of order: a is still open
    assert services.step_after_lesson(enrolment, outline, b) == services.NextStep("lesson", c)
    services.mark_lesson_complete(enrolment, a)
    assert services.step_after_lesson(enrolment, outline, a) == services.NextStep("quiz", quiz1)
    _pass_quiz(enrolment, course.modules[0].quiz)
    assert services.step_after_lesson(enrolment, outline, a) == services.NextStep("lesson", c)
    services.mark_lesson_complete(enrolment, d)
    assert services.step_after_lesson(enrolment, outline, d) == services.NextStep("course")  # c is earlier, still open
    services.mark_lesson_complete(enrolment, c)
    assert services.step_after_lesson(enrolment, outline, c) == services.NextStep("quiz", quiz2)


def test_jp_summary_compares_the_pns_target_exactly(app, make_user, make_course):
    pns = make_user(employment_type="PNS")
    pppk = make_user(employment_type="PPPK")
    course = make_course(jp=Decimal("19.99"))
    for user in (pns, pppk):
        services.enrol(user, course).completed_at = datetime(2026, 5, 1, tzinfo=timezone.utc)
    db.session.commit()
    targets = JpTargets(pns=Decimal("20"), pppk=Decimal("19.99"))
    summary = services.jp_summary(pns, 2026, "Asia/Makassar", targets)
    assert (summary.earned, summary.met, summary.shortfall) == (Decimal("19.99"), False, Decimal("0.01"))
    assert services.jp_summary(pppk, 2026, "Asia/Makassar", targets).met
    public = make_user()
    assert services.jp_summary(public, 2026, "Asia/Makassar", targets).target is None
    assert services.local_year("Asia/Makassar", datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)) == 2027


def test_marking_a_read_lesson_again_completes_a_course_an_edit_made_complete(app, make_user, make_course):
    # Marking again records nothing, so it takes no row lock while the course is incomplete
    # (issue #8); it must still complete a course that a trainer's edit has made complete.
    course = make_course(modules=1, lessons_per_module=2, questions_per_quiz=0)
    first, second = course.modules[0].lessons
    enrolment = services.enrol(make_user(), course)
    db.session.flush()
    assert services.mark_lesson_complete(enrolment, first) is True
    assert services.mark_lesson_complete(enrolment, first) is False
    assert enrolment.completed_at is None
    second.is_required = False
    db.session.flush()
    assert services.mark_lesson_complete(enrolment, first) is False
    assert enrolment.completed_at is not None
