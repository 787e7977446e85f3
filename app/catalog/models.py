"""Courses, their modules and lessons, and who teaches them."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Optional

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.db import ScaledDecimal, UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.assessment.models import Quiz
    from app.auth.models import User


class Course(db.Model):
    """A course: JP credit and pass mark are exact decimals.

    ``pass_mark`` is a percentage (0 < x <= 100) that every quiz of the course
    must reach, inclusive, unless the quiz sets its own.
    """

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("jp >= 0", name="jp_not_negative"),
        CheckConstraint("pass_mark > 0 AND pass_mark <= 10000", name="pass_mark_range"),
        CheckConstraint("enrolment_mode IN ('open', 'approval', 'closed')", name="enrolment_mode_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(300), default="")
    jp: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    pass_mark: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    version: Mapped[int] = mapped_column(default=1)
    # Bumped by database triggers (migration 0010) on any change to the course's modules, lessons, quizzes
    # or lesson attachments; the learner pages' outline cache is keyed by it.
    content_revision: Mapped[int] = mapped_column(BigInteger, default=1, server_default="1")
    is_published: Mapped[bool] = mapped_column(default=True)
    # Self-enrolment: open to all, by operator approval, or closed (operators enrol).
    enrolment_mode: Mapped[str] = mapped_column(String(16), default="open", server_default="open")
    # Certificate layout under certificates/<name>/ (None: "default"; a cohort's choice wins).
    certificate_template: Mapped[Optional[str]] = mapped_column(String(100))
    # Recertification: certificates expire this many months after completion (None: never).
    certificate_validity_months: Mapped[Optional[int]] = mapped_column()
    # Generated file name under LENTERA_DATA_DIR/attachments (never the uploaded name).
    cover_image: Mapped[Optional[str]] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    modules: Mapped[list[Module]] = relationship(
        back_populates="course", order_by="Module.position", cascade="all, delete-orphan"
    )
    trainers: Mapped[list[User]] = relationship(secondary="course_trainers", order_by="User.full_name")

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"


class CourseTrainer(db.Model):
    """A trainer (widyaiswara, facilitator) who owns or co-owns a course."""

    __tablename__ = "course_trainers"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Module(db.Model):
    """An ordered part of a course with lessons and at most one quiz."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )
    quiz: Mapped[Optional[Quiz]] = relationship(back_populates="module", cascade="all, delete-orphan", uselist=False)


class Lesson(db.Model):
    """A lesson: Markdown body, rendered and sanitised on display."""

    __tablename__ = "lessons"
    __table_args__ = (UniqueConstraint("module_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[Optional[int]] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    is_required: Mapped[bool] = mapped_column(default=True)
    # Canonical watch URL of an allowlisted host (app/authoring/video.py); the iframe is built from it.
    video_url: Mapped[Optional[str]] = mapped_column(String(300))

    module: Mapped[Module] = relationship(back_populates="lessons")
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="lesson", order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Attachment(db.Model):
    """A file (PDF, PNG, JPEG, WebP) attached to a lesson.

    The bytes live in ``LENTERA_DATA_DIR/attachments/<stored_name>``; the
    type was checked on the file's own bytes when uploaded.
    """

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/png', 'image/jpeg', 'image/webp')", name="type_valid"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lesson: Mapped[Lesson] = relationship(back_populates="attachments")
