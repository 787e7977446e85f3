"""Attempts: start/resume, saved answers, time limits, limits and waits, double submit,
question banks, grading methods in progress, pre-tests, versions and regrade."""
import json
import random
import re
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.admin.models import AuditEvent
from app.assessment import services
from app.assessment.models import AttemptAnswer, Choice, Question, QuestionVersion, QuizAttempt
from app.catalog.models import Lesson, Module
from app.certificates.models import Certificate
from app.extensions import db
from app.learning import services as learning

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


@pytest.fixture()
def enrolled(make_user, make_course):
    """``enrolled(**course_options) -> (course, enrolment)`` without the web client."""

    def _enrolled(**options):
        course = make_course(**options)
        enrolment = learning.enrol(make_user(), course)
        db.session.commit()
        return course, enrolment

    return _enrolled


def _right(quiz, count=None):
    """Form data answering the first ``count`` questions (by question position) correctly, the rest wrongly."""
    questions = sorted(quiz.questions, key=lambda q: q.position)
    count = len(questions) if count is None else count
    return MultiDict({f"q-{q.id}": str(q.choices[0 if i < count else 1].id) for i, q in enumerate(questions)})


def _submit(enrolment, quiz, form, now=T0):
    attempt = services.start_attempt(enrolment, quiz, now)
    services.submit_attempt(attempt, services.parse_form(attempt, form), now + timedelta(minutes=1))
    db.session.commit()
    return attempt


# --- Time limit: resume and expiry -----------------------------------------------------------------

def test_reload_resumes_the_same_attempt_with_remaining_time_and_saved_answers(enrolled):
    course, enrolment = enrolled(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    quiz.time_limit_minutes = 10
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, T0)
    assert attempt.deadline_at == T0 + timedelta(minutes=10)
    assert services.save_answers(attempt, services.parse_form(attempt, _right(quiz, 1)), T0 + timedelta(minutes=2))
    db.session.commit()
    later = T0 + timedelta(minutes=6)
    status = services.quiz_status(enrolment, quiz, later)
    assert status.in_progress.id == attempt.id and not status.can_start
    assert services.start_attempt(enrolment, quiz, later).id == attempt.id  # no second attempt
    assert services.seconds_left(attempt, later) == 240
    views = services.attempt_view(attempt)
    first = next(v for v in views if v.question_id == sorted(quiz.questions, key=lambda q: q.position)[0].id)
    assert [c["chosen"] for c in first.context["choices"]] == [True, False]


def test_past_the_deadline_the_saved_answers_are_submitted_and_no_attempt_is_used(enrolled):
    course, enrolment = enrolled(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    quiz.time_limit_minutes, quiz.max_attempts = 10, 2
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, T0)
    services.save_answers(attempt, services.parse_form(attempt, _right(quiz, 2)), T0 + timedelta(minutes=3))
    db.session.commit()
    # Answers posted long after the deadline are ignored: the saved ones are graded.
    late = T0 + timedelta(minutes=30)
    assert services.submit_attempt(attempt, services.parse_form(attempt, _right(quiz, 0)), late)
    db.session.commit()
    assert attempt.state == "submitted" and attempt.submitted_at == attempt.deadline_at
    assert attempt.score == Decimal(2) and attempt.passed
    status = services.quiz_status(enrolment, quiz, late)
    assert status.can_start and status.attempts_used == 1  # one of two attempts used, not more


def test_expired_attempt_is_submitted_by_the_next_request(enrolled):
    course, enrolment = enrolled(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    quiz.time_limit_minutes = 5
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, T0)
    services.save_answers(attempt, services.parse_form(attempt, _right(quiz, 1)), T0 + timedelta(minutes=1))
    db.session.commit()
    assert services.quiz_status(enrolment, quiz, T0 + timedelta(minutes=5, seconds=20)).in_progress is not None  # grace
    status = services.quiz_status(enrolment, quiz, T0 + timedelta(minutes=6))
    db.session.commit()
    assert status.in_progress is None and [a.id for a in status.submitted] == [attempt.id]
    assert attempt.score == Decimal(1) and not attempt.passed and len(attempt.answers) == 2
    # saving after expiry saves nothing
    assert not services.save_answers(attempt, {}, T0 + timedelta(minutes=7))


def test_answers_posted_within_the_grace_period_count(enrolled):
    course, enrolment = enrolled(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    quiz.time_limit_minutes = 5
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, T0)
    assert services.submit_attempt(attempt, services.parse_form(attempt, _right(quiz)),
                                   T0 + timedelta(minutes=5, seconds=10))
    assert attempt.score == Decimal(2)


def test_timer_page_has_deadline_fallback_and_external_script(client, make_course, make_user, login):
    course = make_course()
    quiz = course.modules[0].quiz
    quiz.time_limit_minutes = 15
    db.session.commit()
    login(make_user())
    client.post(f"/kursus/{course.slug}/ikuti")
    client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    body = client.get(f"/kursus/{course.slug}/kuis/{quiz.id}").get_data(as_text=True)
    assert 'id="quiz-timer"' in body and "Batas waktu" in body and "WITA" in body
    seconds = int(re.search(r'data-seconds-left="(\d+)"', body).group(1))
    assert 14 * 60 < seconds <= 15 * 60
    assert '<script src="/static/js/quiz-timer.js"' in body and "<script>" not in body
    assert client.get("/static/js/quiz-timer.js").status_code == 200


def test_save_button_keeps_answers_through_the_pages(client, make_course, make_user, login):
    course = make_course(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    login(make_user())
    client.post(f"/kursus/{course.slug}/ikuti")
    client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    attempt = db.session.query(QuizAttempt).one()
    first = quiz.questions[0]
    response = client.post(f"/kuis/percobaan/{attempt.id}",
                           data={f"q-{first.id}": str(first.choices[0].id), "action": "simpan"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kuis/{quiz.id}")
    body = client.get(f"/kursus/{course.slug}/kuis/{quiz.id}").get_data(as_text=True)
    assert "Jawaban disimpan" in body
    assert re.search(rf'value="{first.choices[0].id}" checked', body)
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).state == "in_progress"
    assert client.post(f"/kuis/percobaan/{attempt.id}", data={"action": "hapus"}).status_code == 400


# --- Double submit ---------------------------------------------------------------------------------

def test_double_submit_grades_once(client, make_course, make_user, login):
    course = make_course(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    login(make_user())
    client.post(f"/kursus/{course.slug}/ikuti")
    client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    attempt = db.session.query(QuizAttempt).one()
    right = {f"q-{q.id}": str(q.choices[0].id) for q in quiz.questions}
    wrong = {f"q-{q.id}": str(q.choices[1].id) for q in quiz.questions}
    first = client.post(f"/kuis/percobaan/{attempt.id}", data={**right, "action": "kirim"})
    second = client.post(f"/kuis/percobaan/{attempt.id}", data={**wrong, "action": "kirim"})
    assert first.headers["Location"] == second.headers["Location"] == f"/kuis/hasil/{attempt.id}"
    db.session.expire_all()
    assert db.session.query(QuizAttempt).count() == 1
    assert db.session.query(AttemptAnswer).count() == 2
    assert db.session.get(QuizAttempt, attempt.id).score == Decimal(2)


def test_double_submit_from_two_threads_grades_once(app, make_course, make_user):
    course = make_course(questions_per_quiz=3)
    quiz = course.modules[0].quiz
    enrolment = learning.enrol(make_user(), course)
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, T0)
    db.session.commit()
    attempt_id, quiz_id = attempt.id, quiz.id
    forms = [services.parse_form(attempt, _right(quiz)), services.parse_form(attempt, _right(quiz, 0))]
    db.session.remove()  # the test's own session must not hold a transaction (SQLite write lock)
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def worker(responses):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                mine = db.session.get(QuizAttempt, attempt_id)
                outcomes.append(services.submit_attempt(mine, responses, T0 + timedelta(minutes=1)))
                db.session.commit()
            except Exception as error:  # asserted below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and sorted(outcomes) == [False, True]
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 3
    stored = db.session.get(QuizAttempt, attempt_id)
    assert stored.state == "submitted" and stored.quiz_id == quiz_id and stored.score in (Decimal(0), Decimal(3))


# --- Limits and waits ------------------------------------------------------------------------------

def test_attempt_limit(enrolled):
    course, enrolment = enrolled()
    quiz = course.modules[0].quiz
    quiz.max_attempts = 2
    db.session.commit()
    _submit(enrolment, quiz, _right(quiz, 0))
    _submit(enrolment, quiz, _right(quiz, 0))
    status = services.quiz_status(enrolment, quiz, T0)
    assert not status.can_start and "Batas 2 kali" in status.blocked
    with pytest.raises(services.AttemptNotAllowed):
        services.start_attempt(enrolment, quiz, T0)


def test_attempt_limit_through_the_page(client, make_course, make_user, login):
    course = make_course()
    quiz = course.modules[0].quiz
    quiz.max_attempts = 1
    db.session.commit()
    login(make_user())
    client.post(f"/kursus/{course.slug}/ikuti")
    client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    attempt = db.session.query(QuizAttempt).one()
    client.post(f"/kuis/percobaan/{attempt.id}", data={"action": "kirim"})
    response = client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai", follow_redirects=True)
    assert "Batas 1 kali percobaan" in response.get_data(as_text=True)
    assert db.session.query(QuizAttempt).count() == 1


def test_wait_between_attempts(enrolled):
    course, enrolment = enrolled()
    quiz = course.modules[0].quiz
    quiz.wait_minutes = 30
    db.session.commit()
    first = _submit(enrolment, quiz, _right(quiz, 0))
    ready = first.submitted_at + timedelta(minutes=30)
    status = services.quiz_status(enrolment, quiz, ready - timedelta(seconds=1))
    assert not status.can_start and status.next_start_at == ready
    with pytest.raises(services.AttemptNotAllowed):
        services.start_attempt(enrolment, quiz, ready - timedelta(seconds=1))
    assert services.start_attempt(enrolment, quiz, ready).number == 2


# --- Banks, shuffling, stored layout ---------------------------------------------------------------

def test_quiz_draws_n_questions_and_stores_the_order_shown(enrolled):
    course, enrolment = enrolled(questions_per_quiz=6)
    quiz = course.modules[0].quiz
    quiz.draw_count, quiz.shuffle = 3, True
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, T0, rng=random.Random(7))
    layout = services.layout_of(attempt)
    bank = {q.id for q in quiz.questions}
    assert len(layout) == 3 and len({e["q"] for e in layout}) == 3 and {e["q"] for e in layout} <= bank
    assert attempt.max_score == Decimal(3)
    assert all(sorted(e["order"]) == sorted(c.id for c in db.session.get(Question, e["q"]).choices) for e in layout)
    orders = {tuple(e["q"] for e in services.layout_of(services.start_attempt(
        learning.enrol(enrolment.user, course), quiz, T0, rng=random.Random(7))))}
    assert orders == {tuple(e["q"] for e in layout)}  # resuming shows the same questions in the same order
    services.submit_attempt(attempt, {}, T0 + timedelta(minutes=1))
    review = services.attempt_review(attempt, show_answers=True)
    texts = [db.session.get(Question, e["q"]).text for e in layout]
    assert [row.text for row in review] == texts and len(attempt.answers) == 3


def test_shuffled_choice_order_is_what_the_page_shows(enrolled):
    course, enrolment = enrolled(questions_per_quiz=1)
    quiz = course.modules[0].quiz
    question = quiz.questions[0]
    question.choices.extend([Choice(text=f"Pengecoh {n}", is_correct=False, position=n + 2) for n in range(4)])
    quiz.shuffle = True
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, T0, rng=random.Random(11))
    order = services.layout_of(attempt)[0]["order"]
    shown = [c["id"] for c in services.attempt_view(attempt)[0].context["choices"]]
    assert shown == order and sorted(order) == sorted(c.id for c in question.choices)


# --- Grading methods decide the quiz's pass; pre-tests do not count --------------------------------

def test_grading_method_last_follows_the_latest_attempt(enrolled):
    course, enrolment = enrolled(modules=2, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    quiz.grading = "last"
    db.session.commit()
    _submit(enrolment, quiz, _right(quiz))
    assert quiz.id in learning.passed_quiz_ids(enrolment)
    _submit(enrolment, quiz, _right(quiz, 0), T0 + timedelta(hours=1))
    assert quiz.id not in learning.passed_quiz_ids(enrolment)
    quiz.grading = "highest"
    db.session.commit()
    assert quiz.id in learning.passed_quiz_ids(enrolment)
    quiz.grading = "average"  # (100 + 0) / 2 = 50 < 70
    db.session.commit()
    assert quiz.id not in learning.passed_quiz_ids(enrolment)
    assert learning.course_progress(enrolment).quizzes_passed == 0


def test_pretest_does_not_count_toward_completion(enrolled):
    course, enrolment = enrolled(modules=2, questions_per_quiz=2)
    pretest, posttest = course.modules[0].quiz, course.modules[1].quiz
    pretest.kind, posttest.kind = "pretest", "posttest"
    db.session.commit()
    for lesson in [lesson for module in course.modules for lesson in module.lessons]:
        learning.mark_lesson_complete(enrolment, lesson)
    assert learning.course_progress(enrolment).quizzes_total == 1
    _submit(enrolment, pretest, _right(pretest, 0))  # failed pre-test
    _submit(enrolment, posttest, _right(posttest))
    assert enrolment.completed_at is not None


def test_course_edited_after_completion_keeps_completion_and_certificate(enrolled):
    course, enrolment = enrolled(modules=1, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    for lesson in course.modules[0].lessons:
        learning.mark_lesson_complete(enrolment, lesson)
    _submit(enrolment, quiz, _right(quiz))
    completed_at = enrolment.completed_at
    assert completed_at is not None
    module = Module(slug="modul-baru", title="Modul Baru", position=5)
    module.lessons.append(Lesson(slug="baru", title="Baru", body_md="Isi", position=0))
    course.modules.append(module)
    quiz.grading, quiz.pass_mark = "last", Decimal("100")
    db.session.commit()
    learning.evaluate_completion(enrolment)
    db.session.commit()
    assert enrolment.completed_at == completed_at
    assert learning.course_progress(enrolment).percent < 100
    assert db.session.scalar(select(func.count()).select_from(Certificate)
                             .where(Certificate.enrolment_id == enrolment.id)) == 1


# --- Versions and regrade --------------------------------------------------------------------------

def test_changed_question_keeps_old_attempts_on_their_version(enrolled):
    course, enrolment = enrolled(modules=2, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    old = _submit(enrolment, quiz, _right(quiz))
    question = sorted(quiz.questions, key=lambda q: q.position)[0]
    question.text = "Pertanyaan yang diperbaiki?"
    question.choices[0].is_correct, question.choices[1].is_correct = False, True
    db.session.commit()
    review = services.attempt_review(old, show_answers=True)
    assert review[0].text == "Pertanyaan 1?" and review[0].is_correct and review[0].correct_answer == ["Benar"]
    new = services.start_attempt(enrolment, quiz, T0 + timedelta(hours=1))
    versions = {e["q"]: e["v"] for e in services.layout_of(new)}
    old_versions = {a.question_id: a.question_version_id for a in old.answers}
    assert versions[question.id] != old_versions[question.id]
    other = [q for q in quiz.questions if q.id != question.id][0]
    assert versions[other.id] == old_versions[other.id]  # unchanged question reuses its version
    assert db.session.get(QuestionVersion, versions[question.id]).number == 2


def test_regrade_is_logged_and_never_revokes_a_certificate(enrolled, make_user):
    course, enrolment = enrolled(modules=1, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    for lesson in course.modules[0].lessons:
        learning.mark_lesson_complete(enrolment, lesson)
    attempt = _submit(enrolment, quiz, _right(quiz))
    assert enrolment.completed_at is not None
    certificate = db.session.scalars(select(Certificate)).one()
    # The key of question 1 was wrong: the trainer fixes it and regrades.
    question = sorted(quiz.questions, key=lambda q: q.position)[0]
    question.choices[0].is_correct, question.choices[1].is_correct = False, True
    db.session.commit()
    trainer = make_user(role="trainer")
    summary = services.regrade_quiz(quiz, trainer, T0)
    db.session.commit()
    assert (summary.attempts, summary.changed, summary.newly_failed) == (1, 1, 1)
    assert summary.certified_now_failing == [enrolment.user.display_name]
    assert attempt.score == Decimal(1) and not attempt.passed and attempt.percent == Decimal(50)
    db.session.refresh(certificate)
    assert certificate.status == "valid" and enrolment.completed_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "quiz.regrade")).one()
    assert event.actor_id == trainer.id and json.loads(event.detail)["certified_now_failing"]
    # the answer now points at the current version
    assert {a.question_version.number for a in attempt.answers if a.question_id == question.id} == {2}


def test_regrade_can_complete_a_learner(enrolled, make_user):
    course, enrolment = enrolled(modules=1, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    for lesson in course.modules[0].lessons:
        learning.mark_lesson_complete(enrolment, lesson)
    question = sorted(quiz.questions, key=lambda q: q.position)[0]
    form = _right(quiz)
    form[f"q-{question.id}"] = str(question.choices[1].id)  # "Salah" on question 1
    _submit(enrolment, quiz, form)
    assert enrolment.completed_at is None
    question.choices[0].is_correct, question.choices[1].is_correct = False, True
    db.session.commit()
    summary = services.regrade_quiz(quiz, make_user(role="admin"), T0)
    db.session.commit()
    assert summary.newly_passed == 1 and enrolment.completed_at is not None


# --- Review: show_answers -------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "shown_after_fail"), [("always", True), ("after_pass", False), ("never", False)])
def test_show_answers_setting(enrolled, mode, shown_after_fail):
    course, enrolment = enrolled(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    quiz.show_answers = mode
    db.session.commit()
    _submit(enrolment, quiz, _right(quiz, 0))
    grade = services.quiz_status(enrolment, quiz, T0).grade
    assert services.answers_visible(quiz, grade.passed, staff=False) is shown_after_fail
    assert services.answers_visible(quiz, True, staff=False) is (mode != "never")
    assert services.answers_visible(quiz, False, staff=True)


def test_new_types_through_the_pages(client, make_course, make_user, login):
    course = make_course(questions_per_quiz=1)
    quiz = course.modules[0].quiz
    quiz.questions.append(Question(key="tf", type="true_false", text="SPBE diatur Perpres 95/2018.", points=Decimal(1),
                                   position=1, settings=json.dumps({"answer": True})))
    quiz.questions.append(Question(key="isian", type="short_answer", text="Singkatan Sistem Pemerintahan Berbasis "
                                   "Elektronik?", points=Decimal(1), position=2,
                                   settings=json.dumps({"accepted": ["SPBE"]})))
    quiz.questions.append(Question(key="jodoh", type="matching", text="Pasangkan", points=Decimal(2), position=3,
                                   settings=json.dumps({"pairs": [{"left": "SPBE", "right": "Perpres 95/2018"},
                                                                  {"left": "PDP", "right": "UU 27/2022"}]})))
    db.session.commit()
    login(make_user())
    client.post(f"/kursus/{course.slug}/ikuti")
    client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    body = client.get(f"/kursus/{course.slug}/kuis/{quiz.id}").get_data(as_text=True)
    assert body.count("<fieldset") == 4 and "<select" in body and 'type="text"' in body
    for field_id in re.findall(r'<(?:input|select)[^>]*id="([^"]+)"', body):
        assert f'for="{field_id}"' in body
    attempt = db.session.query(QuizAttempt).one()
    ids = {q.key: q.id for q in quiz.questions}
    single = next(q for q in quiz.questions if q.key == "q1")
    # Matching option values are per-attempt positions: read the one of "Perpres 95/2018" (pair 0) off the page.
    perpres = re.search(r'<option value="(\d+)"[^>]*>Perpres 95/2018</option>', body).group(1)
    data = {f"q-{single.id}": str(single.choices[0].id), f"q-{ids['tf']}": "benar", f"q-{ids['isian']}": "  spbe ",
            f"q-{ids['jodoh']}-0": perpres, f"q-{ids['jodoh']}-1": perpres, "action": "kirim"}
    response = client.post(f"/kuis/percobaan/{attempt.id}", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt.id)
    assert attempt.score == Decimal(4) and attempt.max_score == Decimal(5) and attempt.percent == Decimal(80)
    body = client.get(f"/kuis/hasil/{attempt.id}").get_data(as_text=True)
    assert "Sebagian benar" in body and "SPBE → Perpres 95/2018" in body and "PDP → Perpres 95/2018" in body
