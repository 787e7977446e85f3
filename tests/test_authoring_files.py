"""Attachments and cover images: type by magic number, size limit, generated names, guarded downloads."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.authoring import files
from app.catalog.models import Attachment, Course, CourseTrainer
from app.extensions import db
from app.learning import services as learning

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP_BYTES = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture()
def owner(make_user, make_course):
    trainer = make_user("trainer")
    course = make_course(slug="berkas", questions_per_quiz=0)
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    return trainer, course


def _upload(client, course, lesson, content, name, title=""):
    return client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/lampiran",
                       data={"title": title, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _stored(app):
    folder = Path(app.config["LENTERA_DATA_DIR"]) / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("content,expected", [(PDF_BYTES, "application/pdf"), (PNG_BYTES, "image/png"),
                                              (JPEG_BYTES, "image/jpeg"), (WEBP_BYTES, "image/webp"),
                                              (b"<html><script>", None), (b"GIF89a....", None),
                                              (b"RIFF\x00\x00\x00\x00AVI ", None)])
def test_sniff_reads_magic_numbers(content, expected):
    assert files.sniff(content[:16]) == expected


def test_pdf_attachment_is_stored_under_a_generated_name_and_downloaded(app, client, login, owner, make_user):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    response = _upload(client, course, lesson, PDF_BYTES, "../../Materi SPBE.pdf", "Materi SPBE")
    assert response.status_code == 302
    item = db.session.scalar(select(Attachment))
    assert item.original_name == "Materi SPBE.pdf" and item.title == "Materi SPBE"
    assert item.content_type == "application/pdf" and item.size == len(PDF_BYTES)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", item.stored_name)
    assert _stored(app) == [item.stored_name]
    assert "static" not in app.config["LENTERA_DATA_DIR"]
    download = client.get(f"/lampiran/{item.id}/x.pdf")
    assert download.status_code == 200 and download.data == PDF_BYTES
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # learners: enrolled yes, others no
    client.post("/keluar")
    stranger = make_user()
    login(stranger)
    assert client.get(f"/lampiran/{item.id}/x.pdf").status_code == 404
    learning.enrol(stranger, course)
    db.session.commit()
    assert client.get(f"/lampiran/{item.id}/x.pdf").status_code == 200
    page = client.get(f"/kursus/{course.slug}/pelajaran/{lesson.id}").get_data(as_text=True)
    assert "Materi SPBE" in page and f"/lampiran/{item.id}/" in page


def test_image_attachment_is_served_inline(app, client, login, owner):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    _upload(client, course, lesson, PNG_BYTES, "diagram.png")
    item = db.session.scalar(select(Attachment))
    response = client.get(f"/lampiran/{item.id}/diagram.png")
    assert response.mimetype == "image/png" and response.headers["Content-Disposition"].startswith("inline")


@pytest.mark.parametrize("content,name,message", [
    (b"<html><script>alert(1)</script>", "materi.pdf", "Jenis berkas tidak diizinkan"),
    (b"MZ\x90\x00 executable", "foto.png", "Jenis berkas tidak diizinkan"),
    (b"", "kosong.pdf", "Berkas kosong"),
])
def test_wrong_bytes_are_refused_whatever_the_name(app, client, login, owner, content, name, message):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    response = _upload(client, course, lesson, content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Attachment)) is None
    assert [n for n in _stored(app) if not n.startswith(".")] == [] and _stored(app) == []


def test_size_limit(app, client, login, owner):
    app.config["LENTERA_ATTACHMENT_MAX_BYTES"] = 1024
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    response = _upload(client, course, lesson, PDF_BYTES + b"x" * 2000, "besar.pdf")
    assert response.status_code == 400 and "Berkas terlalu besar; batasnya 1 KB" in response.get_data(as_text=True)
    assert _stored(app) == []
    assert _upload(client, course, lesson, PDF_BYTES, "kecil.pdf").status_code == 302


def test_deleting_an_attachment_or_its_lesson_removes_the_file(app, client, login, owner):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    _upload(client, course, lesson, PDF_BYTES, "a.pdf")
    _upload(client, course, lesson, PNG_BYTES, "b.png")
    first, second = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert client.post(f"/pengajar/susun/{course.id}/lampiran/{first.id}/hapus").status_code == 302
    assert _stored(app) == [second.stored_name]
    client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/hapus")
    assert _stored(app) == []
    assert db.session.scalar(select(Attachment)) is None


def test_other_trainers_cannot_upload_or_delete(app, client, login, owner, make_user):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    _upload(client, course, lesson, PDF_BYTES, "a.pdf")
    item = db.session.scalar(select(Attachment))
    client.post("/keluar")
    login(make_user("trainer"))
    assert _upload(client, course, lesson, PDF_BYTES, "b.pdf").status_code == 404
    assert client.post(f"/pengajar/susun/{course.id}/lampiran/{item.id}/hapus").status_code == 404
    assert client.get(f"/lampiran/{item.id}/a.pdf").status_code == 200  # staff may read course material


def test_cover_image_upload_replace_and_remove(app, client, login, owner):
    trainer, course = owner
    login(trainer)
    data = {"title": course.title, "jp": "20", "pass_mark": "70", "version": "1", "enrolment_mode": "open"}
    refused = client.post(f"/pengajar/susun/{course.id}", data={**data, "cover": (io.BytesIO(PDF_BYTES), "s.png")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400 and "PNG, JPG, WEBP" in refused.get_data(as_text=True)
    assert _stored(app) == []
    client.post(f"/pengajar/susun/{course.id}", data={**data, "cover": (io.BytesIO(PNG_BYTES), "s.png")},
                content_type="multipart/form-data")
    first = db.session.get(Course, course.id).cover_image
    assert _stored(app) == [first]
    cover = client.get(f"/kursus/{course.slug}/sampul")
    assert cover.status_code == 200 and cover.mimetype == "image/png" and cover.data == PNG_BYTES
    client.post(f"/pengajar/susun/{course.id}", data={**data, "cover": (io.BytesIO(JPEG_BYTES), "s.jpg")},
                content_type="multipart/form-data")
    db.session.expire_all()
    second = db.session.get(Course, course.id).cover_image
    assert second != first and _stored(app) == [second]  # the old file is gone
    client.post(f"/pengajar/susun/{course.id}", data={**data, "remove_cover": "y"})
    db.session.expire_all()
    assert db.session.get(Course, course.id).cover_image is None and _stored(app) == []
    assert client.get(f"/kursus/{course.slug}/sampul").status_code == 404


def test_cover_of_a_draft_is_hidden_from_the_public(app, client, login, make_user, make_course):
    trainer = make_user("trainer")
    login(trainer)
    response = client.post("/pengajar/susun/baru", data={
        "title": "Draf Bersampul", "jp": "1", "pass_mark": "70", "version": "1", "enrolment_mode": "open",
        "cover": (io.BytesIO(WEBP_BYTES), "sampul.webp")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert client.get("/kursus/draf-bersampul/sampul").status_code == 200
    client.post("/keluar")
    assert client.get("/kursus/draf-bersampul/sampul").status_code == 404


def test_upload_without_a_file_is_400(app, client, login, owner):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    response = client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/lampiran", data={"title": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "Pilih berkas yang akan diunggah" in response.get_data(as_text=True)
