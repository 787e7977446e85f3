"""Bounded queries: every main page runs as many SQL statements with 1 000 users behind it as with 10.

Statements are counted with SQLAlchemy's ``before_cursor_execute`` event on
the engine while one request runs. The data comes from
:func:`app.admin.demo_data.seed_demo` (users, enrolments, lesson progress,
quiz attempts, completions), first 10 users, then 990 more; the people who
look at the pages (a learner, a trainer, an admin) stay the same. A count
that grows with the rows means a query per row (N+1).
"""
from __future__ import annotations


from sqlalchemy import select

from app.admin.demo_data import seed_demo
from app.assessment.models import Quiz
from app.catalog.models import Course, CourseTrainer, Lesson, Module
from app.certificates.models import Certificate
from app.certificates.services import issue_certificate
from app.extensions import db
from app.learning.models import Cohort, Enrolment
from app.learning.services import enrol, mark_lesson_complete
from tests import factories
from tests.statements import recorded_statements


def _client(app, user):
    client = app.test_client()
    response = client.post("/masuk", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def _measure(clients, pages) -> dict[str, int]:
    counts = {}
    for name, (who, url) in pages.items():
        db.session.remove()  # a fresh session per request, as in production
        with recorded_statements() as statements:
            response = clients[who].get(url)
            body = response.get_data()  # streamed responses (CSV) run their queries here
        assert response.status_code == 200, (name, url, response.status_code, body[:300])
        counts[name] = len(statements)
    return counts


def test_main_pages_run_a_bounded_number_of_queries(app):
    seed_demo(10, seed=7, certificates=0)
    course = db.session.scalar(select(Course).order_by(Course.id))
    lessons = db.session.scalars(select(Lesson).join(Module).where(Module.course_id == course.id)
                                 .order_by(Module.position, Lesson.position)).all()
    quiz = db.session.scalar(select(Quiz).join(Module).where(Module.course_id == course.id).order_by(Quiz.id))
    cohort = db.session.scalar(select(Cohort).where(Cohort.course_id == course.id).order_by(Cohort.id))

    learner = factories.make_user("learner", full_name="Siti Rahayu", nip="199003152014022001",
                                  employment_type="PNS", opd_id=factories.make_opd().id)
    trainer = factories.make_user("trainer")
    admin = factories.make_user("admin")
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    for other in db.session.scalars(select(Course)):
        enrolment = enrol(learner, other)
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.user_id == learner.id,
                                                          Enrolment.course_id == course.id))
    enrolment.cohort_id = cohort.id
    for lesson in lessons[:2]:
        mark_lesson_complete(enrolment, lesson)
    done = db.session.scalar(select(Enrolment).where(Enrolment.completed_at.is_not(None)).order_by(Enrolment.id))
    assert done is not None, "the demo data has no completed enrolment"
    certificate = issue_certificate(done)
    db.session.commit()
    code = certificate.code

    clients = {"learner": _client(app, learner), "trainer": _client(app, trainer), "admin": _client(app, admin)}
    pages = {
        "katalog": ("learner", "/"),
        "halaman kursus": ("learner", f"/kursus/{course.slug}"),
        "pelajaran": ("learner", f"/kursus/{course.slug}/pelajaran/{lessons[0].id}"),
        "kuis": ("learner", f"/kursus/{course.slug}/kuis/{quiz.id}"),
        "kursus saya": ("learner", "/saya"),
        "laporan kursus pengajar": ("trainer", f"/pengajar/kursus/{course.id}"),
        "penilaian kursus": ("trainer", f"/pengajar/kursus/{course.id}/penilaian"),
        "dasbor admin": ("admin", "/admin"),
        "laporan penyelesaian": ("admin", "/admin/laporan/penyelesaian"),
        "laporan penyelesaian CSV": ("admin", "/admin/laporan/penyelesaian.csv"),
        "angkatan": ("admin", f"/admin/angkatan/{cohort.id}"),
        "daftar peserta": ("admin", "/admin/peserta"),
        "verifikasi sertifikat": ("learner", f"/verify/{code}"),
        "beranda pengajar": ("trainer", "/pengajar"),
        "daftar angkatan": ("admin", "/admin/angkatan"),
        "detail peserta": ("admin", f"/admin/peserta/{learner.id}"),
        "laporan JP": ("admin", "/admin/laporan/jp"),
        "kelola sertifikat": ("admin", "/sertifikat/kelola"),
    }
    small = _measure(clients, pages)

    seed_demo(990, seed=8, certificates=3)
    assert db.session.scalar(select(db.func.count()).select_from(Certificate)) >= 2
    large = _measure(clients, pages)

    table = "\n".join(f"{name:28} {small[name]:4} {large[name]:4}" for name in pages)
    print("\nqueries per page (10 users, 1000 users)\n" + table)
    grown = {name: (small[name], large[name]) for name in pages if large[name] > small[name]}
    assert grown == {}, f"query count grows with the rows (N+1):\n{table}"
