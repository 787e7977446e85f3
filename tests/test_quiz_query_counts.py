"""Bounded queries on the quiz path a whole cohort takes at once (issue #8, part 3).

Opening a quiz, starting it, the question page, submitting and the result page
must run as many SQL statements for a 20-question quiz as for a 3-question one
(starting used to look up each question's version separately), and no more
than the ceilings below: the load test's 2,000 learners multiply every
statement by 2,000 within a minute. Statements are counted with SQLAlchemy's
``before_cursor_execute`` event while one request runs, with a fresh session
per request as in production.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from app.assessment.models import QuizAttempt
from app.extensions import db
from app.learning.services import enrol
from tests import factories
from tests.statements import recorded_statements

# Statements per request as measured on SQLite and PostgreSQL (BEGIN and savepoints not counted).
# Before (bench/profile_pages.py, a 5-question quiz): open 7, start 18, questions 8, submit 23, result 11.
CEILINGS = {"open": 6, "start": 12, "questions": 6, "submit": 12, "result": 5}


def _quiz_path_counts(app, questions: int) -> dict[str, int]:
    course = factories.make_course(modules=1, lessons_per_module=1, questions_per_quiz=questions)
    quiz = course.modules[0].quiz
    learner = factories.make_user("learner")
    enrol(learner, course)
    db.session.commit()
    slug, quiz_id = course.slug, quiz.id
    client = app.test_client()
    assert client.post("/masuk", data={"email": learner.email, "password": factories.PASSWORD}).status_code == 302
    quiz_url = f"/kursus/{slug}/kuis/{quiz_id}"
    counts: dict[str, int] = {}

    def run(name, send, status):
        db.session.remove()
        with recorded_statements(skip=("SAVEPOINT", "RELEASE", "BEGIN")) as statements:
            response = send()
        assert response.status_code == status, (name, response.status_code, response.get_data(as_text=True)[:300])
        counts[name] = len(statements)
        return response

    run("open", lambda: client.get(quiz_url), 200)
    run("start", lambda: client.post(quiz_url + "/mulai"), 302)
    page = run("questions", lambda: client.get(quiz_url), 200).get_data(as_text=True)
    action = re.search(r'action="(/kuis/percobaan/\d+)"', page).group(1)
    answers = {name: value for name, value in re.findall(r'name="(q-\d+)" value="(\d+)"', page)}
    assert len(answers) == questions
    submitted = run("submit", lambda: client.post(action, data={"action": "kirim", **answers}), 302)
    run("result", lambda: client.get(submitted.headers["Location"]), 200)
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.quiz_id == quiz_id))
    assert attempt.state == "submitted" and len(attempt.answers) == questions
    return counts


def test_quiz_path_queries_do_not_grow_with_the_question_bank(app):
    small = _quiz_path_counts(app, 3)
    large = _quiz_path_counts(app, 20)
    assert large == small, {"3 questions": small, "20 questions": large}
    over = {name: (count, CEILINGS[name]) for name, count in large.items() if count > CEILINGS[name]}
    assert not over, f"more statements than the ceiling (count, ceiling): {over}"
