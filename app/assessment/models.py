"""Quizzes, their questions and choices, and learners' attempts."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import ScaledDecimal, UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.catalog.models import Module
    from app.learning.models import Enrolment

QUESTION_SINGLE = "single"
QUESTION_MULTIPLE = "multiple"
QUESTION_TRUE_FALSE = "true_false"
QUESTION_SHORT_ANSWER = "short_answer"
QUESTION_MATCHING = "matching"
QUESTION_TYPES = (QUESTION_SINGLE, QUESTION_MULTIPLE, QUESTION_TRUE_FALSE, QUESTION_SHORT_ANSWER, QUESTION_MATCHING)

GRADING_HIGHEST = "highest"
GRADING_LAST = "last"
GRADING_AVERAGE = "average"
GRADING_METHODS = (GRADING_HIGHEST, GRADING_LAST, GRADING_AVERAGE)

KIND_REGULAR = "regular"
KIND_PRETEST = "pretest"
KIND_POSTTEST = "posttest"
QUIZ_KINDS = (KIND_REGULAR, KIND_PRETEST, KIND_POSTTEST)

SHOW_ALWAYS = "always"
SHOW_AFTER_PASS = "after_pass"
SHOW_NEVER = "never"
SHOW_ANSWERS = (SHOW_ALWAYS, SHOW_AFTER_PASS, SHOW_NEVER)

STATE_IN_PROGRESS = "in_progress"
STATE_SUBMITTED = "submitted"
ATTEMPT_STATES = (STATE_IN_PROGRESS, STATE_SUBMITTED)


def _in(values) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


class Quiz(db.Model):
    """The quiz of one module. ``pass_mark`` (percent) falls back to the course's.

    ``questions`` is the module's question bank; each attempt draws
    ``draw_count`` of them at random (all when ``None``). ``shuffle`` shuffles
    question and choice order per attempt. ``max_attempts`` (``None`` = no
    limit), ``wait_minutes`` between attempts and ``time_limit_minutes`` are
    optional. ``grading`` (highest|last|average) turns attempts into the quiz's
    grade; ``kind`` marks pre-tests (not counted toward completion) and
    post-tests; ``show_answers`` (always|after_pass|never) decides when the
    review shows the correct answers.
    """

    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("grading IN " + _in(GRADING_METHODS), name="grading_valid"),
        CheckConstraint("kind IN " + _in(QUIZ_KINDS), name="kind_valid"),
        CheckConstraint("show_answers IN " + _in(SHOW_ANSWERS), name="show_answers_valid"),
        CheckConstraint("draw_count IS NULL OR draw_count > 0", name="draw_count_positive"),
        CheckConstraint("max_attempts IS NULL OR max_attempts > 0", name="max_attempts_positive"),
        CheckConstraint("wait_minutes IS NULL OR wait_minutes > 0", name="wait_minutes_positive"),
        CheckConstraint("time_limit_minutes IS NULL OR time_limit_minutes > 0", name="time_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    pass_mark: Mapped[Optional[Decimal]] = mapped_column(ScaledDecimal(2))
    draw_count: Mapped[Optional[int]] = mapped_column()
    shuffle: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    max_attempts: Mapped[Optional[int]] = mapped_column()
    grading: Mapped[str] = mapped_column(String(16), default=GRADING_HIGHEST, server_default=GRADING_HIGHEST)
    wait_minutes: Mapped[Optional[int]] = mapped_column()
    time_limit_minutes: Mapped[Optional[int]] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16), default=KIND_REGULAR, server_default=KIND_REGULAR)
    show_answers: Mapped[str] = mapped_column(String(16), default=SHOW_AFTER_PASS, server_default=SHOW_AFTER_PASS)

    module: Mapped[Module] = relationship(back_populates="quiz")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def effective_pass_mark(self) -> Decimal:
        return self.pass_mark if self.pass_mark is not None else self.module.course.pass_mark


class Question(db.Model):
    """A question of a quiz's bank; ``key`` is stable across imports so answers stay attached.

    This row is the current, editable question. ``settings`` (JSON object)
    holds what a type needs beyond choices: ``scoring`` for multiple choice
    and matching, ``answer`` for true/false, ``accepted`` for short answer,
    ``pairs`` for matching. Attempts never grade against this row directly:
    they use an immutable :class:`QuestionVersion` snapshot of it.
    """

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("quiz_id", "key"),
        CheckConstraint("type IN " + _in(QUESTION_TYPES), name="type_valid"),
        CheckConstraint("points > 0", name="points_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    type: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    position: Mapped[int] = mapped_column(default=0)
    settings: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")

    quiz: Mapped[Quiz] = relationship(back_populates="questions")
    choices: Mapped[list[Choice]] = relationship(
        back_populates="question", order_by="Choice.position", cascade="all, delete-orphan"
    )


class Choice(db.Model):
    """One answer option of a question."""

    __tablename__ = "choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    is_correct: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship(back_populates="choices")


class QuestionVersion(db.Model):
    """An immutable snapshot of a question as learners were asked it.

    ``definition`` is canonical JSON (type, text, explanation, points and the
    type's data, see :mod:`app.assessment.question_types`); ``digest`` its
    SHA-256, so an unchanged question reuses its latest version.
    """

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "number"), UniqueConstraint("question_id", "digest"))

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    digest: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship()


class QuizAttempt(db.Model):
    """An attempt at a quiz, started when the learner begins it.

    ``state`` is ``in_progress`` until submitted (by the learner, or
    automatically after ``deadline_at``), then ``submitted``. ``layout`` (JSON)
    lists what the learner was shown, in order: question version ids and the
    order of their choices or matching items. ``saved_answers`` (JSON) holds
    answers saved before submitting. Score fields are exact (points to 4
    places) and zero until submitted; percent is truncated to 2 places.
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "quiz_id", "number"),
        CheckConstraint("state IN " + _in(ATTEMPT_STATES), name="state_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    # Defaults describe a finished attempt (rows written in one step); start_attempt sets in_progress.
    state: Mapped[str] = mapped_column(String(16), default=STATE_SUBMITTED, server_default=STATE_SUBMITTED)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), default=utcnow)
    layout: Mapped[Optional[str]] = mapped_column(Text)
    saved_answers: Mapped[Optional[str]] = mapped_column(Text)
    score: Mapped[Decimal] = mapped_column(ScaledDecimal(4), default=Decimal(0))
    max_score: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    percent: Mapped[Decimal] = mapped_column(ScaledDecimal(2), default=Decimal(0))
    passed: Mapped[bool] = mapped_column(default=False)

    enrolment: Mapped[Enrolment] = relationship()
    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.id"
    )


class AttemptAnswer(db.Model):
    """What a learner answered for one question of a submitted attempt, and what it earned.

    ``response`` is the answer as JSON in the shape of the question's type
    (see :mod:`app.assessment.question_types`); ``selected`` keeps the chosen
    choice ids as a comma-separated string for choice questions.
    ``question_version_id`` ties the answer to the version it answered
    (``NULL`` only for attempts made before versions existed).
    """

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    question_version_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("question_versions.id", ondelete="SET NULL"), index=True)
    selected: Mapped[str] = mapped_column(Text, default="")
    response: Mapped[Optional[str]] = mapped_column(Text)
    points_awarded: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    is_correct: Mapped[bool] = mapped_column()

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    question_version: Mapped[Optional[QuestionVersion]] = relationship()
