"""The browser question editor keeps every choice (found by the fresh-user retest of session 3).

The form had six choice rows, so saving a question with more choices (imported from quiz.yaml,
which allows up to 30) silently dropped the rest, and a correct answer among them made every edit
fail. Now an existing question shows its choices plus empty rows, *Tambah baris pilihan* adds rows
without saving, and more than 30 choices is refused with the rule's message.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from app.assessment.models import Question
from app.assessment.question_types import MAX_OPTIONS
from app.extensions import db


def _choice_rows(page: str) -> int:
    return len(re.findall(r'name="choices-\d+-text"', page))


def _post(texts, correct, **extra):
    data = {"type": "single", "text": "Siapa penanggung jawab SPBE?", "points": "1", "explanation": "", "key": "q1"}
    for i, text in enumerate(texts):
        data[f"choices-{i}-text"] = text
        if i == correct:
            data[f"choices-{i}-is_correct"] = "y"
    data.update(extra)
    return data


def _question(course) -> Question:
    db.session.expire_all()
    return db.session.scalar(select(Question).where(Question.quiz_id == course.modules[0].quiz.id))


def test_a_question_with_eight_choices_keeps_them_all_when_saved(client, question_editor):
    course = question_editor
    url = f"/pengajar/susun/{course.id}/pertanyaan/{_question(course).id}"
    letters = [f"Pilihan {c}" for c in "ABCDEFGH"]
    assert client.post(url, data=_post(letters, correct=7)).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert _choice_rows(page) == 8 + 3 and all(text in page for text in letters)
    # Posted back as the page shows it (eight filled rows, three empty): nothing is lost.
    response = client.post(url, data=_post(letters + ["", "", ""], correct=7, text="Siapa penanggung jawab SPBE (diperbaiki)?"))
    assert response.status_code == 302
    question = _question(course)
    assert [c.text for c in sorted(question.choices, key=lambda c: c.position)] == letters
    assert [c.is_correct for c in sorted(question.choices, key=lambda c: c.position)][-1] is True


def test_add_rows_saves_nothing_and_more_than_thirty_choices_is_refused(client, question_editor):
    course = question_editor
    url = f"/pengajar/susun/{course.id}/pertanyaan/{_question(course).id}"
    before = [c.text for c in _question(course).choices]
    response = client.post(url, data=_post(["Satu", "Dua", "Tiga"], correct=0, tambah_pilihan="1"))
    assert response.status_code == 200 and _choice_rows(response.get_data(as_text=True)) == 6 + 3
    assert [c.text for c in _question(course).choices] == before
    too_many = [f"Pilihan {n}" for n in range(MAX_OPTIONS + 1)]
    response = client.post(url, data=_post(too_many, correct=0))
    assert response.status_code == 400
    assert f"paling banyak punya {MAX_OPTIONS} pilihan" in response.get_data(as_text=True)
    assert [c.text for c in _question(course).choices] == before
    assert client.post(url, data=_post(too_many[:MAX_OPTIONS], correct=MAX_OPTIONS - 1)).status_code == 302
    assert len(_question(course).choices) == MAX_OPTIONS


def test_the_quiz_page_names_question_types_in_the_readers_language(client, question_editor):
    course = question_editor
    module = course.modules[0]
    url = f"/pengajar/susun/{course.id}/modul/{module.id}/kuis"
    page = client.get(url).get_data(as_text=True)
    assert "Pilihan tunggal" in page and "· single ·" not in page
    client.set_cookie("lentera_bahasa", "en")
    page = client.get(url).get_data(as_text=True)
    assert "Single choice" in page and "· single ·" not in page
