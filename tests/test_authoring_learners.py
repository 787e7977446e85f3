"""Editing a course that learners are already in never corrupts them (issue 3, section 1)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.catalog.models import CourseTrainer, Lesson
from app.certificates.models import Certificate
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrolment, LessonProgress


@pytest.fixture()
def setup(make_user, make_course, login):
    """A published course (1 module, 3 lessons, no quiz), its owner signed in, and a learner."""
    trainer = make_user("trainer")
    course = make_course(slug="berjalan", modules=1, lessons_per_module=3, questions_per_quiz=0)
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    login(trainer)
    learner = make_user(full_name="Peserta Satu")
    enrolment = learning.enrol(learner, course)
    db.session.commit()
    return course, enrolment


def _lessons(course):
    return sorted(course.modules[0].lessons, key=lambda x: x.position)


def _finish(enrolment, lessons):
    for lesson in lessons:
        learning.mark_lesson_complete(enrolment, lesson)
    db.session.commit()


def _reload(enrolment):
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment.id)


def test_completed_learner_stays_completed_with_certificate_after_edits(client, setup):
    course, enrolment = setup
    _finish(enrolment, _lessons(course))
    enrolment = _reload(enrolment)
    completed_at = enrolment.completed_at
    certificate = db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))
    assert completed_at is not None and certificate is not None
    module = course.modules[0]
    # add a required lesson, delete another, add a quiz with a question
    client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/pelajaran/baru",
                data={"title": "Pelajaran Baru", "body_md": "Isi", "is_required": "y", "action": "save"})
    client.post(f"/pengajar/susun/{course.id}/pelajaran/{_lessons(course)[0].id}/hapus")
    client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/kuis", data={"title": "Kuis Tambahan"})
    enrolment = _reload(enrolment)
    assert enrolment.completed_at == completed_at
    certificates = db.session.scalars(select(Certificate).where(Certificate.enrolment_id == enrolment.id)).all()
    assert [c.id for c in certificates] == [certificate.id] and certificates[0].status == "valid"
    progress = learning.course_progress(enrolment)
    assert 0 <= progress.percent <= 100
    page = client.get(f"/kursus/{course.slug}")
    assert page.status_code == 200


def test_in_progress_learner_counts_only_current_lessons_and_deleted_progress_goes(client, setup):
    course, enrolment = setup
    first, second, third = _lessons(course)
    _finish(enrolment, [first, second])
    assert learning.course_progress(_reload(enrolment)).percent == 66
    client.post(f"/pengajar/susun/{course.id}/pelajaran/{first.id}/hapus")
    enrolment = _reload(enrolment)
    rows = db.session.scalar(select(func.count(LessonProgress.id)).where(LessonProgress.enrolment_id == enrolment.id))
    assert rows == 1  # the deleted lesson's row went with it: no dangling count
    progress = learning.course_progress(enrolment)
    assert (progress.lessons_done, progress.lessons_total, progress.percent) == (1, 2, 50)
    assert enrolment.completed_at is None
    # a new required lesson lowers the share, never above 100
    module = course.modules[0]
    client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/pelajaran/baru",
                data={"title": "Tambahan", "body_md": "Isi", "is_required": "y", "action": "save"})
    progress = learning.course_progress(_reload(enrolment))
    assert (progress.lessons_done, progress.lessons_total, progress.percent) == (1, 3, 33)


def test_deleting_the_last_open_lesson_completes_the_learner(client, setup):
    course, enrolment = setup
    first, second, third = _lessons(course)
    _finish(enrolment, [first, second])
    client.post(f"/pengajar/susun/{course.id}/pelajaran/{third.id}/hapus")
    enrolment = _reload(enrolment)
    assert learning.course_progress(enrolment).percent == 100
    assert enrolment.completed_at is not None
    assert db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id)) is not None


def test_making_the_open_lesson_optional_completes_the_learner(client, setup):
    course, enrolment = setup
    first, second, third = _lessons(course)
    _finish(enrolment, [first, second])
    response = client.post(f"/pengajar/susun/{course.id}/pelajaran/{third.id}",
                           data={"title": third.title, "body_md": third.body_md, "action": "save"})
    assert response.status_code == 302
    assert db.session.get(Lesson, third.id).is_required is False
    assert _reload(enrolment).completed_at is not None


def test_unpublishing_keeps_enrolled_learners_in(client, setup):
    course, enrolment = setup
    _finish(enrolment, _lessons(course)[:1])
    client.post(f"/pengajar/susun/{course.id}/terbit", data={"publish": "0"})
    client.post("/keluar")
    from tests.factories import PASSWORD

    learner = _reload(enrolment).user
    client.post("/masuk", data={"email": learner.email, "password": PASSWORD})
    assert client.get(f"/kursus/{course.slug}").status_code == 200
    assert learning.course_progress(_reload(enrolment)).lessons_done == 1
