"""Enrolments and lesson progress."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.auth.models import User
    from app.catalog.models import Course, Lesson


ENROLMENT_ACTIVE = "active"
ENROLMENT_PENDING = "pending"
ENROLMENT_REJECTED = "rejected"


class Cohort(db.Model):
    """An angkatan: one run of a course with dates and its own enrolment list.

    ``ends_on`` is the deadline learners see; reports classify completions as
    on time (local completion date <= ends_on), late, or not completed.
    """

    __tablename__ = "cohorts"
    __table_args__ = (
        UniqueConstraint("course_id", "name"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    certificate_template: Mapped[Optional[str]] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()


class Enrolment(db.Model):
    """A learner in a course; ``completed_at`` is set once, when completion is reached.

    ``status`` is ``active``, or ``pending``/``rejected`` for courses whose
    self-enrolment needs approval. ``cohort_id`` places it in an angkatan.
    """

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        CheckConstraint("status IN ('active', 'pending', 'rejected')", name="status_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[str] = mapped_column(String(16), default=ENROLMENT_ACTIVE, server_default=ENROLMENT_ACTIVE,
                                        index=True)
    cohort_id: Mapped[Optional[int]] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    cohort: Mapped[Optional[Cohort]] = relationship()


class LessonProgress(db.Model):
    """A lesson marked complete within an enrolment (one row per lesson, never two)."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lesson: Mapped[Lesson] = relationship()
