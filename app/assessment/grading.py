"""A quiz's grade from its submitted attempts (grading method), exact.

Grading methods (issue 3 §2, ``Quiz.grading``):

* ``highest``: the best attempt's percent; passed when any attempt passed;
* ``last``: the latest submitted attempt's percent and pass;
* ``average``: the mean of the attempts' exact percents; passed when that
  mean is at or above the quiz's effective pass mark (inclusive, exact).

An attempt's exact percent is ``score × 100 / max_score`` as a Fraction; the
shown percent is truncated to 2 places, never rounded up across the pass mark.
This module imports only models, so ``app.learning.services`` can use it.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import bindparam, select

from app.assessment.models import (GRADING_AVERAGE, GRADING_HIGHEST, GRADING_LAST, KIND_PRETEST, STATE_SUBMITTED,
                                   Quiz, QuizAttempt)
from app.catalog.models import Course, Module
from app.extensions import db


def truncate_percent(value: Fraction) -> Decimal:
    """``value`` (>= 0) truncated toward zero to 2 decimal places, as an exact Decimal."""
    return Decimal(math.floor(value * 100)).scaleb(-2) + Decimal(0)


@dataclass(frozen=True)
class AttemptResult:
    """What grading needs of one submitted attempt: exact score, max score, pass at submission."""

    number: int
    score: Decimal
    max_score: Decimal
    passed: bool

    @property
    def percent_exact(self) -> Fraction:
        if self.max_score <= 0:
            return Fraction(0)
        return Fraction(self.score) * 100 / Fraction(self.max_score)


@dataclass(frozen=True)
class QuizGrade:
    """A learner's grade on one quiz: ``percent`` truncated for display, ``None`` before any attempt."""

    attempts: int = 0
    percent_exact: Fraction | None = None
    passed: bool = False

    @property
    def percent(self) -> Decimal | None:
        return None if self.percent_exact is None else truncate_percent(self.percent_exact)


def quiz_grade(grading: str, attempts: Sequence[AttemptResult], pass_mark: Decimal) -> QuizGrade:
    """Combine submitted ``attempts`` (any order) by ``grading``; see the module docstring.

    :raises ValueError: for an unknown grading method.
    """
    if not attempts:
        return QuizGrade()
    ordered = sorted(attempts, key=lambda a: a.number)
    if grading == GRADING_HIGHEST:
        return QuizGrade(len(ordered), max(a.percent_exact for a in ordered), any(a.passed for a in ordered))
    if grading == GRADING_LAST:
        return QuizGrade(len(ordered), ordered[-1].percent_exact, ordered[-1].passed)
    if grading == GRADING_AVERAGE:
        mean = sum((a.percent_exact for a in ordered), Fraction(0)) / len(ordered)
        return QuizGrade(len(ordered), mean, mean >= Fraction(pass_mark))
    raise ValueError(f"unknown grading method {grading!r}")


@dataclass(frozen=True)
class QuizFacts:
    """The settings of a quiz that grading and progress need."""

    id: int
    course_id: int
    grading: str
    kind: str
    pass_mark: Decimal

    @property
    def counts_for_completion(self) -> bool:
        """Pre-tests measure the starting point; they never gate completion."""
        return self.kind != KIND_PRETEST


def quiz_facts(course_ids: Iterable[int]) -> dict[int, QuizFacts]:
    """``{quiz_id: QuizFacts}`` of every quiz of the given courses (one query)."""
    ids = list(set(course_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Quiz.id, Module.course_id, Quiz.grading, Quiz.kind, Quiz.pass_mark, Course.pass_mark)
        .join(Module, Module.id == Quiz.module_id).join(Course, Course.id == Module.course_id)
        .where(Module.course_id.in_(ids))
    ).all()
    return {qid: QuizFacts(qid, cid, grading, kind, own if own is not None else course_mark)
            for qid, cid, grading, kind, own, course_mark in rows}


# Built once (its cache key is memoised): every learner page that shows progress runs it (issue #8).
_SUBMITTED_RESULTS = (
    select(QuizAttempt.enrolment_id, QuizAttempt.quiz_id, QuizAttempt.number, QuizAttempt.score,
           QuizAttempt.max_score, QuizAttempt.passed)
    .where(QuizAttempt.enrolment_id.in_(bindparam("enrolment_ids", expanding=True)),
           QuizAttempt.quiz_id.in_(bindparam("quiz_ids", expanding=True)),
           QuizAttempt.state == STATE_SUBMITTED))


def grades_for_enrolments(enrolment_ids: Iterable[int], facts: dict[int, QuizFacts]) -> dict[tuple[int, int], QuizGrade]:
    """``{(enrolment_id, quiz_id): QuizGrade}`` for every quiz in ``facts`` with a submitted attempt (one query)."""
    ids = list(set(enrolment_ids))
    if not ids or not facts:
        return {}
    rows = db.session.execute(_SUBMITTED_RESULTS, {"enrolment_ids": ids, "quiz_ids": list(facts)}).all()
    grouped: dict[tuple[int, int], list[AttemptResult]] = {}
    for enrolment_id, quiz_id, number, score, max_score, passed in rows:
        grouped.setdefault((enrolment_id, quiz_id), []).append(AttemptResult(number, score, max_score, passed))
    return {key: quiz_grade(facts[key[1]].grading, attempts, facts[key[1]].pass_mark)
            for key, attempts in grouped.items()}
