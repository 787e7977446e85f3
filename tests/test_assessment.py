"""Quiz grading (pure functions) and the quiz and result pages."""
import re
from decimal import Decimal
from fractions import Fraction

import pytest

from app.assessment.models import AttemptAnswer, Choice, QuizAttempt
from app.assessment.services import QuestionGrade, grade_attempt, grade_question, truncate_percent
from app.extensions import db
from app.learning import services as learning

# --- Pure grading ----------------------------------------------------------------------------------


def test_single_choice_scores_only_the_correct_choice():
    assert grade_question("single", Decimal("2"), {1}, {1}) == QuestionGrade(Decimal("2"), Decimal("2"))
    assert grade_question("single", Decimal("2"), {1}, {2}).points_awarded == 0
    assert grade_question("single", Decimal("2"), {1}, set()).points_awarded == 0
    assert grade_question("single", Decimal("2"), {1}, {1, 2}).points_awarded == 0
    assert grade_question("single", Decimal("2"), {1}, {1}).is_correct


def test_multiple_choice_is_all_or_nothing():
    correct = {10, 11}
    assert grade_question("multiple", Decimal("1.5"), correct, {10, 11}).points_awarded == Decimal("1.5")
    assert grade_question("multiple", Decimal("1.5"), correct, {10}).points_awarded == 0       # subset
    assert grade_question("multiple", Decimal("1.5"), correct, {10, 11, 12}).points_awarded == 0  # superset
    assert grade_question("multiple", Decimal("1.5"), correct, set()).points_awarded == 0
    assert not grade_question("multiple", Decimal("1.5"), correct, {11, 12}).is_correct


def test_unknown_question_type_is_refused():
    with pytest.raises(ValueError):
        grade_question("essay", Decimal("1"), {1}, {1})


def _grades(right: int, total: int, points: str = "1"):
    p = Decimal(points)
    return [QuestionGrade(p, p if i < right else Decimal(0)) for i in range(total)]


def test_pass_mark_is_inclusive_and_exact():
    at_mark = grade_attempt(_grades(7, 10), Decimal("70"))
    assert (at_mark.score, at_mark.max_score, at_mark.percent, at_mark.passed) == (
        Decimal("7"), Decimal("10"), Decimal("70.00"), True)
    below = grade_attempt(_grades(6, 10), Decimal("70"))
    assert (below.percent, below.passed) == (Decimal("60.00"), False)


def test_two_thirds_is_truncated_and_compared_exactly():
    result = grade_attempt(_grades(2, 3), Decimal("70"))
    assert result.percent_exact == Fraction(200, 3)
    assert result.percent == Decimal("66.66")  # truncated, not 66.67
    assert not result.passed
    # 66.666… % is above 66.66 (passes) but below 66.67 (fails), whatever the display shows
    assert grade_attempt(_grades(2, 3), Decimal("66.66")).passed
    below = grade_attempt(_grades(2, 3), Decimal("66.67"))
    assert not below.passed and below.percent == Decimal("66.66")


def test_tenths_of_a_point_add_up_exactly():
    result = grade_attempt(_grades(10, 10, "0.1"), Decimal("100"))
    assert result.score == Decimal("1") and result.max_score == Decimal("1")
    assert result.percent == Decimal("100") and result.passed
    nine = grade_attempt(_grades(9, 10, "0.1"), Decimal("90"))
    assert nine.percent == Decimal("90") and nine.passed


def test_truncation_never_rounds_up_and_empty_quiz_is_refused():
    assert truncate_percent(Fraction(99999, 1000)) == Decimal("99.99")
    assert truncate_percent(Fraction(0)) == Decimal("0")
    with pytest.raises(ValueError):
        grade_attempt([], Decimal("70"))


# --- Through the pages -----------------------------------------------------------------------------

def _correct(question):
    return next(c for c in question.choices if c.is_correct)


def _wrong(question):
    return next(c for c in question.choices if not c.is_correct)


def _answers(quiz, right: int):
    """Form data answering the first ``right`` questions correctly and the rest wrongly."""
    return {f"q-{q.id}": str((_correct(q) if i < right else _wrong(q)).id) for i, q in enumerate(quiz.questions)}


@pytest.fixture()
def learner_in(client, make_user, login):
    """``learner_in(course) -> user``: a learner signed in and enrolled in ``course``."""

    def _learner_in(course, **fields):
        user = make_user(**fields)
        login(user)
        assert client.post(f"/kursus/{course.slug}/ikuti").status_code == 302
        return user

    return _learner_in


def _start(client, course, quiz):
    """Start (or resume) an attempt through the page; returns the in-progress attempt."""
    response = client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    db.session.expire_all()
    return db.session.query(QuizAttempt).filter_by(quiz_id=quiz.id, state="in_progress").one()


def _submit(client, course, quiz, data):
    attempt = _start(client, course, quiz)
    return client.post(f"/kuis/percobaan/{attempt.id}", data={**data, "action": "kirim"})


def _attempt_from(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    attempt_id = int(re.search(r"/kuis/hasil/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(QuizAttempt, attempt_id)


def test_quiz_page_has_labelled_radio_and_checkbox_groups(client, make_course, learner_in):
    course = make_course(questions_per_quiz=2)
    quiz = course.modules[0].quiz
    question = quiz.questions[1]
    question.type = "multiple"
    question.choices.append(Choice(text="Juga benar", is_correct=True, position=2))
    db.session.commit()
    learner_in(course)
    intro = client.get(f"/kursus/{course.slug}/kuis/{quiz.id}").get_data(as_text=True)
    assert "Mulai kuis" in intro and "<fieldset" not in intro
    _start(client, course, quiz)
    body = client.get(f"/kursus/{course.slug}/kuis/{quiz.id}").get_data(as_text=True)
    assert body.count("<fieldset") == 2
    assert body.count('type="radio"') == 2 and body.count('type="checkbox"') == 3
    for choice_id in re.findall(r'id="(pilihan-\d+)"', body):
        assert f'for="{choice_id}"' in body
    assert "<script" not in body


def test_fail_then_pass(client, make_course, learner_in):
    course = make_course(modules=2, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    learner_in(course)
    failed = _attempt_from(_submit(client, course, quiz, _answers(quiz, 1)))
    assert (failed.number, failed.passed, failed.score, failed.percent) == (1, False, Decimal("1"), Decimal("50"))
    body = client.get(f"/kuis/hasil/{failed.id}").get_data(as_text=True)
    assert 'class="result-fail">TIDAK LULUS' in body
    assert "50,00%" in body and "Coba lagi" in body
    assert "Jawaban benar:" not in body  # the key stays hidden before the learner passes (show_answers after_pass)
    assert body.count("Penjelasan:") == 1  # only the question answered correctly
    passed = _attempt_from(_submit(client, course, quiz, _answers(quiz, 2)))
    assert (passed.number, passed.passed, passed.percent) == (2, True, Decimal("100"))
    body = client.get(f"/kuis/hasil/{passed.id}").get_data(as_text=True)
    assert 'class="result-pass">LULUS' in body
    assert "Coba lagi" not in body and "Jawaban benar:" in body and body.count("Penjelasan:") == 2
    # once the learner has passed, the earlier attempt's review may show the key too
    assert "Jawaban benar:" in client.get(f"/kuis/hasil/{failed.id}").get_data(as_text=True)
    assert len(passed.answers) == 2 and all(a.is_correct for a in passed.answers)


@pytest.mark.parametrize(("right", "passed", "percent"), [(7, True, "70,00"), (6, False, "60,00")])
def test_exactly_at_the_pass_mark_passes_one_point_below_fails(client, make_course, learner_in, right, passed, percent):
    course = make_course(modules=2, questions_per_quiz=10, pass_mark=Decimal("70"))
    quiz = course.modules[0].quiz
    learner_in(course)
    attempt = _attempt_from(_submit(client, course, quiz, _answers(quiz, right)))
    assert attempt.passed is passed
    assert attempt.score == Decimal(right) and attempt.max_score == Decimal(10)
    body = client.get(f"/kuis/hasil/{attempt.id}").get_data(as_text=True)
    assert f"{percent}%" in body
    assert ('class="result-pass"' in body) is passed


def test_two_of_three_fails_seventy_and_shows_66_66(client, make_course, learner_in):
    course = make_course(modules=2, questions_per_quiz=3, pass_mark=Decimal("70"))
    quiz = course.modules[0].quiz
    learner_in(course)
    attempt = _attempt_from(_submit(client, course, quiz, _answers(quiz, 2)))
    assert not attempt.passed and attempt.percent == Decimal("66.66")
    body = client.get(f"/kuis/hasil/{attempt.id}").get_data(as_text=True)
    assert "66,66%" in body and "66,67" not in body
    assert "TIDAK LULUS" in body


def test_quiz_pass_mark_overrides_course_pass_mark(client, make_course, learner_in):
    course = make_course(modules=2, questions_per_quiz=3, pass_mark=Decimal("70"))
    quiz = course.modules[0].quiz
    quiz.pass_mark = Decimal("66.66")
    db.session.commit()
    learner_in(course)
    assert _attempt_from(_submit(client, course, quiz, _answers(quiz, 2))).passed


def test_ten_tenths_all_correct_is_one_hundred_percent(client, make_course, learner_in):
    course = make_course(modules=2, questions_per_quiz=10, points=Decimal("0.1"), pass_mark=Decimal("100"))
    quiz = course.modules[0].quiz
    learner_in(course)
    attempt = _attempt_from(_submit(client, course, quiz, _answers(quiz, 10)))
    assert attempt.score == Decimal("1") and attempt.percent == Decimal("100") and attempt.passed
    body = client.get(f"/kuis/hasil/{attempt.id}").get_data(as_text=True)
    assert "100,00%" in body and "1 dari 1 poin" in body


def test_multiple_choice_all_or_nothing_through_the_form(client, make_course, learner_in):
    course = make_course(modules=2, questions_per_quiz=1)
    quiz = course.modules[0].quiz
    question = quiz.questions[0]
    question.type = "multiple"
    question.choices.append(Choice(text="Juga benar", is_correct=True, position=2))
    db.session.commit()
    benar, salah, juga = question.choices
    learner_in(course)
    field = f"q-{question.id}"
    only_one = _attempt_from(_submit(client, course, quiz, {field: [str(benar.id)]}))
    everything = _attempt_from(_submit(client, course, quiz, {field: [str(benar.id), str(salah.id), str(juga.id)]}))
    exact = _attempt_from(_submit(client, course, quiz, {field: [str(juga.id), str(benar.id)]}))
    assert (only_one.score, everything.score, exact.score) == (Decimal(0), Decimal(0), Decimal(1))
    assert exact.passed and exact.answers[0].selected == ",".join(sorted([str(benar.id), str(juga.id)], key=int))


def test_unanswered_questions_score_zero(client, make_course, learner_in):
    course = make_course(modules=2, questions_per_quiz=3)
    quiz = course.modules[0].quiz
    learner_in(course)
    attempt = _attempt_from(_submit(client, course, quiz, {}))
    assert attempt.score == 0 and not attempt.passed and len(attempt.answers) == 3
    assert "tidak dijawab" in client.get(f"/kuis/hasil/{attempt.id}").get_data(as_text=True)


@pytest.mark.parametrize("tamper", ["other_question", "other_quiz", "not_a_number", "two_for_single"])
def test_tampered_answers_are_refused_with_400(client, make_course, learner_in, tamper):
    course = make_course(modules=2, questions_per_quiz=2)
    quiz, other_quiz = course.modules[0].quiz, course.modules[1].quiz
    first, second = quiz.questions
    learner_in(course)
    data = {
        "other_question": {f"q-{first.id}": str(_correct(second).id)},
        "other_quiz": {f"q-{first.id}": str(_correct(other_quiz.questions[0]).id)},
        "not_a_number": {f"q-{first.id}": "satu"},
        "two_for_single": {f"q-{first.id}": [str(_correct(first).id), str(_wrong(first).id)]},
    }[tamper]
    response = _submit(client, course, quiz, data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Pilihan jawaban" in body or "tidak dapat dibaca" in body or "hanya boleh" in body
    assert db.session.query(QuizAttempt).filter_by(state="submitted").count() == 0
    assert db.session.query(AttemptAnswer).count() == 0


def test_result_of_another_users_attempt_is_404(client, make_user, login, make_course, learner_in):
    course = make_course(modules=2)
    quiz = course.modules[0].quiz
    learner_in(course)
    attempt = _attempt_from(_submit(client, course, quiz, _answers(quiz, 2)))
    client.post("/keluar")
    learner_in(course)  # another learner, enrolled in the same course
    assert client.get(f"/kuis/hasil/{attempt.id}").status_code == 404
    client.post("/keluar")
    login(make_user(role="trainer"))
    assert client.get(f"/kuis/hasil/{attempt.id}").status_code == 404
    client.post("/keluar")
    login(make_user(role="admin"))
    response = client.get(f"/kuis/hasil/{attempt.id}")
    assert response.status_code == 200 and "Jawaban peserta" in response.get_data(as_text=True)
    assert client.get("/kuis/hasil/999999").status_code == 404


def test_quiz_needs_enrolment_and_the_right_course(client, make_user, login, make_course):
    course = make_course()
    other = make_course()
    quiz = course.modules[0].quiz
    login(make_user())
    response = client.get(f"/kursus/{course.slug}/kuis/{quiz.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kursus/{course.slug}")
    response = client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/kursus/{course.slug}")
    assert db.session.query(QuizAttempt).count() == 0
    client.post(f"/kursus/{other.slug}/ikuti")
    assert client.get(f"/kursus/{other.slug}/kuis/{quiz.id}").status_code == 404  # quiz of another course
    assert client.get(f"/kursus/{other.slug}/kuis/999999").status_code == 404


def test_attempt_numbers_follow_the_highest_number(client, make_course, learner_in):
    course = make_course(modules=2)
    quiz = course.modules[0].quiz
    user = learner_in(course)
    enrolment = learning.get_enrolment(user, course)
    # An attempt numbered 2 exists while only one attempt is counted: the next is 3, not a collision.
    db.session.add(QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=2, state="submitted",
                               score=Decimal(0), max_score=Decimal(2), percent=Decimal(0), passed=False))
    db.session.commit()
    attempt = _attempt_from(_submit(client, course, quiz, _answers(quiz, 1)))
    assert attempt.number == 3
    assert db.session.query(QuizAttempt).count() == 2
    assert db.session.query(AttemptAnswer).count() == 2
