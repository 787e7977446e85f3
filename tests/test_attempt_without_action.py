"""A quiz attempt POST without ``action`` saves the answers and does not end the attempt (retest leftover).

The attempt page's two buttons send ``action=simpan`` or ``action=kirim``; a crafted or
script-made POST without the field was graded as if *Kirim* had been pressed, ending the attempt
(and using up one of the allowed attempts). Now it is kept like *Simpan*, with a notice saying that
nothing was sent. An unknown value is still refused with 400 (tests/test_attempts.py), which ends
nothing either.
"""
from __future__ import annotations

import json

from app.assessment.models import QuizAttempt
from app.extensions import db


def _attempt_of(open_attempt):
    """``(quiz_url, attempt id, first question)`` of the ``open_attempt`` fixture (tests/conftest.py)."""
    _learner, quiz, quiz_url = open_attempt
    attempt = db.session.query(QuizAttempt).one()
    first = sorted(quiz.questions, key=lambda q: q.position)[0]
    return quiz_url, attempt.id, first


def test_a_post_without_action_saves_and_keeps_the_attempt_open(client, open_attempt):
    quiz_url, attempt_id, first = _attempt_of(open_attempt)
    response = client.post(f"/kuis/percobaan/{attempt_id}", data={f"q-{first.id}": str(first.choices[0].id)})
    assert response.status_code == 302 and response.headers["Location"] == quiz_url
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.state == "in_progress"
    assert json.loads(attempt.saved_answers)[str(first.id)] == [first.choices[0].id]
    page = client.get(quiz_url).get_data(as_text=True)
    assert "belum dikirim" in page
    # The real submit still works afterwards.
    sent = client.post(f"/kuis/percobaan/{attempt_id}", data={f"q-{first.id}": str(first.choices[0].id),
                                                              "action": "kirim"})
    assert sent.status_code == 302 and "/kuis/hasil/" in sent.headers["Location"]
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).state == "submitted"


def test_an_empty_action_is_treated_as_no_action(client, open_attempt):
    quiz_url, attempt_id, first = _attempt_of(open_attempt)
    response = client.post(f"/kuis/percobaan/{attempt_id}", data={f"q-{first.id}": str(first.choices[1].id),
                                                                  "action": ""})
    assert response.status_code == 302 and response.headers["Location"] == quiz_url
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.state == "in_progress"
    assert json.loads(attempt.saved_answers)[str(first.id)] == [first.choices[1].id]


def test_an_unknown_action_ends_nothing(client, open_attempt):
    _quiz_url, attempt_id, first = _attempt_of(open_attempt)
    response = client.post(f"/kuis/percobaan/{attempt_id}", data={f"q-{first.id}": str(first.choices[0].id),
                                                                  "action": "KIRIM"})
    assert response.status_code == 400 and "Tindakan tidak dikenal" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).state == "in_progress"


def test_the_notice_is_in_english_for_an_english_reader(client, open_attempt):
    quiz_url, attempt_id, first = _attempt_of(open_attempt)
    client.set_cookie("lentera_bahasa", "en")
    client.post(f"/kuis/percobaan/{attempt_id}", data={f"q-{first.id}": str(first.choices[0].id)})
    assert "not submitted" in client.get(quiz_url).get_data(as_text=True)
