"""Access matrix: every GET route × anonymous, learner, trainer, OPD admin, BPSDM admin; IDOR checks.

Arguments of each route are filled from one object of each kind, by the
argument's name; names not known here get a harmless value (the answer must
still be a redirect to sign-in, 403/404 or a page, never a 500).
"""
from __future__ import annotations

from decimal import Decimal

import pytest
from flask import g
from werkzeug.routing import AnyConverter, IntegerConverter

from app.assessment.models import QuizAttempt
from app.common.db import utcnow
from app.extensions import db
from app.learning.services import enrol
from tests.factories import PASSWORD, make_opd

ROLES = ("learner", "trainer", "opd_admin", "admin")


def _get(client, url):
    g.pop("_login_user", None)  # tests share one app context: never reuse another client's user
    return client.get(url, buffered=True)


def _signed_in(app, user):
    client = app.test_client()
    g.pop("_login_user", None)
    response = client.post("/masuk", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


@pytest.fixture()
def world(app, make_user, make_course):
    """One of each kind: course/module/lesson/quiz, an owner's enrolment, attempt and certificate."""
    opd = make_opd()
    other_opd = make_opd("BAPPEDA", "Badan Perencanaan Pembangunan Daerah")
    owner = make_user(opd_id=opd.id)
    course = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1)
    module = course.modules[0]
    lesson = module.lessons[0]
    quiz = module.quiz
    enrolment = enrol(owner, course)
    db.session.flush()
    attempt = QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=1, state="submitted",
                          submitted_at=utcnow(), score=Decimal(1), max_score=Decimal(1),
                          percent=Decimal(100), passed=True)
    db.session.add(attempt)
    enrolment.completed_at = utcnow()
    db.session.flush()
    from app.certificates.services import issue_certificate

    certificate = issue_certificate(enrolment)
    db.session.commit()
    users = {
        "owner": owner,
        "learner": make_user(opd_id=other_opd.id),
        "trainer": make_user(role="trainer"),
        "opd_admin": make_user(role="opd_admin", opd_id=other_opd.id),
        "admin": make_user(role="admin"),
    }
    values = {
        "slug": course.slug, "course_id": course.id, "module_id": module.id, "lesson_id": lesson.id,
        "quiz_id": quiz.id, "question_id": quiz.questions[0].id, "attempt_id": attempt.id,
        "certificate_id": certificate.id, "enrolment_id": enrolment.id, "user_id": owner.id,
        "code": certificate.code, "name": "x", "token": "x", "cohort_id": 1, "attachment_id": 1,
    }
    return {"users": users, "values": values, "attempt": attempt, "certificate": certificate}


def _url(app, rule, values):
    args = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, AnyConverter):
            args[name] = sorted(converter.items)[0] if hasattr(converter, "items") else converter.regex
        elif name in values:
            args[name] = values[name]
        else:
            args[name] = 1 if converter is not None and isinstance(converter, IntegerConverter) else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **args)


def _get_rules(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or "GET" not in rule.methods:
            continue
        yield rule


def test_access_matrix(app, world):
    clients = {"anonymous": app.test_client()}
    for role in ROLES:
        clients[role] = _signed_in(app, world["users"][role])
    before = _row_counts()
    problems = []
    for rule in _get_rules(app):
        access = getattr(app.view_functions[rule.endpoint], "access_rule")
        url = _url(app, rule, world["values"])
        for who, client in clients.items():
            response = _get(client, url)
            status = response.status_code
            if status >= 500:
                problems.append(f"{who} GET {url}: {status}")
            elif who == "anonymous" and access != "public":
                if not (status == 302 and "/masuk" in response.headers.get("Location", "")):
                    problems.append(f"anonymous GET {url}: {status}, expected a redirect to /masuk")
            elif isinstance(access, tuple) and who != "anonymous" and who not in access:
                if status not in (403, 404):
                    problems.append(f"{who} GET {url}: {status}, expected 403/404 (allowed: {access})")
    assert problems == []
    assert _row_counts() == before, "a GET request changed the database"


# Bookkeeping a GET may write on purpose: failed-attempt counters (a forged reset link
# counts against the address), rate-limit windows and the audit log of exports.
BOOKKEEPING = {"login_throttles", "rate_limits", "audit_events"}


def _row_counts():
    from sqlalchemy import func, select

    db.session.expire_all()
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables if t.name not in BOOKKEEPING}


def test_attempt_result_is_not_reachable_by_changing_the_id(app, world):
    attempt_id = world["attempt"].id
    owner = _signed_in(app, world["users"]["owner"])
    assert _get(owner, f"/kuis/hasil/{attempt_id}").status_code == 200
    stranger = _signed_in(app, world["users"]["learner"])
    assert _get(stranger, f"/kuis/hasil/{attempt_id}").status_code in (403, 404)
    assert _get(stranger, f"/kuis/hasil/{attempt_id + 1000}").status_code == 404


def test_certificate_download_is_not_reachable_by_changing_the_id(app, world):
    certificate_id = world["certificate"].id
    owner = _signed_in(app, world["users"]["owner"])
    response = _get(owner, f"/sertifikat/{certificate_id}/unduh")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    for who in ("learner", "trainer", "opd_admin"):
        client = _signed_in(app, world["users"][who])
        assert _get(client, f"/sertifikat/{certificate_id}/unduh").status_code in (403, 404), who
    assert _get(owner, f"/sertifikat/{certificate_id + 1000}/unduh").status_code == 404


def test_learner_record_of_another_opd_is_hidden_from_an_opd_admin(app, world):
    owner_id = world["users"]["owner"].id
    opd_admin = _signed_in(app, world["users"]["opd_admin"])  # admin of another OPD
    assert _get(opd_admin, f"/admin/peserta/{owner_id}").status_code in (403, 404)
    admin = _signed_in(app, world["users"]["admin"])
    assert _get(admin, f"/admin/peserta/{owner_id}").status_code == 200
