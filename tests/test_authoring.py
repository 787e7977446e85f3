"""Authoring in the browser (app/authoring): access, forms, order, preview, video, change log."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.admin.models import AuditEvent
from app.assessment.models import Question
from app.authoring import services
from app.authoring.video import FRAME_SOURCES, VideoError, parse_video_url
from app.catalog.models import Course, CourseTrainer, Lesson, Module
from app.extensions import db


@pytest.fixture()
def owner(make_user, make_course):
    """A trainer who owns a published course (2 modules × 2 lessons, quizzes)."""
    trainer = make_user("trainer", full_name="Budi Pengajar")
    course = make_course(slug="milik-budi")
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    return trainer, course


def _events(course_id, action=None):
    stmt = select(AuditEvent).where(AuditEvent.target_type == "course", AuditEvent.target_id == str(course_id))
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(db.session.scalars(stmt.order_by(AuditEvent.id)))


def _positions(module):
    db.session.expire_all()
    module = db.session.get(Module, module.id)
    return [(lesson.slug, lesson.position) for lesson in sorted(module.lessons, key=lambda x: (x.position, x.id))]


# --- Access -------------------------------------------------------------------------------------


def test_learner_gets_403_and_anonymous_is_sent_to_login(client, make_user, login, make_course):
    course = make_course()
    assert client.get("/pengajar/susun").status_code == 302
    login(make_user())
    assert client.get("/pengajar/susun").status_code == 403
    assert client.get(f"/pengajar/susun/{course.id}").status_code == 403


def test_trainer_edits_only_own_courses_admin_edits_all(client, make_user, login, make_course, owner):
    trainer, course = owner
    other = make_course(slug="milik-lain", title="Kursus Lain")
    login(trainer)
    page = client.get("/pengajar/susun")
    assert "Kursus Uji" in page.get_data(as_text=True) and "Kursus Lain" not in page.get_data(as_text=True)
    assert client.get(f"/pengajar/susun/{course.id}").status_code == 200
    assert client.get(f"/pengajar/susun/{other.id}").status_code == 404
    response = client.post(f"/pengajar/susun/{other.id}/modul/baru", data={"title": "Sisipan"})
    assert response.status_code == 404
    lesson = other.modules[0].lessons[0]
    assert client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}",
                       data={"title": "x", "body_md": "y"}).status_code == 404  # lesson of another course
    assert client.get("/pengajar/susun/999999").status_code == 404
    client.post("/keluar")
    login(make_user("admin"))
    assert client.get(f"/pengajar/susun/{other.id}").status_code == 200


def test_co_owner_can_be_added_and_the_last_cannot_be_removed(client, make_user, login, owner):
    trainer, course = owner
    colleague = make_user("trainer", email="rekan@example.go.id", full_name="Rekan Pengajar")
    learner = make_user(email="peserta@example.go.id")
    login(trainer)
    bad = client.post(f"/pengajar/susun/{course.id}/pengajar", data={"email": "peserta@example.go.id"})
    assert bad.status_code == 400 and "Tidak ada pengajar dengan email tersebut" in bad.get_data(as_text=True)
    ok = client.post(f"/pengajar/susun/{course.id}/pengajar", data={"email": "Rekan@Example.go.id"})
    assert ok.status_code == 302
    assert services.can_edit(colleague, course) and not services.can_edit(learner, course)
    again = client.post(f"/pengajar/susun/{course.id}/pengajar", data={"email": "rekan@example.go.id"})
    assert again.status_code == 400
    client.post(f"/pengajar/susun/{course.id}/pengajar/{colleague.id}/hapus")
    last = client.post(f"/pengajar/susun/{course.id}/pengajar/{trainer.id}/hapus", follow_redirects=True)
    assert "Pengajar terakhir tidak dapat dihapus" in last.get_data(as_text=True)
    assert services.can_edit(trainer, course)
    assert [e.action for e in _events(course.id)] == ["course.trainer_add", "course.trainer_remove"]


# --- Courses ------------------------------------------------------------------------------------


def test_trainer_creates_a_draft_course_and_owns_it(client, make_user, login):
    trainer = make_user("trainer")
    login(trainer)
    response = client.post("/pengajar/susun/baru", data={
        "title": "  Tata Kelola Data  ", "summary": "Baris 1\r\nBaris 2\r\n", "audience": "Pejabat pengawas",
        "jp": "2,5", "pass_mark": "72.5", "version": "1", "enrolment_mode": "open"})
    assert response.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "tata-kelola-data"))
    assert course.title == "Tata Kelola Data" and course.summary == "Baris 1\nBaris 2"
    assert course.jp == Decimal("2.5") and course.pass_mark == Decimal("72.5")
    assert course.is_published is False
    assert [t.id for t in course.trainers] == [trainer.id]
    event = _events(course.id, "course.create")[0]
    assert event.actor_id == trainer.id


@pytest.mark.parametrize("field,value,message", [
    ("jp", "dua puluh", "Isi dengan angka"),
    ("jp", "-1", "Nilai harus paling kecil 0"),
    ("jp", "1,234", "Paling banyak dua angka di belakang koma"),
    ("pass_mark", "0", "Nilai harus lebih dari 0"),
    ("pass_mark", "100,5", "Nilai paling besar 100"),
    ("version", "satu", "Isi dengan bilangan bulat"),
    ("title", "   ", "Wajib diisi"),
    ("slug", "Bukan Slug!", "Slug hanya boleh huruf kecil"),
])
def test_bad_course_input_is_400_in_indonesian_and_keeps_the_input(client, make_user, login, field, value, message):
    login(make_user("trainer"))
    data = {"title": "Judul Saya", "summary": "Ringkasan yang panjang", "audience": "", "jp": "20",
            "pass_mark": "70", "version": "1", "enrolment_mode": "open", "slug": ""}
    data[field] = value
    response = client.post("/pengajar/susun/baru", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert "Ringkasan yang panjang" in body  # nothing the author typed is lost
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_duplicate_slug_is_refused(client, make_user, login, make_course):
    make_course(slug="sudah-ada")
    login(make_user("trainer"))
    response = client.post("/pengajar/susun/baru", data={"title": "Baru", "slug": "sudah-ada", "jp": "1",
                                                           "pass_mark": "70", "version": "1", "enrolment_mode": "open"})
    assert response.status_code == 400 and "sudah dipakai" in response.get_data(as_text=True)


def test_edit_course_records_who_what_and_history_page_shows_it(client, owner, login):
    trainer, course = owner
    login(trainer)
    data = {"title": "Kursus Uji Baru", "summary": "Ringkasan", "audience": "ASN", "jp": "20", "pass_mark": "75",
            "version": "2", "enrolment_mode": "open", "slug": "diabaikan"}
    assert client.post(f"/pengajar/susun/{course.id}", data=data).status_code == 302
    db.session.expire_all()
    course = db.session.get(Course, course.id)
    assert course.slug == "milik-budi"  # fixed once created
    assert course.title == "Kursus Uji Baru" and course.pass_mark == Decimal("75") and course.version == 2
    event = _events(course.id, "course.update")[0]
    fields = json.loads(event.detail)["fields"]
    assert fields["title"] == ["Kursus Uji", "Kursus Uji Baru"]
    assert [str(v) for v in fields["version"]] == ["1", "2"]
    assert set(fields) == {"title", "pass_mark", "version"}
    # saving the same values again records nothing
    client.post(f"/pengajar/susun/{course.id}", data=data)
    assert len(_events(course.id, "course.update")) == 1
    page = client.get(f"/pengajar/susun/{course.id}/riwayat").get_data(as_text=True)
    assert "Data kursus diubah" in page and "Budi Pengajar" in page and "Kursus Uji Baru" in page
    # Changed fields by their names, not the columns (retest finding: "pass_mark: 70 → 75").
    assert "nilai lulus: 70 → 75" in page and "pass_mark" not in page
    client.set_cookie("lentera_bahasa", "en")
    page = client.get(f"/pengajar/susun/{course.id}/riwayat").get_data(as_text=True)
    assert "pass mark: 70 → 75" in page


def test_publish_needs_a_lesson_and_can_go_back_to_draft(client, make_user, login):
    trainer = make_user("trainer")
    login(trainer)
    client.post("/pengajar/susun/baru", data={"title": "Kosong", "jp": "1", "pass_mark": "70", "version": "1",
                                              "enrolment_mode": "open"})
    course = db.session.scalar(select(Course).where(Course.slug == "kosong"))
    page = client.post(f"/pengajar/susun/{course.id}/terbit", data={"publish": "1"}, follow_redirects=True)
    assert "belum dapat diterbitkan" in page.get_data(as_text=True)
    assert client.post(f"/pengajar/susun/{course.id}/terbit", data={"publish": "x"}).status_code == 400
    client.post(f"/pengajar/susun/{course.id}/modul/baru", data={"title": "Modul Satu"})
    module = db.session.scalar(select(Module).where(Module.course_id == course.id))
    client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/pelajaran/baru",
                data={"title": "Pelajaran Satu", "body_md": "Isi", "is_required": "y", "action": "save"})
    client.post(f"/pengajar/susun/{course.id}/terbit", data={"publish": "1"})
    db.session.expire_all()
    assert db.session.get(Course, course.id).is_published is True
    client.post(f"/pengajar/susun/{course.id}/terbit", data={"publish": "0"})
    db.session.expire_all()
    assert db.session.get(Course, course.id).is_published is False
    assert [e.action for e in _events(course.id) if "publish" in e.action] == ["course.publish", "course.unpublish"]


# --- Order --------------------------------------------------------------------------------------


def test_move_buttons_reorder_and_unrelated_saves_never_do(client, owner, login):
    trainer, course = owner
    module = course.modules[0]
    client_lessons = {lesson.slug: lesson for lesson in module.lessons}
    # Gaps and an odd start, as deletions leave them.
    client_lessons["pelajaran-1"].position = 5
    client_lessons["pelajaran-2"].position = 9
    db.session.commit()
    login(trainer)
    client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/pelajaran/baru",
                data={"title": "Pelajaran Tiga", "body_md": "Isi tiga", "is_required": "y", "action": "save"})
    before = _positions(module)
    assert before == [("pelajaran-1", 5), ("pelajaran-2", 9), ("pelajaran-tiga", 10)]
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "pelajaran-2", Lesson.module_id == module.id))
    # unrelated saves: lesson, module, course
    client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}",
                data={"title": "Judul Baru", "body_md": "Isi baru", "action": "save"})
    client.post(f"/pengajar/susun/{course.id}/modul/{module.id}", data={"title": "Modul Diubah"})
    client.post(f"/pengajar/susun/{course.id}", data={"title": "Kursus", "jp": "20", "pass_mark": "70",
                                                      "version": "1", "enrolment_mode": "open"})
    assert _positions(module) == before
    assert [m.position for m in sorted(db.session.get(Course, course.id).modules, key=lambda m: m.id)] == [0, 1]
    # explicit moves
    assert client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/pindah",
                       data={"direction": "up"}).status_code == 302
    assert [slug for slug, _ in _positions(module)] == ["pelajaran-2", "pelajaran-1", "pelajaran-tiga"]
    client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/pindah", data={"direction": "up"})  # at top
    assert [slug for slug, _ in _positions(module)] == ["pelajaran-2", "pelajaran-1", "pelajaran-tiga"]
    assert client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/pindah",
                       data={"direction": "sideways"}).status_code == 400
    second = course.modules[1]
    client.post(f"/pengajar/susun/{course.id}/modul/{second.id}/pindah", data={"direction": "up"})
    db.session.expire_all()
    ordered = sorted(db.session.get(Course, course.id).modules, key=lambda m: m.position)
    assert [m.slug for m in ordered] == ["modul-2", "modul-1"]
    assert {e.action for e in _events(course.id)} >= {"lesson.move", "module.move", "lesson.update"}


def test_course_page_has_keyboard_reorder_forms(client, owner, login):
    trainer, course = owner
    login(trainer)
    page = client.get(f"/pengajar/susun/{course.id}").get_data(as_text=True)
    assert 'name="direction" value="up"' in page and 'name="direction" value="down"' in page
    assert "Naikkan pelajaran Pelajaran 1.2" in page
    assert "draggable" not in page


# --- Lessons: preview, video ---------------------------------------------------------------------


def test_preview_button_renders_on_the_server_without_saving(client, owner, login):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    response = client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}", data={
        "title": "Judul", "body_md": "# Sub\n\n**tebal** <script>alert(1)</script>", "action": "preview"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h2>Sub</h2>" in body and "<strong>tebal</strong>" in body
    assert "<script>alert(1)</script>" not in body
    assert "js/authoring-preview.js" in body
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).body_md == "Isi **pelajaran**."


def test_live_preview_endpoint_returns_sanitised_html(client, owner, login, make_user):
    trainer, _course = owner
    login(trainer)
    response = client.post("/pengajar/susun/pratinjau",
                           data={"body_md": "[x](javascript:alert(1)) <img src=x onerror=alert(1)> *ok*"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'href="javascript' not in html and "<img" not in html and "<em>ok</em>" in html
    script = client.get("/static/js/authoring-preview.js")
    assert script.status_code == 200 and b"innerHTML" in script.data
    client.post("/keluar")
    login(make_user())
    assert client.post("/pengajar/susun/pratinjau", data={"body_md": "x"}).status_code == 403


@pytest.mark.parametrize("url,canonical", [
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("https://www.youtube.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("https://m.youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("https://vimeo.com/76979871", "https://vimeo.com/76979871"),
    ("https://player.vimeo.com/video/76979871", "https://vimeo.com/76979871"),
])
def test_allowlisted_video_links_parse(url, canonical):
    assert parse_video_url(url).canonical_url == canonical


@pytest.mark.parametrize("url", [
    '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
    "https://evil.example/watch?v=dQw4w9WgXcQ",
    "https://www.youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
    "javascript:alert(1)",
    "https://www.youtube.com/watch?v=short",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=aaaaaaaaaaa",
    "https://vimeo.com/abc",
    "ftp://vimeo.com/76979871",
    "https://user@vimeo.com/76979871",
    "https://vimeo.com:8080/76979871",
])
def test_other_video_links_are_refused(url):
    with pytest.raises(VideoError):
        parse_video_url(url)


def test_video_lesson_embeds_only_a_built_iframe_with_frame_src(client, owner, login, make_user):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    other = course.modules[0].lessons[1]
    login(trainer)
    refused = client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}", data={
        "title": "Video", "body_md": "Tonton.", "action": "save",
        "video_url": '<iframe src="https://evil.example/x"></iframe>'})
    assert refused.status_code == 400 and "Tautan video tidak diterima" in refused.get_data(as_text=True)
    saved = client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}", data={
        "title": "Video", "body_md": "Tonton.", "action": "save", "is_required": "y",
        "video_url": "https://youtu.be/dQw4w9WgXcQ"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).video_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    page = client.get(f"/kursus/{course.slug}/pelajaran/{lesson.id}")
    html = page.get_data(as_text=True)
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    csp = page.headers["Content-Security-Policy"]
    assert "frame-src " + " ".join(FRAME_SOURCES) in csp
    plain = client.get(f"/kursus/{course.slug}/pelajaran/{other.id}")
    assert "frame-src" not in plain.headers["Content-Security-Policy"]
    assert "<iframe" not in plain.get_data(as_text=True)
    # the lesson policy is the site policy plus frame-src, nothing loosened
    assert csp == plain.headers["Content-Security-Policy"] + "; frame-src " + " ".join(FRAME_SOURCES)


def test_lesson_form_errors_are_400_and_keep_the_text(client, owner, login):
    trainer, course = owner
    module = course.modules[0]
    login(trainer)
    response = client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/pelajaran/baru",
                           data={"title": "", "body_md": "Teks panjang yang saya tulis", "minutes": "lima",
                                 "action": "save"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Teks panjang yang saya tulis" in body and "Wajib diisi" in body and "Isi dengan bilangan bulat" in body
    assert len(db.session.get(Module, module.id).lessons) == 2


def test_delete_lesson_asks_first_then_deletes_and_logs(client, owner, login):
    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    login(trainer)
    confirm = client.get(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/hapus")
    assert confirm.status_code == 200 and "Ya, hapus" in confirm.get_data(as_text=True)
    assert db.session.get(Lesson, lesson.id) is not None
    assert client.post(f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}/hapus").status_code == 302
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id) is None
    assert _events(course.id, "lesson.delete")


def test_module_add_edit_delete(client, owner, login):
    trainer, course = owner
    login(trainer)
    assert client.post(f"/pengajar/susun/{course.id}/modul/baru", data={"title": ""}).status_code == 400
    client.post(f"/pengajar/susun/{course.id}/modul/baru", data={"title": "Modul 1", "summary": "baru"})
    db.session.expire_all()
    slugs = sorted(m.slug for m in db.session.get(Course, course.id).modules)
    assert slugs == ["modul-1", "modul-1-2", "modul-2"]  # slug made unique
    new = db.session.scalar(select(Module).where(Module.slug == "modul-1-2"))
    assert new.position == 2
    client.post(f"/pengajar/susun/{course.id}/modul/{new.id}/hapus")
    db.session.expire_all()
    assert db.session.get(Module, new.id) is None


# --- Quizzes ------------------------------------------------------------------------------------


def _question_data(qtype="single", text="Apa itu SPBE?", choices=(("Benar", True), ("Salah", False)), **extra):
    data = {"type": qtype, "text": text, "points": "0,5", "explanation": "Penjelasan."}
    for index, (choice, correct) in enumerate(choices):
        data[f"choices-{index}-text"] = choice
        if correct:
            data[f"choices-{index}-is_correct"] = "y"
    data.update(extra)
    return data


def test_quiz_and_questions_are_authored_with_the_importer_rules(client, owner, login):
    trainer, course = owner
    module = course.modules[0]
    login(trainer)
    client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/kuis/hapus")
    db.session.expire_all()
    assert db.session.get(Module, module.id).quiz is None
    assert client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/kuis",
                       data={"title": "Kuis Baru", "pass_mark": "80"}).status_code == 302
    base = f"/pengajar/susun/{course.id}/modul/{module.id}/kuis/pertanyaan/baru"
    two_right = client.post(base, data=_question_data(choices=(("A", True), ("B", True))))
    assert two_right.status_code == 400 and "tepat satu jawaban benar" in two_right.get_data(as_text=True)
    all_right = client.post(base, data=_question_data("multiple", choices=(("A", True), ("B", True))))
    assert all_right.status_code == 400 and "satu jawaban salah" in all_right.get_data(as_text=True)
    one = client.post(base, data=_question_data(choices=(("A", True),)))
    assert one.status_code == 400 and "paling sedikit 2" in one.get_data(as_text=True)
    same = client.post(base, data=_question_data(choices=(("A", True), (" A ", False))))
    assert same.status_code == 400 and "tidak boleh sama" in same.get_data(as_text=True)
    assert client.post(base, data=_question_data()).status_code == 302
    assert client.post(base, data=_question_data("multiple", "Pilih dua", (("A", True), ("B", True), ("C", False)))
                       ).status_code == 302
    db.session.expire_all()
    quiz = db.session.get(Module, module.id).quiz
    assert quiz.pass_mark == Decimal("80")
    assert [(q.key, q.type, q.points) for q in quiz.questions] == [("q1", "single", Decimal("0.5")),
                                                                    ("q2", "multiple", Decimal("0.5"))]
    q2 = quiz.questions[1]
    assert client.post(f"/pengajar/susun/{course.id}/pertanyaan/{q2.id}", data=_question_data(
        "multiple", "Pilih dua (ubah)", (("A", True), ("B", False), ("C", True), ("D", False)))).status_code == 302
    db.session.expire_all()
    q2 = db.session.get(Question, q2.id)
    assert q2.text == "Pilih dua (ubah)" and [(c.text, c.is_correct) for c in q2.choices] == [
        ("A", True), ("B", False), ("C", True), ("D", False)]
    client.post(f"/pengajar/susun/{course.id}/pertanyaan/{q2.id}/pindah", data={"direction": "up"})
    db.session.expire_all()
    assert [q.key for q in db.session.get(Module, module.id).quiz.questions] == ["q2", "q1"]
    client.post(f"/pengajar/susun/{course.id}/pertanyaan/{q2.id}/hapus")
    db.session.expire_all()
    assert [q.key for q in db.session.get(Module, module.id).quiz.questions] == ["q1"]
    actions = [e.action for e in _events(course.id)]
    assert actions == ["quiz.delete", "quiz.create", "question.create", "question.create", "question.update",
                       "question.move", "question.delete"]


def test_zip_download_is_the_course_in_file_format(client, owner, login, make_user):
    import io
    import zipfile

    trainer, course = owner
    login(trainer)
    response = client.get(f"/pengajar/susun/{course.id}/ekspor.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename=milik-budi.zip' in response.headers["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "milik-budi/course.yaml" in names and "milik-budi/01-modul-1/quiz.yaml" in names
    assert client.get(f"/pengajar/susun/{course.id}/ekspor.zip").data == response.data
    client.post("/keluar")
    login(make_user("trainer"))
    assert client.get(f"/pengajar/susun/{course.id}/ekspor.zip").status_code == 404


def test_nul_characters_are_refused_not_a_500(client, owner, login):
    trainer, course = owner
    module = course.modules[0]
    login(trainer)
    response = client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/pelajaran/baru",
                           data={"title": "Judul\x00", "body_md": "Isi", "action": "save"})
    assert response.status_code == 400 and "karakter yang tidak sah" in response.get_data(as_text=True)
    base = f"/pengajar/susun/{course.id}/modul/{module.id}/kuis/pertanyaan/baru"
    response = client.post(base, data=_question_data(choices=(("A\x00", True), ("B", False))))
    assert response.status_code == 400


def test_history_names_actions_of_other_areas_and_shows_empty_values_as_a_dash(client, owner, login):
    # Retest findings: "certificate.bulk_issue" shown as a code, and "durasi: 35 → None".
    from app.admin.audit import record_event

    trainer, course = owner
    lesson = course.modules[0].lessons[0]
    record_event(None, "certificate.bulk_issue", "course", course.id, job_id=1)
    record_event(None, "course.enrolment_mode", "course", course.id, old="open", new="approval")
    db.session.commit()
    login(trainer)
    url = f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}"
    data = {"title": lesson.title, "body_md": "Isi", "minutes": "35", "is_required": "y", "action": "save"}
    assert client.post(url, data=data).status_code == 302
    assert client.post(url, data={**data, "minutes": ""}).status_code == 302
    page = client.get(f"/pengajar/susun/{course.id}/riwayat").get_data(as_text=True)
    assert "Penerbitan sertifikat massal" in page and "Cara pendaftaran diubah" in page
    assert "certificate.bulk_issue" not in page and "course.enrolment_mode" not in page
    assert "durasi: 35 → —" in page and "None" not in page
