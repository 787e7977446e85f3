"""Quizzes, their questions and choices, and learners' attempts."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import ScaledDecimal, UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.catalog.models import Module
    from app.learning.models import Enrolment

QUESTION_SINGLE = "single"
QUESTION_MULTIPLE = "multiple"
QUESTION_TYPES = (QUESTION_SINGLE, QUESTION_MULTIPLE)


class Quiz(db.Model):
    """The quiz of one module. ``pass_mark`` (percent) falls back to the course's."""

    __tablename__ = "quizzes"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    pass_mark: Mapped[Optional[Decimal]] = mapped_column(ScaledDecimal(2))

    module: Mapped[Module] = relationship(back_populates="quiz")
    questions: Mapped[list[Question]] = relationship(
        back_populates="quiz", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def effective_pass_mark(self) -> Decimal:
        return self.pass_mark if self.pass_mark is not None else self.module.course.pass_mark


class Question(db.Model):
    """A question; ``key`` is stable across imports so answers stay attached."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("quiz_id", "key"),
        CheckConstraint("type IN ('single', 'multiple')", name="type_valid"),
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


class QuizAttempt(db.Model):
    """A submitted attempt at a quiz; scores are exact, percent is truncated to 2 places."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (UniqueConstraint("enrolment_id", "quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    score: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    max_score: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    percent: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    passed: Mapped[bool] = mapped_column()

    enrolment: Mapped[Enrolment] = relationship()
    quiz: Mapped[Quiz] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptAnswer.id"
    )


class AttemptAnswer(db.Model):
    """What a learner chose for one question, and what it earned.

    ``selected`` holds the chosen choice ids as a comma-separated string.
    """

    __tablename__ = "attempt_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    selected: Mapped[str] = mapped_column(Text, default="")
    points_awarded: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    is_correct: Mapped[bool] = mapped_column()

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
