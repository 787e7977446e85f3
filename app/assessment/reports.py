"""The trainer's view of a course: learners, progress, quiz grades, pre/post-test gain, question statistics.

Percentages are exact fractions until shown; shown values are truncated to
2 places (never rounded up). A learner's *gain* is post-test grade minus
pre-test grade (percentage points, each by its quiz's grading method); the
class average gain is the mean over learners who have both. CSV cells go
through :func:`app.reports.csv_export.safe_cell` (formula neutralisation) and
NIPs through ``nip_cell``.

Language (issue #7): the CSV files are data for spreadsheets and the BKD's
own tools, so their headers, ``ya``/``tidak`` and decimal commas stay
Indonesian whatever the reader's language (as ``format_decimal_id`` does);
the report page itself is translated.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.assessment.grading import QuizGrade, grades_for_enrolments, quiz_facts, truncate_percent
from app.assessment.models import KIND_POSTTEST, KIND_PRETEST, STATE_SUBMITTED, AttemptAnswer, Quiz, QuizAttempt
from app.auth.models import User
from app.catalog.models import Course, Module
from app.common.formatting import format_decimal_id
from app.extensions import db
from app.learning.models import Enrolment
from app.learning.services import Progress, progress_for_enrolments
from app.reports.csv_export import BOM, nip_cell, safe_cell


def signed_truncate(value: Fraction) -> Decimal:
    """``value`` truncated toward zero to 2 places, for gains that may be negative."""
    magnitude = truncate_percent(abs(value))
    return -magnitude if value < 0 else magnitude


@dataclass(frozen=True)
class LearnerRow:
    """One enrolled learner: progress, ``grades`` ``{quiz_id: QuizGrade}`` and the pre/post gain."""

    enrolment: Enrolment
    progress: Progress
    grades: dict[int, QuizGrade]
    gain_exact: Fraction | None

    @property
    def gain(self) -> Decimal | None:
        return None if self.gain_exact is None else signed_truncate(self.gain_exact)


@dataclass(frozen=True)
class QuestionStat:
    """Share of submitted answers to one question that were fully correct (all its versions)."""

    quiz: Quiz
    question_id: int
    key: str
    text: str
    answered: int
    correct: int

    @property
    def share(self) -> Decimal | None:
        return truncate_percent(Fraction(self.correct * 100, self.answered)) if self.answered else None


#: Learners per page of the trainer's assessment page (the CSV has them all).
REPORT_LEARNERS_PER_PAGE = 50


def _gain(grades: dict[int, QuizGrade], pretest: Quiz | None, posttest: Quiz | None) -> Fraction | None:
    if pretest and posttest and pretest.id in grades and posttest.id in grades:
        return grades[posttest.id].percent_exact - grades[pretest.id].percent_exact
    return None


@dataclass
class CourseReport:
    """Everything the trainer's assessment page and its CSV exports show.

    ``rows`` are the learners shown (one page, or all for the CSV); the class
    figures (averages, gain) always cover every learner, through
    ``class_grades`` (one ``{quiz_id: QuizGrade}`` per enrolled learner).
    ``pagination`` is set for a paged report (``pages``, ``has_next``, … as
    Flask-SQLAlchemy's), ``learner_count`` counts every enrolled learner.
    """

    course: Course
    quizzes: list[Quiz]
    rows: list[LearnerRow]
    pretest: Quiz | None
    posttest: Quiz | None
    questions: list[QuestionStat] = field(default_factory=list)
    class_grades: list[dict[int, QuizGrade]] = field(default_factory=list)
    learner_count: int = 0
    pagination: object | None = None

    def _mean(self, values: list[Fraction]) -> Decimal | None:
        return signed_truncate(sum(values, Fraction(0)) / len(values)) if values else None

    def _gains(self) -> list[Fraction]:
        gains = (_gain(grades, self.pretest, self.posttest) for grades in self.class_grades)
        return [gain for gain in gains if gain is not None]

    @property
    def average_gain(self) -> Decimal | None:
        return self._mean(self._gains())

    @property
    def gain_count(self) -> int:
        return len(self._gains())

    def average_grade(self, quiz: Quiz) -> Decimal | None:
        return self._mean([grades[quiz.id].percent_exact for grades in self.class_grades
                           if quiz.id in grades and grades[quiz.id].percent_exact is not None])


def course_report(course: Course, page: int | None = None,
                  per_page: int = REPORT_LEARNERS_PER_PAGE) -> CourseReport:
    """The assessment report of ``course`` for its trainers (a fixed number of queries).

    ``page`` (1-based) limits ``rows`` to that page of learners by name, for the
    page in the browser (2,000 learners made a 1.3 MB page, issue #8); ``None``
    gives every learner (CSV). Class averages cover every learner either way.
    """
    quizzes = list(db.session.scalars(
        select(Quiz).join(Module, Module.id == Quiz.module_id).where(Module.course_id == course.id)
        .options(selectinload(Quiz.questions))  # question_stats reads every bank: one query, not one per quiz
        .order_by(Module.position, Module.id)))
    learners = (select(Enrolment).join(Enrolment.user).options(contains_eager(Enrolment.user))
                .where(Enrolment.course_id == course.id).order_by(func.lower(User.full_name), Enrolment.id))
    pagination = None
    if page is None:
        enrolments = list(db.session.scalars(learners))
        everyone = [e.id for e in enrolments]
    else:
        pagination = db.paginate(learners, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
        enrolments = list(pagination.items)
        everyone = list(db.session.scalars(select(Enrolment.id).where(Enrolment.course_id == course.id)))
    progress = progress_for_enrolments(enrolments)
    grades = grades_for_enrolments(everyone, quiz_facts([course.id]))
    pretest = next((q for q in quizzes if q.kind == KIND_PRETEST), None)
    posttest = next((q for q in quizzes if q.kind == KIND_POSTTEST), None)
    by_enrolment: dict[int, dict[int, QuizGrade]] = {eid: {} for eid in everyone}
    for (eid, quiz_id), grade in grades.items():  # grouped once: linear, not learners x grades
        by_enrolment[eid][quiz_id] = grade
    rows = [LearnerRow(e, progress[e.id], by_enrolment[e.id], _gain(by_enrolment[e.id], pretest, posttest))
            for e in enrolments]
    return CourseReport(course, quizzes, rows, pretest, posttest, question_stats(quizzes),
                        class_grades=list(by_enrolment.values()), learner_count=len(everyone),
                        pagination=pagination)


def question_stats(quizzes: list[Quiz]) -> list[QuestionStat]:
    """Answered and fully-correct counts per question of the given quizzes' banks (one query per call).

    A question left blank is not counted as answered (its answer row stores the response
    ``null``; rows from before responses were stored count when a choice was selected).
    """
    if not quizzes:
        return []
    was_answered = or_(and_(AttemptAnswer.response.is_not(None), AttemptAnswer.response != "null"),
                       and_(AttemptAnswer.response.is_(None), AttemptAnswer.selected != ""))
    counts = {qid: (answered, correct) for qid, answered, correct in db.session.execute(
        select(AttemptAnswer.question_id, func.sum(case((was_answered, 1), else_=0)),
               func.sum(case((AttemptAnswer.is_correct.is_(True), 1), else_=0)))
        .join(QuizAttempt, QuizAttempt.id == AttemptAnswer.attempt_id)
        .where(QuizAttempt.quiz_id.in_([q.id for q in quizzes]), QuizAttempt.state == STATE_SUBMITTED)
        .group_by(AttemptAnswer.question_id)).all()}
    stats = []
    for quiz in quizzes:
        for question in quiz.questions:
            answered, correct = counts.get(question.id, (0, 0))
            stats.append(QuestionStat(quiz, question.id, question.key, question.text, int(answered or 0),
                                      int(correct or 0)))
    return stats


def _percent(value: Decimal | None) -> str:
    return "" if value is None else format_decimal_id(value, 2)


def _rows_csv(header: list[str], rows: list[list[str]], delimiter: str) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow(row)
    yield BOM + buffer.getvalue()


def learners_csv(report: CourseReport, delimiter: str = ",") -> Iterator[str]:
    """One row per learner: identity, progress %, per quiz attempts/grade/pass, pre/post gain (UTF-8 BOM, CRLF)."""
    header = ["NIP", "Nama", "OPD", "Kemajuan (%)", "Selesai"]
    for quiz in report.quizzes:
        header += [f"{quiz.title}: percobaan", f"{quiz.title}: nilai (%)", f"{quiz.title}: lulus"]
    if report.pretest and report.posttest:
        header.append("Peningkatan pre-test ke post-test (poin %)")
    lines = []
    for row in report.rows:
        user = row.enrolment.user
        cells = [nip_cell(user.nip), safe_cell(user.display_name), safe_cell(user.opd.name if user.opd else ""),
                 str(row.progress.percent), "ya" if row.enrolment.completed_at else "tidak"]
        for quiz in report.quizzes:
            grade = row.grades.get(quiz.id, QuizGrade())
            cells += [str(grade.attempts), _percent(grade.percent),
                      ("ya" if grade.passed else "tidak") if grade.attempts else ""]
        if report.pretest and report.posttest:
            cells.append(_percent(row.gain))  # generated digits only, a leading '-' is a sign
        lines.append(cells)
    return _rows_csv(header, lines, delimiter)


def questions_csv(report: CourseReport, delimiter: str = ",") -> Iterator[str]:
    """One row per question: quiz, key, text, answers, fully correct, share correct (%)."""
    header = ["Kuis", "Kunci soal", "Pertanyaan", "Dijawab", "Benar", "Persentase benar (%)"]
    lines = [[safe_cell(s.quiz.title), safe_cell(s.key), safe_cell(s.text), str(s.answered), str(s.correct),
              _percent(s.share)] for s in report.questions]
    return _rows_csv(header, lines, delimiter)
