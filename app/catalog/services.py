"""Reading the catalogue: which courses a visitor sees, and a course's outline for a learner.

Services never read ``request`` and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.assessment.grading import grades_for_enrolments, quiz_facts
from app.assessment.models import Quiz
from app.catalog.models import Course, Lesson, Module
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrolment


def _with_outline(query):
    # Modules, their lessons and quiz in three extra queries, whatever the course size.
    return query.options(
        selectinload(Course.modules).selectinload(Module.lessons),
        selectinload(Course.modules).selectinload(Module.quiz),
    )


def load_course(slug: str) -> Course | None:
    """The course with this slug, its modules, lessons and quizzes loaded; ``None`` if unknown."""
    return db.session.scalar(_with_outline(select(Course).where(Course.slug == slug)))


def can_view(course: Course, user, enrolment: Enrolment | None) -> bool:
    """Whether ``user`` may open ``course``.

    Published courses are public. Unpublished ones are shown to trainers and
    admins, and to learners already enrolled (so taking a course offline does not
    strand the people part-way through it); everyone else gets 404.
    """
    return course.is_published or learning.is_staff(user) or enrolment is not None


def visible_course(slug: str, user) -> tuple[Course, Enrolment | None] | None:
    """The course ``user`` may open (outline loaded) and the user's enrolment in it.

    ``None`` when the slug is unknown or the course is hidden from ``user``
    (see :func:`can_view`); routes answer 404 then. ``user`` may be anonymous.
    """
    course = load_course(slug)
    if course is None:
        return None
    enrolment = learning.get_enrolment(user, course) if getattr(user, "is_authenticated", False) else None
    if not can_view(course, user, enrolment):
        return None
    return course, enrolment


@dataclass(frozen=True)
class CatalogEntry:
    """One course card of the catalogue; ``enrolment``/``progress`` are set for enrolled viewers."""

    course: Course
    module_count: int
    enrolment: Enrolment | None = None
    progress: learning.Progress | None = None


def catalog_entries(user) -> list[CatalogEntry]:
    """Published courses by title, with module counts and the viewer's progress.

    A fixed number of queries: courses, module counts, the viewer's enrolments,
    and the four of :func:`app.learning.services.progress_for_enrolments`.
    ``user`` may be anonymous.
    """
    courses = list(db.session.scalars(
        select(Course).where(Course.is_published.is_(True)).order_by(Course.title, Course.id)))
    if not courses:
        return []
    ids = [course.id for course in courses]
    module_counts = dict(db.session.execute(
        select(Module.course_id, func.count(Module.id)).where(Module.course_id.in_(ids))
        .group_by(Module.course_id)).all())
    enrolments: dict[int, Enrolment] = {}
    if getattr(user, "is_authenticated", False):
        enrolments = {e.course_id: e for e in db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id.in_(ids)))}
    progress = learning.progress_for_enrolments(list(enrolments.values()))
    entries = []
    for course in courses:
        enrolment = enrolments.get(course.id)
        entries.append(CatalogEntry(
            course=course,
            module_count=module_counts.get(course.id, 0),
            enrolment=enrolment,
            progress=progress.get(enrolment.id) if enrolment else None,
        ))
    return entries


@dataclass(frozen=True)
class QuizStatus:
    """A learner's grade on one quiz: submitted attempts, the grade by the quiz's
    grading method (percent, truncated) and whether that grade passes."""

    attempts: int = 0
    best_percent: Decimal | None = None
    passed: bool = False


@dataclass
class ModuleOutline:
    """A module as the course page lists it: ``lessons`` is ``[(lesson, done)]``."""

    module: Module
    lessons: list[tuple[Lesson, bool]] = field(default_factory=list)
    quiz: Quiz | None = None
    quiz_status: QuizStatus = QuizStatus()


def quiz_statuses(enrolment: Enrolment | None) -> dict[int, QuizStatus]:
    """``{quiz_id: QuizStatus}`` of every quiz the enrolment submitted an attempt at.

    The grade and pass follow each quiz's grading method (highest, last or
    average; app.assessment.grading); attempts still in progress do not count.
    """
    if enrolment is None:
        return {}
    grades = grades_for_enrolments([enrolment.id], quiz_facts([enrolment.course_id]))
    return {quiz_id: QuizStatus(grade.attempts, grade.percent, grade.passed)
            for (_, quiz_id), grade in grades.items()}


def course_outline(course: Course, enrolment: Enrolment | None) -> list[ModuleOutline]:
    """Modules in order with lesson completion and quiz status for ``enrolment`` (may be ``None``).

    ``course`` should come from :func:`load_course` so that nothing loads lazily.
    """
    done = learning.completed_lesson_ids(enrolment) if enrolment else set()
    statuses = quiz_statuses(enrolment)
    outline = []
    for module in course.modules:
        quiz = module.quiz
        outline.append(ModuleOutline(
            module=module,
            lessons=[(lesson, lesson.id in done) for lesson in module.lessons],
            quiz=quiz,
            quiz_status=statuses.get(quiz.id, QuizStatus()) if quiz else QuizStatus(),
        ))
    return outline


def resume_target(outline: list[ModuleOutline]) -> tuple[str, object] | None:
    """The first unfinished step in reading order: ``("lesson", Lesson)`` or ``("quiz", Quiz)``.

    Optional lessons are skipped; ``None`` when every required step is done.
    """
    for item in outline:
        for lesson, done in item.lessons:
            if lesson.is_required and not done:
                return "lesson", lesson
        if item.quiz is not None and not item.quiz_status.passed:
            return "quiz", item.quiz
    return None
