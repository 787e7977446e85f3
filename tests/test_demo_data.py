"""``flask seed-demo`` / :func:`app.admin.demo_data.seed_demo`: realistic, valid, consistent, deterministic."""
from __future__ import annotations

from sqlalchemy import func, select

from app.admin.demo_data import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from app.assessment.models import QuizAttempt
from app.auth.models import ROLE_LEARNER, User
from app.auth.passwords import verify_password
from app.catalog.models import Course, CourseTrainer
from app.certificates.models import Certificate
from app.common.asn import ESELON, GOLONGAN
from app.common.nip import parse_nip
from app.extensions import db
from app.learning.models import Cohort, Enrolment, LessonProgress
from app.learning.services import progress_for_enrolments
from tests.conftest import _empty_tables


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _fingerprint() -> list[tuple]:
    return db.session.execute(select(User.full_name, User.gelar_depan, User.gelar_belakang, User.nip, User.role)
                              .order_by(User.id)).all()


def test_seed_demo_builds_a_valid_consistent_data_set(app):
    counts = seed_demo(60, seed=11, certificates=2)

    assert counts["courses"] == _count(Course) > 0  # imported from courses/ because there were none
    assert counts["users"] == _count(User) == 60
    assert counts["enrolments"] == _count(Enrolment) > 0
    assert counts["lesson_progress"] == _count(LessonProgress) > counts["enrolments"]
    assert counts["quiz_attempts"] == _count(QuizAttempt) > 0
    assert counts["cohorts"] == _count(Cohort) > 0
    assert counts["course_trainers"] == _count(CourseTrainer) > 0
    assert counts["certificates"] == _count(Certificate) == 2
    assert counts["completed_enrolments"] == db.session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.completed_at.is_not(None))) > 2

    users = db.session.scalars(select(User)).all()
    assert all(u.email.endswith("@" + DEMO_DOMAIN) for u in users)
    assert verify_password(users[0].password_hash, DEMO_PASSWORD)
    nips = [u.nip for u in users if u.nip]
    assert len(nips) == len(set(nips))
    for user in users:
        if user.nip:
            parse_nip(user.nip, employment_type=user.employment_type)  # raises if invalid
            assert user.opd_id is not None
            assert (user.nip[14] in "12")
        assert user.eselon is None or user.eselon in ESELON
        assert user.golongan is None or user.golongan in GOLONGAN
    kinds = {u.employment_type for u in users}
    assert {"PNS", "PPPK"} <= kinds
    assert any(u.gelar_depan for u in users) and any(u.gelar_belakang for u in users)
    assert any(" " not in u.full_name for u in users)  # one-name people
    assert any(u.role != ROLE_LEARNER for u in users)

    # Completion agrees with the app's own rule for every enrolment.
    enrolments = db.session.scalars(select(Enrolment)).all()
    progress = progress_for_enrolments(enrolments)
    assert all((e.completed_at is not None) == progress[e.id].complete for e in enrolments)
    assert all(e.completed_at is None or e.completed_at > e.enrolled_at for e in enrolments)
    for certificate in db.session.scalars(select(Certificate)):
        assert certificate.enrolment.completed_at is not None


def test_seed_demo_is_deterministic_and_adds_on(app):
    seed_demo(15, seed=3, certificates=0)
    first = _fingerprint()
    db.session.remove()
    _empty_tables()
    seed_demo(15, seed=3, certificates=0)
    assert _fingerprint() == first

    seed_demo(5, seed=4, certificates=0)  # a second run adds users, reusing courses and cohorts
    assert _count(User) == 20
    assert len({u.email for u in db.session.scalars(select(User))}) == 20


def test_seed_demo_command(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--users", "12", "--seed", "5", "--certificates", "1"])
    assert result.exit_code == 0, result.output
    assert "12/12 pengguna" in result.output
    assert "certificates: 1" in result.output
    assert DEMO_PASSWORD in result.output
    bad = app.test_cli_runner().invoke(args=["seed-demo", "--users", "0"])
    assert bad.exit_code != 0
