"""Choice rows with odd or sparse numbers are never dropped silently (leftover of the retest).

The browser numbers choice rows 0, 1, 2, … but a crafted or script-made POST may not: WTForms read
only rows numbered with digits and kept the first 31 row numbers, so ``choices--1-text`` (negative),
``choices-01-text`` or a filled row after 31 empty ones vanished while the question was saved. Now
rows numbered 0, 1, 2, … with gaps are kept in the order of their numbers; a filled row whose number
is not a plain one (negative, leading zero, non-ASCII digit) is refused with a message and the form
is shown again with that row at the end, so nothing typed is lost.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.assessment.models import Question
from app.extensions import db


def _question(course) -> Question:
    db.session.expire_all()
    return db.session.scalar(select(Question).where(Question.quiz_id == course.modules[0].quiz.id))


def _texts(question: Question) -> list[str]:
    return [c.text for c in sorted(question.choices, key=lambda c: c.position)]


def _post(rows: dict[str, tuple[str, bool]], **extra) -> dict:
    """A question POST whose choice rows are ``{row number as posted: (text, correct)}``."""
    data = {"type": "single", "text": "Siapa penanggung jawab SPBE?", "points": "1", "explanation": ""}
    for number, (text, correct) in rows.items():
        data[f"choices-{number}-text"] = text
        if correct:
            data[f"choices-{number}-is_correct"] = "y"
    data.update(extra)
    return data


@pytest.mark.parametrize("odd", ["-1", "\u22121", "01", "\u0661", "\u00b2", "", "1-2"])
def test_a_filled_row_with_an_odd_number_is_refused_and_shown_again(client, question_editor, odd):
    url = f"/pengajar/susun/{question_editor.id}/pertanyaan/{_question(question_editor).id}"
    before = _texts(_question(question_editor))
    response = client.post(url, data=_post({"0": ("Kepala daerah", True), "1": ("Sekda", False),
                                            odd: ("Kepala Diskominfo", False)}))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "nomor baris yang tidak sah" in page
    # Nothing typed is lost: the row is shown again, numbered after the others, and nothing was saved.
    assert 'name="choices-2-text"' in page and "Kepala Diskominfo</textarea>" in page
    assert page.index("Kepala daerah") < page.index("Sekda") < page.index("Kepala Diskominfo</textarea>")
    assert _texts(_question(question_editor)) == before
    # Sent back as shown, it is saved with all three choices.
    again = client.post(url, data=_post({"0": ("Kepala daerah", True), "1": ("Sekda", False),
                                         "2": ("Kepala Diskominfo", False)}))
    assert again.status_code == 302
    assert _texts(_question(question_editor)) == ["Kepala daerah", "Sekda", "Kepala Diskominfo"]


def test_an_odd_numbered_row_is_refused_on_a_new_question_too(client, question_editor):
    url = f"/pengajar/susun/{question_editor.id}/modul/{question_editor.modules[0].id}/kuis/pertanyaan/baru"
    response = client.post(url, data=_post({"0": ("Ya", True), "-1": ("Tidak", False), "1": ("Mungkin", False)}))
    assert response.status_code == 400 and "nomor baris yang tidak sah" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.scalars(select(Question)).all()) == 1


def test_an_empty_row_with_an_odd_number_is_ignored_like_any_empty_row(client, question_editor):
    url = f"/pengajar/susun/{question_editor.id}/pertanyaan/{_question(question_editor).id}"
    response = client.post(url, data=_post({"0": ("Ya", True), "1": ("Tidak", False), "-1": ("  ", False)}))
    assert response.status_code == 302
    assert _texts(_question(question_editor)) == ["Ya", "Tidak"]


def test_sparse_row_numbers_are_kept_in_their_order(client, question_editor):
    url = f"/pengajar/susun/{question_editor.id}/pertanyaan/{_question(question_editor).id}"
    response = client.post(url, data=_post({"9000": ("Ketiga", False), "0": ("Pertama", False),
                                            "17": ("Kedua", True), "123456789012345678901234567890": ("Keempat", False)}))
    assert response.status_code == 302
    question = _question(question_editor)
    assert _texts(question) == ["Pertama", "Kedua", "Ketiga", "Keempat"]
    assert [c.is_correct for c in sorted(question.choices, key=lambda c: c.position)] == [False, True, False, False]


def test_a_filled_row_after_more_than_thirty_empty_rows_is_kept(client, question_editor):
    url = f"/pengajar/susun/{question_editor.id}/pertanyaan/{_question(question_editor).id}"
    rows = {"0": ("Pertama", True), "1": ("Kedua", False)}
    rows |= {str(n): ("", False) for n in range(2, 40)}
    rows["40"] = ("Terakhir", False)
    response = client.post(url, data=_post(rows))
    assert response.status_code == 302
    assert _texts(_question(question_editor)) == ["Pertama", "Kedua", "Terakhir"]


def test_the_refusal_is_in_english_for_an_english_reader(client, question_editor):
    client.set_cookie("lentera_bahasa", "en")
    url = f"/pengajar/susun/{question_editor.id}/pertanyaan/{_question(question_editor).id}"
    response = client.post(url, data=_post({"0": ("Ya", True), "1": ("Tidak", False), "-3": ("Ragu", False)}))
    assert response.status_code == 400 and "invalid row number" in response.get_data(as_text=True)
