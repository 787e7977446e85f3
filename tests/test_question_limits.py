"""Question size limits and point wording (found by the fresh-user retest of session 2).

A matching question with 400 pairs made a 6.9 MB quiz page: choices, pairs and
accepted answers are capped at ``MAX_OPTIONS``, with an Indonesian message, in
the browser and the importer alike (both call ``validate_definition``). English
pages said "1 points".
"""
from __future__ import annotations

import re

from app.assessment import question_types as types
from app.extensions import db
from app.learning.services import enrol
from tests import factories


def _choices(n):
    return [{"text": f"Pilihan {i}", "correct": i == 0} for i in range(n)]


def test_choices_pairs_and_accepted_answers_are_capped(app):
    limit = types.MAX_OPTIONS
    base = {"text": "Soal?", "points": "1"}
    assert types.validate_definition({**base, "type": "single", "choices": _choices(limit)}) == []
    assert types.validate_definition({**base, "type": "single", "choices": _choices(limit + 1)}) == [
        f"Pertanyaan pilihan paling banyak punya {limit} pilihan."]
    pairs = [{"left": f"Kiri {i}", "right": f"Kanan {i}"} for i in range(limit + 1)]
    assert types.validate_definition({**base, "type": "matching", "pairs": pairs}) == [
        f"Soal menjodohkan paling banyak punya {limit} pasangan."]
    assert types.validate_definition({**base, "type": "matching", "pairs": pairs[:limit]}) == []
    accepted = [f"jawaban {i}" for i in range(limit + 1)]
    assert types.validate_definition({**base, "type": "short_answer", "accepted": accepted}) == [
        f"Isian singkat paling banyak punya {limit} jawaban yang diterima."]


def test_one_point_is_singular_in_english(app, client, login):
    course = factories.make_course(modules=1, lessons_per_module=1, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    quiz.questions[1].points = 2
    learner = factories.make_user("learner")
    enrol(learner, course)
    db.session.commit()
    login(learner)
    client.set_cookie("lentera_bahasa", "en")
    learner.locale = "en"
    db.session.commit()
    url = f"/kursus/{course.slug}/kuis/{quiz.id}"
    assert client.post(url + "/mulai").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "(1 point)" in page and "(2 points)" in page and "1 points" not in page
    action = re.search(r'action="(/kuis/percobaan/\d+)"', page).group(1)
    answers = dict(re.findall(r'name="(q-\d+)" value="(\d+)"', page))
    result = client.post(action, data={"action": "kirim", **answers})
    text = client.get(result.headers["Location"]).get_data(as_text=True)
    assert "of 3 points" in text and "of 1 point" in text and "1 points" not in text


def test_course_progress_sentence_is_singular_for_one_in_english(app, client, login):
    course = factories.make_course(modules=1, lessons_per_module=1, questions_per_quiz=1)
    learner = factories.make_user("learner")
    enrol(learner, course)
    db.session.commit()
    login(learner)
    client.set_cookie("lentera_bahasa", "en")
    page = client.get(f"/kursus/{course.slug}").get_data(as_text=True)
    assert "0 of 1 required lesson completed, 0 of 1 quiz passed." in page
