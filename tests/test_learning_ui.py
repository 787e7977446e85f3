"""The learner's pages: catalogue, course page, enrolling, lessons, "Kursus saya"."""
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from flask import url_for
from sqlalchemy import event, select

from app.extensions import db
from app.learning import services
from app.learning.models import Enrolment, LessonProgress


def _lessons(course):
    return [lesson for module in course.modules for lesson in module.lessons]


def _enrol(client, course):
    response = client.post(f"/kursus/{course.slug}/ikuti")
    assert response.status_code == 302
    return response


def _correct_answers(quiz):
    return {f"q-{q.id}": str(next(c.id for c in q.choices if c.is_correct)) for q in quiz.questions}


# --- Catalogue -------------------------------------------------------------------------------------

def test_catalogue_lists_published_courses_only(client, make_course):
    make_course(title="Kepemimpinan Digital", jp=Decimal("19.5"), modules=3)
    make_course(title="Kursus Rahasia", published=False)
    body = client.get("/").get_data(as_text=True)
    assert "Kepemimpinan Digital" in body
    assert "Kursus Rahasia" not in body
    assert "19,5 JP" in body
    assert "3 modul" in body
    assert "Terdaftar" not in body


def test_catalogue_empty_state(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Belum ada kursus" in response.get_data(as_text=True)


def test_catalogue_shows_enrolled_badge_and_progress(client, make_user, login, make_course):
    course = make_course(title="Kursus Saya")
    make_course(title="Kursus Lain")
    user = make_user()
    login(user)
    _enrol(client, course)
    body = client.get("/").get_data(as_text=True)
    assert body.count("Terdaftar") == 1
    assert "0% selesai" in body


# --- Course page and enrolment ---------------------------------------------------------------------

def test_anonymous_sees_course_with_sign_in_link(client, make_course):
    course = make_course(title="Kursus Terbuka", pass_mark=Decimal("75"))
    response = client.get(f"/kursus/{course.slug}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Masuk untuk mendaftar" in body
    assert "75%" in body and "20 JP" in body
    assert "Pelajaran 2.2" in body and "Kuis Modul 2" in body
    assert "Ikuti kursus" not in body
    # anonymous POST goes to the sign-in page and enrols nobody
    response = client.post(f"/kursus/{course.slug}/ikuti")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]
    assert db.session.query(Enrolment).count() == 0


def test_unknown_course_is_404(client):
    assert client.get("/kursus/tidak-ada").status_code == 404


def test_unpublished_course_hidden_from_learners_visible_to_trainers(client, make_user, login, make_course):
    course = make_course(published=False)
    assert client.get(f"/kursus/{course.slug}").status_code == 404
    learner = make_user()
    login(learner)
    assert client.get(f"/kursus/{course.slug}").status_code == 404
    assert client.post(f"/kursus/{course.slug}/ikuti").status_code == 404
    client.post("/keluar")
    login(make_user(role="trainer"))
    response = client.get(f"/kursus/{course.slug}")
    assert response.status_code == 200
    assert "Belum diterbitkan" in response.get_data(as_text=True)


def test_enrol_then_course_page_shows_progress(client, make_user, login, make_course):
    course = make_course()
    user = make_user()
    login(user)
    assert "Ikuti kursus" in client.get(f"/kursus/{course.slug}").get_data(as_text=True)
    response = _enrol(client, course)
    assert response.headers["Location"].endswith(f"/kursus/{course.slug}")
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anda terdaftar di kursus" in body
    assert "<progress" in body and "0% selesai" in body
    assert "Belum dikerjakan" in body
    assert "Mulai belajar" in body
    assert "Ikuti kursus</button>" not in body
    _enrol(client, course)  # twice: still one enrolment
    assert db.session.query(Enrolment).filter_by(user_id=user.id).count() == 1


def test_course_page_marks_done_lessons_and_quiz_status(client, make_user, login, make_course):
    course = make_course(modules=2, lessons_per_module=1, questions_per_quiz=2)
    user = make_user()
    login(user)
    _enrol(client, course)
    first = _lessons(course)[0]
    client.post(f"/kursus/{course.slug}/pelajaran/{first.id}/selesai")
    quiz1, quiz2 = course.modules[0].quiz, course.modules[1].quiz
    client.post(f"/kursus/{course.slug}/kuis/{quiz1.id}", data=_correct_answers(quiz1))
    q = quiz2.questions[0]
    client.post(f"/kursus/{course.slug}/kuis/{quiz2.id}", data={f"q-{q.id}": str(q.choices[0].id)})  # 1 of 2
    body = client.get(f"/kursus/{course.slug}").get_data(as_text=True)
    assert 'class="done"' in body
    assert "Nilai 100,00% · LULUS" in body
    assert "Nilai 50,00% · TIDAK LULUS" in body
    assert "50% selesai" in body  # 1 of 2 lessons + 1 of 2 quizzes


# --- Lessons ---------------------------------------------------------------------------------------

def test_lesson_page_renders_sanitised_markdown(client, make_user, login, make_course):
    course = make_course()
    lesson = _lessons(course)[0]
    lesson.body_md = ("# Bagian\n\nTeks **tebal**.\n\n<script>alert('x')</script>\n\n"
                      "[tautan](javascript:alert(1))\n\n|a|b|\n|-|-|\n|1|2|\n")
    db.session.commit()
    login(make_user())
    _enrol(client, course)
    response = client.get(f"/kursus/{course.slug}/pelajaran/{lesson.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div class="lesson-body">' in body
    assert "<h2>Bagian</h2>" in body and "<strong>tebal</strong>" in body and "<td>1</td>" in body
    assert "<script" not in body
    assert 'href="javascript' not in body
    assert body.count("<h1>") == 1
    assert "Tandai selesai" in body
    assert "Berikutnya: Pelajaran 1.2" in body


def test_lesson_navigation_crosses_modules(client, make_user, login, make_course):
    course = make_course(modules=2, lessons_per_module=2)
    lessons = _lessons(course)
    login(make_user())
    _enrol(client, course)
    body = client.get(f"/kursus/{course.slug}/pelajaran/{lessons[1].id}").get_data(as_text=True)
    assert "Sebelumnya: Pelajaran 1.1" in body
    assert "Berikutnya: Pelajaran 2.1" in body
    assert f"/kuis/{course.modules[0].quiz.id}" in body  # last lesson of the module links its quiz
    body = client.get(f"/kursus/{course.slug}/pelajaran/{lessons[3].id}").get_data(as_text=True)
    assert "Kembali ke halaman kursus" in body and "Berikutnya" not in body


def test_mark_complete_twice_keeps_one_row_and_goes_on(client, make_user, login, make_course):
    course = make_course(modules=2, lessons_per_module=2)
    lessons = _lessons(course)
    user = make_user()
    login(user)
    _enrol(client, course)
    url = f"/kursus/{course.slug}/pelajaran/{lessons[0].id}/selesai"
    first = client.post(url)
    second = client.post(url)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(f"/pelajaran/{lessons[1].id}")
    assert db.session.query(LessonProgress).count() == 1
    body = client.get(f"/kursus/{course.slug}/pelajaran/{lessons[0].id}").get_data(as_text=True)
    assert "sudah ditandai selesai" in body and "Tandai selesai</button>" not in body
    # the module's last lesson leads to its quiz
    response = client.post(f"/kursus/{course.slug}/pelajaran/{lessons[1].id}/selesai")
    assert response.headers["Location"].endswith(f"/kuis/{course.modules[0].quiz.id}")


def test_after_quiz_passed_completing_a_lesson_leads_to_next_module(client, make_user, login, make_course):
    course = make_course(modules=2, lessons_per_module=1)
    lessons = _lessons(course)
    login(make_user())
    _enrol(client, course)
    quiz = course.modules[0].quiz
    client.post(f"/kursus/{course.slug}/kuis/{quiz.id}", data=_correct_answers(quiz))
    response = client.post(f"/kursus/{course.slug}/pelajaran/{lessons[0].id}/selesai")
    assert response.headers["Location"].endswith(f"/pelajaran/{lessons[1].id}")


def test_lesson_of_another_course_is_404(client, make_user, login, make_course):
    course = make_course()
    other = make_course()
    login(make_user())
    _enrol(client, course)
    foreign = _lessons(other)[0]
    assert client.get(f"/kursus/{course.slug}/pelajaran/{foreign.id}").status_code == 404
    assert client.post(f"/kursus/{course.slug}/pelajaran/{foreign.id}/selesai").status_code == 404
    assert client.get(f"/kursus/{course.slug}/pelajaran/999999").status_code == 404
    assert db.session.query(LessonProgress).count() == 0


def test_non_enrolled_learner_is_sent_to_course_page(client, make_user, login, make_course):
    course = make_course()
    lesson = _lessons(course)[0]
    login(make_user())
    response = client.get(f"/kursus/{course.slug}/pelajaran/{lesson.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kursus/{course.slug}")
    assert "Ikuti kursus ini terlebih dahulu." in client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.post(f"/kursus/{course.slug}/pelajaran/{lesson.id}/selesai")
    assert response.status_code == 302
    assert db.session.query(LessonProgress).count() == 0


def test_anonymous_lesson_goes_to_sign_in(client, make_course):
    course = make_course()
    response = client.get(f"/kursus/{course.slug}/pelajaran/{_lessons(course)[0].id}")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_trainer_previews_lesson_without_enrolling(client, make_user, login, make_course):
    course = make_course(published=False)
    login(make_user(role="trainer"))
    response = client.get(f"/kursus/{course.slug}/pelajaran/{_lessons(course)[0].id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pratinjau pengajar" in body and "Tandai selesai" not in body


# --- Kursus saya -----------------------------------------------------------------------------------

def test_dashboard_requires_sign_in_and_has_empty_state(client, make_user, login):
    assert client.get("/saya").status_code == 302
    login(make_user())
    body = client.get("/saya").get_data(as_text=True)
    assert "Anda belum mengikuti kursus apa pun" in body
    assert 'href="/"' in body
    assert "0 JP" in body


def test_dashboard_shows_progress_and_jp_of_this_year(app, client, make_user, login, make_course):
    user = make_user(employment_type="PNS")
    done = make_course(title="Kursus Tuntas", jp=Decimal("19.5"))
    old = make_course(title="Kursus Lama", jp=Decimal("8"))
    running = make_course(title="Kursus Berjalan", jp=Decimal("3"))
    year = services.local_year(app.config["LENTERA_TIMEZONE"])
    services.enrol(user, done).completed_at = datetime(year, 6, 1, 2, 0, tzinfo=timezone.utc)
    services.enrol(user, old).completed_at = datetime(year - 1, 6, 1, 2, 0, tzinfo=timezone.utc)
    services.enrol(user, running)
    db.session.commit()
    login(user)
    body = client.get("/saya").get_data(as_text=True)
    assert f"Jam pelajaran tahun {year}" in body
    assert '<p class="stat">19,5 JP</p>' in body  # last year's course does not count
    assert "Belum memenuhi" in body and "masih kurang 0,5 JP" in body  # 19.5 < 20, never rounded up
    assert "Kursus Tuntas" in body and "Kursus Berjalan" in body and "Kursus Lama" in body
    assert body.count("Selesai</span>") == 2
    assert "1 Juni" in body


def test_dashboard_pns_target_met_and_not_shown_for_others(app, client, make_user, login, make_course):
    year = services.local_year(app.config["LENTERA_TIMEZONE"])
    pns = make_user(employment_type="PNS")
    public = make_user()
    course = make_course(jp=Decimal("20"))
    for user in (pns, public):
        services.enrol(user, course).completed_at = datetime(year, 3, 1, tzinfo=timezone.utc)
    db.session.commit()
    login(pns)
    body = client.get("/saya").get_data(as_text=True)
    assert "Memenuhi</span>" in body and "Belum memenuhi" not in body
    client.post("/keluar")
    login(public)
    body = client.get("/saya").get_data(as_text=True)
    assert "20 JP" in body and "memenuhi" not in body.lower()


def test_dashboard_query_count_does_not_grow_with_enrolments(app, client, make_user, login, make_course):
    user = make_user()
    login(user)

    def count_queries():
        # A course's outline is read once per process, on its first view (app/catalog/outline.py).
        assert client.get("/saya").status_code == 200
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/saya").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    services.enrol(user, make_course())
    db.session.commit()
    one = count_queries()
    for _ in range(4):
        services.enrol(user, make_course())
    db.session.commit()
    assert count_queries() == one


# --- A whole course, end to end --------------------------------------------------------------------

def test_completing_a_whole_course_through_the_pages(app, client, make_user, login, make_course):
    pytest.importorskip("app.certificates.services")
    course = make_course(modules=2, lessons_per_module=1, jp=Decimal("8"))
    user = make_user(employment_type="PNS", nip="198005122005012003")
    login(user)
    _enrol(client, course)
    for lesson in _lessons(course):
        client.post(f"/kursus/{course.slug}/pelajaran/{lesson.id}/selesai")
    attempt_id = None
    for module in course.modules:
        response = client.post(f"/kursus/{course.slug}/kuis/{module.quiz.id}", data=_correct_answers(module.quiz))
        assert response.status_code == 302
        attempt_id = int(response.headers["Location"].rsplit("/", 1)[1])
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id))
    assert enrolment.completed_at is not None
    result = client.get(f"/kuis/hasil/{attempt_id}").get_data(as_text=True)
    assert "Kursus selesai" in result
    page = client.get(f"/kursus/{course.slug}").get_data(as_text=True)
    assert "Selesai</span>" in page and "100% selesai" in page
    dashboard = client.get("/saya").get_data(as_text=True)
    assert '<p class="stat">8 JP</p>' in dashboard
    certificate = services.certificate_for(enrolment)
    assert certificate is not None
    if "certificates.download" in app.view_functions:
        with app.test_request_context():
            link = url_for("certificates.download", certificate_id=certificate.id)
        assert link in page and link in dashboard and link in result
