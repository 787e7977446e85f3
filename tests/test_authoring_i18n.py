"""Authoring pages in Indonesian by default and in English with the ``lentera_bahasa=en`` cookie (issue 7)."""
from __future__ import annotations

import io

import pytest

from app.catalog.models import CourseTrainer
from app.extensions import db


@pytest.fixture()
def trainer_course(client, make_user, make_course, login):
    """A signed-in trainer (no saved language) who owns a course with modules, lessons and quizzes."""
    trainer = make_user("trainer", full_name="Budi Pengajar")
    course = make_course(slug="kursus-bahasa")
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    login(trainer)
    module = course.modules[0]
    return course, module, module.lessons[0]


def _pages(course, module, lesson):
    return {
        "list": "/pengajar/susun",
        "course": f"/pengajar/susun/{course.id}",
        "lesson": f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}",
        "quiz": f"/pengajar/susun/{course.id}/modul/{module.id}/kuis",
    }


# Texts of each page: (Indonesian, English).
EXPECTED = {
    "list": [("Buat kursus baru", "Create a new course"), ("Diperbarui", "Updated")],
    "course": [("Susunan modul dan pelajaran", "Modules and lessons"), ("Simpan data kursus", "Save course details"),
               ("Kredit JP", "JP credit"), ("Terbuka (peserta mendaftar sendiri)", "Open (learners enrol themselves)"),
               ("Riwayat perubahan", "Change history")],
    "lesson": [("Simpan pelajaran", "Save lesson"), ("Judul pelajaran", "Lesson title"),
               ("Unggah lampiran", "Upload attachment"), ("Wajib diselesaikan", "Required to complete")],
    "quiz": [("Simpan kuis", "Save quiz"), ("Tambah pertanyaan", "Add question"), ("Judul kuis", "Quiz title"),
             ("Nilai lulus kursus: 70%.", "Course pass mark: 70%.")],
}


def test_authoring_pages_are_indonesian_without_a_cookie(client, trainer_course):
    for name, url in _pages(*trainer_course).items():
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, name
        for indonesian, english in EXPECTED[name]:
            assert indonesian in body, (name, indonesian)
            assert english not in body, (name, english)


def test_authoring_pages_are_english_with_the_cookie(client, trainer_course):
    client.set_cookie("lentera_bahasa", "en")
    for name, url in _pages(*trainer_course).items():
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, name
        for indonesian, english in EXPECTED[name]:
            assert english in body, (name, english)
            assert indonesian not in body, (name, indonesian)


def _post_video(client, course, lesson, url):
    return client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}",
                       data={"title": lesson.title, "body_md": "Isi.", "is_required": "y", "video_url": url,
                             "action": "save"})


def test_refused_video_host_message_follows_the_language(client, trainer_course):
    course, _module, lesson = trainer_course
    response = _post_video(client, course, lesson, "https://evil.example.com/watch?v=abcdefghijk")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Tautan video tidak diterima" in body and "Periksa kembali isian yang ditandai." in body

    client.set_cookie("lentera_bahasa", "en")
    response = _post_video(client, course, lesson, "https://evil.example.com/watch?v=abcdefghijk")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Video link not accepted" in body and "Please check the highlighted fields." in body
    assert "Tautan video tidak diterima" not in body
    # The message names the <iframe> tag as text, never as markup.
    assert "&lt;iframe&gt; code and other sites are not allowed" in body


def test_wrong_attachment_type_message_follows_the_language(client, trainer_course):
    course, _module, lesson = trainer_course
    url = f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/lampiran"

    def upload():
        return client.post(url, data={"title": "Skrip", "file": (io.BytesIO(b"#!/bin/sh\necho hai\n"), "skrip.pdf")},
                           content_type="multipart/form-data")

    response = upload()
    assert response.status_code == 400
    assert "Jenis berkas tidak diizinkan; isi berkas harus PDF, PNG, JPG, WEBP." in response.get_data(as_text=True)

    client.set_cookie("lentera_bahasa", "en")
    response = upload()
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "File type not allowed; the file content must be PDF, PNG, JPG, WEBP." in body
    assert "Jenis berkas tidak diizinkan" not in body


def test_service_refusal_and_flash_are_english(client, trainer_course):
    course, _module, _lesson = trainer_course
    client.set_cookie("lentera_bahasa", "en")
    response = client.post(f"/pengajar/susun/{course.id}/pengajar", data={"email": "tidak-ada@example.go.id"})
    assert response.status_code == 400
    assert "There is no trainer with that email address." in response.get_data(as_text=True)
    response = client.post(f"/pengajar/susun/{course.id}/modul/baru", data={"title": "Modul Baru"},
                           follow_redirects=True)
    assert "Module “Modul Baru” added." in response.get_data(as_text=True)


def test_confirm_delete_uses_english_plurals(client, trainer_course):
    course, module, _lesson = trainer_course
    client.set_cookie("lentera_bahasa", "en")
    body = client.get(f"/pengajar/susun/{course.id}/modul/{module.id}/hapus").get_data(as_text=True)
    assert "Delete module “Modul 1”?" in body
    assert "2 lessons and the quiz will be deleted with it" in body
    body = client.get(f"/pengajar/susun/{course.id}").get_data(as_text=True)
    assert "Quiz: Kuis Modul 1 (2 questions)" in body


def test_decimal_fields_show_the_readers_decimal_mark(client, make_user, make_course, login):
    from decimal import Decimal

    trainer = make_user("trainer")
    course = make_course(slug="kursus-desimal", jp=Decimal("2.5"))
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    login(trainer)
    assert 'value="2,5"' in client.get(f"/pengajar/susun/{course.id}").get_data(as_text=True)
    client.set_cookie("lentera_bahasa", "en")
    assert 'value="2.5"' in client.get(f"/pengajar/susun/{course.id}").get_data(as_text=True)
