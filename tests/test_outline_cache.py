"""The per-process course outline cache (app/catalog/outline.py): used when valid, never stale."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select, update

from app import create_app
from app.catalog import outline as outlines
from app.catalog.models import Attachment, Course, Lesson
from app.extensions import db
from app.learning import services
from tests.statements import recorded_statements


def _enrolled(make_user, login, course):
    user = make_user()
    services.enrol(user, course)
    db.session.commit()
    login(user)
    return user


def _lesson_url(course, lesson):
    return f"/kursus/{course.slug}/pelajaran/{lesson.id}"


def test_a_second_lesson_view_reads_no_outline_and_no_body(app, client, login, make_user, make_course):
    course = make_course(modules=2, lessons_per_module=2)
    _enrolled(make_user, login, course)
    url = _lesson_url(course, course.modules[0].lessons[0])
    assert client.get(url).status_code == 200
    with recorded_statements() as seen:
        page = client.get(url)
    assert page.status_code == 200 and "<strong>pelajaran</strong>" in page.get_data(as_text=True)
    touched = " ".join(seen).lower()
    assert "from modules" not in touched and "body_md" not in touched and "attachments" not in touched
    assert len(seen) <= 3  # signed-in user, then course + enrolment + "done" in one query


def test_an_edit_committed_elsewhere_shows_on_the_next_view(app, client, login, make_user, make_course):
    course = make_course(modules=1, lessons_per_module=2)
    _enrolled(make_user, login, course)
    first, second = course.modules[0].lessons
    first_url, course_url = _lesson_url(course, first), f"/kursus/{course.slug}"
    assert "Pelajaran 1.2" in client.get(course_url).get_data(as_text=True)
    assert "Isi <strong>pelajaran</strong>" in client.get(first_url).get_data(as_text=True)
    # Core statements, as another process or the importer would send them: no ORM event sees them.
    db.session.execute(update(Lesson).where(Lesson.id == second.id).values(title="Judul Baru"))
    db.session.execute(update(Lesson).where(Lesson.id == first.id).values(body_md="Isi *diubah*."))
    db.session.commit()
    assert "Judul Baru" in client.get(course_url).get_data(as_text=True)
    assert "Isi <em>diubah</em>" in client.get(first_url).get_data(as_text=True)
    db.session.add(Attachment(lesson_id=first.id, title="Bahan Bacaan SPBE", original_name="bahan.pdf",
                              stored_name="a" * 32 + ".pdf", content_type="application/pdf", size=2048,
                              sha256="0" * 64))
    db.session.commit()
    assert "Bahan Bacaan SPBE" in client.get(first_url).get_data(as_text=True)
    db.session.delete(db.session.get(Lesson, second.id))
    db.session.commit()
    assert "Judul Baru" not in client.get(course_url).get_data(as_text=True)
    assert client.get(_lesson_url(course, second)).status_code == 404


def test_a_pass_mark_change_on_the_course_shows_in_its_quizzes(app, client, login, make_user, make_course):
    # The course row is not an outline table: its pass mark is part of the cache key instead.
    course = make_course(modules=1, lessons_per_module=1, pass_mark=Decimal("70"))
    _enrolled(make_user, login, course)
    url = f"/kursus/{course.slug}"
    assert "nilai lulus 70%" in client.get(url).get_data(as_text=True)
    db.session.execute(update(Course).where(Course.id == course.id).values(pass_mark=Decimal("85")))
    db.session.commit()
    assert "nilai lulus 85%" in client.get(url).get_data(as_text=True)


def test_another_process_sees_an_edit_made_through_this_one(app, database_url, tmp_path, make_user, make_course):
    # Two applications on one database stand for two gunicorn workers with their own caches.
    course = make_course(modules=1, lessons_per_module=1)
    user = make_user()
    services.enrol(user, course)
    db.session.commit()
    slug, lesson_id, email = course.slug, course.modules[0].lessons[0].id, user.email
    db.session.remove()  # SQLite: this session's transaction (BEGIN IMMEDIATE outside requests) would block the other
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, LENTERA_DATA_DIR=str(tmp_path / "other"))
    other_client = other.test_client()
    with other.app_context():
        assert other_client.post("/masuk", data={"email": email, "password": "rahasia-123"}).status_code == 302
        assert "Pelajaran 1.1" in other_client.get(f"/kursus/{slug}/pelajaran/{lesson_id}").get_data(as_text=True)
    db.session.execute(update(Lesson).where(Lesson.id == lesson_id).values(title="Diubah di proses lain"))
    db.session.commit()
    db.session.remove()
    with other.app_context():
        page = other_client.get(f"/kursus/{slug}/pelajaran/{lesson_id}").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    assert "Diubah di proses lain" in page


def test_what_a_writing_transaction_reads_is_not_cached(app, make_course):
    # Its rows may be rolled back, and the revision number they carry reused by another change.
    course = make_course(modules=1, lessons_per_module=1)
    db.session.commit()
    course_id, lesson_id = course.id, course.modules[0].lessons[0].id
    with app.test_request_context("/", method="GET"):
        db.session.execute(update(Lesson).where(Lesson.id == lesson_id).values(title="Tidak jadi"))
        seen = outlines.course_outline(db.session.get(Course, course_id),
                                       db.session.scalar(select(Course.content_revision).where(Course.id == course_id)))
        assert seen.lessons[0].title == "Tidak jadi"
        db.session.rollback()
    # The next committed change takes the same revision number the rolled-back one had.
    db.session.execute(update(Lesson).where(Lesson.id == lesson_id).values(title="Judul sah"))
    db.session.commit()
    with app.test_request_context("/", method="GET"):
        course = db.session.get(Course, course_id)
        db.session.refresh(course)
        assert outlines.course_outline(course).lessons[0].title == "Judul sah"
        db.session.rollback()


def test_the_outline_keeps_reading_order_and_quiz_settings(app, make_course):
    course = make_course(modules=2, lessons_per_module=2, pass_mark=Decimal("70"))
    first, second = course.modules
    first.position, second.position = 5, 1  # the second module is read first
    second.lessons[0].position, second.lessons[1].position = 9, 0
    second.lessons[0].is_required = False
    first.quiz.pass_mark = Decimal("55.5")
    (a, b), (c, d) = [[lesson.id for lesson in module.lessons] for module in (first, second)]
    db.session.commit()
    outline = outlines.course_outline(course)
    assert [m.id for m in outline.modules] == [second.id, first.id]
    assert [lesson.id for lesson in outline.lessons] == [d, c, a, b]
    assert outline.lesson(c).is_required is False
    assert outline.required_lesson_ids == {d, a, b}
    facts = outline.quiz_facts()
    assert facts[first.quiz.id].pass_mark == Decimal("55.5") and facts[second.quiz.id].pass_mark == Decimal("70")
    assert outline.lesson(10**9) is None
    assert outline.neighbours(outline.lessons[1]) == (outline.lessons[0], outline.lessons[2])


def test_a_course_without_modules_has_an_empty_outline(app, make_course):
    course = make_course(modules=0)
    db.session.commit()
    outline = outlines.course_outline(course)
    assert outline.modules == () and outline.lessons == () and outline.quiz_facts() == {}


def test_a_lesson_id_given_again_in_another_course_never_shows_the_old_text(
        app, client, login, make_user, make_course):
    # Retest finding: SQLite gives a deleted lesson's id to the next lesson, and two courses' revision
    # counters can be equal; the cached text was keyed by lesson id and revision only.
    old_course = make_course(modules=1, lessons_per_module=1)
    new_course = make_course(modules=1, lessons_per_module=1)
    user = make_user()
    services.enrol(user, old_course)
    services.enrol(user, new_course)
    old_lesson = old_course.modules[0].lessons[0]
    old_lesson.body_md = "Teks RAHASIA kursus lama."
    db.session.commit()
    login(user)
    lesson_id, old_slug, new_slug = old_lesson.id, old_course.slug, new_course.slug
    new_course_id, module_id = new_course.id, new_course.modules[0].id
    assert "RAHASIA" in client.get(f"/kursus/{old_slug}/pelajaran/{lesson_id}").get_data(as_text=True)
    db.session.delete(db.session.get(Lesson, lesson_id))
    db.session.commit()
    cached_revision = db.session.scalar(select(Course.content_revision).where(Course.slug == old_slug)) - 1
    # The other course reaches the revision the text was cached under, with a lesson of the same id.
    db.session.execute(update(Course).where(Course.id == new_course_id).values(content_revision=cached_revision - 1))
    db.session.add(Lesson(id=lesson_id, module_id=module_id, slug="baru", title="Pelajaran baru", position=5,
                          body_md="Teks kursus baru."))
    db.session.commit()
    assert db.session.scalar(select(Course.content_revision).where(Course.id == new_course_id)) == cached_revision
    page = client.get(f"/kursus/{new_slug}/pelajaran/{lesson_id}").get_data(as_text=True)
    assert "Teks kursus baru." in page and "RAHASIA" not in page
