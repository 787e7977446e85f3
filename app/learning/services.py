"""Enrolment, lesson progress and course completion.

Completion rule (issue "Lentera end to end"): every required lesson of the
course complete, and every quiz of the course passed at or above its pass mark
(inclusive), by the quiz's grading method (issue 3); pre-tests do not count. Progress counts only lessons and quizzes the course has *now*,
so it never exceeds 100 % after a course is edited.
Services never read ``request`` and never commit; the caller commits once.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.assessment.grading import grades_for_enrolments, quiz_facts
from app.auth.models import ROLE_ADMIN, ROLE_TRAINER, User
from app.catalog.models import Course, Lesson, Module
from app.catalog.outline import CourseOutline, LessonEntry
from app.certificates.models import STATUS_REVOKED, STATUS_VALID, Certificate
from app.common.db import utcnow
from app.extensions import db
from app.learning.models import ENROLMENT_ACTIVE, ENROLMENT_PENDING, Enrolment, LessonProgress


class EnrolmentError(ValueError):
    """A learner cannot enrol (course unpublished); message is Indonesian."""


class EnrolmentClosed(EnrolmentError):
    """The course takes no self-enrolment (``enrolment_mode == "closed"``); routes answer 403."""


MODE_OPEN = "open"
MODE_APPROVAL = "approval"
MODE_CLOSED = "closed"
#: Course.enrolment_mode values with their Indonesian labels.
# Lazy: shown in the language of the page (labels of forms, templates, flash messages).
ENROLMENT_MODES = {MODE_OPEN: _l("Terbuka"), MODE_APPROVAL: _l("Dengan persetujuan admin"), MODE_CLOSED: _l("Tertutup")}
MSG_CLOSED = _l("Pendaftaran mandiri untuk kursus ini ditutup; peserta didaftarkan oleh admin BPSDM atau admin OPD.")


@dataclass(frozen=True)
class Progress:
    """Where a learner stands in a course.

    ``percent`` is an int 0–100, floored, so 99.9 % shows as 99 and only a
    finished course shows 100.
    """

    lessons_done: int
    lessons_total: int
    quizzes_passed: int
    quizzes_total: int

    @property
    def steps_done(self) -> int:
        return self.lessons_done + self.quizzes_passed

    @property
    def steps_total(self) -> int:
        return self.lessons_total + self.quizzes_total

    @property
    def percent(self) -> int:
        if self.steps_total == 0:
            return 0
        return min(100, self.steps_done * 100 // self.steps_total)

    @property
    def complete(self) -> bool:
        return self.steps_total > 0 and self.steps_done >= self.steps_total


def get_enrolment(user: User, course: Course) -> Enrolment | None:
    """The user's *active* enrolment in ``course``, the one that opens lessons and quizzes.

    A pending or rejected request (courses with ``enrolment_mode == "approval"``)
    is not an enrolment for learning; see :func:`find_enrolment` for those.
    """
    found = find_enrolment(user, course)
    return found if found is not None and found.status == ENROLMENT_ACTIVE else None


def find_enrolment(user: User, course: Course) -> Enrolment | None:
    """The user's enrolment row in ``course`` whatever its status (active, pending, rejected)."""
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))


def enrol(user: User, course: Course) -> Enrolment:
    """Self-enrol ``user`` in ``course`` following ``course.enrolment_mode``.

    ``open``: the enrolment is active at once. ``approval``: it is created
    ``pending`` until an admin approves it (:mod:`app.learning.cohorts`).
    ``closed``: raises :class:`EnrolmentClosed` (admins enrol people into
    cohorts instead). Enrolling twice returns the existing row, whatever its
    status; a concurrent double enrolment is caught by the unique constraint
    (user_id, course_id). Raises :class:`EnrolmentError` for an unpublished course.
    """
    existing = find_enrolment(user, course)
    if existing:
        return existing
    if not course.is_published:
        raise EnrolmentError(_("Kursus ini belum dibuka untuk pendaftaran."))
    if course.enrolment_mode == MODE_CLOSED:
        raise EnrolmentClosed(str(MSG_CLOSED))
    status = ENROLMENT_PENDING if course.enrolment_mode == MODE_APPROVAL else ENROLMENT_ACTIVE
    try:
        with db.session.begin_nested():
            enrolment = Enrolment(user_id=user.id, course_id=course.id, status=status)
            db.session.add(enrolment)
    except IntegrityError:
        enrolment = find_enrolment(user, course)
    return enrolment


def _required_lessons(course_ids):
    return (
        select(Lesson.id, Module.course_id)
        .join(Module, Lesson.module_id == Module.id)
        .where(Module.course_id.in_(course_ids), Lesson.is_required.is_(True))
    )


# Built once (SQLAlchemy memoises a statement's cache key): the dashboard, catalogue and course pages run it.
_REQUIRED_LESSONS_DONE = (
    select(LessonProgress.enrolment_id, func.count())
    .where(LessonProgress.enrolment_id.in_(bindparam("enrolment_ids", expanding=True)),
           LessonProgress.lesson_id.in_(bindparam("lesson_ids", expanding=True)))
    .group_by(LessonProgress.enrolment_id))


def progress_for_enrolments(enrolments: list[Enrolment], outlines: Mapping[int, CourseOutline] | None = None
                            ) -> dict[int, Progress]:
    """Progress of many enrolments in a fixed number of queries (four, or two given the outlines).

    Returns ``{enrolment.id: Progress}``. A quiz counts as passed when its
    grade by the quiz's grading method (highest, last or average; see
    :mod:`app.assessment.grading`) is a pass; pre-test quizzes are not steps.
    ``outlines`` (``{course_id: CourseOutline}``, :mod:`app.catalog.outline`) covering every
    enrolment's course supplies the course structure (required lessons, quiz settings)
    instead of reading it again.
    """
    if not enrolments:
        return {}
    course_ids = {e.course_id for e in enrolments}
    enrolment_ids = [e.id for e in enrolments]
    if outlines is not None and course_ids <= outlines.keys():
        # Lessons read are counted against the same structure as the totals (the outline's).
        required_ids = set().union(*(outlines[cid].required_lesson_ids for cid in course_ids))
        lessons_total = {cid: len(outlines[cid].required_lesson_ids) for cid in course_ids}
        facts = {qid: f for cid in course_ids for qid, f in outlines[cid].quiz_facts().items()}
        done_query = _REQUIRED_LESSONS_DONE if required_ids else None
        params = {"enrolment_ids": enrolment_ids, "lesson_ids": sorted(required_ids)}
    else:
        required = _required_lessons(course_ids).subquery()
        lessons_total = dict(db.session.execute(
            select(required.c.course_id, func.count()).group_by(required.c.course_id)).all())
        facts = quiz_facts(course_ids)
        done_query = (select(LessonProgress.enrolment_id, func.count())
                      .join(required, required.c.id == LessonProgress.lesson_id)
                      .where(LessonProgress.enrolment_id.in_(enrolment_ids)).group_by(LessonProgress.enrolment_id))
        params = {}
    counted = {qid: f for qid, f in facts.items() if f.counts_for_completion}
    quizzes_total: dict[int, int] = {}
    for f in counted.values():
        quizzes_total[f.course_id] = quizzes_total.get(f.course_id, 0) + 1
    lessons_done = dict(db.session.execute(done_query, params).all()) if done_query is not None else {}
    quizzes_passed: dict[int, int] = {}
    for (enrolment_id, _quiz_id), grade in grades_for_enrolments(enrolment_ids, counted).items():
        if grade.passed:
            quizzes_passed[enrolment_id] = quizzes_passed.get(enrolment_id, 0) + 1
    return {
        e.id: Progress(
            lessons_done=lessons_done.get(e.id, 0),
            lessons_total=lessons_total.get(e.course_id, 0),
            quizzes_passed=quizzes_passed.get(e.id, 0),
            quizzes_total=quizzes_total.get(e.course_id, 0),
        )
        for e in enrolments
    }


def course_progress(enrolment: Enrolment, outline: CourseOutline | None = None) -> Progress:
    """Progress of one enrolment; see :func:`progress_for_enrolments` (``outline``: its course's)."""
    return progress_for_enrolments([enrolment], {outline.course_id: outline} if outline is not None else None
                                   )[enrolment.id]


_COMPLETED_LESSON_IDS = select(LessonProgress.lesson_id).where(LessonProgress.enrolment_id == bindparam("enrolment_id"))


def completed_lesson_ids(enrolment: Enrolment) -> set[int]:
    """Ids of the lessons marked complete in ``enrolment``."""
    return set(db.session.scalars(_COMPLETED_LESSON_IDS, {"enrolment_id": enrolment.id}))


def passed_quiz_ids(enrolment: Enrolment) -> set[int]:
    """Ids of the quizzes of the enrolment's course whose grade (by the quiz's grading method) is a pass."""
    facts = quiz_facts([enrolment.course_id])
    return {quiz_id for (_e, quiz_id), grade in grades_for_enrolments([enrolment.id], facts).items()
            if grade.passed}


def mark_lesson_complete(enrolment: Enrolment, lesson: Lesson | LessonEntry,
                         outline: CourseOutline | None = None) -> bool:
    """Record ``lesson`` (a row or an outline entry) as complete; returns True if it was newly recorded.

    Idempotent under concurrency: the unique (enrolment_id, lesson_id)
    constraint turns a duplicate into a no-op. Then re-evaluates completion
    (with the course's ``outline``, when given, for its structure).
    Raises ``ValueError`` if the lesson is not in the enrolment's course or
    the enrolment is not active (pending or rejected requests cannot learn).
    """
    if lesson.module.course_id != enrolment.course_id:
        raise ValueError("lesson does not belong to the enrolment's course")
    if enrolment.status != ENROLMENT_ACTIVE:
        raise ValueError("enrolment is not active")
    exists = db.session.scalar(select(LessonProgress.id).where(
        LessonProgress.enrolment_id == enrolment.id, LessonProgress.lesson_id == lesson.id))
    created = False
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=lesson.id))
            created = True
        except IntegrityError:
            created = False
    evaluate_completion(enrolment, wrote=created, outline=outline)
    return created


def evaluate_completion(enrolment: Enrolment, *, wrote: bool = True, outline: CourseOutline | None = None):
    """Mark the enrolment complete when the rule is met and issue its certificate.

    Returns the :class:`~app.certificates.models.Certificate` when the course
    is complete (issued now or earlier), else ``None`` (course incomplete, or
    the certificate could not be made yet: see ``CertificateIssueError``). Completion is kept once
    reached: a later course edit never takes it back. A pending or rejected
    enrolment never completes.

    ``wrote=False`` says the caller recorded no progress in this transaction (a lesson
    marked again): then the row lock is taken only if the course turns out complete.
    ``outline``: the course's :class:`~app.catalog.outline.CourseOutline`, checked against the
    course revision in this request, saves reading the course structure again.
    """
    if enrolment.status != ENROLMENT_ACTIVE:
        return None
    if not wrote and enrolment.completed_at is None and not course_progress(enrolment, outline).complete:
        # Nothing written here, so no concurrent last step can be missed by this request: the
        # request that wrote it evaluates under the lock. Marking a read lesson again, the most
        # common click, no longer queues on the enrolment row (issue #8).
        return None
    # Lock the enrolment row (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers)
    # after this request's own progress write: a concurrent request that recorded the last
    # other step then waits here and, once it commits, is seen by the progress count below.
    # Without the lock two last steps committed at once could each miss the other.
    # FOR NO KEY UPDATE (key_share): the progress rows just inserted already hold KEY SHARE
    # locks on this row through their foreign keys; a plain FOR UPDATE would deadlock with them.
    db.session.flush()
    if enrolment.completed_at is None:
        # Completion is never taken back, so an enrolment already complete needs no lock: nothing
        # it guards can change (a second certificate is stopped by the certificates' unique index,
        # see issue_certificate). Marking a read lesson again no longer queues on this row (issue #8).
        # The locking read fetches just the column it guards: refresh() would re-run the eager
        # loads the enrolment came with (an outer join PostgreSQL refuses to lock).
        locked = db.session.execute(select(Enrolment.completed_at).where(Enrolment.id == enrolment.id)
                                    .with_for_update(key_share=True)).one()
        set_committed_value(enrolment, "completed_at", locked.completed_at)
    if enrolment.completed_at is None:
        if not course_progress(enrolment, outline).complete:
            return None
        enrolment.completed_at = utcnow()
        db.session.flush()
    # Imported here, once completion is reached: the certificates area imports this module.
    from app.certificates.services import CertificateIssueError, issue_certificate

    try:
        return issue_certificate(enrolment)
    except CertificateIssueError:
        # Completion stands; the cause is logged, and the next evaluation or
        # `flask certificates reconcile` issues the certificate once it can.
        return None


def year_bounds_utc(year: int, tz_name: str) -> tuple[datetime, datetime]:
    """The UTC instants where calendar ``year`` starts and ends in zone ``tz_name``."""
    tz = ZoneInfo(tz_name)
    start = datetime(year, 1, 1, tzinfo=tz)
    end = datetime(year + 1, 1, 1, tzinfo=tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


@cache
def _jp_earned_statement():
    # Built once, on first use (the ledger imports this module); "Kursus saya" runs it every time.
    from app.certificates.models import Certificate
    from app.reports.ledger import jp_value, not_revoked
    from app.reports.services import current_certificate

    return (select(func.sum(jp_value()))
            .select_from(Enrolment).join(Course, Course.id == Enrolment.course_id)
            .outerjoin(Certificate, current_certificate())
            .where(and_(Enrolment.user_id == bindparam("user_id"), Enrolment.completed_at >= bindparam("start"),
                        Enrolment.completed_at < bindparam("end")),
                   not_revoked()))


def jp_earned(user: User, year: int, tz_name: str) -> Decimal:
    """JP of the courses ``user`` completed in calendar ``year`` (local time), exact.

    Counted exactly as the JP ledger counts them (app.reports.ledger): the JP
    printed on the current certificate, else the course's; a completion whose
    certificate was revoked credits nothing. The yearly entitlement of at
    least 20 JP per PNS comes from PP 11/2017 as amended by PP 17/2020
    (shared/domain-facts.md §4).
    """
    start, end = year_bounds_utc(year, tz_name)
    total = db.session.scalar(_jp_earned_statement(), {"user_id": user.id, "start": start, "end": end})
    return total if total is not None else Decimal(0)  # SUM keeps the column's exact type


# --- Helpers of the learner's pages (lesson navigation, dashboard) ---------------------------------

def is_staff(user) -> bool:
    """Trainers and admins may preview any course without enrolling."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in (ROLE_TRAINER, ROLE_ADMIN)


@dataclass(frozen=True)
class NextStep:
    """Where a learner goes next: ``kind`` is ``"lesson"``, ``"quiz"`` or ``"course"``.

    ``target`` is the :class:`Lesson` or :class:`Quiz`, or ``None`` for the course page.
    """

    kind: str
    target: object | None = None


def step_after_lesson(enrolment: Enrolment, outline: CourseOutline, lesson: LessonEntry) -> NextStep:
    """The step after finishing ``lesson`` (an entry of the course's ``outline``).

    1. the next lesson of the same module that is not yet complete;
    2. else the module's quiz, when every required lesson of the module is
       complete and the quiz is not passed yet;
    3. else the first later lesson in reading order (possibly in a later
       module) that is not yet complete;
    4. else the course page, which points to whatever is still open.
    """
    done = completed_lesson_ids(enrolment)
    module = lesson.module
    siblings = list(module.lessons)
    for item in siblings[siblings.index(lesson) + 1:]:
        if item.id not in done:
            return NextStep("lesson", item)
    quiz = module.quiz
    if quiz is not None and all(item.id in done for item in module.lessons if item.is_required):
        # Grade only this quiz, from its loaded settings (passed_quiz_ids would first query the
        # settings of every quiz of the course again).
        facts = {quiz.id: quiz.facts()}
        grade = grades_for_enrolments([enrolment.id], facts).get((enrolment.id, quiz.id))
        if grade is None or not grade.passed:
            return NextStep("quiz", quiz)
    lessons = list(outline.lessons)
    for item in lessons[lessons.index(lesson) + 1:]:
        if item.id not in done:
            return NextStep("lesson", item)
    return NextStep("course")


_USER_ENROLMENTS = (select(Enrolment).where(Enrolment.user_id == bindparam("user_id"))
                    .options(joinedload(Enrolment.course), joinedload(Enrolment.cohort))
                    .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc()))


def user_enrolments(user: User) -> list[Enrolment]:
    """The user's enrolments (any status) with course and cohort loaded, newest first (one query)."""
    return list(db.session.scalars(_USER_ENROLMENTS, {"user_id": user.id}))


def certificates_for_enrolments(enrolments: list[Enrolment]) -> dict[int, Certificate]:
    """Valid certificates of the given enrolments in one query: ``{enrolment.id: Certificate}``."""
    if not enrolments:
        return {}
    rows = db.session.scalars(select(Certificate).where(
        Certificate.enrolment_id.in_([e.id for e in enrolments]), Certificate.status == STATUS_VALID))
    return {cert.enrolment_id: cert for cert in rows}


def revoked_certificates_for_enrolments(enrolments: list[Enrolment]) -> dict[int, Certificate]:
    """Current certificates that were revoked, in one query: ``{enrolment.id: Certificate}``.

    A learner whose certificate was revoked sees that, with the reason, instead
    of an empty cell. Superseded certificates are history, not shown.
    """
    if not enrolments:
        return {}
    rows = db.session.scalars(select(Certificate).where(
        Certificate.enrolment_id.in_([e.id for e in enrolments]), Certificate.status == STATUS_REVOKED))
    return {cert.enrolment_id: cert for cert in rows}


_SHOWN_CERTIFICATES = select(Certificate).where(
    Certificate.enrolment_id.in_(bindparam("enrolment_ids", expanding=True)),
    Certificate.status.in_((STATUS_VALID, STATUS_REVOKED)))


def current_certificates_for_enrolments(
        enrolments: list[Enrolment]) -> tuple[dict[int, Certificate], dict[int, Certificate]]:
    """``(valid, revoked)`` of :func:`certificates_for_enrolments` and
    :func:`revoked_certificates_for_enrolments` together, in one query ("Kursus saya")."""
    valid: dict[int, Certificate] = {}
    revoked: dict[int, Certificate] = {}
    if not enrolments:
        return valid, revoked
    rows = db.session.scalars(_SHOWN_CERTIFICATES, {"enrolment_ids": [e.id for e in enrolments]})
    for cert in rows:
        (valid if cert.status == STATUS_VALID else revoked)[cert.enrolment_id] = cert
    return valid, revoked


def certificate_for(enrolment: Enrolment | None) -> Certificate | None:
    """The valid certificate of ``enrolment``, if one was issued."""
    if enrolment is None:
        return None
    return certificates_for_enrolments([enrolment]).get(enrolment.id)


def local_year(tz_name: str, now: datetime | None = None) -> int:
    """The calendar year it is now (or at ``now``) in zone ``tz_name``."""
    return (now or utcnow()).astimezone(ZoneInfo(tz_name)).year


@dataclass(frozen=True)
class JpSummary:
    """JP a user earned in one calendar year, against the PNS target when it applies.

    ``target`` is ``None`` for users who are not PNS (PPPK, public learners);
    ``met`` compares exactly (19.99 JP does not meet a 20 JP target).
    """

    year: int
    earned: Decimal
    target: Decimal | None

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.earned >= self.target

    @property
    def shortfall(self) -> Decimal | None:
        if self.target is None:
            return None
        return max(Decimal(0), self.target - self.earned)


def jp_summary(user: User, year: int, tz_name: str, targets) -> JpSummary:
    """JP earned by ``user`` in ``year`` (see :func:`jp_earned`) with the target of their employment type.

    ``targets`` is an :class:`app.reports.ledger.JpTargets` (PNS: at least
    20 JP a year under PP 11/2017 as amended by PP 17/2020, shared/domain-facts.md
    §4; PPPK: a setting). Public learners have no target.
    """
    return JpSummary(year=year, earned=jp_earned(user, year, tz_name), target=targets.for_type(user.employment_type))
