"""A form sent after the session ended signs in, then returns to the form's page (fresh-user retest).

Flask-Login sent the browser back to the form's own address, and a POST-only view answered the
GET with 405: a learner whose session timed out while answering a quiz ended on "method not allowed".
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from app.extensions import db
from tests import factories


def test_quiz_sent_after_the_session_ended_returns_to_the_quiz_after_sign_in(client, open_attempt):
    learner, _quiz, quiz_url = open_attempt
    page = client.get(quiz_url).get_data(as_text=True)
    action = page.split('action="/kuis/percobaan/')[1].split('"')[0]
    client.delete_cookie("session")  # the session ended (idle timeout, browser closed)

    sent = client.post(f"/kuis/percobaan/{action}", data={"action": "kirim"},
                       headers={"Referer": f"http://localhost{quiz_url}"})
    assert sent.status_code == 302
    target = urlsplit(sent.headers["Location"])
    assert target.path == "/masuk" and parse_qs(target.query)["next"] == [quiz_url]
    signed_in = client.post(sent.headers["Location"], data={"email": learner.email, "password": factories.PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == quiz_url
    assert client.get(quiz_url).status_code == 200


def test_a_form_from_another_site_gets_no_next(app, client):
    sent = client.post("/kuis/percobaan/1", data={"action": "kirim"}, headers={"Referer": "https://jahat.example/x"})
    assert sent.status_code == 302 and urlsplit(sent.headers["Location"]).query == ""


def test_saving_through_the_quiz_address_keeps_the_attempt_open(client, open_attempt):
    # Found by the fresh-user retest: action=simpan posted to the quiz's own address graded the attempt.
    from app.assessment.models import QuizAttempt

    _learner, quiz, quiz_url = open_attempt
    first = sorted(quiz.questions, key=lambda q: q.position)[0]
    saved = client.post(quiz_url, data={"action": "simpan", f"q-{first.id}": str(first.choices[0].id)})
    assert saved.status_code == 302 and saved.headers["Location"] == quiz_url
    db.session.expire_all()
    attempt = db.session.query(QuizAttempt).one()
    assert attempt.state == "in_progress" and str(first.id) in attempt.saved_answers
    assert client.post(quiz_url, data={"action": "hapus"}).status_code == 400
