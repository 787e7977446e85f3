"""Authoring rules: who may edit a course, and every change to it, recorded.

Rules (issue 3, section 1):

- A trainer edits only courses they own or co-own (``CourseTrainer``);
  admins edit every course (:func:`can_edit`).
- Every change is recorded in the audit log with ``target_type="course"`` and
  the course id, so :func:`course_history` lists who changed what and when.
- Positions change only through :func:`move_module`, :func:`move_lesson` and
  :func:`move_question`; saving any other change never touches a position.
  New items go after the last one.
- Learners are never corrupted by an edit: completion is kept once reached
  (``app.learning.services.evaluate_completion``), progress counts only the
  current required lessons, and deleting a lesson deletes its progress rows
  (database cascade). After a deletion that leaves an in-progress learner
  with nothing left to do, :func:`settle_completions` completes them.

Services never read ``request`` and never commit; they flush where ids are needed.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.admin.audit import record_event
from app.admin.models import AuditEvent
from app.assessment import question_types
from app.assessment.models import (QUESTION_MATCHING, QUESTION_MULTIPLE, QUESTION_SHORT_ANSWER, QUESTION_SINGLE,
                                   QUESTION_TRUE_FALSE, Choice, Question, Quiz)
from app.auth.models import ROLE_ADMIN, ROLE_TRAINER, User
from app.catalog.models import Attachment, Course, CourseTrainer, Lesson, Module
from app.common.names import TextCharacterError, check_printable_text, check_title_text
from app.extensions import db
from app.learning.models import Enrolment, LessonProgress

UP = "up"
DOWN = "down"
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_KEY_PATTERN = re.compile(r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)*$")
# Long texts are recorded as changed, without their values.
_LONG_FIELDS = {"summary", "body_md", "text", "explanation", "choices", "settings"}


class AuthoringError(ValueError):
    """A change was refused; ``str()`` is in the user's language (Indonesian by default), ``field`` the form field it concerns (or ``None``)."""

    def __init__(self, message: str, field: Optional[str] = None):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------------
# Access


def can_edit(user, course: Course) -> bool:
    """Whether ``user`` may edit ``course``: admins always, trainers when they own or co-own it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == ROLE_ADMIN:
        return True
    if user.role != ROLE_TRAINER:
        return False
    return db.session.scalar(select(CourseTrainer.user_id).where(
        CourseTrainer.course_id == course.id, CourseTrainer.user_id == user.id)) is not None


def editable_courses(user) -> list[Course]:
    """Courses ``user`` may edit, by title (all for an admin)."""
    stmt = select(Course).order_by(func.lower(Course.title), Course.id)
    if user.role != ROLE_ADMIN:
        stmt = stmt.join(CourseTrainer, CourseTrainer.course_id == Course.id).where(CourseTrainer.user_id == user.id)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------------------
# Helpers


def slugify(text: str, max_len: int = 100) -> str:
    """A slug ``[a-z0-9-]`` from ``text`` (accents dropped); ``"item"`` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_len].strip("-")
    return slug or "item"


def _unique(base: str, taken: set[str], max_len: int = 100) -> str:
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[:max_len - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        n += 1


def normalize_text(text: Optional[str]) -> str:
    """Browser text with LF line ends (textareas send CRLF) and no BOM, as the importer reads lesson files."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return text[1:] if text.startswith("\ufeff") else text


def clean(text: Optional[str]) -> str:
    """A text field as the importer keeps it from YAML: LF line ends, stripped."""
    return normalize_text(text).strip()


def one_line(text: Optional[str]) -> str:
    """A title-like field: stripped, inner line breaks turned into spaces (the format wants one line)."""
    return " ".join(clean(text).split("\n")).strip()


def checked_title(text: Optional[str], label: str, field: str = "title", *, printable: bool = False) -> str:
    """``one_line(text)`` after the character rule of titles (:func:`app.common.names.check_title_text`;
    with ``printable`` also the certificate fonts, :func:`~app.common.names.check_printable_text`).

    Raises :class:`AuthoringError` on ``field``. The forms check the same first, so this is the
    guard for other callers.
    """
    value = one_line(text)
    try:
        (check_printable_text if printable else check_title_text)(value, label)
    except TextCharacterError as error:
        raise AuthoringError(str(error), field) from None
    return value


def _record(actor, course: Course, action: str, **detail) -> None:
    record_event(actor, action, "course", course.id, **detail)


def _assign(obj, values: dict) -> dict:
    """Assign values that differ; return ``{field: [old, new]}`` (long texts: ``"diubah"``)."""
    changed = {}
    for name, value in values.items():
        old = getattr(obj, name)
        if old != value:
            setattr(obj, name, value)
            changed[name] = "diubah" if name in _LONG_FIELDS else [old, value]
    return changed


def _touch(course: Course) -> None:
    from app.common.db import utcnow

    course.updated_at = utcnow()


def _next_position(items) -> int:
    return max((item.position for item in items), default=-1) + 1


def _move(items: list, item, direction: str) -> bool:
    """Swap ``item`` with its neighbour in ``items`` (already in display order); False at an end.

    Positions are first made 0..n-1 in the current order, so duplicates or
    gaps left by deletions cannot make a move ambiguous.
    """
    if direction not in (UP, DOWN):
        raise AuthoringError(_("Arah pemindahan tidak dikenal."))
    ordered = sorted(items, key=lambda x: (x.position, x.id))
    index = ordered.index(item)
    other = index - 1 if direction == UP else index + 1
    if other < 0 or other >= len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, entry in enumerate(ordered):
        if entry.position != position:
            entry.position = position
    return True


# ---------------------------------------------------------------------------
# Courses


@dataclass
class CourseData:
    """Course fields from the form; ``jp``/``pass_mark`` exact Decimals (pass mark in percent)."""

    title: str
    summary: str
    audience: str
    jp: Decimal
    pass_mark: Decimal
    version: int
    slug: str = ""
    enrolment_mode: str = "open"
    certificate_template: str | None = None  # None: the "default" template (or the cohort's)
    certificate_validity_months: int | None = None  # None: certificates do not expire


def create_course(actor: User, data: CourseData) -> Course:
    """Create a draft course; a trainer creating it becomes its owner.

    The slug is taken from ``data.slug`` or made from the title. Raises
    :class:`AuthoringError` (field ``slug``) when the slug is malformed or taken.
    """
    title = checked_title(data.title, _("Judul"), printable=True)  # printed on certificates
    audience = checked_title(data.audience, _("Sasaran peserta"), "audience")
    slug = (data.slug or "").strip() or slugify(data.title)
    if not SLUG_PATTERN.match(slug) or len(slug) > 100:
        raise AuthoringError(_("Slug hanya boleh huruf kecil, angka, dan tanda '-' (mis. kepemimpinan-digital)."),
                             "slug")
    if db.session.scalar(select(Course.id).where(Course.slug == slug)) is not None:
        raise AuthoringError(_("Slug '%(slug)s' sudah dipakai kursus lain.", slug=slug), "slug")
    course = Course(slug=slug, title=title, summary=clean(data.summary), audience=audience,
                    jp=data.jp, pass_mark=data.pass_mark, version=data.version, is_published=False,
                    enrolment_mode=data.enrolment_mode, certificate_template=data.certificate_template,
                    certificate_validity_months=data.certificate_validity_months)
    try:
        with db.session.begin_nested():
            db.session.add(course)
            db.session.flush()
    except IntegrityError:
        # Another request took the slug between the check and the insert.
        raise AuthoringError(_("Slug '%(slug)s' sudah dipakai kursus lain.", slug=slug), "slug") from None
    if actor.role == ROLE_TRAINER:
        db.session.add(CourseTrainer(course_id=course.id, user_id=actor.id))
    _record(actor, course, "course.create", slug=slug, title=data.title)
    db.session.flush()
    return course


def update_course(actor: User, course: Course, data: CourseData) -> dict:
    """Apply the form's values; the slug never changes. Returns the changed fields (empty: nothing saved)."""
    changed = _assign(course, {
        "title": checked_title(data.title, _("Judul"), printable=True), "summary": clean(data.summary),
        "audience": checked_title(data.audience, _("Sasaran peserta"), "audience"),
        "jp": data.jp, "pass_mark": data.pass_mark, "version": data.version, "enrolment_mode": data.enrolment_mode,
        "certificate_template": data.certificate_template,
        "certificate_validity_months": data.certificate_validity_months,
    })
    if changed:
        _record(actor, course, "course.update", fields=changed)
    return changed


def set_published(actor: User, course: Course, published: bool) -> bool:
    """Publish or return to draft; returns whether the state changed.

    Publishing needs at least one lesson (raises :class:`AuthoringError`).
    Taking a course back to draft keeps every enrolment, progress and
    certificate; enrolled learners can still open it (catalog rule).
    """
    if course.is_published == published:
        return False
    if published:
        lessons = db.session.scalar(select(func.count(Lesson.id)).join(Module).where(Module.course_id == course.id))
        if not lessons:
            raise AuthoringError(_("Kursus belum dapat diterbitkan: tambahkan paling sedikit satu pelajaran."))
    course.is_published = published
    _record(actor, course, "course.publish" if published else "course.unpublish")
    return True


def set_cover(actor: User, course: Course, stored_name: Optional[str]) -> Optional[str]:
    """Set (or clear, with ``None``) the cover image; returns the previous stored name for removal."""
    previous = course.cover_image
    course.cover_image = stored_name
    _touch(course)
    _record(actor, course, "course.cover", change="ganti" if stored_name else "hapus")
    return previous


def add_trainer(actor: User, course: Course, email: str) -> User:
    """Make the trainer with ``email`` a co-owner of ``course``.

    Raises :class:`AuthoringError` (field ``email``) when no trainer has that
    address or they already teach the course.
    """
    from app.auth.services import normalize_email

    user = db.session.scalar(select(User).where(User.email == normalize_email(email or "")))
    if user is None or user.role != ROLE_TRAINER:
        raise AuthoringError(_("Tidak ada pengajar dengan email tersebut."), "email")
    if any(t.id == user.id for t in course.trainers):
        raise AuthoringError(_("%(name)s sudah menjadi pengajar kursus ini.", name=user.display_name), "email")
    db.session.add(CourseTrainer(course_id=course.id, user_id=user.id))
    _record(actor, course, "course.trainer_add", user_id=user.id, email=user.email)
    db.session.flush()
    db.session.expire(course, ["trainers"])
    return user


def remove_trainer(actor: User, course: Course, user: User) -> None:
    """Remove a co-owner; the last trainer of a course cannot be removed (:class:`AuthoringError`)."""
    link = db.session.get(CourseTrainer, (course.id, user.id))
    if link is None:
        raise AuthoringError(_("Pengguna ini bukan pengajar kursus ini."))
    count = db.session.scalar(select(func.count()).select_from(CourseTrainer).where(
        CourseTrainer.course_id == course.id))
    if count <= 1:
        raise AuthoringError(_("Pengajar terakhir tidak dapat dihapus; tambahkan pengajar lain terlebih dahulu."))
    db.session.delete(link)
    _record(actor, course, "course.trainer_remove", user_id=user.id, email=user.email)
    db.session.flush()
    db.session.expire(course, ["trainers"])


def course_history(course: Course, limit: int = 500) -> list[AuditEvent]:
    """The course's recorded changes, newest first, with their actors loaded."""
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.target_type == "course", AuditEvent.target_id == str(course.id))
        .options(joinedload(AuditEvent.actor)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)))


# ---------------------------------------------------------------------------
# Modules


def add_module(actor: User, course: Course, title: str, summary: str) -> Module:
    """Append a module; its slug is made from the title, unique in the course."""
    slug = _unique(slugify(title), {m.slug for m in course.modules})
    module = Module(slug=slug, title=checked_title(title, _("Judul modul")), summary=clean(summary), position=_next_position(course.modules))
    course.modules.append(module)
    db.session.flush()
    _touch(course)
    _record(actor, course, "module.create", module=slug, title=title)
    return module


def update_module(actor: User, module: Module, title: str, summary: str) -> dict:
    """Change a module's title and summary; never its position or slug."""
    changed = _assign(module, {"title": checked_title(title, _("Judul modul")), "summary": clean(summary)})
    if changed:
        _touch(module.course)
        _record(actor, module.course, "module.update", module=module.slug, fields=changed)
    return changed


def delete_module(actor: User, module: Module) -> list[str]:
    """Delete a module with its lessons and quiz (progress and submitted attempts cascade).

    :raises AuthoringError: while a learner is taking the module's quiz.

    Returns the stored names of the lessons' attachment files, for the caller
    to remove after commit.
    """
    if module.quiz is not None:
        _refuse_while_quiz_open(module.quiz)
    course = module.course
    files = [a.stored_name for lesson in module.lessons for a in lesson.attachments]
    course.modules.remove(module)
    db.session.flush()
    _touch(course)
    _record(actor, course, "module.delete", module=module.slug, title=module.title)
    return files


def move_module(actor: User, module: Module, direction: str) -> bool:
    """Move a module one place up or down; False (nothing recorded) at the end of the list."""
    course = module.course
    moved = _move(course.modules, module, direction)
    if moved:
        _touch(course)
        _record(actor, course, "module.move", module=module.slug, direction=direction)
    return moved


# ---------------------------------------------------------------------------
# Lessons


@dataclass
class LessonData:
    """Lesson fields from the form; ``video_url`` is already canonical (or ``None``)."""

    title: str
    body_md: str
    minutes: Optional[int]
    is_required: bool
    video_url: Optional[str]


def add_lesson(actor: User, module: Module, data: LessonData) -> Lesson:
    """Append a lesson to ``module``; its slug is made from the title, unique in the module."""
    slug = _unique(slugify(data.title), {lesson.slug for lesson in module.lessons})
    lesson = Lesson(slug=slug, title=checked_title(data.title, _("Judul pelajaran")), body_md=normalize_text(data.body_md), minutes=data.minutes,
                    is_required=data.is_required, video_url=data.video_url,
                    position=_next_position(module.lessons))
    module.lessons.append(lesson)
    db.session.flush()
    _touch(module.course)
    _record(actor, module.course, "lesson.create", module=module.slug, lesson=slug, title=data.title)
    return lesson


def update_lesson(actor: User, lesson: Lesson, data: LessonData) -> dict:
    """Change a lesson's content; never its position or slug. Returns the changed fields."""
    changed = _assign(lesson, {"title": checked_title(data.title, _("Judul pelajaran")), "body_md": normalize_text(data.body_md),
                               "minutes": data.minutes, "is_required": data.is_required,
                               "video_url": data.video_url})
    if changed:
        course = lesson.module.course
        _touch(course)
        _record(actor, course, "lesson.update", module=lesson.module.slug, lesson=lesson.slug, fields=changed)
    return changed


def delete_lesson(actor: User, lesson: Lesson) -> list[str]:
    """Delete a lesson; learners' progress on it goes with it (cascade). Returns attachment file names."""
    module = lesson.module
    files = [a.stored_name for a in lesson.attachments]
    module.lessons.remove(lesson)
    db.session.flush()
    _touch(module.course)
    _record(actor, module.course, "lesson.delete", module=module.slug, lesson=lesson.slug, title=lesson.title)
    return files


def move_lesson(actor: User, lesson: Lesson, direction: str) -> bool:
    """Move a lesson one place up or down within its module; False at the end of the list."""
    module = lesson.module
    moved = _move(module.lessons, lesson, direction)
    if moved:
        _touch(module.course)
        _record(actor, module.course, "lesson.move", module=module.slug, lesson=lesson.slug, direction=direction)
    return moved


def add_attachment(actor: User, lesson: Lesson, title: str, original_name: str, stored) -> Attachment:
    """Record a stored file (``app.authoring.files.StoredFile``) as an attachment of ``lesson``."""
    attachment = Attachment(lesson=lesson, title=checked_title(title, _("Judul lampiran")) or original_name, original_name=original_name[:255],
                            stored_name=stored.stored_name, content_type=stored.content_type, size=stored.size,
                            sha256=stored.sha256, uploaded_by_id=actor.id)
    db.session.add(attachment)
    db.session.flush()
    course = lesson.module.course
    _touch(course)
    _record(actor, course, "attachment.add", lesson=lesson.slug, attachment=attachment.id, name=attachment.title)
    return attachment


def delete_attachment(actor: User, attachment: Attachment) -> str:
    """Delete an attachment row; returns its stored name for the caller to remove after commit."""
    lesson = attachment.lesson
    lesson.attachments.remove(attachment)
    db.session.flush()
    course = lesson.module.course
    _touch(course)
    _record(actor, course, "attachment.delete", lesson=lesson.slug, name=attachment.title)
    return attachment.stored_name


# ---------------------------------------------------------------------------
# Quizzes and questions (single and multiple choice)


def save_quiz(actor: User, module: Module, title: str, pass_mark: Optional[Decimal]) -> Quiz:
    """Create the module's quiz or change its title and pass mark (``None``: the course's)."""
    course = module.course
    if module.quiz is None:
        module.quiz = Quiz(title=checked_title(title, _("Judul kuis")), pass_mark=pass_mark)
        db.session.flush()
        _touch(course)
        _record(actor, course, "quiz.create", module=module.slug, title=title)
        return module.quiz
    changed = _assign(module.quiz, {"title": checked_title(title, _("Judul kuis")), "pass_mark": pass_mark})
    if changed:
        _touch(course)
        _record(actor, course, "quiz.update", module=module.slug, fields=changed)
    return module.quiz


def _refuse_while_quiz_open(quiz) -> None:
    """:raises AuthoringError: while a learner is taking ``quiz`` (their answers would be deleted)."""
    from app.assessment.services import quiz_has_open_attempt  # assessment imports learning; import late

    if quiz_has_open_attempt(quiz):
        raise AuthoringError(_("Kuis “%(title)s” sedang dikerjakan peserta, sehingga tidak dapat dihapus "
                               "sekarang; jawaban mereka akan hilang. Coba lagi setelah percobaan mereka selesai.",
                               title=quiz.title))


def delete_quiz(actor: User, module: Module) -> None:
    """Delete the module's quiz; submitted attempts on it are deleted by the database cascade.

    :raises AuthoringError: while a learner is taking it (an in-progress attempt).
    """
    if module.quiz is None:
        return
    _refuse_while_quiz_open(module.quiz)
    module.quiz = None
    db.session.flush()
    _touch(module.course)
    _record(actor, module.course, "quiz.delete", module=module.slug)


@dataclass
class ChoiceData:
    """One answer option from the form."""

    text: str
    is_correct: bool


@dataclass
class QuestionData:
    """A question of any type from the form; ``points`` exact, > 0.

    ``choices`` is used by single and multiple choice only. ``settings``
    holds the type's own data, as in ``Question.settings`` and ``quiz.yaml``
    (courses/FORMAT.md): ``scoring`` (multiple, matching: ``all_or_nothing``
    or ``partial``), ``answer`` (true_false: ``True``/``False``, ``None`` when
    not chosen), ``accepted`` (short_answer: list of texts), ``pairs``
    (matching: ``[{"left": ..., "right": ...}, ...]``).
    """

    type: str
    text: str
    explanation: str
    points: Decimal
    choices: list[ChoiceData] = field(default_factory=list)
    key: str = ""
    settings: dict = field(default_factory=dict)


# The form field a type's settings problems are shown on.
_SETTINGS_FIELD = {QUESTION_TRUE_FALSE: "answer", QUESTION_SHORT_ANSWER: "accepted", QUESTION_MATCHING: "pairs"}
# Scoring a type uses when ``scoring`` is absent; the default is not stored (as the importer does).
_DEFAULT_SCORING = {QUESTION_MULTIPLE: question_types.SCORING_ALL_OR_NOTHING,
                    QUESTION_MATCHING: question_types.SCORING_PARTIAL}


def validate_choices(qtype: str, choices: list[ChoiceData]) -> None:
    """The importer's rules for choices (courses/FORMAT.md); raises :class:`AuthoringError` (field ``choices``).

    At least two choices with distinct texts; ``single``: exactly one
    correct; ``multiple``: at least one correct and one wrong.
    """
    if qtype not in (QUESTION_SINGLE, QUESTION_MULTIPLE):
        raise AuthoringError(_("Tipe pertanyaan tidak dikenal."), "type")
    if len(choices) < 2:
        raise AuthoringError(_("Isi paling sedikit 2 pilihan jawaban."), "choices")
    for choice in choices:
        choice.text = clean(choice.text)
    texts = [c.text for c in choices]
    if len(set(texts)) != len(texts):
        raise AuthoringError(_("Teks pilihan jawaban tidak boleh sama."), "choices")
    right = sum(1 for c in choices if c.is_correct)
    if qtype == QUESTION_SINGLE and right != 1:
        raise AuthoringError(_("Pilihan tunggal harus punya tepat satu jawaban benar (ada %(count)d).", count=right),
                             "choices")
    if qtype == QUESTION_MULTIPLE and (right < 1 or right == len(choices)):
        raise AuthoringError(_("Pilihan ganda harus punya paling sedikit satu jawaban benar dan satu jawaban salah."),
                             "choices")


def validate_question(data: QuestionData) -> dict:
    """Check ``data`` with the question-type registry; return the settings to store.

    Choice questions follow :func:`validate_choices`; every type is then
    checked by :func:`app.assessment.question_types.validate_definition`, the
    rule the importer applies to ``quiz.yaml``. Texts are cleaned (stripped);
    the returned dict holds only the keys the type uses, without a default
    ``scoring``, so a browser-made question exports and re-imports unchanged.
    Raises :class:`AuthoringError` on the form field concerned.
    """
    kind = question_types.REGISTRY.get(data.type)
    if kind is None:
        raise AuthoringError(_("Tipe pertanyaan tidak dikenal."), "type")
    given = data.settings or {}
    settings: dict = {}
    if kind.has_choices:
        validate_choices(data.type, data.choices)
    elif data.choices:
        raise AuthoringError(_("Tipe pertanyaan ini tidak memakai pilihan jawaban."), "choices")
    if data.type == QUESTION_TRUE_FALSE:
        if not isinstance(given.get("answer"), bool):
            raise AuthoringError(_("Pilih jawaban yang benar: Benar atau Salah."), "answer")
        settings["answer"] = given["answer"]
    elif data.type == QUESTION_SHORT_ANSWER:
        accepted = [clean(a) for a in given.get("accepted") or [] if clean(a)]
        if not accepted:
            raise AuthoringError(_("Isi paling sedikit satu jawaban yang diterima (satu per baris)."), "accepted")
        too_long = [a for a in accepted if len(a) > question_types.SHORT_ANSWER_MAX]
        if too_long:
            # Learners may type at most SHORT_ANSWER_MAX characters, so a longer answer could never match.
            raise AuthoringError(_("Setiap jawaban yang diterima paling panjang %(max)d karakter.",
                                   max=question_types.SHORT_ANSWER_MAX), "accepted")
        settings["accepted"] = accepted
    elif data.type == QUESTION_MATCHING:
        settings["pairs"] = [{"left": clean(p.get("left")), "right": clean(p.get("right"))}
                             for p in given.get("pairs") or []]
    if data.type in _DEFAULT_SCORING:
        scoring = given.get("scoring") or _DEFAULT_SCORING[data.type]
        if scoring not in question_types.SCORINGS:
            raise AuthoringError(_("Pilih cara penilaian yang tersedia."),
                                 "scoring" if data.type == QUESTION_MULTIPLE else "pair_scoring")
        if scoring != _DEFAULT_SCORING[data.type]:
            settings["scoring"] = scoring
    definition = {"type": data.type, "text": clean(data.text), "points": str(data.points), **settings,
                  "choices": [{"text": c.text, "correct": c.is_correct} for c in data.choices]}
    problems = question_types.validate_definition(definition)
    if problems:
        raise AuthoringError(" ".join(problems), _SETTINGS_FIELD.get(data.type, "choices"))
    return settings


def _settings_json(settings: dict) -> str:
    """``Question.settings`` text, written as the importer writes it (sorted keys, UTF-8 kept)."""
    return json.dumps(settings, ensure_ascii=False, sort_keys=True)


def _next_key(quiz: Quiz) -> str:
    taken = {q.key for q in quiz.questions}
    n = len(taken) + 1
    while f"q{n}" in taken:
        n += 1
    return f"q{n}"


def add_question(actor: User, quiz: Quiz, data: QuestionData) -> Question:
    """Append a question of any type; ``data.key`` or the next free ``q<n>``. Raises :class:`AuthoringError`."""
    settings = validate_question(data)
    key = (data.key or "").strip() or _next_key(quiz)
    if not _KEY_PATTERN.match(key) or len(key) > 60:
        raise AuthoringError(_("Kunci hanya boleh huruf, angka, '-' atau '_' (mis. q1)."), "key")
    if any(q.key == key for q in quiz.questions):
        raise AuthoringError(_("Kunci '%(key)s' sudah dipakai di kuis ini.", key=key), "key")
    question = Question(key=key, type=data.type, text=clean(data.text),
                        explanation=clean(data.explanation), points=data.points,
                        position=_next_position(quiz.questions), settings=_settings_json(settings))
    question.choices = [Choice(text=c.text, is_correct=c.is_correct, position=i) for i, c in enumerate(data.choices)]
    quiz.questions.append(question)
    db.session.flush()
    course = quiz.module.course
    _touch(course)
    _record(actor, course, "question.create", module=quiz.module.slug, question=key)
    return question


def update_question(actor: User, question: Question, data: QuestionData) -> dict:
    """Change a question, its type's settings and its choices (matched by position, as the importer does).

    Never changes its position. The settings are replaced by what the new
    type uses (a type change drops the old type's data and, for a type
    without choices, the choices). Attempts already made keep the
    :class:`~app.assessment.models.QuestionVersion` they answered; the next
    attempt gets a new version (``app.assessment.services.current_version``).
    """
    settings = validate_question(data)
    # Same content written differently (key order, spacing) is not a change.
    stored = question.settings if json.loads(question.settings or "{}") == settings else _settings_json(settings)
    changed = _assign(question, {"type": data.type, "text": clean(data.text),
                                 "explanation": clean(data.explanation), "points": data.points,
                                 "settings": stored})
    current = sorted(question.choices, key=lambda c: c.position)
    choices_changed = len(current) != len(data.choices)
    for extra in current[len(data.choices):]:
        question.choices.remove(extra)
    for position, spec in enumerate(data.choices):
        if position < len(current):
            choice = current[position]
            if (choice.text, choice.is_correct, choice.position) != (spec.text, spec.is_correct, position):
                choice.text, choice.is_correct, choice.position = spec.text, spec.is_correct, position
                choices_changed = True
        else:
            question.choices.append(Choice(text=spec.text, is_correct=spec.is_correct, position=position))
    if choices_changed:
        changed["choices"] = "diubah"
    if changed:
        course = question.quiz.module.course
        _touch(course)
        _record(actor, course, "question.update", module=question.quiz.module.slug, question=question.key,
                fields=changed)
    return changed


def delete_question(actor: User, question: Question) -> None:
    """Delete a question that no attempt uses.

    :raises AuthoringError: when an attempt answered it or an open attempt shows
        it (:func:`app.assessment.services.question_in_use`): deleting would take
        learners' answers with it; the trainer may edit it instead.
    """
    from app.assessment.services import question_in_use  # assessment imports learning; import late

    if question_in_use(question):
        raise AuthoringError(_("Pertanyaan %(key)s sedang dipakai: sudah dijawab peserta atau ada dalam percobaan "
                               "yang sedang dikerjakan, sehingga tidak dapat dihapus. Ubah isinya bila perlu.",
                               key=question.key))
    quiz = question.quiz
    quiz.questions.remove(question)
    db.session.flush()
    course = quiz.module.course
    _touch(course)
    _record(actor, course, "question.delete", module=quiz.module.slug, question=question.key)


def move_question(actor: User, question: Question, direction: str) -> bool:
    """Move a question one place up or down; False at the end of the list."""
    quiz = question.quiz
    moved = _move(quiz.questions, question, direction)
    if moved:
        course = quiz.module.course
        _touch(course)
        _record(actor, course, "question.move", module=quiz.module.slug, question=question.key, direction=direction)
    return moved


# ---------------------------------------------------------------------------
# Learners after an edit


def settle_completions(course: Course) -> int:
    """Complete the enrolments that an edit left with every current step done.

    After a lesson or quiz is deleted (or a lesson made optional), a learner
    may have nothing left to do; without this they would wait at 100 % with
    no certificate. Uses the bounded progress queries, then
    ``evaluate_completion`` for those learners only. Returns how many were completed.
    """
    from app.learning import services as learning

    open_enrolments = list(db.session.scalars(select(Enrolment).where(
        Enrolment.course_id == course.id, Enrolment.completed_at.is_(None), Enrolment.status == "active")))
    progress = learning.progress_for_enrolments(open_enrolments)
    done = 0
    for enrolment in open_enrolments:
        if progress[enrolment.id].complete:
            learning.evaluate_completion(enrolment)
            done += enrolment.completed_at is not None
    return done


def enrolment_counts(course: Course) -> dict[str, int]:
    """``{"enrolled": n, "completed": m}`` for ``course``, in one query (shown while editing)."""
    enrolled, completed = db.session.execute(
        select(func.count(Enrolment.id), func.count(Enrolment.completed_at)).where(Enrolment.course_id == course.id)
    ).one()
    return {"enrolled": enrolled, "completed": completed}


def learners_with_progress_in_module(module: Module) -> int:
    """Distinct enrolments with at least one completed lesson of ``module`` (told before deleting it)."""
    lesson_ids = [lesson.id for lesson in module.lessons]
    if not lesson_ids:
        return 0
    return db.session.scalar(select(func.count(func.distinct(LessonProgress.enrolment_id))).where(
        LessonProgress.lesson_id.in_(lesson_ids)))


def lesson_completion_count(lesson: Lesson) -> int:
    """Progress rows of ``lesson``: learners who completed it (told before deleting it)."""
    return db.session.scalar(select(func.count(LessonProgress.id)).where(LessonProgress.lesson_id == lesson.id))
