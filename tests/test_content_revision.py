"""``courses.content_revision``: database triggers (migration 0010) bump it on every change to the outline.

Every change is committed and the revision read back with a fresh query, so
what is checked is the database's own value, not the ORM's copy.
"""
from __future__ import annotations

import pytest
from sqlalchemy import delete, insert, select, text, update

from app.assessment.models import Quiz
from app.catalog.models import Attachment, Course, Lesson, Module
from app.extensions import db
from app.learning.models import LessonProgress

OUTLINE_TABLES = ("modules", "lessons", "quizzes", "attachments")


def revision(course_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Course.content_revision).where(Course.id == course_id))


def first_module(course: Course) -> Module:
    return db.session.scalars(select(Module).where(Module.course_id == course.id).order_by(Module.position)).first()


def first_lesson(course: Course) -> Lesson:
    return db.session.scalars(select(Lesson).join(Module).where(Module.course_id == course.id)
                              .order_by(Module.position, Lesson.position)).first()


def add_attachment(lesson_id: int, name: str = "a1") -> int:
    """Insert an attachment row directly (the bytes are irrelevant here); returns its id."""
    return db.session.execute(insert(Attachment).values(
        lesson_id=lesson_id, title="Bahan", original_name="bahan.pdf", stored_name=f"{name}.pdf",
        content_type="application/pdf", size=10, sha256="0" * 64,
    ).returning(Attachment.id)).scalar_one()


@pytest.fixture()
def course(make_course):
    return make_course(modules=2, lessons_per_module=2, questions_per_quiz=1)


def test_new_course_starts_at_one_and_building_it_bumps(app, make_course):
    bare = make_course(modules=0)
    assert revision(bare.id) == 1
    built = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1)
    assert revision(built.id) > 1  # its module, lesson and quiz were inserted after the course row


def assert_each_step_bumps(course_id: int, *steps) -> None:
    """Run each step (a callable that changes the database), commit, and check the revision went up."""
    for step in steps:
        before = revision(course_id)
        step()
        db.session.commit()
        assert revision(course_id) > before, step.__name__


def test_module_insert_update_delete_bump(app, course):
    module = Module(course_id=course.id, slug="modul-baru", title="Modul baru", position=9)

    def insert_module():
        db.session.add(module)

    def update_module():
        module.title = "Modul baru (revisi)"

    def delete_module():
        db.session.delete(module)

    assert_each_step_bumps(course.id, insert_module, update_module, delete_module)


def test_lesson_insert_update_delete_bump(app, course):
    lesson = Lesson(module_id=first_module(course).id, slug="pelajaran-baru", title="Baru", body_md="Isi", position=9)

    def insert_lesson():
        db.session.add(lesson)

    def update_lesson():
        lesson.body_md = "Isi yang diubah"

    def delete_lesson():
        db.session.delete(lesson)

    assert_each_step_bumps(course.id, insert_lesson, update_lesson, delete_lesson)


def test_quiz_insert_update_delete_bump(app, make_course):
    course = make_course(modules=1, lessons_per_module=1, questions_per_quiz=0)
    quiz = Quiz(module_id=first_module(course).id, title="Kuis")

    def insert_quiz():
        db.session.add(quiz)

    def update_quiz():
        quiz.title = "Kuis akhir"

    def delete_quiz():
        db.session.delete(quiz)

    assert_each_step_bumps(course.id, insert_quiz, update_quiz, delete_quiz)


def test_attachment_insert_update_delete_bump(app, course):
    lesson = first_lesson(course)
    added = []

    def insert_attachment():
        added.append(add_attachment(lesson.id))

    def update_attachment():
        db.session.execute(update(Attachment).where(Attachment.id == added[0]).values(title="Bahan bacaan"))

    def delete_attachment():
        db.session.execute(delete(Attachment).where(Attachment.id == added[0]))

    assert_each_step_bumps(course.id, insert_attachment, update_attachment, delete_attachment)


def test_update_that_changes_nothing_still_bumps(app, course):
    lesson = first_lesson(course)
    before = revision(course.id)
    db.session.execute(update(Lesson).where(Lesson.id == lesson.id).values(title=lesson.title))
    db.session.commit()
    assert revision(course.id) == before + 1


def test_core_update_of_many_lessons_bumps_once_per_row(app, course):
    before = revision(course.id)
    lesson_ids = db.session.scalars(select(Lesson.id).join(Module).where(Module.course_id == course.id)).all()
    db.session.execute(update(Lesson).where(Lesson.id.in_(lesson_ids)).values(minutes=15))
    db.session.commit()
    assert revision(course.id) == before + len(lesson_ids)


def test_lesson_moved_to_another_course_bumps_both(app, make_course, course):
    other = make_course(modules=1, lessons_per_module=1, questions_per_quiz=0)
    lesson = first_lesson(course)
    target = first_module(other)
    before, other_before = revision(course.id), revision(other.id)

    db.session.execute(update(Lesson).where(Lesson.id == lesson.id).values(module_id=target.id, slug="pindahan"))
    db.session.commit()
    assert revision(course.id) > before
    assert revision(other.id) > other_before


def test_module_moved_to_another_course_bumps_both(app, make_course, course):
    other = make_course(modules=0)
    module = first_module(course)
    before, other_before = revision(course.id), revision(other.id)

    module.course_id = other.id
    db.session.commit()
    assert revision(course.id) > before
    assert revision(other.id) > other_before


def test_change_in_one_course_leaves_another_alone(app, make_course, course):
    other = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1)
    other_before = revision(other.id)
    first_lesson(course).title = "Hanya kursus pertama"
    db.session.commit()
    assert revision(other.id) == other_before


def test_learning_activity_does_not_bump(app, make_user, course):
    from app.learning import services as learning

    learner = make_user()
    before = revision(course.id)
    enrolment = learning.enrol(learner, course)
    db.session.commit()
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=first_lesson(course).id))
    db.session.commit()
    assert revision(course.id) == before


def test_course_fields_do_not_bump(app, course):
    """Only the outline's rows bump; the course row's own fields are the cache's other key."""
    before = revision(course.id)
    db.session.get(Course, course.id).title = "Judul baru"
    db.session.commit()
    assert revision(course.id) == before


def test_deleting_a_course_through_the_orm(app, course):
    lesson = first_lesson(course)
    add_attachment(lesson.id)
    db.session.commit()
    db.session.delete(db.session.get(Course, course.id))
    db.session.commit()
    assert db.session.scalar(select(Course.id).where(Course.id == course.id)) is None
    assert db.session.scalar(select(Lesson.id).where(Lesson.id == lesson.id)) is None


def test_deleting_a_course_with_sql_cascades_without_error(app, make_course, course):
    """ON DELETE CASCADE removes the outline; the triggers then find no course and bump nothing."""
    other = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1)
    other_before = revision(other.id)
    add_attachment(first_lesson(course).id)
    db.session.commit()
    db.session.execute(text("DELETE FROM courses WHERE id = :id"), {"id": course.id})
    db.session.commit()
    counts = {table: db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
              for table in OUTLINE_TABLES}
    assert counts == {"modules": 1, "lessons": 1, "quizzes": 1, "attachments": 0}  # only the other course's
    assert revision(other.id) == other_before


def test_raw_sql_insert_bumps(app, course):
    module = first_module(course)
    before = revision(course.id)
    db.session.execute(text("INSERT INTO lessons (module_id, slug, title, body_md, position, is_required) "
                            "VALUES (:m, 'mentah', 'Mentah', '', 5, :req)"), {"m": module.id, "req": True})
    db.session.commit()
    assert revision(course.id) == before + 1


def test_every_trigger_exists_at_head(app):
    """A later SQLite batch migration rebuilding one of these tables would silently drop its triggers."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # One trigger per table, on insert, update and delete.
            expected = {f"trg_{table}_course_revision" for table in OUTLINE_TABLES}
            found = set(conn.execute(text(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                " AND tgtype & 28 = 28")).scalars())  # 4 INSERT + 8 DELETE + 16 UPDATE
        else:
            expected = {f"trg_{table}_after_{operation}_course_revision"
                        for table in OUTLINE_TABLES for operation in ("insert", "update", "delete")}
            found = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    assert expected <= found, f"missing triggers: {sorted(expected - found)}"
