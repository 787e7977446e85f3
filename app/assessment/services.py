"""Quiz grading and attempts.

Grading rules (issue "Lentera end to end", courses/FORMAT.md):

* single choice: full points when the one chosen choice is a correct one, else 0;
* multiple choice: full points only when the chosen set equals the set of
  correct choices (all-or-nothing), else 0;
* score = sum of points (exact Decimal); percent = score × 100 / max score,
  kept as an exact fraction for the pass decision;
* passed = exact percent >= the quiz's effective pass mark (inclusive, exact);
* the stored percent is truncated to 2 places (never rounded up, so 66.666… %
  is stored and shown as 66.66, and a fail is never displayed as the pass mark).

Services never read ``request`` and never commit; the caller commits once.
"""
from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.assessment.models import QUESTION_MULTIPLE, QUESTION_SINGLE, AttemptAnswer, Choice, Question, Quiz, QuizAttempt
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrolment


class AnswerError(ValueError):
    """Submitted answers cannot be graded (tampered or stale form); message is Indonesian."""


class AttemptConflict(RuntimeError):
    """Two submissions of the same quiz collided twice in a row; message is Indonesian."""


# --- Pure grading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionGrade:
    """The grade of one answer: points possible and awarded (exact Decimals)."""

    points_possible: Decimal
    points_awarded: Decimal

    @property
    def is_correct(self) -> bool:
        return self.points_awarded == self.points_possible


@dataclass(frozen=True)
class AttemptGrade:
    """The grade of a whole attempt.

    ``percent_exact`` is a :class:`~fractions.Fraction` (what the pass decision
    uses); ``percent`` is the same value truncated to 2 decimal places (what is
    stored and shown).
    """

    score: Decimal
    max_score: Decimal
    percent_exact: Fraction
    percent: Decimal
    passed: bool


def grade_question(question_type: str, points: Decimal, correct_ids: Collection[int],
                   selected_ids: Collection[int]) -> QuestionGrade:
    """Grade one answer.

    :param question_type: ``"single"`` or ``"multiple"``.
    :param points: the question's points (Decimal, > 0).
    :param correct_ids: ids of the question's correct choices.
    :param selected_ids: ids the learner chose (empty when unanswered).
    :returns: full ``points`` when correct, else ``Decimal(0)``. Single: exactly
        one choice chosen and it is correct. Multiple: the chosen set equals the
        correct set (all-or-nothing, no partial credit); an empty choice never
        scores.
    :raises ValueError: for an unknown question type.
    """
    selected = set(selected_ids)
    correct = set(correct_ids)
    if question_type == QUESTION_SINGLE:
        right = len(selected) == 1 and selected <= correct
    elif question_type == QUESTION_MULTIPLE:
        right = bool(selected) and selected == correct
    else:
        raise ValueError(f"unknown question type {question_type!r}")
    return QuestionGrade(points_possible=points, points_awarded=points if right else Decimal(0))


def truncate_percent(value: Fraction) -> Decimal:
    """``value`` (>= 0) truncated toward zero to 2 decimal places, as an exact Decimal."""
    return Decimal(math.floor(value * 100)).scaleb(-2)


def grade_attempt(grades: Sequence[QuestionGrade], pass_mark: Decimal) -> AttemptGrade:
    """Sum question grades and decide pass or fail.

    :param grades: one :class:`QuestionGrade` per question of the quiz
        (unanswered questions included, with 0 points awarded).
    :param pass_mark: percent needed, inclusive (Decimal, e.g. ``Decimal("70")``).
    :returns: :class:`AttemptGrade`; ``passed`` compares the exact fraction
        ``score * 100 / max_score`` with ``pass_mark``, never a rounded value.
    :raises ValueError: when the quiz has no points at all (no questions).
    """
    score = sum((g.points_awarded for g in grades), Decimal(0))
    max_score = sum((g.points_possible for g in grades), Decimal(0))
    if max_score <= 0:
        raise ValueError("a quiz without questions cannot be graded")
    percent_exact = Fraction(score) * 100 / Fraction(max_score)
    return AttemptGrade(
        score=score,
        max_score=max_score,
        percent_exact=percent_exact,
        percent=truncate_percent(percent_exact),
        passed=percent_exact >= Fraction(pass_mark),
    )


# --- Database side ---------------------------------------------------------------------------------

def load_quiz(quiz_id: int) -> Quiz | None:
    """The quiz with its questions and their choices loaded (three queries)."""
    return db.session.scalar(
        select(Quiz).where(Quiz.id == quiz_id)
        .options(selectinload(Quiz.questions).selectinload(Question.choices))
    )


def check_answers(questions: Sequence[Question], answers: Mapping[int, Collection[int]]) -> None:
    """Refuse answers that no honest form could send.

    ``answers`` maps question id to chosen choice ids. Raises :class:`AnswerError`
    when a choice id is not one of that question's choices, or a single-choice
    question has more than one choice. Unanswered questions are allowed (they score 0).
    """
    by_id = {question.id: question for question in questions}
    for question_id, chosen in answers.items():
        question = by_id.get(question_id)
        if question is None:
            raise AnswerError("Jawaban yang dikirim tidak cocok dengan pertanyaan kuis ini. Muat ulang halaman kuis.")
        valid = {choice.id for choice in question.choices}
        if not set(chosen) <= valid:
            raise AnswerError(
                f"Pilihan jawaban untuk pertanyaan nomor {questions.index(question) + 1} tidak valid. "
                "Muat ulang halaman kuis lalu kirim kembali.")
        if question.type == QUESTION_SINGLE and len(set(chosen)) > 1:
            raise AnswerError(
                f"Pertanyaan nomor {questions.index(question) + 1} hanya boleh dijawab dengan satu pilihan.")


def _next_number(enrolment_id: int, quiz_id: int, *, after_conflict: bool) -> int:
    where = (QuizAttempt.enrolment_id == enrolment_id, QuizAttempt.quiz_id == quiz_id)
    if after_conflict:
        highest = db.session.scalar(select(func.max(QuizAttempt.number)).where(*where))
        return (highest or 0) + 1
    return db.session.scalar(select(func.count()).select_from(QuizAttempt).where(*where)) + 1


def submit_attempt(enrolment: Enrolment, quiz: Quiz, answers: Mapping[int, Collection[int]]) -> QuizAttempt:
    """Grade ``answers`` and store them as the enrolment's next attempt at ``quiz``.

    :param answers: ``{question_id: [choice_id, …]}``; questions left out score 0.
    :returns: the flushed :class:`QuizAttempt` with its :class:`AttemptAnswer` rows.
        After a passing attempt, course completion is evaluated (which may issue
        the certificate).
    :raises AnswerError: for choices that do not belong to their question, or a
        quiz without questions.
    :raises AttemptConflict: when two submissions keep taking the same attempt
        number (unique (enrolment_id, quiz_id, number)); one retry is made first.
    :raises ValueError: when the quiz is not in the enrolment's course.
    """
    if quiz.module.course_id != enrolment.course_id:
        raise ValueError("quiz does not belong to the enrolment's course")
    questions = list(quiz.questions)
    if not questions:
        raise AnswerError("Kuis ini belum memiliki pertanyaan.")
    check_answers(questions, answers)
    selected = {question.id: sorted(set(answers.get(question.id, ()))) for question in questions}
    grades = {
        question.id: grade_question(question.type, question.points,
                                    [choice.id for choice in question.choices if choice.is_correct],
                                    selected[question.id])
        for question in questions
    }
    result = grade_attempt([grades[question.id] for question in questions], quiz.effective_pass_mark)

    attempt = None
    for after_conflict in (False, True):
        number = _next_number(enrolment.id, quiz.id, after_conflict=after_conflict)
        try:
            with db.session.begin_nested():
                attempt = QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=number,
                                      score=result.score, max_score=result.max_score,
                                      percent=result.percent, passed=result.passed)
                attempt.answers = [
                    AttemptAnswer(question_id=question.id,
                                  selected=",".join(str(choice_id) for choice_id in selected[question.id]),
                                  points_awarded=grades[question.id].points_awarded,
                                  is_correct=grades[question.id].is_correct)
                    for question in questions
                ]
                db.session.add(attempt)
            break
        except IntegrityError:
            attempt = None
    if attempt is None:
        raise AttemptConflict("Jawaban Anda untuk kuis ini sedang diproses dari permintaan lain. "
                              "Buka halaman kursus untuk melihat hasilnya.")
    if attempt.passed:
        learning.evaluate_completion(enrolment)
    return attempt


def selected_ids(answer: AttemptAnswer) -> set[int]:
    """The choice ids stored in ``answer.selected`` (``"12,14"`` → ``{12, 14}``)."""
    return {int(part) for part in answer.selected.split(",") if part.strip().isdigit()}


@dataclass(frozen=True)
class AnswerReview:
    """One question of a submitted attempt as the result page shows it.

    ``correct_choices`` is empty unless the attempt passed (a failed attempt
    must not reveal the answer key before a retry). For the same reason the
    explanation of a wrongly answered question is withheld after a failed
    attempt (``show_explanation``): the course explanations name the answer.
    """

    number: int
    question: Question
    answer: AttemptAnswer | None
    chosen: list[Choice]
    correct_choices: list[Choice]

    show_explanation: bool

    @property
    def is_correct(self) -> bool:
        return self.answer is not None and self.answer.is_correct


def load_attempt(attempt_id: int) -> QuizAttempt | None:
    """The attempt with its answers, quiz, questions and choices loaded."""
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.id == attempt_id)
        .options(
            selectinload(QuizAttempt.answers),
            selectinload(QuizAttempt.quiz).selectinload(Quiz.questions).selectinload(Question.choices),
            selectinload(QuizAttempt.enrolment).selectinload(Enrolment.course),
        )
    )


def attempt_review(attempt: QuizAttempt) -> list[AnswerReview]:
    """Question by question review of ``attempt``, in the quiz's current question order.

    Questions added to the quiz after the attempt are left out; choices removed
    since are simply not listed.
    """
    answers = {answer.question_id: answer for answer in attempt.answers}
    rows = []
    for question in attempt.quiz.questions:
        answer = answers.get(question.id)
        if answer is None:
            continue
        chosen_ids = selected_ids(answer)
        rows.append(AnswerReview(
            number=len(rows) + 1,
            question=question,
            answer=answer,
            chosen=[choice for choice in question.choices if choice.id in chosen_ids],
            correct_choices=[choice for choice in question.choices if choice.is_correct] if attempt.passed else [],
            show_explanation=bool(question.explanation) and (attempt.passed or answer.is_correct),
        ))
    return rows


def can_see_attempt(attempt: QuizAttempt, user) -> bool:
    """Only the learner who made the attempt, and admins, may see it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return attempt.enrolment.user_id == user.id or user.role == "admin"
