"""Builders of test data straight into the database (no mocks)."""
from __future__ import annotations

import itertools
from decimal import Decimal

from app.assessment.models import Choice, Question, Quiz
from app.auth.models import Opd, User
from app.auth.passwords import hash_password
from app.catalog.models import Course, Lesson, Module
from app.extensions import db

PASSWORD = "rahasia-123"
_counter = itertools.count(1)
_password_hash = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    return _password_hash


def make_opd(code: str = "DISKOMINFO", name: str = "Dinas Komunikasi dan Informatika") -> Opd:
    opd = db.session.query(Opd).filter_by(code=code).one_or_none()
    if opd is None:
        opd = Opd(code=code, name=name)
        db.session.add(opd)
        db.session.commit()
    return opd


def make_user(role: str = "learner", **fields) -> User:
    """Create and commit a user; unspecified fields get unique defaults."""
    n = next(_counter)
    values = {
        "email": f"user{n}@example.go.id",
        "full_name": f"Pengguna {n}",
        "password_hash": _hash(),
        "role": role,
    }
    values.update(fields)
    user = User(**values)
    db.session.add(user)
    db.session.commit()
    return user


def make_course(
    slug: str | None = None,
    *,
    modules: int = 2,
    lessons_per_module: int = 2,
    questions_per_quiz: int = 2,
    jp: Decimal = Decimal("20"),
    pass_mark: Decimal = Decimal("70"),
    points: Decimal = Decimal("1"),
    title: str = "Kursus Uji",
    published: bool = True,
) -> Course:
    """A course with ``modules`` modules, each with lessons and a single-choice quiz.

    Question ``k`` of every quiz has choice ``"Benar"`` correct and ``"Salah"`` wrong.
    """
    n = next(_counter)
    course = Course(slug=slug or f"kursus-{n}", title=title, summary="Ringkasan", audience="ASN",
                    jp=jp, pass_mark=pass_mark, version=1, is_published=published)
    for m in range(modules):
        module = Module(slug=f"modul-{m + 1}", title=f"Modul {m + 1}", position=m)
        for lesson_no in range(lessons_per_module):
            module.lessons.append(Lesson(slug=f"pelajaran-{lesson_no + 1}", title=f"Pelajaran {m + 1}.{lesson_no + 1}",
                                         body_md="Isi **pelajaran**.", position=lesson_no))
        if questions_per_quiz:
            quiz = Quiz(title=f"Kuis Modul {m + 1}")
            for q in range(questions_per_quiz):
                question = Question(key=f"q{q + 1}", type="single", text=f"Pertanyaan {q + 1}?",
                                    explanation="Karena benar.", points=points, position=q)
                question.choices = [Choice(text="Benar", is_correct=True, position=0),
                                    Choice(text="Salah", is_correct=False, position=1)]
                quiz.questions.append(question)
            module.quiz = quiz
        course.modules.append(module)
    db.session.add(course)
    db.session.commit()
    return course


def make_completed_enrolment(user: User, course: Course, completed_at):
    """Enrol ``user`` in ``course`` and mark it completed at ``completed_at`` (aware UTC), committed.

    No certificate is issued: tests call the issuing service themselves.
    """
    from app.learning import services as learning

    enrolment = learning.enrol(user, course)
    enrolment.completed_at = completed_at
    db.session.commit()
    return enrolment
