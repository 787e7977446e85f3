"""A course's outline as learner pages read it: plain frozen objects, cached per process and per revision.

Every lesson, course and quiz page of a learner needs the course's modules, lessons and
quizzes in order. Loading them as ORM rows took about a fifth of a lesson page's CPU
(issue #8), and they change only when a trainer edits the course. So the outline is read
once per process and course revision into :class:`CourseOutline`, and reused while the
course's ``content_revision`` stays the same.

The revision is kept by the database itself: triggers created by migration 0010 bump
``courses.content_revision`` on every insert, update or delete of the course's modules,
lessons, quizzes and lesson attachments, whether the change comes from the ORM, Core,
the importer or plain SQL. Each use compares the cached revision (and the course's pass
mark, which quizzes inherit) with the course row the request read, so a cache in one
process never shows what another process has changed: the application still keeps no
state in process memory, only copies it checks against the database.

An outline read inside a transaction that has written is used but not cached: it may show
rows that are later rolled back, under a revision number another change will reuse.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from cachetools import LRUCache
from flask import current_app
from sqlalchemy import select

from app.assessment.grading import QuizFacts
from app.assessment.models import KIND_PRETEST, Quiz
from app.catalog.models import Attachment, Course, Lesson, Module
from app.common.db import transaction_wrote
from app.extensions import db

#: Courses whose outline a process keeps (least recently used dropped first).
OUTLINE_CACHE_COURSES = 512
#: Characters of lesson bodies a process keeps (about 32 MB of text at most).
CONTENT_CACHE_CHARS = 16_000_000
_CACHE_KEY = "lentera_outline_cache"


@dataclass(frozen=True, slots=True)
class LessonEntry:
    """A lesson as the outline lists it (no body: see :func:`lesson_content`)."""

    id: int
    module_id: int
    slug: str
    title: str
    minutes: int | None
    position: int
    is_required: bool
    module: ModuleEntry = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class QuizEntry:
    """A quiz as the outline lists it; ``effective_pass_mark`` is a percentage (own, else the course's)."""

    id: int
    module_id: int
    course_id: int
    title: str
    kind: str
    grading: str
    effective_pass_mark: Decimal

    @property
    def counts_for_completion(self) -> bool:
        """Pre-tests never gate completion (:class:`app.assessment.grading.QuizFacts`)."""
        return self.kind != KIND_PRETEST

    def facts(self) -> QuizFacts:
        """The settings grading needs, as :func:`app.assessment.grading.quiz_facts` gives them."""
        return QuizFacts(self.id, self.course_id, self.grading, self.kind, self.effective_pass_mark)


@dataclass(frozen=True, slots=True)
class ModuleEntry:
    """A module with its lessons in reading order and at most one quiz."""

    id: int
    course_id: int
    slug: str
    title: str
    summary: str
    position: int
    lessons: tuple[LessonEntry, ...] = ()
    quiz: QuizEntry | None = None


@dataclass(frozen=True, slots=True)
class CourseOutline:
    """Modules of one course in order, as of ``revision`` (``courses.content_revision``)."""

    course_id: int
    revision: int
    pass_mark: Decimal
    created_at: datetime
    modules: tuple[ModuleEntry, ...]
    lessons: tuple[LessonEntry, ...]
    _lessons_by_id: dict[int, LessonEntry] = field(repr=False, compare=False)
    _index_of: dict[int, int] = field(repr=False, compare=False)

    def lesson(self, lesson_id: int) -> LessonEntry | None:
        """The lesson with this id if it belongs to this course, else ``None``."""
        return self._lessons_by_id.get(lesson_id)

    def neighbours(self, lesson: LessonEntry) -> tuple[LessonEntry | None, LessonEntry | None]:
        """``(previous, next)`` lesson in reading order across modules; ``None`` at either end."""
        index = self._index_of[lesson.id]
        previous = self.lessons[index - 1] if index > 0 else None
        following = self.lessons[index + 1] if index + 1 < len(self.lessons) else None
        return previous, following

    @property
    def quiz_ids(self) -> frozenset[int]:
        """Ids of the course's quizzes."""
        return frozenset(module.quiz.id for module in self.modules if module.quiz is not None)

    @property
    def required_lesson_ids(self) -> frozenset[int]:
        """Ids of the lessons that count towards completion."""
        return frozenset(lesson.id for lesson in self.lessons if lesson.is_required)

    def quiz_facts(self) -> dict[int, QuizFacts]:
        """``{quiz_id: QuizFacts}`` of every quiz of the course, pre-tests included."""
        return {module.quiz.id: module.quiz.facts() for module in self.modules if module.quiz is not None}


@dataclass(frozen=True, slots=True)
class AttachmentEntry:
    """A file attached to a lesson; ``size`` in bytes."""

    id: int
    title: str
    original_name: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class LessonContent:
    """What the lesson page shows beyond the outline: Markdown body, video URL and attachments."""

    course_id: int
    course_created_at: datetime
    revision: int
    body_md: str
    video_url: str | None
    attachments: tuple[AttachmentEntry, ...]

    def current_for(self, outline: CourseOutline) -> bool:
        """Whether this copy is of the course and revision ``outline`` stands for.

        The course matters as well as the revision: SQLite gives a deleted lesson's id to the
        next lesson, possibly of another course whose revision happens to be the same.
        """
        return (self.course_id, self.course_created_at, self.revision) == (
            outline.course_id, outline.created_at, outline.revision)


class _Caches:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.outlines: LRUCache = LRUCache(maxsize=OUTLINE_CACHE_COURSES)
        self.contents: LRUCache = LRUCache(maxsize=CONTENT_CACHE_CHARS,
                                           getsizeof=lambda content: len(content.body_md) + 200)


def _caches() -> _Caches:
    # One cache per application (tests run several apps on different databases in one process).
    caches = current_app.extensions.get(_CACHE_KEY)
    if caches is None:
        caches = current_app.extensions.setdefault(_CACHE_KEY, _Caches())
    return caches


def course_outline(course: Course, revision: int | None = None) -> CourseOutline:
    """The outline of ``course`` at its current revision: from this process's cache, or read in one query.

    ``revision`` is the ``content_revision`` the caller read from the database in this request
    (default: the loaded ``course`` row's). Raises nothing for a course without modules.
    """
    # created_at tells a course from a later one given the same id (SQLite reuses a deleted row's id).
    live = (course.content_revision if revision is None else revision, course.pass_mark, course.created_at)
    caches = _caches()
    with caches.lock:
        cached = caches.outlines.get(course.id)
    if cached is not None and (cached.revision, cached.pass_mark, cached.created_at) == live:
        return cached
    outline = _read_outline(course.id)
    if not transaction_wrote(db.session):
        with caches.lock:
            caches.outlines[course.id] = outline
    return outline


def _read_outline(course_id: int) -> CourseOutline:
    # One statement, so that the revision and the rows it numbers are read together.
    rows = db.session.execute(
        select(Course.content_revision, Course.pass_mark, Course.created_at,
               Module.id, Module.slug, Module.title, Module.summary, Module.position,
               Lesson.id, Lesson.slug, Lesson.title, Lesson.minutes, Lesson.position, Lesson.is_required,
               Quiz.id, Quiz.title, Quiz.kind, Quiz.grading, Quiz.pass_mark)
        .select_from(Course)
        .outerjoin(Module, Module.course_id == Course.id)
        .outerjoin(Lesson, Lesson.module_id == Module.id)
        .outerjoin(Quiz, Quiz.module_id == Module.id)
        .where(Course.id == course_id)
        .order_by(Module.position, Module.id, Lesson.position, Lesson.id)
    ).all()
    if not rows:
        raise LookupError(f"course {course_id} does not exist")
    revision, pass_mark, created_at = rows[0][0], rows[0][1], rows[0][2]
    modules: list[ModuleEntry] = []
    current: dict | None = None

    def close(group: dict | None) -> None:
        if group is None:
            return
        module = ModuleEntry(course_id=course_id, **group["fields"], quiz=group["quiz"])
        lessons = tuple(LessonEntry(module_id=module.id, module=module, **values) for values in group["lessons"])
        object.__setattr__(module, "lessons", lessons)
        modules.append(module)

    for row in rows:
        (_rev, _mark, _created, module_id, module_slug, module_title, module_summary, module_position,
         lesson_id, lesson_slug, lesson_title, minutes, lesson_position, is_required,
         quiz_id, quiz_title, quiz_kind, quiz_grading, quiz_pass_mark) = row
        if module_id is None:
            continue
        if current is None or current["fields"]["id"] != module_id:
            close(current)
            quiz = None
            if quiz_id is not None:
                quiz = QuizEntry(quiz_id, module_id, course_id, quiz_title, quiz_kind, quiz_grading,
                                 quiz_pass_mark if quiz_pass_mark is not None else pass_mark)
            current = {"fields": dict(id=module_id, slug=module_slug, title=module_title, summary=module_summary,
                                      position=module_position), "quiz": quiz, "lessons": []}
        if lesson_id is not None:
            current["lessons"].append(dict(id=lesson_id, slug=lesson_slug, title=lesson_title, minutes=minutes,
                                           position=lesson_position, is_required=is_required))
    close(current)
    lessons = tuple(lesson for module in modules for lesson in module.lessons)
    return CourseOutline(
        course_id=course_id, revision=revision, pass_mark=pass_mark, created_at=created_at, modules=tuple(modules), lessons=lessons,
        _lessons_by_id={lesson.id: lesson for lesson in lessons},
        _index_of={lesson.id: index for index, lesson in enumerate(lessons)},
    )


def lesson_content(outline: CourseOutline, lesson: LessonEntry) -> LessonContent | None:
    """Body, video URL and attachments of ``lesson`` (an entry of ``outline``) as of ``outline.revision``.

    Cached like the outline, and used only for the same course, course creation time and revision.

    Content read after the revision was read is at least that new: a change committed in between
    bumps the revision, so later requests miss this entry and read it again. ``None`` when the
    lesson was deleted in between (the page answers 404).
    """
    caches = _caches()
    with caches.lock:
        cached = caches.contents.get(lesson.id)
    if cached is not None and cached.current_for(outline):
        return cached
    row = db.session.execute(select(Lesson.body_md, Lesson.video_url).where(Lesson.id == lesson.id)).first()
    if row is None:
        return None  # deleted since this request read the course's revision
    body_md, video_url = row
    attachments = tuple(AttachmentEntry(*row) for row in db.session.execute(
        select(Attachment.id, Attachment.title, Attachment.original_name, Attachment.content_type, Attachment.size)
        .where(Attachment.lesson_id == lesson.id).order_by(Attachment.id)))
    content = LessonContent(outline.course_id, outline.created_at, outline.revision, body_md or "", video_url,
                            attachments)
    if not transaction_wrote(db.session):
        with caches.lock:
            caches.contents[lesson.id] = content
    return content

