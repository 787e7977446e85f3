"""Import courses from files (format: ``courses/FORMAT.md``) into the database.

Language (issue #7): operator-facing only -- CLI output and file:line
diagnostics stay in Indonesian and are not in the gettext catalogues. The one
exception is :data:`IMPORT_LABEL`, the name of the import on the course's
history page, which readers see in their language.

A course folder holds ``course.yaml``, one Markdown file per lesson and at
most one ``quiz.yaml`` per module. Importing happens in two phases:

1. :func:`load_course` reads and validates every file of one course without
   touching the database and returns a :class:`CourseSpec`. Every problem found
   is collected (not just the first) as an :class:`ImportProblem` carrying the
   file name as shown to the operator, the 1-based line number and an
   Indonesian message; if there is any, :class:`CourseImportError` is raised.
   Line numbers come from PyYAML node marks (``yaml.compose``), so a field's
   error points at that field's line, a missing key at its mapping's line, a
   syntax error at the parser's line, and a missing lesson or quiz file at the
   line of ``course.yaml`` that names it.
2. The spec is written inside a savepoint (``db.session.begin_nested()``):
   the course is matched by slug, modules by slug, lessons by slug within their
   module, the quiz per module, questions by key and choices by position.
   Positions follow file order; rows no longer in the files are deleted (the
   database cascades remove learners' progress and answers on them).
   Attributes are compared before they are assigned, so importing unchanged
   files issues no UPDATE and ``Course.updated_at`` does not move.
   ``Course.is_published`` of an existing course is never touched; new
   courses are published unless ``course.yaml`` says ``published: false``
   (written by the exporter for drafts). Lessons may say ``required: false``
   and ``video: <YouTube or Vimeo link>`` (stored in canonical form, see
   :mod:`app.authoring.video`) and ``attachments`` (PDF/PNG/JPEG/WebP files,
   checked by their bytes and the upload size limit); ``course.yaml`` may
   name a ``cover`` image. Those files are copied into
   ``LENTERA_DATA_DIR/attachments`` under generated names; unchanged files
   (same SHA-256, title and name) are kept, and files an import replaces are
   listed in ``ImportResult.obsolete_files`` for removal after the commit.
   Courses missing from the files are left alone.

An import that creates or changes a course records the audit event
``course.imported`` on it (actor ``None``; detail: source folder, status,
version, a one-line summary and the first changes), so it shows in the
course's *Riwayat perubahan*. Browser edits are not overwritten by default:
when the files would change a course whose content was changed in the browser
after its last import (never imported: since it was created; see
:func:`browser_change_since_import`), the savepoint is rolled back and the
result is ``"dilewati"``, listing the differences left unapplied, unless the
caller passes ``overwrite=True`` (``flask courses import --timpa``). Unchanged
files and course: no write at all and no event, except once after browser
changes that the files now hold too (exported back, or undone): that agreement
is recorded, so the next change of the files is applied rather than skipped.

This module never commits: :func:`iter_import` yields one
:class:`ImportResult` per course after that course's savepoint is closed, so
the caller (``flask courses import``) commits once per course.
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Iterator, Optional

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.admin.audit import record_event
from app.admin.models import AuditEvent
from app.assessment import question_types
from app.assessment.models import (GRADING_HIGHEST, GRADING_METHODS, KIND_REGULAR, QUESTION_MATCHING,
                                   QUESTION_MULTIPLE, QUESTION_SHORT_ANSWER, QUESTION_SINGLE, QUESTION_TRUE_FALSE,
                                   QUESTION_TYPES, QUIZ_KINDS, SHOW_AFTER_PASS, SHOW_ANSWERS, Choice, Question,
                                   Quiz)
from app.authoring import files as upload_files
from app.authoring.video import VideoError, parse_video_url
from app.catalog.models import Attachment, Course, Lesson, Module
from app.common.db import utcnow
from app.common.names import hidden_character, refused_character, unprintable_character
from app.extensions import db

__all__ = [
    "STATUS_CREATED",
    "STATUS_UPDATED",
    "STATUS_UNCHANGED",
    "STATUS_FAILED",
    "STATUS_SKIPPED",
    "IMPORT_ACTION",
    "IMPORT_LABEL",
    "SLUG_PATTERN",
    "ImportProblem",
    "CourseImportError",
    "ImportResult",
    "CourseSpec",
    "ModuleSpec",
    "LessonSpec",
    "QuizSpec",
    "QuestionSpec",
    "ChoiceSpec",
    "FileSpec",
    "BrowserChange",
    "browser_change_since_import",
    "remove_obsolete",
    "find_course_dirs",
    "load_course",
    "import_course_dir",
    "iter_import",
    "import_path",
    "default_lesson_slug",
]

STATUS_CREATED = "dibuat"
STATUS_UPDATED = "diperbarui"
STATUS_UNCHANGED = "tidak berubah"
STATUS_FAILED = "gagal"
#: The files would change a course edited in the browser since its last import; nothing was written.
STATUS_SKIPPED = "dilewati"

#: Audit action of an import that created or changed a course (target ``"course"``, actor ``None``).
IMPORT_ACTION = "course.imported"
#: Its name on the course's history page (``app.authoring.routes.ACTION_LABELS``).
IMPORT_LABEL = _l("Kursus diimpor dari berkas")

COURSE_FILE = "course.yaml"
#: Slugs of courses, modules and lessons (FORMAT.md: "[a-z0-9-]").
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_QUESTION_KEY = re.compile(r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)*$")
# No "+" sign, exponent or "_": the same plain form as the authoring forms. A minus is let
# through so that a negative value gets the range message.
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_LEADING_NUMBER = re.compile(r"^[0-9]+-")

# Column sizes of the models (catalog and assessment); longer text would fail on PostgreSQL.
_SLUG_MAX = 100
_TITLE_MAX = 200
_AUDIENCE_MAX = 300
_KEY_MAX = 60
_DECIMAL_PLACES = 2

_TAG_NULL = "tag:yaml.org,2002:null"
_TAG_BOOL = "tag:yaml.org,2002:bool"
_TRUE = {"true", "yes", "on", "y"}
_FALSE = {"false", "no", "off", "n"}

# Indonesian wording for the PyYAML problems an author meets most; others are shown as PyYAML words them.
_YAML_PROBLEMS = {
    "mapping values are not allowed here":
        "tanda ':' tidak boleh di sini (beri tanda kutip pada teks yang memuat ': ')",
    "could not find expected ':'": "tanda ':' yang diharapkan tidak ditemukan",
    "found character '\\t' that cannot start any token":
        "karakter tab tidak boleh dipakai; gunakan spasi untuk indentasi",
    "found unexpected end of stream": "file berakhir sebelum tanda kutip atau blok ditutup",
    "found unexpected ':'": "tanda ':' tidak terduga",
    "expected <block end>, but found '<block mapping start>'": "indentasi tidak konsisten",
    "expected <block end>, but found '<block sequence start>'": "indentasi tidak konsisten",
    "expected <block end>, but found '-'": "indentasi daftar ('-') tidak konsisten",
    "expected <block end>, but found '<scalar>'": "indentasi tidak konsisten atau teks perlu diberi tanda kutip",
    "expected a single document in the stream": "file hanya boleh berisi satu dokumen YAML",
    "but found another document": "file hanya boleh berisi satu dokumen YAML (hapus baris '---')",
}

_COURSE_KEYS = ({"slug", "title", "jp", "pass_mark", "version", "modules"},
                {"summary", "audience", "published", "cover"})
_MODULE_KEYS = ({"slug", "title", "lessons"}, {"summary", "quiz"})
_LESSON_KEYS = ({"file", "title"}, {"slug", "minutes", "required", "video", "attachments"})
_ATTACHMENT_KEYS = ({"file"}, {"title", "name"})
_ATTACHMENT_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".webp")
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
_QUIZ_KEYS = ({"title", "questions"}, {"pass_mark", "draw", "shuffle", "max_attempts", "grading", "wait_minutes",
                                       "time_limit_minutes", "kind", "show_answers"})
_QUESTION_KEYS = ({"key", "type", "text"}, {"points", "explanation", "choices", "scoring", "answer", "accepted",
                                            "pairs"})
_PAIR_KEYS = ({"left", "right"}, set())
_CHOICE_TYPES = (QUESTION_SINGLE, QUESTION_MULTIPLE)
_CHOICE_KEYS = ({"text"}, {"correct"})


# ---------------------------------------------------------------------------
# Results and errors


@dataclass(frozen=True)
class ImportProblem:
    """One reason a course was refused.

    ``file`` is the file's path as the operator sees it (the given import path
    joined with the path inside the course folder, ``/``-separated), ``line``
    the 1-based line (``None`` only when the problem is about a folder, not a
    file), ``message`` an Indonesian sentence. ``str()`` gives
    ``"file:line: message"``.
    """

    file: str
    line: Optional[int]
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class CourseImportError(Exception):
    """A course (or the import path itself) was refused; nothing of it was written.

    ``problems`` lists every problem found, in file and line order of discovery.
    """

    def __init__(self, problems: list[ImportProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ChoiceSpec:
    """One answer option as read from ``quiz.yaml``."""

    text: str
    is_correct: bool


@dataclass
class QuestionSpec:
    """One question: ``type`` is ``single`` or ``multiple``; ``points`` an exact Decimal > 0."""

    key: str
    type: str
    text: str
    explanation: str
    points: Decimal
    choices: list[ChoiceSpec]
    #: ``Question.settings``: ``scoring`` (multiple, matching), ``answer`` (true_false),
    #: ``accepted`` (short_answer), ``pairs`` (matching); empty for plain choice questions.
    settings: dict = field(default_factory=dict)


@dataclass
class QuizSpec:
    """A module's quiz; ``pass_mark`` (percent) is ``None`` when it falls back to the course's."""

    file: str
    title: str
    pass_mark: Optional[Decimal]
    questions: list[QuestionSpec]
    draw_count: Optional[int] = None
    shuffle: bool = False
    max_attempts: Optional[int] = None
    grading: str = GRADING_HIGHEST
    wait_minutes: Optional[int] = None
    time_limit_minutes: Optional[int] = None
    kind: str = KIND_REGULAR
    show_answers: str = SHOW_AFTER_PASS


@dataclass
class FileSpec:
    """A binary file of the course (attachment or cover) checked by its bytes.

    ``path`` is the file on disk, ``file`` its path inside the course folder,
    ``name`` the download name, ``content_type`` from the magic number.
    """

    file: str
    path: Path
    title: str
    name: str
    content_type: str
    size: int
    sha256: str


@dataclass
class LessonSpec:
    """One lesson; ``file`` is the path inside the course folder, ``body_md`` its text (LF line ends)."""

    file: str
    slug: str
    title: str
    body_md: str
    minutes: Optional[int]
    is_required: bool = True
    video_url: Optional[str] = None
    attachments: list[FileSpec] = field(default_factory=list)


@dataclass
class ModuleSpec:
    """One module with its lessons in file order and its optional quiz."""

    slug: str
    title: str
    summary: str
    lessons: list[LessonSpec]
    quiz: Optional[QuizSpec]


@dataclass
class CourseSpec:
    """A validated course read from files; ``jp`` and ``pass_mark`` are exact Decimals.

    ``source`` is the display name of ``course.yaml`` and ``slug_line`` the
    line of its ``slug`` (used to report a slug used by two folders).
    """

    slug: str
    title: str
    summary: str
    audience: str
    jp: Decimal
    pass_mark: Decimal
    version: int
    modules: list[ModuleSpec]
    source: str = ""
    slug_line: int = 1
    published: bool = True
    cover: Optional[FileSpec] = None

    @property
    def lesson_count(self) -> int:
        return sum(len(m.lessons) for m in self.modules)

    @property
    def quiz_count(self) -> int:
        return sum(1 for m in self.modules if m.quiz is not None)

    @property
    def question_count(self) -> int:
        return sum(len(m.quiz.questions) for m in self.modules if m.quiz is not None)


@dataclass(frozen=True)
class BrowserChange:
    """A recorded change of a course's content made after its last import (see :func:`browser_change_since_import`).

    ``action`` is the audit action (e.g. ``"module.create"``), ``at`` its UTC time,
    ``actor`` the email of whoever made it (``None``: command line or deleted user).
    """

    action: str
    at: datetime
    actor: Optional[str]

    def __str__(self) -> str:
        who = f" oleh {self.actor}" if self.actor else ""
        return f"{self.action}{who}, {self.at:%Y-%m-%d %H:%M} UTC"


@dataclass
class ImportResult:
    """Outcome of importing one course folder.

    ``status`` is one of ``"dibuat"``, ``"diperbarui"``, ``"tidak berubah"``,
    ``"dilewati"``, ``"gagal"``. ``path`` is the folder as shown to the operator; ``slug``,
    ``course_id`` and ``spec`` are ``None`` when the course could not be read.
    ``changes`` lists, in Indonesian, what an update changed -- or, when skipped,
    what it would have changed (empty otherwise); ``problems`` is non-empty
    exactly when the status is ``"gagal"``. ``browser_change`` is the newest
    browser change that made the import skip the course (or that ``overwrite``
    overwrote), else ``None``.
    """

    path: str
    status: str
    slug: Optional[str] = None
    course_id: Optional[int] = None
    spec: Optional[CourseSpec] = None
    changes: list[str] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)
    #: Stored attachment/cover files the import replaced; remove them after the commit (:func:`remove_obsolete`).
    obsolete_files: list[str] = field(default_factory=list)
    browser_change: Optional[BrowserChange] = None

    @property
    def ok(self) -> bool:
        return self.status != STATUS_FAILED

    @property
    def label(self) -> str:
        """The slug when known, else the folder path."""
        return self.slug or self.path


# ---------------------------------------------------------------------------
# Finding course folders


def _display(path: Path) -> str:
    return path.as_posix()


def find_course_dirs(path: str | Path) -> list[Path]:
    """Return the course folders named by ``path``, sorted by name.

    ``path`` is a course folder (it holds ``course.yaml``), the
    ``course.yaml`` file itself, or a folder whose direct subfolders are course
    folders (subfolders without ``course.yaml`` are ignored). Returned paths
    keep the form given (relative stays relative) so messages show familiar
    names. Raises :class:`CourseImportError` if ``path`` does not exist or
    holds no course.
    """
    path = Path(path)
    if path.is_file():
        if path.name == COURSE_FILE:
            return [path.parent]
        raise CourseImportError([ImportProblem(_display(path), None,
                                               f"bukan folder kursus; berikan folder yang berisi {COURSE_FILE} "
                                               "atau folder berisi folder-folder kursus")])
    if not path.is_dir():
        raise CourseImportError([ImportProblem(_display(path), None, "folder tidak ditemukan")])
    if (path / COURSE_FILE).is_file():
        return [path]
    found = sorted((child for child in path.iterdir() if child.is_dir() and (child / COURSE_FILE).is_file()),
                   key=lambda p: p.name)
    if not found:
        raise CourseImportError([ImportProblem(_display(path), None,
                                               f"tidak ada folder kursus (folder berisi {COURSE_FILE}) di sini")])
    return found


def default_lesson_slug(file_name: str) -> str:
    """Lesson slug implied by its file: stem without a leading ``<digits>-``.

    ``"01-pengertian-spbe.md"`` → ``"pengertian-spbe"`` (FORMAT.md).
    """
    return _LEADING_NUMBER.sub("", PurePosixPath(file_name).stem, count=1)


# ---------------------------------------------------------------------------
# Reading and validating


def _line(where) -> int:
    if isinstance(where, int):
        return where
    return where.start_mark.line + 1


def _peek(node: Node, key: str) -> Optional[str]:
    """The plain text under ``key`` of a mapping node, to name it in messages before it is validated."""
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == key and isinstance(value_node, ScalarNode):
                value = value_node.value.strip()
                if value and "\n" not in value and len(value) <= _SLUG_MAX:
                    return value
    return None


def _upload_limit() -> int:
    """Largest attachment or cover in bytes: ``LENTERA_ATTACHMENT_MAX_BYTES`` as for uploads."""
    from flask import current_app, has_app_context

    if has_app_context():
        return int(current_app.config.get("LENTERA_ATTACHMENT_MAX_BYTES") or upload_files.DEFAULT_MAX_BYTES)
    return upload_files.DEFAULT_MAX_BYTES


def _decode(data: bytes) -> tuple[Optional[str], Optional[tuple[int, str]]]:
    """UTF-8 text with a BOM dropped and LF line ends, or ``(None, (line, message))``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, (line, f"file bukan teks UTF-8 yang sah (byte 0x{data[exc.start]:02x} tidak dikenali)")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


class _Doc:
    """One file being validated: records problems under its display name."""

    def __init__(self, name: str, problems: list[ImportProblem]):
        self.name = name
        self.problems = problems

    def add(self, where, message: str) -> None:
        self.problems.append(ImportProblem(self.name, _line(where), message))

    def fields(self, node: Node, what: str, keys: tuple[set[str], set[str]]) -> Optional[dict[str, tuple[Node, Node]]]:
        """The known ``key -> (key_node, value_node)`` of a mapping; reports bad, unknown, doubled, missing keys."""
        required, optional = keys
        if not isinstance(node, MappingNode):
            self.add(node, f"{what} harus berupa pemetaan (baris-baris 'kunci: nilai')")
            return None
        allowed = sorted(required | optional)
        found: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _TAG_NULL:
                self.add(key_node, f"{what}: kunci harus berupa teks")
                continue
            key = key_node.value
            if key in found:
                self.add(key_node, f"{what}: kunci '{key}' ditulis dua kali (pertama di baris {_line(found[key][0])})")
                continue
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"maksud Anda '{close[0]}'?" if close else "kunci yang dikenal: " + ", ".join(allowed)
                self.add(key_node, f"{what}: kunci tidak dikenal '{key}' ({hint})")
                continue
            found[key] = (key_node, value_node)
        for key in sorted(required - found.keys()):
            self.add(node, f"{what}: kunci wajib '{key}' tidak ada")
        return found

    def text(self, fields: dict, key: str, what: str, *, required: bool = True, max_len: Optional[int] = None,
             one_line: bool = False) -> Optional[str]:
        """A text value, stripped; ``""`` for an absent optional key, ``None`` after a reported problem."""
        if key not in fields:
            return None if required else ""
        node = fields[key][1]
        if isinstance(node, ScalarNode) and node.tag == _TAG_NULL:
            if required:
                self.add(node, f"{what}: '{key}' wajib diisi")
                return None
            return ""
        if not isinstance(node, ScalarNode):
            self.add(node, f"{what}: '{key}' harus berupa teks")
            return None
        value = node.value.strip()
        if required and not value:
            self.add(node, f"{what}: '{key}' tidak boleh kosong")
            return None
        if one_line and "\n" in value:
            self.add(node, f"{what}: '{key}' harus satu baris")
            return None
        if max_len is not None and len(value) > max_len:
            self.add(node, f"{what}: '{key}' terlalu panjang ({len(value)} karakter; paling banyak {max_len})")
            return None
        # One-line values (titles, keys) refuse every control/invisible character; longer texts
        # only bidi controls and zero-width spaces (rules: app.common.names).
        char = refused_character(value) if one_line else hidden_character(value)
        if char is not None:
            self.add(node, f"{what}: '{key}' berisi karakter tersembunyi atau karakter kendali "
                           f"(U+{ord(char):04X}); hapus karakter itu")
            return None
        return value

    def printable(self, fields: dict, key: str, what: str, value: Optional[str]) -> Optional[str]:
        """``value`` when every character exists in the certificate fonts (it is printed on
        certificates); otherwise a reported problem and ``None``."""
        char = unprintable_character(value) if value is not None else None
        if char is not None:
            self.add(fields[key][1], f"{what}: '{key}' memuat karakter '{char}' (U+{ord(char):04X}) yang tidak "
                                     "dapat dicetak pada sertifikat; hapus karakter itu (mis. emoji)")
            return None
        return value

    def slug(self, fields: dict, key: str, what: str) -> Optional[str]:
        value = self.text(fields, key, what, max_len=_SLUG_MAX, one_line=True)
        if value is not None and not SLUG_PATTERN.match(value):
            self.add(fields[key][1], f"{what}: slug '{value}' tidak sah; gunakan huruf kecil a-z, angka 0-9 "
                                     "dan tanda '-' di antara kata (mis. spbe-dasar)")
            return None
        return value

    def _scalar(self, fields: dict, key: str, what: str) -> Optional[ScalarNode]:
        node = fields[key][1]
        if isinstance(node, ScalarNode) and node.tag == _TAG_NULL:
            self.add(node, f"{what}: '{key}' wajib diisi")
            return None
        if not isinstance(node, ScalarNode):
            self.add(node, f"{what}: '{key}' harus berupa angka")
            return None
        return node

    def decimal(self, fields: dict, key: str, what: str, *, low: Decimal, low_inclusive: bool,
                high: Optional[Decimal] = None, rule: str) -> Optional[Decimal]:
        """An exact Decimal parsed from the scalar's source text (never via float)."""
        node = self._scalar(fields, key, what)
        if node is None:
            return None
        source = node.value.strip()
        if not _NUMBER.match(source):
            self.add(node, f"{what}: '{key}' harus berupa angka desimal dengan titik, mis. 20 atau 7.5 "
                           f"(tertulis: {source!r})")
            return None
        try:
            value = Decimal(source)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            self.add(node, f"{what}: '{key}' bukan angka yang sah")
            return None
        ok = (value >= low if low_inclusive else value > low) and (high is None or value <= high)
        if not ok:
            self.add(node, f"{what}: '{key}' harus {rule} (tertulis: {source})")
            return None
        if value.as_tuple().exponent < -_DECIMAL_PLACES:
            self.add(node, f"{what}: '{key}' paling banyak {_DECIMAL_PLACES} angka di belakang titik desimal "
                           f"(tertulis: {source})")
            return None
        return value + Decimal(0)  # "-0" and "+5" become 0 and 5

    def integer(self, fields: dict, key: str, what: str, *, minimum: int) -> Optional[int]:
        node = self._scalar(fields, key, what)
        if node is None:
            return None
        source = node.value.strip()
        if not _INTEGER.match(source):
            self.add(node, f"{what}: '{key}' harus berupa bilangan bulat (tertulis: {source!r})")
            return None
        value = int(source)
        if value < minimum:
            self.add(node, f"{what}: '{key}' harus bilangan bulat paling kecil {minimum} (tertulis: {source})")
            return None
        return value

    def boolean(self, fields: dict, key: str, what: str) -> Optional[bool]:
        node = fields[key][1]
        value = node.value.strip().lower() if isinstance(node, ScalarNode) else None
        if node.tag == _TAG_BOOL and value in _TRUE:
            return True
        if node.tag == _TAG_BOOL and value in _FALSE:
            return False
        self.add(node, f"{what}: '{key}' harus true atau false")
        return None

    def sequence(self, fields: dict, key: str, what: str, *, item: str) -> Optional[list[Node]]:
        """The items of a non-empty list."""
        if key not in fields:
            return None
        node = fields[key][1]
        if not isinstance(node, SequenceNode):
            self.add(node, f"{what}: '{key}' harus berupa daftar (baris-baris yang diawali '- ')")
            return None
        if not node.value:
            self.add(node, f"{what}: '{key}' harus berisi paling sedikit satu {item}")
            return None
        return list(node.value)


class _CourseReader:
    """Reads one course folder into a :class:`CourseSpec`, collecting every problem."""

    def __init__(self, course_dir: Path):
        self.dir = course_dir
        self.root = course_dir.resolve()
        self.display = _display(course_dir)
        self.problems: list[ImportProblem] = []

    def shown(self, rel: str) -> str:
        return f"{self.display}/{rel}" if self.display not in ("", ".") else rel

    def doc(self, rel: str) -> _Doc:
        return _Doc(self.shown(rel), self.problems)

    def compose(self, rel: str, doc: _Doc) -> Optional[Node]:
        """Parse a YAML file into its node tree; problems go to ``doc``."""
        try:
            data = (self.dir / rel).read_bytes()
        except OSError as exc:
            doc.add(1, f"file tidak dapat dibaca ({exc.strerror})")
            return None
        text, error = _decode(data)
        if error:
            doc.add(*error)
            return None
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "kesalahan tidak dikenal"
            reason = _YAML_PROBLEMS.get(problem)
            reason = f"{reason} ({problem})" if reason else problem
            doc.add(mark.line + 1 if mark else 1, f"sintaks YAML tidak sah: {reason}")
            return None
        except yaml.reader.ReaderError as exc:
            doc.add(text.count("\n", 0, exc.position) + 1,
                    f"karakter tidak boleh dipakai dalam YAML: U+{exc.character:04X}"
                    if isinstance(exc.character, int) else f"karakter tidak boleh dipakai dalam YAML ({exc.reason})")
            return None
        except yaml.YAMLError as exc:
            doc.add(1, f"sintaks YAML tidak sah: {exc}")
            return None
        if node is None:
            doc.add(1, "file kosong")
        return node

    def referenced_file(self, doc: _Doc, fields: dict, key: str, what: str, *, kind: str,
                        suffixes: tuple[str, ...]) -> Optional[str]:
        """A path inside the course folder named in ``course.yaml``; ``None`` after a reported problem."""
        raw = doc.text(fields, key, what, one_line=True)
        if raw is None:
            return None
        node = fields[key][1]
        if "\\" in raw:
            doc.add(node, f"{what}: path '{raw}' harus memakai '/' sebagai pemisah folder")
            return None
        rel = PurePosixPath(raw)
        if rel.is_absolute() or PureWindowsPath(raw).drive:
            doc.add(node, f"{what}: path '{raw}' harus relatif terhadap folder kursus")
            return None
        if ".." in rel.parts:
            doc.add(node, f"{what}: path '{raw}' tidak boleh keluar dari folder kursus ('..')")
            return None
        if rel.suffix.lower() not in suffixes:
            doc.add(node, f"{what}: {kind} '{raw}' harus berakhiran " + " atau ".join(suffixes))
            return None
        target = self.dir / rel
        if not target.resolve().is_relative_to(self.root):
            doc.add(node, f"{what}: path '{raw}' menunjuk ke luar folder kursus (tautan simbolik)")
            return None
        if not target.is_file():
            doc.add(node, f"{what}: {kind} tidak ditemukan: {rel.as_posix()}")
            return None
        return rel.as_posix()

    # -- course.yaml ---------------------------------------------------------

    def read(self) -> CourseSpec:
        doc = self.doc(COURSE_FILE)
        if not (self.dir / COURSE_FILE).is_file():
            raise CourseImportError([ImportProblem(self.display, None, f"{COURSE_FILE} tidak ditemukan")])
        root = self.compose(COURSE_FILE, doc)
        spec = self._course(doc, root) if root is not None else None
        if self.problems or spec is None:
            # Files in order of first mention, lines ascending within a file.
            order: dict[str, int] = {}
            for problem in self.problems:
                order.setdefault(problem.file, len(order))
            raise CourseImportError(sorted(self.problems, key=lambda p: (order[p.file], p.line or 0)))
        return spec

    def _course(self, doc: _Doc, root: Node) -> Optional[CourseSpec]:
        what = "kursus"
        f = doc.fields(root, what, _COURSE_KEYS)
        if f is None:
            return None
        slug = doc.slug(f, "slug", what)
        title = doc.printable(f, "title", what, doc.text(f, "title", what, max_len=_TITLE_MAX, one_line=True))
        summary = doc.text(f, "summary", what, required=False)
        audience = doc.text(f, "audience", what, required=False, max_len=_AUDIENCE_MAX)
        jp = doc.decimal(f, "jp", what, low=Decimal(0), low_inclusive=True, rule="angka >= 0") if "jp" in f else None
        pass_mark = self._pass_mark(doc, f, what) if "pass_mark" in f else None
        version = doc.integer(f, "version", what, minimum=1) if "version" in f else None
        published = doc.boolean(f, "published", what) if "published" in f else True
        cover: Optional[FileSpec] | bool = False
        if "cover" in f:
            cover = self.binary(doc, f, "cover", what, kind="gambar sampul", suffixes=_IMAGE_SUFFIXES,
                                allowed=upload_files.IMAGE_TYPES)
        modules = []
        seen: dict[str, int] = {}
        for index, node in enumerate(doc.sequence(f, "modules", what, item="modul") or [], start=1):
            module = self._module(doc, node, index, seen)
            if module is not None:
                modules.append(module)
        if None in (slug, title, jp, pass_mark, version, published, cover) or "modules" not in f:
            return None
        return CourseSpec(slug=slug, title=title, summary=summary or "", audience=audience or "", jp=jp,
                          pass_mark=pass_mark, version=version, modules=modules, source=doc.name,
                          slug_line=_line(f["slug"][1]), published=published, cover=cover or None)

    @staticmethod
    def _pass_mark(doc: _Doc, f: dict, what: str) -> Optional[Decimal]:
        return doc.decimal(f, "pass_mark", what, low=Decimal(0), low_inclusive=False, high=Decimal(100),
                           rule="lebih dari 0 dan paling besar 100 (persen)")

    def _module(self, doc: _Doc, node: Node, index: int, seen: dict[str, int]) -> Optional[ModuleSpec]:
        what = f"modul {_peek(node, 'slug') or f'ke-{index}'}"
        f = doc.fields(node, what, _MODULE_KEYS)
        if f is None:
            return None
        slug = doc.slug(f, "slug", f"modul ke-{index}")
        if slug is not None:
            if slug in seen:
                doc.add(f["slug"][1],
                        f"{what}: slug modul sudah dipakai di baris {seen[slug]}; harus unik dalam kursus")
                slug = None
            else:
                seen[slug] = _line(f["slug"][1])
        title = doc.text(f, "title", what, max_len=_TITLE_MAX, one_line=True)
        summary = doc.text(f, "summary", what, required=False)
        lessons = []
        lesson_slugs: dict[str, int] = {}
        for number, lesson_node in enumerate(doc.sequence(f, "lessons", what, item="pelajaran") or [], start=1):
            lesson = self._lesson(doc, lesson_node, f"{what}, pelajaran ke-{number}", lesson_slugs)
            if lesson is not None:
                lessons.append(lesson)
        quiz = None
        if "quiz" in f:
            rel = self.referenced_file(doc, f, "quiz", what, kind="file kuis", suffixes=(".yaml", ".yml"))
            if rel is not None:
                quiz = self._quiz(rel)
        if None in (slug, title) or "lessons" not in f:
            return None
        return ModuleSpec(slug=slug, title=title, summary=summary or "", lessons=lessons, quiz=quiz)

    def _lesson(self, doc: _Doc, node: Node, what: str, seen: dict[str, int]) -> Optional[LessonSpec]:
        f = doc.fields(node, what, _LESSON_KEYS)
        if f is None:
            return None
        rel = None
        if "file" in f:
            rel = self.referenced_file(doc, f, "file", what, kind="file pelajaran", suffixes=(".md",))
        if "slug" in f:
            slug = doc.slug(f, "slug", what)
            slug_node = f["slug"][1]
        elif rel is not None:
            slug = default_lesson_slug(rel)
            slug_node = f["file"][1]
            if not SLUG_PATTERN.match(slug) or len(slug) > _SLUG_MAX:
                doc.add(slug_node, f"{what}: slug bawaan '{slug}' dari nama file tidak sah; ganti nama file "
                                   "(huruf kecil, angka, '-') atau tulis 'slug:'")
                slug = None
        else:
            slug = slug_node = None
        if slug is not None:
            if slug in seen:
                doc.add(slug_node, f"{what}: slug pelajaran '{slug}' sudah dipakai di baris {seen[slug]}; "
                                   "harus unik dalam modul")
                slug = None
            else:
                seen[slug] = _line(slug_node)
        title = doc.text(f, "title", what, max_len=_TITLE_MAX, one_line=True)
        minutes = None
        if "minutes" in f and not (isinstance(f["minutes"][1], ScalarNode) and f["minutes"][1].tag == _TAG_NULL):
            minutes = doc.integer(f, "minutes", what, minimum=1)
        required = doc.boolean(f, "required", what) if "required" in f else True
        video_url = ""
        if "video" in f:
            video_text = doc.text(f, "video", what, one_line=True)
            video_url = None
            if video_text is not None:
                try:
                    video_url = parse_video_url(video_text).canonical_url
                except VideoError as exc:
                    doc.add(f["video"][1], f"{what}: {exc}")
        attachments: Optional[list[FileSpec]] = []
        if "attachments" in f:
            attachments = self._attachments(doc, f, what)
        body = self._lesson_body(rel) if rel is not None else None
        if None in (rel, slug, title, body, required, video_url, attachments):
            return None
        return LessonSpec(file=rel, slug=slug, title=title, body_md=body, minutes=minutes, is_required=required,
                          video_url=video_url or None, attachments=attachments)

    def _attachments(self, doc: _Doc, f: dict, what: str) -> Optional[list[FileSpec]]:
        nodes = doc.sequence(f, "attachments", what, item="lampiran")
        if nodes is None:
            return None
        found: list[Optional[FileSpec]] = []
        for number, node in enumerate(nodes, start=1):
            where = f"{what}, lampiran ke-{number}"
            af = doc.fields(node, where, _ATTACHMENT_KEYS)
            if af is None:
                found.append(None)
                continue
            found.append(self.binary(doc, af, "file", where, kind="file lampiran", suffixes=_ATTACHMENT_SUFFIXES,
                                     allowed=upload_files.ATTACHMENT_TYPES))
        return None if None in found else found

    def binary(self, doc: _Doc, fields: dict, key: str, what: str, *, kind: str, suffixes: tuple[str, ...],
               allowed: tuple[str, ...]) -> Optional[FileSpec]:
        """A PDF or image named in YAML, checked by its own bytes and the upload size limit."""
        rel = self.referenced_file(doc, fields, key, what, kind=kind, suffixes=suffixes)
        title = doc.text(fields, "title", what, required=False, max_len=_TITLE_MAX, one_line=True)
        name = doc.text(fields, "name", what, required=False, max_len=255, one_line=True)
        if rel is None or title is None or name is None:
            return None
        node = fields[key][1]
        path = self.dir / rel
        try:
            data = path.read_bytes()
        except OSError as exc:
            doc.add(node, f"{what}: {kind} tidak dapat dibaca ({exc.strerror})")
            return None
        content_type = upload_files.sniff(data[:16])
        if content_type not in allowed:
            doc.add(node, f"{what}: isi {kind} '{rel}' bukan " + ", ".join(
                upload_files.EXTENSIONS[t].upper() for t in allowed))
            return None
        limit = _upload_limit()
        if len(data) > limit:
            doc.add(node, f"{what}: {kind} '{rel}' lebih besar dari batas {limit} byte")
            return None
        name = name or PurePosixPath(rel).name
        return FileSpec(file=rel, path=path, title=title or name, name=name, content_type=content_type,
                        size=len(data), sha256=hashlib.sha256(data).hexdigest())

    def _lesson_body(self, rel: str) -> Optional[str]:
        doc = self.doc(rel)
        try:
            data = (self.dir / rel).read_bytes()
        except OSError as exc:
            doc.add(1, f"file tidak dapat dibaca ({exc.strerror})")
            return None
        text, error = _decode(data)
        if error:
            doc.add(*error)
            return None
        if not text.strip():
            doc.add(1, "file pelajaran kosong")
            return None
        return text

    # -- quiz.yaml -----------------------------------------------------------

    def _quiz(self, rel: str) -> Optional[QuizSpec]:
        doc = self.doc(rel)
        root = self.compose(rel, doc)
        if root is None:
            return None
        what = "kuis"
        f = doc.fields(root, what, _QUIZ_KEYS)
        if f is None:
            return None
        title = doc.text(f, "title", what, max_len=_TITLE_MAX, one_line=True)
        pass_mark = self._pass_mark(doc, f, what) if "pass_mark" in f else None
        questions = []
        seen: dict[str, int] = {}
        for index, node in enumerate(doc.sequence(f, "questions", what, item="pertanyaan") or [], start=1):
            question = self._question(doc, node, index, seen)
            if question is not None:
                questions.append(question)
        settings = self._quiz_settings(doc, f, what, questions)
        if title is None or "questions" not in f or settings is None:
            return None
        return QuizSpec(file=rel, title=title, pass_mark=pass_mark, questions=questions, **settings)

    @staticmethod
    def _quiz_settings(doc: _Doc, f: dict, what: str, questions: list) -> Optional[dict]:
        """draw, shuffle, attempts, grading, timing, kind and show_answers of a quiz (FORMAT.md)."""
        values: dict = {}
        ok = True
        for key, attr in (("draw", "draw_count"), ("max_attempts", "max_attempts"),
                          ("wait_minutes", "wait_minutes"), ("time_limit_minutes", "time_limit_minutes")):
            if key in f:
                values[attr] = doc.integer(f, key, what, minimum=1)
                ok = ok and values[attr] is not None
        if values.get("draw_count") is not None and values["draw_count"] > len(questions):
            doc.add(f["draw"][1], f"{what}: 'draw' ({values['draw_count']}) melebihi jumlah pertanyaan "
                                  f"({len(questions)})")
            ok = False
        if "shuffle" in f:
            values["shuffle"] = doc.boolean(f, "shuffle", what)
            ok = ok and values["shuffle"] is not None
        for key, allowed in (("grading", GRADING_METHODS), ("kind", QUIZ_KINDS), ("show_answers", SHOW_ANSWERS)):
            if key in f:
                value = doc.text(f, key, what, one_line=True)
                if value is not None and value not in allowed:
                    doc.add(f[key][1], f"{what}: '{key}' harus salah satu dari: " + ", ".join(allowed)
                                       + f" (tertulis: {value!r})")
                    value = None
                values[key] = value
                ok = ok and value is not None
        return values if ok else None

    def _question(self, doc: _Doc, node: Node, index: int, seen: dict[str, int]) -> Optional[QuestionSpec]:
        what = f"pertanyaan {_peek(node, 'key') or f'ke-{index}'}"
        f = doc.fields(node, what, _QUESTION_KEYS)
        if f is None:
            return None
        key = doc.text(f, "key", f"pertanyaan ke-{index}", max_len=_KEY_MAX, one_line=True)
        if key is not None:
            if not _QUESTION_KEY.match(key):
                doc.add(f["key"][1], f"pertanyaan ke-{index}: key '{key}' tidak sah; gunakan huruf, angka, '-' atau "
                                     "'_' (mis. q1)")
                key = None
            elif key in seen:
                doc.add(f["key"][1], f"pertanyaan ke-{index}: key '{key}' sudah dipakai di baris {seen[key]}; "
                                     "harus unik dalam kuis")
                key = None
            else:
                seen[key] = _line(f["key"][1])
        qtype = doc.text(f, "type", what, one_line=True)
        if qtype is not None and qtype not in QUESTION_TYPES:
            doc.add(f["type"][1], f"{what}: type '{qtype}' tidak dikenal; pilih single (tepat satu jawaban benar), "
                                  "multiple (satu atau lebih jawaban benar), true_false, short_answer atau matching")
            qtype = None
        text = doc.text(f, "text", what)
        explanation = doc.text(f, "explanation", what, required=False)
        points = Decimal(1)
        if "points" in f:
            points = doc.decimal(f, "points", what, low=Decimal(0), low_inclusive=False, rule="lebih dari 0")
        if qtype in _CHOICE_TYPES or (qtype is None and "choices" in f):
            choices = self._choices(doc, f, what, qtype)
        elif "choices" in f:
            doc.add(f["choices"][0], f"{what}: tipe {qtype} tidak memakai 'choices'")
            choices = None
        else:
            choices = []
        settings = self._question_settings(doc, f, what, qtype) if qtype is not None else None
        if None in (key, qtype, text, points, choices, settings):
            return None
        if qtype not in _CHOICE_TYPES:
            definition = {"type": qtype, "text": text, "points": str(points), **settings}
            for problem in question_types.validate_definition(definition):
                doc.add(node, f"{what}: {problem}")
                settings = None
            if settings is None:
                return None
        return QuestionSpec(key=key, type=qtype, text=text, explanation=explanation or "", points=points,
                            choices=choices, settings=settings)

    @staticmethod
    def _question_settings(doc: _Doc, f: dict, what: str, qtype: str) -> Optional[dict]:
        """The type-specific keys of a question (FORMAT.md); ``{}`` for plain choice questions."""
        used = {"scoring": (QUESTION_MULTIPLE, QUESTION_MATCHING), "answer": (QUESTION_TRUE_FALSE,),
                "accepted": (QUESTION_SHORT_ANSWER,), "pairs": (QUESTION_MATCHING,)}
        settings: dict = {}
        ok = True
        for key, types_using in used.items():
            if key in f and qtype not in types_using:
                doc.add(f[key][0], f"{what}: '{key}' hanya untuk tipe " + ", ".join(types_using))
                ok = False
        for key, needed_by in (("answer", QUESTION_TRUE_FALSE), ("accepted", QUESTION_SHORT_ANSWER),
                               ("pairs", QUESTION_MATCHING)):
            if qtype == needed_by and key not in f:
                doc.add(f["type"][1], f"{what}: tipe {qtype} wajib punya '{key}'")
                ok = False
        if not ok:
            return None
        if "scoring" in f:
            scoring = doc.text(f, "scoring", what, one_line=True)
            if scoring is not None and scoring not in question_types.SCORINGS:
                doc.add(f["scoring"][1], f"{what}: 'scoring' harus all_or_nothing atau partial (tertulis: {scoring!r})")
                return None
            if scoring is None:
                return None
            # The default scoring is not stored, so files without 'scoring' import unchanged.
            default = question_types.SCORING_PARTIAL if qtype == QUESTION_MATCHING else \
                question_types.SCORING_ALL_OR_NOTHING
            if scoring != default:
                settings["scoring"] = scoring
        if qtype == QUESTION_TRUE_FALSE:
            answer = doc.boolean(f, "answer", what)
            if answer is None:
                return None
            settings["answer"] = answer
        if qtype == QUESTION_SHORT_ANSWER:
            accepted = []
            for item in doc.sequence(f, "accepted", what, item="jawaban") or []:
                if not isinstance(item, ScalarNode) or not item.value.strip():
                    doc.add(item, f"{what}: setiap jawaban di 'accepted' harus berupa teks yang tidak kosong")
                    return None
                accepted.append(item.value.strip())
            if not accepted:
                return None
            settings["accepted"] = accepted
        if qtype == QUESTION_MATCHING:
            pairs = []
            for number, item in enumerate(doc.sequence(f, "pairs", what, item="pasangan") or [], start=1):
                pf = doc.fields(item, f"{what}, pasangan ke-{number}", _PAIR_KEYS)
                if pf is None:
                    return None
                left = doc.text(pf, "left", f"{what}, pasangan ke-{number}")
                right = doc.text(pf, "right", f"{what}, pasangan ke-{number}")
                if None in (left, right):
                    return None
                pairs.append({"left": left, "right": right})
            if not pairs:
                return None
            settings["pairs"] = pairs
        return settings

    @staticmethod
    def _choices(doc: _Doc, f: dict, what: str, qtype: Optional[str]) -> Optional[list[ChoiceSpec]]:
        nodes = doc.sequence(f, "choices", what, item="pilihan")
        if nodes is None:
            return None
        choices: list[Optional[ChoiceSpec]] = []
        texts: dict[str, int] = {}
        for number, node in enumerate(nodes, start=1):
            where = f"{what}, pilihan ke-{number}"
            cf = doc.fields(node, where, _CHOICE_KEYS)
            if cf is None:
                choices.append(None)
                continue
            text = doc.text(cf, "text", where)
            if text is not None and text in texts:
                doc.add(cf["text"][1], f"{where}: teks pilihan sama dengan pilihan di baris {texts[text]}")
                text = None
            elif text is not None:
                texts[text] = _line(cf["text"][1])
            correct = doc.boolean(cf, "correct", where) if "correct" in cf else False
            choices.append(None if None in (text, correct) else ChoiceSpec(text=text, is_correct=correct))
        line = f["choices"][0]
        if len(nodes) < 2:
            doc.add(line, f"{what} harus punya paling sedikit 2 pilihan")
            return None
        if None in choices:
            return None
        right = sum(1 for c in choices if c.is_correct)
        if qtype == QUESTION_SINGLE and right != 1:
            doc.add(line, f"{what} bertipe single harus punya tepat satu pilihan benar (ada {right})")
            return None
        if qtype == QUESTION_MULTIPLE and (right < 1 or right == len(choices)):
            doc.add(line, f"{what} bertipe multiple harus punya paling sedikit satu pilihan benar dan satu "
                          f"pilihan salah (benar {right} dari {len(choices)})")
            return None
        return choices


def load_course(course_dir: str | Path) -> CourseSpec:
    """Read and validate one course folder; no database access.

    Returns a :class:`CourseSpec` with exact Decimals and file-order lists.
    Raises :class:`CourseImportError` with every problem found (file, line,
    Indonesian reason) when anything in the course is invalid. Rules: see
    ``courses/FORMAT.md`` and the module docstring.
    """
    return _CourseReader(Path(course_dir)).read()


# ---------------------------------------------------------------------------
# Writing to the database

_FIELD_NAMES = {
    "title": "judul", "summary": "ringkasan", "audience": "sasaran", "jp": "JP", "pass_mark": "nilai lulus",
    "version": "versi", "body_md": "isi", "minutes": "durasi", "position": "urutan", "text": "teks",
    "explanation": "penjelasan", "points": "poin", "type": "tipe", "is_correct": "kunci jawaban",
    "settings": "pengaturan soal", "draw_count": "jumlah soal diambil", "shuffle": "acak urutan",
    "max_attempts": "batas percobaan", "grading": "cara penilaian", "wait_minutes": "jeda percobaan",
    "time_limit_minutes": "batas waktu", "kind": "jenis kuis", "show_answers": "tampilkan kunci",
    "is_required": "wajib", "video_url": "video",
}


class _Sync:
    """Applies a spec to rows, assigning only values that differ, and records what changed."""

    def __init__(self) -> None:
        self.changes: list[str] = []
        #: Files written into storage by this import (removed again if the import fails).
        self.stored: list[str] = []
        #: Stored files no longer referenced once this import is committed.
        self.obsolete: list[str] = []

    @staticmethod
    def _data_dir() -> str:
        from flask import current_app

        return current_app.config["LENTERA_DATA_DIR"]

    def _store(self, spec: FileSpec, allowed: tuple[str, ...]) -> str:
        stored = upload_files.store_bytes(spec.path.read_bytes(), self._data_dir(), allowed=allowed,
                                          max_bytes=max(spec.size, 1))
        self.stored.append(stored.stored_name)
        return stored.stored_name

    def cover(self, course: Course, spec: Optional[FileSpec]) -> None:
        current = course.cover_image
        if spec is None:
            if current:
                course.cover_image = None
                self.obsolete.append(current)
                self.changes.append("kursus: gambar sampul dihapus")
            return
        if current and upload_files.sha256_of(self._data_dir(), current) == spec.sha256:
            return
        course.cover_image = self._store(spec, upload_files.IMAGE_TYPES)
        if current:
            self.obsolete.append(current)
        self.changes.append("kursus: gambar sampul")

    def attachments(self, lesson: Lesson, specs: list[FileSpec], label: str) -> None:
        """Same titles, names and bytes in the same order: untouched; otherwise replaced as a whole."""
        current = sorted(lesson.attachments, key=lambda a: a.id or 0)
        if [(a.title, a.original_name, a.sha256) for a in current] == [(f.title, f.name, f.sha256) for f in specs]:
            return
        for old in current:
            lesson.attachments.remove(old)
            self.obsolete.append(old.stored_name)
        for spec in specs:
            lesson.attachments.append(Attachment(
                title=spec.title, original_name=spec.name, stored_name=self._store(spec, upload_files.ATTACHMENT_TYPES),
                content_type=spec.content_type, size=spec.size, sha256=spec.sha256))
        self.changes.append(f"{label}: lampiran")

    def set(self, obj, label: str, **values) -> None:
        for attr, value in values.items():
            if getattr(obj, attr) != value:
                setattr(obj, attr, value)
                self.changes.append(f"{label}: {_FIELD_NAMES.get(attr, attr)}")

    def course(self, course: Course, spec: CourseSpec) -> None:
        self.set(course, "kursus", title=spec.title, summary=spec.summary, audience=spec.audience, jp=spec.jp,
                 pass_mark=spec.pass_mark, version=spec.version)
        self.cover(course, spec.cover)
        existing = {m.slug: m for m in course.modules}
        wanted = {m.slug for m in spec.modules}
        for module in [m for m in course.modules if m.slug not in wanted]:
            course.modules.remove(module)
            self.changes.append(f"modul dihapus: {module.slug}")
        for position, module_spec in enumerate(spec.modules):
            module = existing.get(module_spec.slug)
            if module is None:
                module = Module(slug=module_spec.slug)
                course.modules.append(module)
                self.changes.append(f"modul baru: {module_spec.slug}")
            self.module(module, module_spec, position)
        course.modules.sort(key=lambda m: m.position)  # in-memory order only; not instrumented

    def module(self, module: Module, spec: ModuleSpec, position: int) -> None:
        label = f"modul {spec.slug}"
        self.set(module, label, title=spec.title, summary=spec.summary, position=position)
        existing = {lesson.slug: lesson for lesson in module.lessons}
        wanted = {lesson.slug for lesson in spec.lessons}
        for lesson in [lesson for lesson in module.lessons if lesson.slug not in wanted]:
            module.lessons.remove(lesson)
            self.changes.append(f"pelajaran dihapus: {spec.slug}/{lesson.slug}")
        for lesson_position, lesson_spec in enumerate(spec.lessons):
            lesson = existing.get(lesson_spec.slug)
            if lesson is None:
                lesson = Lesson(slug=lesson_spec.slug)
                module.lessons.append(lesson)
                self.changes.append(f"pelajaran baru: {spec.slug}/{lesson_spec.slug}")
            self.set(lesson, f"pelajaran {spec.slug}/{lesson_spec.slug}", title=lesson_spec.title,
                     body_md=lesson_spec.body_md, minutes=lesson_spec.minutes, position=lesson_position,
                     is_required=lesson_spec.is_required, video_url=lesson_spec.video_url)
            self.attachments(lesson, lesson_spec.attachments, f"pelajaran {spec.slug}/{lesson_spec.slug}")
        module.lessons.sort(key=lambda lesson: lesson.position)
        if spec.quiz is None:
            if module.quiz is not None:
                module.quiz = None
                self.changes.append(f"kuis dihapus: {spec.slug}")
            return
        if module.quiz is None:
            module.quiz = Quiz()
            self.changes.append(f"kuis baru: {spec.slug}")
        self.quiz(module.quiz, spec.quiz, spec.slug)

    def quiz(self, quiz: Quiz, spec: QuizSpec, module_slug: str) -> None:
        self.set(quiz, f"kuis {module_slug}", title=spec.title, pass_mark=spec.pass_mark,
                 draw_count=spec.draw_count, shuffle=spec.shuffle, max_attempts=spec.max_attempts,
                 grading=spec.grading, wait_minutes=spec.wait_minutes,
                 time_limit_minutes=spec.time_limit_minutes, kind=spec.kind, show_answers=spec.show_answers)
        existing = {q.key: q for q in quiz.questions}
        wanted = {q.key for q in spec.questions}
        for question in [q for q in quiz.questions if q.key not in wanted]:
            quiz.questions.remove(question)
            self.changes.append(f"pertanyaan dihapus: {module_slug}/{question.key}")
        for position, question_spec in enumerate(spec.questions):
            label = f"pertanyaan {module_slug}/{question_spec.key}"
            question = existing.get(question_spec.key)
            if question is None:
                question = Question(key=question_spec.key)
                quiz.questions.append(question)
                self.changes.append(f"pertanyaan baru: {module_slug}/{question_spec.key}")
            self.set(question, label, type=question_spec.type, text=question_spec.text,
                     explanation=question_spec.explanation, points=question_spec.points, position=position,
                     settings=json.dumps(question_spec.settings, ensure_ascii=False, sort_keys=True))
            self.choices(question, question_spec.choices, label)
        quiz.questions.sort(key=lambda q: q.position)

    def choices(self, question: Question, specs: list[ChoiceSpec], label: str) -> None:
        current = sorted(question.choices, key=lambda c: c.position)
        for extra in current[len(specs):]:
            question.choices.remove(extra)
            self.changes.append(f"{label}: pilihan ke-{extra.position + 1} dihapus")
        for position, spec in enumerate(specs):
            if position < len(current):
                choice = current[position]
            else:
                choice = Choice()
                question.choices.append(choice)
                self.changes.append(f"{label}: pilihan ke-{position + 1} baru")
            self.set(choice, f"{label}, pilihan ke-{position + 1}", text=spec.text, is_correct=spec.is_correct,
                     position=position)
        question.choices.sort(key=lambda c: c.position)


def _apply(spec: CourseSpec, sync: Optional[_Sync] = None) -> tuple[Course, str, list[str]]:
    modules = selectinload(Course.modules)
    query = select(Course).where(Course.slug == spec.slug).options(
        modules.selectinload(Module.lessons).selectinload(Lesson.attachments),
        modules.selectinload(Module.quiz).selectinload(Quiz.questions).selectinload(Question.choices),
    )
    course = db.session.execute(query).scalar_one_or_none()
    sync = sync if sync is not None else _Sync()
    if course is None:
        course = Course(slug=spec.slug, is_published=spec.published)
        db.session.add(course)
        sync.course(course, spec)
        return course, STATUS_CREATED, []
    sync.course(course, spec)
    if not sync.changes:
        return course, STATUS_UNCHANGED, []
    # A changed lesson or question is a change of the course too, even if its own row is untouched.
    course.updated_at = utcnow()
    return course, STATUS_UPDATED, sync.changes


# Course events that leave alone everything an import writes (publication, trainers, enrolment
# mode, certificates), so they do not stop the next import.
_OUTSIDE_FILES_ACTIONS = frozenset({IMPORT_ACTION, "course.export", "course.publish", "course.unpublish",
                                    "course.trainer_add", "course.trainer_remove", "course.enrolment_mode"})
# Fields of a browser "course.update" that course.yaml does not hold.
_OUTSIDE_FILES_FIELDS = frozenset({"enrolment_mode", "certificate_template", "certificate_validity_months"})
# How many change lines an import event keeps (the CLI prints them all).
_LOGGED_CHANGES = 20


def _changes_content(event: AuditEvent) -> bool:
    """Whether ``event`` changed something an import would write back (unknown actions: yes)."""
    if event.action in _OUTSIDE_FILES_ACTIONS or event.action.startswith("certificate."):
        return False
    if event.action == "course.update":
        try:
            fields = json.loads(event.detail or "{}").get("fields") or {}
        except (ValueError, AttributeError):
            return True
        return bool(set(fields) - _OUTSIDE_FILES_FIELDS)
    return True


def browser_change_since_import(course_id: int) -> Optional[BrowserChange]:
    """The newest change of the course's content recorded after its last import, or ``None``.

    Read from the audit log (target ``"course"``), where the authoring services
    record every browser change. Events after the newest ``course.imported``
    count (all events when the course was never imported: a course created in
    the browser has its ``course.create``); events that touch nothing an import
    writes (publication, trainers, enrolment mode, export, certificates) do not.
    A course with no event at all (imported before imports were recorded) has
    no browser change.
    """
    target = (AuditEvent.target_type == "course", AuditEvent.target_id == str(course_id))
    last_import = db.session.scalar(select(func.max(AuditEvent.id)).where(*target,
                                                                         AuditEvent.action == IMPORT_ACTION))
    # Ids, not times: they follow insertion order even when two events share a timestamp.
    query = (select(AuditEvent).where(*target).options(joinedload(AuditEvent.actor))
             .order_by(AuditEvent.id.desc()))
    if last_import is not None:
        query = query.where(AuditEvent.id > last_import)
    for event in db.session.scalars(query):
        if _changes_content(event):
            return BrowserChange(action=event.action, at=event.at,
                                 actor=event.actor.email if event.actor is not None else None)
    return None


class _Skipped(Exception):
    """Raised inside the savepoint to roll back an import that would overwrite browser changes."""


def _record_import(course: Course, spec: CourseSpec, course_dir: Path, status: str, changes: list[str],
                   overwritten: Optional[BrowserChange]) -> None:
    source = course_dir.resolve().name
    if status == STATUS_CREATED:
        summary = (f"folder {source}: kursus baru versi {spec.version}; {len(spec.modules)} modul, "
                   f"{spec.lesson_count} pelajaran, {spec.quiz_count} kuis, {spec.question_count} pertanyaan")
    elif status == STATUS_UNCHANGED:
        summary = f"folder {source}: berkas sama dengan isi kursus (perubahan di peramban sudah ada di berkas)"
    else:
        summary = f"folder {source}: {len(changes)} perubahan, versi {spec.version}"
    detail = {"source": source, "status": status, "version": spec.version, "summary": summary}
    if changes:
        detail["changes"] = changes[:_LOGGED_CHANGES]
        detail["change_count"] = len(changes)
    if overwritten is not None:
        detail["summary"] += f"; menimpa perubahan di peramban ({overwritten})"
        detail["overwrote"] = {"action": overwritten.action, "at": overwritten.at.isoformat(),
                               "actor": overwritten.actor}
    record_event(None, IMPORT_ACTION, "course", course.id, **detail)


def _import_one(course_dir: Path, claimed: Optional[dict[str, CourseSpec]] = None, *,
                overwrite: bool = False) -> ImportResult:
    display = _display(course_dir)
    try:
        spec = load_course(course_dir)
    except CourseImportError as exc:
        return ImportResult(path=display, status=STATUS_FAILED, problems=exc.problems)
    if claimed is not None and spec.slug in claimed:
        first = claimed[spec.slug]
        problem = ImportProblem(spec.source, spec.slug_line,
                                f"slug kursus '{spec.slug}' sudah dipakai oleh {first.source}:{first.slug_line}")
        return ImportResult(path=display, status=STATUS_FAILED, slug=spec.slug, spec=spec, problems=[problem])
    sync = _Sync()
    browser_change: Optional[BrowserChange] = None
    try:
        with db.session.begin_nested():
            course, status, changes = _apply(spec, sync)
            if status == STATUS_UPDATED:
                # Asked first when the files differ (an unchanged course is asked below, to record agreement).
                browser_change = browser_change_since_import(course.id)
                if browser_change is not None and not overwrite:
                    raise _Skipped()
            if status != STATUS_UNCHANGED:
                db.session.flush()  # a new course needs its id for the event
                _record_import(course, spec, course_dir, status, changes, browser_change)
            elif browser_change_since_import(course.id) is not None:
                # The files now hold what was changed in the browser (exported back, or an edit
                # undone): say so once, so that the next change of the files is applied, not skipped.
                _record_import(course, spec, course_dir, status, changes, None)
            db.session.flush()
    except _Skipped:
        # The savepoint is rolled back; files copied into storage for it are not referenced.
        for name in sync.stored:
            upload_files.remove_stored(_Sync._data_dir(), name)
        if claimed is not None:
            claimed[spec.slug] = spec
        return ImportResult(path=display, status=STATUS_SKIPPED, slug=spec.slug,
                            course_id=db.session.scalar(select(Course.id).where(Course.slug == spec.slug)),
                            spec=spec, changes=changes, browser_change=browser_change)
    except BaseException:
        for name in sync.stored:
            upload_files.remove_stored(_Sync._data_dir(), name)
        raise
    if claimed is not None:
        claimed[spec.slug] = spec
    return ImportResult(path=display, status=status, slug=spec.slug, course_id=course.id, spec=spec,
                        changes=changes, obsolete_files=sync.obsolete, browser_change=browser_change)


def remove_obsolete(result: ImportResult) -> None:
    """Delete the stored files an import replaced; call only after its commit."""
    from flask import current_app

    for name in result.obsolete_files:
        upload_files.remove_stored(current_app.config["LENTERA_DATA_DIR"], name)


def import_course_dir(course_dir: str | Path, *, overwrite: bool = False) -> ImportResult:
    """Create or update the course in one folder, inside a savepoint; never commits.

    Returns an :class:`ImportResult` whose status is ``"dibuat"``,
    ``"diperbarui"``, ``"tidak berubah"`` or -- the course was changed in the
    browser since its last import and ``overwrite`` is false -- ``"dilewati"``
    (nothing written). Raises :class:`CourseImportError` (nothing written) if
    any file of the course is invalid. Database errors roll the savepoint back
    and propagate.
    """
    result = _import_one(Path(course_dir), overwrite=overwrite)
    if not result.ok:
        raise CourseImportError(result.problems)
    return result


def iter_import(path: str | Path, *, overwrite: bool = False) -> Iterator[ImportResult]:
    """Import every course named by ``path`` (see :func:`find_course_dirs`), one savepoint each.

    Yields one :class:`ImportResult` per course folder, in name order, after
    that course's savepoint is closed: a failed course (status ``"gagal"``,
    with its problems) or a skipped one (``"dilewati"``: changed in the browser
    since its last import, and ``overwrite`` false) has written nothing, and
    the caller may commit between courses. Two folders with the same course
    slug: the second fails. Raises :class:`CourseImportError` before yielding
    anything if ``path`` holds no course.
    """
    claimed: dict[str, CourseSpec] = {}
    for course_dir in find_course_dirs(path):
        yield _import_one(course_dir, claimed, overwrite=overwrite)


def import_path(path: str | Path, *, overwrite: bool = False) -> list[ImportResult]:
    """All results of :func:`iter_import`; good courses stay in the session, uncommitted."""
    return list(iter_import(path, overwrite=overwrite))
