"""Export a course from the database back to the file format of ``courses/FORMAT.md``.

Language (issue #7): operator-facing only -- CLI output and file:line
diagnostics stay in Indonesian and are not in the gettext catalogues.

:func:`export_files` returns ``{relative path: bytes}``; the same course
always gives the same bytes (keys in a fixed order, no timestamps), so
exporting twice gives identical files and ``import → export → import``
leaves the course unchanged. Layout::

    course.yaml
    01-<module-slug>/01-<lesson-slug>.md
    01-<module-slug>/quiz.yaml
    01-<module-slug>/lampiran/01-01-<name>.<ext>   (attachments: lesson no., attachment no.)
    sampul.<ext>                                     (cover image)

Lesson files hold ``Lesson.body_md`` exactly (UTF-8, LF); attachments and the
cover are copied byte for byte from ``LENTERA_DATA_DIR/attachments``.
Optional keys are written only when they differ from the importer's
defaults: ``summary``, ``audience``, lesson ``minutes``, ``required: false``,
``video``, ``attachments``, ``cover``, quiz ``pass_mark`` and its attempt
settings (``draw``, ``shuffle``, ``max_attempts``, ``grading``,
``wait_minutes``, ``time_limit_minutes``, ``kind``, ``show_answers``),
question ``explanation``, ``choices`` and type settings (``scoring``,
``answer``, ``accepted``, ``pairs``), choice ``correct: true``, and
``published: false`` for a draft (honoured by the importer only when it
creates the course). Lesson ``slug`` is written only when the file name does
not imply it.
"""
from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path, PurePosixPath

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.assessment.models import (GRADING_HIGHEST, KIND_REGULAR, QUESTION_MULTIPLE, QUESTION_SINGLE,
                                   SHOW_AFTER_PASS, Question, Quiz)
from app.authoring import files as stored_files
from app.authoring.services import slugify
from app.catalog.importer import COURSE_FILE, default_lesson_slug
from app.catalog.models import Course, Lesson, Module
from app.extensions import db

__all__ = ["export_files", "write_course_dir", "export_zip_bytes", "load_for_export", "ExportError"]

# Kinds of files an export writes; a re-export removes those it no longer writes.
_OWN_SUFFIXES = (".md", ".yaml", ".yml", ".pdf", ".png", ".jpg", ".jpeg", ".webp")
# A fixed timestamp makes ZIP bytes repeatable (the format has no dates).
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class ExportError(Exception):
    """The course cannot be written (e.g. the target folder holds other files); message Indonesian."""


class _Dumper(yaml.SafeDumper):
    """YAML writer: block style, multi-line text as ``|`` blocks, exact decimals as plain numbers."""

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as FORMAT.md shows them.
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal):
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Decimal, _represent_decimal)


def _yaml(data: dict) -> bytes:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, default_flow_style=False,
                     width=1_000_000, indent=2)
    return text.encode("utf-8")


def load_for_export(slug: str) -> Course | None:
    """The course with everything the export needs loaded in a fixed number of queries."""
    modules = selectinload(Course.modules)
    return db.session.scalar(select(Course).where(Course.slug == slug).options(
        modules.selectinload(Module.lessons).selectinload(Lesson.attachments),
        modules.selectinload(Module.quiz).selectinload(Quiz.questions).selectinload(Question.choices)))


def _quiz_yaml(quiz: Quiz) -> bytes:
    data: dict = {"title": quiz.title}
    if quiz.pass_mark is not None:
        data["pass_mark"] = quiz.pass_mark
    # Attempt settings (app/assessment), each only when it differs from the importer's default.
    optional = (("draw", quiz.draw_count, None), ("shuffle", quiz.shuffle, False),
                ("max_attempts", quiz.max_attempts, None), ("grading", quiz.grading, GRADING_HIGHEST),
                ("wait_minutes", quiz.wait_minutes, None), ("time_limit_minutes", quiz.time_limit_minutes, None),
                ("kind", quiz.kind, KIND_REGULAR), ("show_answers", quiz.show_answers, SHOW_AFTER_PASS))
    for key, value, default in optional:
        if value != default:
            data[key] = value
    questions = []
    for question in sorted(quiz.questions, key=lambda q: (q.position, q.id)):
        item: dict = {"key": question.key, "type": question.type, "points": question.points,
                      "text": question.text}
        if question.explanation:
            item["explanation"] = question.explanation
        settings = json.loads(question.settings or "{}")
        for key in ("scoring", "answer", "accepted", "pairs"):
            if key in settings:
                item[key] = settings[key]
        if question.type in (QUESTION_SINGLE, QUESTION_MULTIPLE) or question.choices:
            choices = []
            for choice in sorted(question.choices, key=lambda c: (c.position, c.id)):
                entry: dict = {"text": choice.text}
                if choice.is_correct:
                    entry["correct"] = True
                choices.append(entry)
            item["choices"] = choices
        questions.append(item)
    data["questions"] = questions
    return _yaml(data)


def _stored_bytes(data_dir, stored_name: str, what: str) -> bytes:
    try:
        return stored_files.path_of(data_dir, stored_name).read_bytes()
    except (OSError, ValueError):
        raise ExportError(f"berkas {what} tidak ditemukan di penyimpanan ({stored_name})") from None


def export_files(course: Course, data_dir: str | Path | None = None) -> dict[str, bytes]:
    """The course as files: ``{path inside the course folder ("/"-separated): bytes}``.

    Modules, lessons and questions are written in display order (position,
    then id). Deterministic: the same rows always give the same bytes.
    ``data_dir`` (default ``LENTERA_DATA_DIR``) holds stored attachments and
    the cover; raises :class:`ExportError` when one of them is missing.
    """
    if data_dir is None:
        from flask import current_app

        data_dir = current_app.config["LENTERA_DATA_DIR"]
    files: dict[str, bytes] = {}
    data: dict = {"slug": course.slug, "title": course.title}
    if course.summary:
        data["summary"] = course.summary
    if course.audience:
        data["audience"] = course.audience
    data.update({"jp": course.jp, "pass_mark": course.pass_mark, "version": course.version})
    if not course.is_published:
        data["published"] = False
    if course.cover_image:
        content = _stored_bytes(data_dir, course.cover_image, "gambar sampul")
        cover_path = f"sampul.{stored_files.EXTENSIONS[stored_files.sniff(content[:16]) or stored_files.PNG]}"
        data["cover"] = cover_path
        files[cover_path] = content
    modules = []
    for m_index, module in enumerate(sorted(course.modules, key=lambda m: (m.position, m.id)), start=1):
        folder = f"{m_index:02d}-{module.slug}"
        entry: dict = {"slug": module.slug, "title": module.title}
        if module.summary:
            entry["summary"] = module.summary
        lessons = []
        for l_index, lesson in enumerate(sorted(module.lessons, key=lambda x: (x.position, x.id)), start=1):
            path = f"{folder}/{l_index:02d}-{lesson.slug}.md"
            item: dict = {"file": path, "title": lesson.title}
            if default_lesson_slug(path) != lesson.slug:
                item["slug"] = lesson.slug
            if lesson.minutes is not None:
                item["minutes"] = lesson.minutes
            if not lesson.is_required:
                item["required"] = False
            if lesson.video_url:
                item["video"] = lesson.video_url
            attachments = []
            for a_index, attachment in enumerate(sorted(lesson.attachments, key=lambda a: a.id), start=1):
                stem = slugify(PurePosixPath(attachment.original_name).stem, 60)
                file_path = (f"{folder}/lampiran/{l_index:02d}-{a_index:02d}-{stem}."
                             f"{stored_files.EXTENSIONS[attachment.content_type]}")
                files[file_path] = _stored_bytes(data_dir, attachment.stored_name, f"lampiran '{attachment.title}'")
                attachments.append({"file": file_path, "title": attachment.title, "name": attachment.original_name})
            if attachments:
                item["attachments"] = attachments
            lessons.append(item)
            files[path] = lesson.body_md.encode("utf-8")
        entry["lessons"] = lessons
        if module.quiz is not None:
            quiz_path = f"{folder}/quiz.yaml"
            entry["quiz"] = quiz_path
            files[quiz_path] = _quiz_yaml(module.quiz)
        modules.append(entry)
    data["modules"] = modules
    files[COURSE_FILE] = _yaml(data)
    return dict(sorted(files.items()))


def write_course_dir(course: Course, target: str | Path, data_dir: str | Path | None = None) -> list[Path]:
    """Write the course's files into folder ``target`` (created if missing); returns the paths written.

    Files of an earlier export of the same course (``*.md``, ``*.yaml`` that
    the new export no longer has) are removed so the folder matches the
    course. Raises :class:`ExportError` when ``target`` is a file or holds a
    ``course.yaml`` of another course.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target}: bukan folder")
    existing_course = target / COURSE_FILE
    if existing_course.is_file():
        try:
            other = yaml.safe_load(existing_course.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeDecodeError):
            other = {}
        if not isinstance(other, dict) or other.get("slug") != course.slug:
            raise ExportError(f"{existing_course}: folder ini berisi kursus lain; pilih folder kosong")
    files = export_files(course, data_dir)
    target.mkdir(parents=True, exist_ok=True)
    if existing_course.is_file():
        for old in sorted(target.rglob("*")):
            rel = old.relative_to(target).as_posix()
            if old.is_file() and old.suffix.lower() in _OWN_SUFFIXES and rel not in files:
                old.unlink()
    written = []
    for rel, content in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    for folder in sorted((p for p in target.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return written


def export_zip_bytes(course: Course, data_dir: str | Path | None = None) -> bytes:
    """The course as a ZIP whose top folder is the course slug; repeatable bytes for the same course."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel, content in export_files(course, data_dir).items():
            info = zipfile.ZipInfo(f"{course.slug}/{rel}", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()
