"""Quiz engine robustness: deleting questions in use (F1) and matching option values (F2)."""
from __future__ import annotations

import json
import random
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app.assessment import services
from app.assessment.models import AttemptAnswer, Question, QuizAttempt
from app.catalog.importer import import_course_dir
from app.catalog.models import Course, CourseTrainer
from app.extensions import db
from app.learning import services as learning

DATA = Path(__file__).resolve().parent / "data" / "courses"
PAIRS = [{"left": "SPBE", "right": "Perpres 95/2018"}, {"left": "SDI", "right": "Perpres 39/2019"},
         {"left": "PDP", "right": "UU 27/2022"}]


def _client_for(app, user):
    client = app.test_client()
    response = client.post("/masuk", data={"email": user.email, "password": "rahasia-123"})
    assert response.status_code == 302
    return client


def _attempt_in_progress(app, make_course, make_user):
    """A course's first quiz with a learner's attempt open and a signed-in trainer of the course:
    ``(course, quiz, learner client, trainer client, attempt id)``."""
    course = make_course(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    trainer = make_user("trainer")
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    learner = _client_for(app, make_user())
    staff = _client_for(app, trainer)
    learner.post(f"/kursus/{course.slug}/ikuti")
    assert learner.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai").status_code == 302
    return course, quiz, learner, staff, db.session.scalar(select(QuizAttempt.id))


# --- F1: deleting a question that an attempt uses ----------------------------------------------------

def test_question_in_an_open_attempt_is_not_deleted_and_the_learner_submits(app, make_course, make_user):
    course, quiz, learner, staff, attempt_id = _attempt_in_progress(app, make_course, make_user)
    questions = sorted(quiz.questions, key=lambda q: q.position)
    target = questions[1]

    response = staff.post(f"/pengajar/susun/{course.id}/pertanyaan/{target.id}/hapus", follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "sedang dipakai" in body and "tidak dapat dihapus" in body
    db.session.expire_all()
    assert db.session.get(Question, target.id) is not None

    data = {f"q-{q.id}": str(q.choices[0].id) for q in questions} | {"action": "kirim"}
    assert learner.post(f"/kuis/percobaan/{attempt_id}", data=data).status_code == 302
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.state == "submitted" and attempt.score == attempt.max_score == Decimal(2)
    assert learner.get(f"/kuis/hasil/{attempt_id}").status_code == 200
    assert learner.get(f"/kursus/{course.slug}/kuis/{quiz.id}").status_code == 200

    # Answered now (no attempt open): still refused, in English too.
    staff.set_cookie("lentera_bahasa", "en")
    body = staff.post(f"/pengajar/susun/{course.id}/pertanyaan/{target.id}/hapus",
                      follow_redirects=True).get_data(as_text=True)
    assert "in use" in body
    assert db.session.scalar(select(func.count()).select_from(AttemptAnswer)) == 2

    # A question nobody used yet can still be deleted.
    spare = Question(key="baru", type="true_false", text="Baru?", points=Decimal(1), position=9,
                     settings=json.dumps({"answer": True}))
    quiz.questions.append(spare)
    db.session.commit()
    assert staff.post(f"/pengajar/susun/{course.id}/pertanyaan/{spare.id}/hapus").status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, spare.id) is None


def test_question_removed_by_reimport_during_an_attempt_is_skipped(app, make_user, tmp_path, monkeypatch):
    (tmp_path / "courses").mkdir()
    monkeypatch.chdir(tmp_path)
    path = Path("courses") / "dasar-spbe"
    shutil.copytree(DATA / "valid" / "dasar-spbe", path)
    import_course_dir(path)
    db.session.commit()
    course = db.session.scalar(select(Course).where(Course.slug == "dasar-spbe"))
    course.is_published = True
    db.session.commit()
    quiz = course.modules[0].quiz
    learner = _client_for(app, make_user())
    learner.post(f"/kursus/{course.slug}/ikuti")
    assert learner.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai").status_code == 302
    attempt_id = db.session.scalar(select(QuizAttempt.id))
    assert db.session.get(QuizAttempt, attempt_id).max_score == Decimal("3.1")
    keys = {q.key: q for q in quiz.questions}
    q1_id = keys["q1"].id
    right = {f"q-{keys['q1'].id}": str(keys["q1"].choices[0].id),
             f"q-{keys['q3'].id}": str(keys["q3"].choices[1].id)}

    # The trainer's files drop q1; the re-import deletes it (and its versions) under the open attempt.
    quiz_yaml = (path / "01-pengenalan/quiz.yaml").read_text(encoding="utf-8")
    start, end = quiz_yaml.index("  - key: q1"), quiz_yaml.index("  - key: q2")
    (path / "01-pengenalan/quiz.yaml").write_text(quiz_yaml[:start] + quiz_yaml[end:], encoding="utf-8")
    result = import_course_dir(path)
    db.session.commit()
    assert "pertanyaan dihapus: pengenalan-spbe/q1" in result.changes

    page = learner.get(f"/kursus/{course.slug}/kuis/{quiz.id}")
    assert page.status_code == 200
    assert f'name="q-{q1_id}"' not in page.get_data(as_text=True)
    saved = learner.post(f"/kuis/percobaan/{attempt_id}", data=right | {"action": "simpan"})
    assert saved.status_code == 302
    assert learner.post(f"/kuis/percobaan/{attempt_id}", data=right | {"action": "kirim"}).status_code == 302
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    # q1 (1 point) is not graded nor counted: q2 (2, unanswered) + q3 (0.1, right).
    assert attempt.state == "submitted"
    assert (attempt.score, attempt.max_score) == (Decimal("0.1"), Decimal("2.1"))
    assert learner.get(f"/kuis/hasil/{attempt_id}").status_code == 200
    assert learner.get(f"/kursus/{course.slug}/kuis/{quiz.id}").status_code == 200

    # A submitted attempt whose question is removed afterwards: its review says so.
    learner.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    second = db.session.scalar(select(QuizAttempt).where(QuizAttempt.state == "in_progress"))
    assert second is not None
    learner.post(f"/kuis/percobaan/{second.id}", data={"action": "kirim"})
    quiz_yaml = (path / "01-pengenalan/quiz.yaml").read_text(encoding="utf-8")
    start = quiz_yaml.index("  - key: q3")
    (path / "01-pengenalan/quiz.yaml").write_text(quiz_yaml[:start], encoding="utf-8")
    import_course_dir(path)
    db.session.commit()
    body = learner.get(f"/kuis/hasil/{second.id}").get_data(as_text=True)
    assert "Pertanyaan ini telah dihapus oleh pengajar." in body


def test_an_attempt_whose_every_question_was_removed_grades_to_zero(enrolled_course):
    course, enrolment = enrolled_course
    quiz = course.modules[0].quiz
    attempt = services.start_attempt(enrolment, quiz)
    db.session.commit()
    for question in list(quiz.questions):
        quiz.questions.remove(question)
    db.session.commit()
    assert services.attempt_view(attempt) == []
    assert services.submit_attempt(attempt, services.parse_form(attempt, MultiDict()))
    db.session.commit()
    assert (attempt.score, attempt.max_score, attempt.passed) == (0, 0, False)


@pytest.fixture()
def enrolled_course(make_user, make_course):
    course = make_course(questions_per_quiz=2)
    enrolment = learning.enrol(make_user(), course)
    db.session.commit()
    return course, enrolment


# --- F2: matching option values ---------------------------------------------------------------------

def _matching_course(make_course, scoring="partial"):
    course = make_course(questions_per_quiz=0, modules=1)
    from app.assessment.models import Quiz

    quiz = Quiz(title="Kuis Jodoh")
    quiz.questions.append(Question(key="jodoh", type="matching", text="Pasangkan", points=Decimal(3), position=0,
                                   settings=json.dumps({"pairs": PAIRS, "scoring": scoring})))
    course.modules[0].quiz = quiz
    db.session.commit()
    return course, quiz


def test_matching_values_do_not_give_the_answer_away(app, make_course, make_user):
    course, quiz = _matching_course(make_course)
    question = quiz.questions[0]
    learner = _client_for(app, make_user())
    learner.post(f"/kursus/{course.slug}/ikuti")
    identity_correct, row_value_is_row, scores = [], [], {"right": [], "one": []}
    for round_no in range(12):
        learner.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.state == "in_progress"))
        body = learner.get(f"/kursus/{course.slug}/kuis/{quiz.id}").get_data(as_text=True)
        value_of = {text: value for value, text in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', body)}
        assert sorted(value_of.values()) == ["0", "1", "2"]
        correct = [value_of[pair["right"]] for pair in PAIRS]  # row i's correct value
        row_value_is_row.append(correct == ["0", "1", "2"])
        # Grading of "0,1,2" through the service (no submit), then a real submit.
        identity = services.parse_form(attempt, MultiDict({f"q-{question.id}-{i}": str(i) for i in range(3)}))
        identity_correct.append(services.types.grade(json.loads(_version(attempt)), identity[str(question.id)])
                                == Decimal(3))
        if round_no % 2 == 0:
            data, kind = {f"q-{question.id}-{i}": correct[i] for i in range(3)}, "right"
        else:  # row 0 right, rows 1 and 2 swapped
            data, kind = {f"q-{question.id}-0": correct[0], f"q-{question.id}-1": correct[2],
                          f"q-{question.id}-2": correct[1]}, "one"
        assert learner.post(f"/kuis/percobaan/{attempt.id}", data=data | {"action": "kirim"}).status_code == 302
        db.session.expire_all()
        attempt = db.session.get(QuizAttempt, attempt.id)
        scores[kind].append((attempt.score, attempt.percent))
        # Review shows what the learner chose, in words.
        review = learner.get(f"/kuis/hasil/{attempt.id}").get_data(as_text=True)
        assert "SPBE → Perpres 95/2018" in review
    assert not all(identity_correct) and not all(row_value_is_row)
    assert set(scores["right"]) == {(Decimal(3), Decimal(100))}
    assert set(scores["one"]) == {(Decimal(1), Decimal("33.33"))}


def _version(attempt):
    from app.assessment.models import QuestionVersion

    entry = services.layout_of(attempt)[0]
    return db.session.get(QuestionVersion, entry["v"]).definition


def test_matching_attempt_started_before_the_fix_grades_the_old_way(enrolled_course, make_course, make_user):
    course, quiz = _matching_course(make_course, scoring="all_or_nothing")
    enrolment = learning.enrol(make_user(), course)
    db.session.commit()
    attempt = services.start_attempt(enrolment, quiz, rng=random.Random(5))
    layout = services.layout_of(attempt)
    del layout[0]["values"]  # as stored before option values became positions
    attempt.layout = json.dumps(layout)
    db.session.commit()
    qid = quiz.questions[0].id
    _template, context = services.types.get_type("matching").render(
        json.loads(_version(attempt)), layout[0], None)
    assert [o["value"] for o in context["options"]] == [o["index"] for o in context["options"]]
    form = MultiDict({f"q-{qid}-{i}": str(i) for i in range(3)})
    assert services.submit_attempt(attempt, services.parse_form(attempt, form))
    db.session.commit()
    assert attempt.score == Decimal(3) and attempt.passed


def test_matching_position_values_map_back_through_the_layout():
    kind = services.types.get_type("matching")
    definition = {"type": "matching", "text": "P", "points": "3", "scoring": "partial", "pairs": PAIRS}
    layout = kind.make_layout(definition, random.Random(1), shuffle=False)
    assert layout["values"] == "position"
    rights = layout["right"]
    form = MultiDict({f"q-{i}": str(rights.index(i)) for i in range(3)})
    assert kind.parse_response(form, "q", definition, layout) == [0, 1, 2]
    _template, context = kind.render(definition, layout, [0, 1, 2])
    assert [o["value"] for o in context["options"]] == [0, 1, 2]
    assert [o["index"] for o in context["options"]] == rights


@pytest.mark.parametrize("what", ["kuis", "modul"])
def test_quiz_or_module_being_taken_is_not_deleted(app, make_course, make_user, what):
    """Fresh-user retest: deleting the whole quiz (or its module) wiped a learner's open attempt."""
    course, quiz, learner, staff, attempt_id = _attempt_in_progress(app, make_course, make_user)
    module = course.modules[0]
    url = (f"/pengajar/susun/{course.id}/modul/{module.id}/kuis/hapus" if what == "kuis"
           else f"/pengajar/susun/{course.id}/modul/{module.id}/hapus")

    body = staff.post(url, follow_redirects=True).get_data(as_text=True)
    assert "sedang dikerjakan peserta" in body
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id) is not None

    questions = sorted(db.session.get(type(quiz), quiz.id).questions, key=lambda q: q.position)
    data = {f"q-{q.id}": str(q.choices[0].id) for q in questions} | {"action": "kirim"}
    assert learner.post(f"/kuis/percobaan/{attempt_id}", data=data).status_code == 302
    # Submitted now: the trainer may delete it, as before (the confirm page warns about attempts).
    assert staff.post(url).status_code == 302
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id) is None


def test_starting_a_quiz_without_questions_answers_an_indonesian_409_page(app, client, login, make_user, make_course):
    # Retest finding: the 409 was Werkzeug's bare English "Conflict" page.
    from app.assessment.models import Quiz

    course = make_course(modules=1, lessons_per_module=1, questions_per_quiz=0)
    quiz = Quiz(module_id=course.modules[0].id, title="Kuis Kosong")
    db.session.add(quiz)
    user = make_user()
    learning.enrol(user, course)
    db.session.commit()
    login(user)
    response = client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Kuis ini belum memiliki pertanyaan." in page and "Permintaan bertabrakan" in page
    assert "<title>409 Conflict" not in page
