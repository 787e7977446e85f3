"""Reading the catalogue: which courses a visitor sees, and a course's outline for a learner.

Services never read ``request`` and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, bindparam, func, select

from app.assessment.grading import grades_for_enrolments
from app.assessment.models import KIND_PRETEST
from app.catalog import outline as outlines
from app.catalog.models import Course, Module
from app.catalog.outline import CourseOutline, LessonEntry, ModuleEntry, QuizEntry
from app.extensions import db
from app.learning import services as learning
from app.learning.models import ENROLMENT_ACTIVE, Enrolment, LessonProgress


def can_view(course: Course, user, enrolment: Enrolment | None) -> bool:
    """Whether ``user`` may open ``course``.

    Published courses are public. Unpublished ones are shown to trainers and
    admins, and to learners already enrolled (so taking a course offline does not
    strand the people part-way through it); everyone else gets 404.
    """
    return course.is_published or learning.is_staff(user) or enrolment is not None


@dataclass(frozen=True)
class CourseView:
    """What a learner page of one course starts from (:func:`open_course`).

    ``enrolment`` is the viewer's *active* enrolment (``None`` for a pending or rejected request,
    staff previews and visitors); ``lesson_done`` tells whether the lesson asked for is marked
    complete in it.
    """

    course: Course
    enrolment: Enrolment | None
    outline: CourseOutline
    lesson_done: bool = False


# Built once and reused (SQLAlchemy memoises their cache keys): these run on every learner page.
_COURSE = select(Course, Course.content_revision).where(Course.slug == bindparam("slug"))
_COURSE_AND_ENROLMENT = _COURSE.add_columns(Enrolment).outerjoin(
    Enrolment, and_(Enrolment.course_id == Course.id, Enrolment.user_id == bindparam("user_id")))
_COURSE_ENROLMENT_AND_LESSON_DONE = _COURSE_AND_ENROLMENT.add_columns(LessonProgress.id).outerjoin(
    LessonProgress, and_(LessonProgress.enrolment_id == Enrolment.id, LessonProgress.lesson_id == bindparam("lesson_id")))


def open_course(slug: str, user, *, lesson_id: int | None = None) -> CourseView | None:
    """The course ``user`` may open, their active enrolment and the course outline; ``None`` to answer 404.

    One query reads the course row, the viewer's enrolment and (with ``lesson_id``) whether that
    lesson is complete; the outline comes from :mod:`app.catalog.outline` (cached per process and
    checked against the course's ``content_revision`` read in the same query). Visibility follows
    :func:`can_view`. ``user`` may be anonymous.
    """
    signed_in = getattr(user, "is_authenticated", False)
    if not signed_in:
        query, params = _COURSE, {"slug": slug}
    elif lesson_id is None:
        query, params = _COURSE_AND_ENROLMENT, {"slug": slug, "user_id": user.id}
    else:
        query, params = _COURSE_ENROLMENT_AND_LESSON_DONE, {"slug": slug, "user_id": user.id, "lesson_id": lesson_id}
    row = db.session.execute(query, params).first()
    if row is None:
        return None
    course, revision = row[0], row[1]
    found = row[2] if signed_in else None
    enrolment = found if found is not None and found.status == ENROLMENT_ACTIVE else None
    if not can_view(course, user, enrolment):
        return None
    done = bool(signed_in and lesson_id is not None and enrolment is not None and row[3] is not None)
    return CourseView(course, enrolment, outlines.course_outline(course, revision), done)


@dataclass(frozen=True)
class CatalogEntry:
    """One course card of the catalogue; ``enrolment``/``progress`` are set for enrolled viewers."""

    course: Course
    module_count: int
    enrolment: Enrolment | None = None
    progress: learning.Progress | None = None


# Built once (memoised cache keys). The module count rides along as a correlated subquery.
_PUBLISHED_WITH_MODULE_COUNTS = (
    select(Course, select(func.count(Module.id)).where(Module.course_id == Course.id).correlate(Course)
           .scalar_subquery())
    .where(Course.is_published.is_(True)).order_by(Course.title, Course.id))
_ENROLMENTS_IN_COURSES = select(Enrolment).where(Enrolment.user_id == bindparam("user_id"),
                                                 Enrolment.course_id.in_(bindparam("course_ids", expanding=True)))


def catalog_entries(user) -> list[CatalogEntry]:
    """Published courses by title, with module counts and the viewer's progress.

    A fixed number of queries: courses with their module counts, the viewer's enrolments,
    and the two of :func:`app.learning.services.progress_for_enrolments` (the course structure
    comes from the cached outlines; a course's first view reads its outline once).
    ``user`` may be anonymous.
    """
    rows = db.session.execute(_PUBLISHED_WITH_MODULE_COUNTS).all()
    if not rows:
        return []
    courses = [course for course, _count in rows]
    module_counts = {course.id: count for course, count in rows}
    ids = [course.id for course in courses]
    enrolments: dict[int, Enrolment] = {}
    if getattr(user, "is_authenticated", False):
        enrolments = {e.course_id: e for e in db.session.scalars(
            _ENROLMENTS_IN_COURSES, {"user_id": user.id, "course_ids": ids})}
    by_id = {course.id: course for course in courses}
    progress = learning.progress_for_enrolments(
        list(enrolments.values()), {cid: outlines.course_outline(by_id[cid]) for cid in enrolments})
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
    """A module as the course page lists it: ``lessons`` is ``[(lesson, done)]``, entries of the outline."""

    module: ModuleEntry
    lessons: list[tuple[LessonEntry, bool]] = field(default_factory=list)
    quiz: QuizEntry | None = None
    quiz_status: QuizStatus = QuizStatus()

    @property
    def steps(self) -> tuple[int, int]:
        """``(done, total)`` required steps of the module: required lessons read, plus its quiz passed.

        A pre-test is not a step (it does not decide the pass), as in the course progress.
        """
        required = [done for lesson, done in self.lessons if lesson.is_required]
        done, total = sum(required), len(required)
        if self.quiz is not None and self.quiz.kind != KIND_PRETEST:
            total += 1
            done += int(self.quiz_status.passed)
        return done, total

    @property
    def percent(self) -> int:
        """Whole percent of :attr:`steps` done, rounded down (100 only when all are done; 0 if none)."""
        done, total = self.steps
        return done * 100 // total if total else 0


def quiz_statuses(enrolment: Enrolment | None, outline: CourseOutline) -> dict[int, QuizStatus]:
    """``{quiz_id: QuizStatus}`` of every quiz the enrolment submitted an attempt at (one query).

    The grade and pass follow each quiz's grading method (highest, last or
    average; app.assessment.grading), with the quiz settings of the course's
    ``outline``; attempts still in progress do not count.
    """
    if enrolment is None:
        return {}
    grades = grades_for_enrolments([enrolment.id], outline.quiz_facts())
    return {quiz_id: QuizStatus(grade.attempts, grade.percent, grade.passed)
            for (_, quiz_id), grade in grades.items()}


def course_outline(outline: CourseOutline, enrolment: Enrolment | None) -> list[ModuleOutline]:
    """Modules in order with lesson completion and quiz status for ``enrolment`` (may be ``None``).

    ``outline`` is the course's :class:`~app.catalog.outline.CourseOutline` (from :func:`open_course`).
    Two queries with an enrolment (lessons read, quiz attempts), none without.
    """
    done = learning.completed_lesson_ids(enrolment) if enrolment else set()
    statuses = quiz_statuses(enrolment, outline)
    items = []
    for module in outline.modules:
        quiz = module.quiz
        items.append(ModuleOutline(
            module=module,
            lessons=[(lesson, lesson.id in done) for lesson in module.lessons],
            quiz=quiz,
            quiz_status=statuses.get(quiz.id, QuizStatus()) if quiz else QuizStatus(),
        ))
    return items


def outline_progress(outline: list[ModuleOutline]) -> learning.Progress:
    """The enrolment's course progress counted from its ``outline`` (no query).

    The same figures as :func:`app.learning.services.course_progress` for the
    enrolment the outline was made for: required lessons read, and quizzes other
    than pre-tests passed by their grading method; the course page would
    otherwise run the progress and quiz-grading queries a second time (issue #8).
    """
    lessons = [done for item in outline for lesson, done in item.lessons if lesson.is_required]
    quizzes = [item.quiz_status.passed for item in outline
               if item.quiz is not None and item.quiz.kind != KIND_PRETEST]
    return learning.Progress(lessons_done=sum(lessons), lessons_total=len(lessons),
                             quizzes_passed=sum(quizzes), quizzes_total=len(quizzes))


def resume_target(outline: list[ModuleOutline]) -> tuple[str, object] | None:
    """The first unfinished step in reading order: ``("lesson", LessonEntry)`` or ``("quiz", QuizEntry)``.

    Optional lessons are skipped; ``None`` when every required step is done.
    """
    for item in outline:
        for lesson, done in item.lessons:
            if lesson.is_required and not done:
                return "lesson", lesson
        if item.quiz is not None and not item.quiz_status.passed:
            return "quiz", item.quiz
    return None
