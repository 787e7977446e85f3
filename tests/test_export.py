"""Course export (app/catalog/exporter.py) and ``flask courses export``: round trips and repeatable bytes."""
from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from app.authoring import files
from app.catalog.exporter import ExportError, export_files, export_zip_bytes, load_for_export, write_course_dir
from app.catalog.importer import STATUS_CREATED, STATUS_UNCHANGED, import_course_dir, load_course
from app.catalog.models import Course
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
REAL_COURSES = sorted(p.parent for p in (ROOT / "courses").glob("*/course.yaml"))
FIXTURE_COURSES = sorted(p.parent for p in (ROOT / "tests" / "data" / "courses" / "valid").glob("*/course.yaml"))


def _sha(name):
    from flask import current_app

    return files.sha256_of(current_app.config["LENTERA_DATA_DIR"], name)


def canonical_dump(slug: str) -> dict:
    """Every imported column of a course, with order as list order (not raw positions) and no ids.

    Stored files (cover, attachments) are compared by the SHA-256 of their bytes on disk.
    """
    db.session.expire_all()
    course = load_for_export(slug)
    return {
        "course": [course.slug, course.title, course.summary, course.audience, course.jp, course.pass_mark,
                   course.version, course.is_published, _sha(course.cover_image)],
        "modules": [{
            "row": [m.slug, m.title, m.summary],
            "lessons": [[l.slug, l.title, l.body_md, l.minutes, l.is_required, l.video_url,
                         [[a.title, a.original_name, a.content_type, a.size, a.sha256, _sha(a.stored_name)]
                          for a in sorted(l.attachments, key=lambda a: a.id)]]
                        for l in sorted(m.lessons, key=lambda x: (x.position, x.id))],
            "quiz": None if m.quiz is None else {
                "row": [m.quiz.title, m.quiz.pass_mark, m.quiz.draw_count, m.quiz.shuffle, m.quiz.max_attempts,
                        m.quiz.grading, m.quiz.wait_minutes, m.quiz.time_limit_minutes, m.quiz.kind,
                        m.quiz.show_answers],
                "questions": [[q.key, q.type, q.text, q.explanation, q.points, json.loads(q.settings or "{}"),
                               [[c.text, c.is_correct] for c in sorted(q.choices, key=lambda c: (c.position, c.id))]]
                              for q in sorted(m.quiz.questions, key=lambda q: (q.position, q.id))],
            },
        } for m in sorted(course.modules, key=lambda m: (m.position, m.id))],
    }


def _delete(slug: str) -> None:
    db.session.delete(db.session.scalar(select(Course).where(Course.slug == slug)))
    db.session.commit()


@pytest.mark.parametrize("source", REAL_COURSES + FIXTURE_COURSES, ids=lambda p: p.name)
def test_import_export_import_gives_the_same_course(app, tmp_path, source):
    first = import_course_dir(source)
    db.session.commit()
    before = canonical_dump(first.slug)
    course = load_for_export(first.slug)
    write_course_dir(course, tmp_path / "a")
    _delete(first.slug)
    assert import_course_dir(tmp_path / "a").status == STATUS_CREATED
    db.session.commit()
    assert canonical_dump(first.slug) == before
    # The re-import over itself changes nothing, and a second export gives identical files.
    assert import_course_dir(tmp_path / "a").status == STATUS_UNCHANGED
    write_course_dir(load_for_export(first.slug), tmp_path / "b")
    files_a = {p.relative_to(tmp_path / "a").as_posix(): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    files_b = {p.relative_to(tmp_path / "b").as_posix(): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert files_a == files_b
    assert load_course(tmp_path / "b").slug == first.slug


def test_lesson_files_are_written_byte_for_byte(app, tmp_path):
    source = REAL_COURSES[0]
    result = import_course_dir(source)
    db.session.commit()
    files = export_files(load_for_export(result.slug))
    spec = load_course(source)
    bodies = [lesson.body_md for module in spec.modules for lesson in module.lessons]
    exported = [content.decode("utf-8") for path, content in files.items() if path.endswith(".md")]
    assert sorted(exported) == sorted(bodies)


def test_authored_extras_survive_the_round_trip(app, make_course, tmp_path):
    course = make_course(slug="ekstra", published=False, jp=Decimal("2.5"), pass_mark=Decimal("72.25"))
    lesson = course.modules[0].lessons[0]
    lesson.is_required = False
    lesson.video_url = "https://vimeo.com/76979871"
    lesson.minutes = 15
    lesson.body_md = "  Baris berawal spasi\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\ntanpa baris akhir"
    course.summary = "Baris satu\nBaris dua: dengan titik dua"
    course.modules[1].quiz.pass_mark = Decimal("80")
    course.modules[1].quiz.questions[0].type = "multiple"
    course.modules[1].quiz.questions[0].choices[1].is_correct = False
    db.session.commit()
    before = canonical_dump("ekstra")
    write_course_dir(load_for_export("ekstra"), tmp_path / "x")
    text = (tmp_path / "x" / "course.yaml").read_text(encoding="utf-8")
    assert "published: false" in text and "required: false" in text and "jp: 2.5" in text
    _delete("ekstra")
    import_course_dir(tmp_path / "x")
    db.session.commit()
    after = canonical_dump("ekstra")
    assert after == before
    assert after["course"][7] is False  # a draft stays a draft when imported elsewhere


def test_zip_is_repeatable_and_importable(app, tmp_path):
    result = import_course_dir(REAL_COURSES[0])
    db.session.commit()
    course = load_for_export(result.slug)
    data = export_zip_bytes(course)
    assert data == export_zip_bytes(load_for_export(result.slug))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert f"{result.slug}/course.yaml" in names
        archive.extractall(tmp_path)
    assert import_course_dir(tmp_path / result.slug).status == STATUS_UNCHANGED


def test_export_refuses_a_folder_of_another_course(app, make_course, tmp_path):
    first = make_course(slug="satu")
    make_course(slug="dua")
    write_course_dir(load_for_export("satu"), tmp_path / "x")
    with pytest.raises(ExportError):
        write_course_dir(load_for_export("dua"), tmp_path / "x")
    assert first.slug == "satu"


def test_reexport_removes_files_of_deleted_lessons(app, make_course, tmp_path):
    course = make_course(slug="susut")
    write_course_dir(load_for_export("susut"), tmp_path / "x")
    assert (tmp_path / "x" / "02-modul-2" / "02-pelajaran-2.md").is_file()
    course.modules[1].lessons.remove(course.modules[1].lessons[1])
    db.session.commit()
    write_course_dir(load_for_export("susut"), tmp_path / "x")
    assert not (tmp_path / "x" / "02-modul-2" / "02-pelajaran-2.md").exists()
    assert load_course(tmp_path / "x").lesson_count == 3


def test_cli_export(app, make_course, tmp_path):
    make_course(slug="cli-ekspor")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "export", "cli-ekspor", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "berkas ditulis" in result.output
    assert load_course(tmp_path / "out").slug == "cli-ekspor"
    missing = runner.invoke(args=["courses", "export", "tidak-ada", str(tmp_path / "out2")])
    assert missing.exit_code == 1
    assert "tidak ditemukan" in missing.output


PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 40


def _attach(app, lesson, content, name, title):
    from app.catalog.models import Attachment

    stored = files.store_bytes(content, app.config["LENTERA_DATA_DIR"], allowed=files.ATTACHMENT_TYPES,
                               max_bytes=10_000)
    lesson.attachments.append(Attachment(title=title, original_name=name, stored_name=stored.stored_name,
                                         content_type=stored.content_type, size=stored.size, sha256=stored.sha256))


def _stored_names(app):
    folder = Path(app.config["LENTERA_DATA_DIR"]) / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_attachments_cover_and_quiz_settings_survive_the_round_trip(app, make_course, tmp_path):
    course = make_course(slug="berlampiran")
    lesson = course.modules[0].lessons[0]
    _attach(app, lesson, PDF, "Materi Inti (final).pdf", "Materi inti")
    _attach(app, lesson, PNG, "diagram.png", "Diagram arsitektur")
    course.cover_image = files.store_bytes(PNG, app.config["LENTERA_DATA_DIR"], allowed=files.IMAGE_TYPES,
                                           max_bytes=10_000).stored_name
    quiz = course.modules[0].quiz
    quiz.shuffle, quiz.max_attempts, quiz.grading, quiz.time_limit_minutes = True, 3, "average", 20
    quiz.questions[0].type = "multiple"
    quiz.questions[0].settings = json.dumps({"scoring": "partial"})
    quiz.questions[0].choices[1].is_correct = False
    db.session.commit()
    before = canonical_dump("berlampiran")
    write_course_dir(load_for_export("berlampiran"), tmp_path / "x")
    text = (tmp_path / "x" / "course.yaml").read_text(encoding="utf-8")
    assert "cover: sampul.png" in text and "01-modul-1/lampiran/01-01-materi-inti-final.pdf" in text
    assert (tmp_path / "x" / "01-modul-1" / "lampiran" / "01-02-diagram.png").read_bytes() == PNG
    _delete("berlampiran")
    import_course_dir(tmp_path / "x")
    db.session.commit()
    assert canonical_dump("berlampiran") == before
    assert import_course_dir(tmp_path / "x").status == STATUS_UNCHANGED
    write_course_dir(load_for_export("berlampiran"), tmp_path / "y")
    assert sorted(p.read_bytes() for p in (tmp_path / "x").rglob("*") if p.is_file()) == \
        sorted(p.read_bytes() for p in (tmp_path / "y").rglob("*") if p.is_file())


def test_reimport_with_a_changed_attachment_replaces_the_stored_file(app, make_course, tmp_path):
    course = make_course(slug="ganti-lampiran")
    _attach(app, course.modules[0].lessons[0], PDF, "a.pdf", "A")
    db.session.commit()
    old = _stored_names(app)
    write_course_dir(load_for_export("ganti-lampiran"), tmp_path / "x")
    (tmp_path / "x" / "01-modul-1" / "lampiran" / "01-01-a.pdf").write_bytes(PDF + b"% revisi\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "import", str(tmp_path / "x")])
    assert result.exit_code == 0, result.output
    assert "lampiran" in result.output
    new = _stored_names(app)
    assert len(new) == 1 and new != old  # the replaced file is gone after the commit


def test_import_refuses_an_attachment_whose_bytes_lie(app, make_course, tmp_path):
    course = make_course(slug="palsu")
    _attach(app, course.modules[0].lessons[0], PDF, "a.pdf", "A")
    db.session.commit()
    write_course_dir(load_for_export("palsu"), tmp_path / "x")
    (tmp_path / "x" / "01-modul-1" / "lampiran" / "01-01-a.pdf").write_bytes(b"<html>bukan pdf</html>")
    from app.catalog.importer import CourseImportError

    with pytest.raises(CourseImportError) as caught:
        load_course(tmp_path / "x")
    assert "bukan PDF" in str(caught.value)
