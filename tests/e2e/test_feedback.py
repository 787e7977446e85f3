"""Feedback in the browser: quiz countdown under the CSP, confirm before submitting, page weight, no CDN.

Uses the shipped Digital Talent course (keamanan-siber-dasar) so it does not
depend on the CGIO learner path in test_flows.py.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.e2e.support import PageAudit, sign_in, skip_reason

_reason = skip_reason()
if _reason:
    pytest.skip(_reason, allow_module_level=True)

SLUG = "keamanan-siber-dasar"
MAX_LESSON_BYTES = 300 * 1024  # HTML + CSS + JS of a lesson page, images excluded (issue #7)


def _wait_for_text(page, predicate, seconds: float = 5.0) -> str:
    """Poll #quiz-timer's text until ``predicate`` holds (wait_for_function would need eval, which the CSP forbids)."""
    text = ""
    for _ in range(int(seconds / 0.1)):
        text = page.locator("#quiz-timer").inner_text()
        if predicate(text):
            return text
        page.wait_for_timeout(100)
    raise AssertionError(f"teks penghitung waktu tidak berubah seperti diharapkan: {text!r}")


@pytest.fixture()
def timed_quiz(live_server):
    """A learner account and the first quiz of the course given a 5-minute limit: ``(email, quiz_id)``."""
    from app.assessment.models import Quiz
    from app.catalog.models import Course, Module
    from app.extensions import db
    from tests import factories

    with live_server.app.app_context():
        learner = factories.make_user("learner", full_name="Budi Santoso")
        quiz = db.session.scalars(select(Quiz).join(Module, Quiz.module_id == Module.id)
                                  .join(Course, Module.course_id == Course.id).where(Course.slug == SLUG)
                                  .order_by(Module.position)).first()
        quiz.time_limit_minutes = 5
        db.session.commit()
        email, quiz_id = learner.email, quiz.id
        db.session.remove()
    return email, quiz_id


def test_quiz_timer_runs_under_csp_and_submit_asks_first(page, live_server, timed_quiz):
    email, quiz_id = timed_quiz
    blocked = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, email)
    page.goto(f"/kursus/{SLUG}")
    with page.expect_navigation():
        page.get_by_role("button", name="Ikuti kursus").click()
    assert page.locator(".flash-success").count() == 1

    page.goto(f"/kursus/{SLUG}/kuis/{quiz_id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Mulai kuis").click()
    timer = page.locator("#quiz-timer")
    first = _wait_for_text(page, lambda text: text.startswith("Sisa waktu:"))
    assert first.startswith(("Sisa waktu: 4:5", "Sisa waktu: 5:00")), first
    _wait_for_text(page, lambda text: text != first)  # it counts down
    assert timer.is_visible()
    PageAudit(page, live_server.url).check("kuis berbatas waktu")

    # "Kirim jawaban" only opens a second step; "Ya, kirim jawaban" submits.
    confirm = page.get_by_role("button", name="Ya, kirim jawaban")
    assert not confirm.is_visible()
    page.locator("summary", has_text="Kirim jawaban").click()
    assert confirm.is_visible() and "/kuis/hasil/" not in page.url
    with page.expect_navigation():
        confirm.click()
    assert "/kuis/hasil/" in page.url
    assert "Jawaban Anda sudah dikirim dan dinilai." in page.locator(".flashes").inner_text()
    assert blocked == []


def test_lesson_page_weight_and_same_origin(page, live_server):
    from app.catalog.models import Course, Lesson, Module
    from app.extensions import db

    with live_server.app.app_context():
        lesson_id = db.session.scalar(select(Lesson.id).join(Module, Lesson.module_id == Module.id)
                                      .join(Course, Module.course_id == Course.id).where(Course.slug == SLUG)
                                      .order_by(Module.position, Lesson.position))
        db.session.remove()
    sign_in(page, live_server.trainer_email)  # staff may open lessons as a preview

    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    lesson = page.goto(f"/kursus/{SLUG}/pelajaran/{lesson_id}", wait_until="load")
    # What a first visit transfers (the browser cache already holds the CSS here):
    # the document plus every stylesheet and script it references, images excluded.
    sizes = {page.url: len(lesson.body())}
    for url in page.eval_on_selector_all("link[rel=stylesheet], script[src]", "els => els.map(e => e.href || e.src)"):
        sizes[url] = len(page.request.get(url).body())
    total = sum(sizes.values())
    assert any("/static/css/lentera.css" in url for url in sizes), sizes
    assert 0 < total < MAX_LESSON_BYTES, sizes

    for path in ("/", f"/kursus/{SLUG}", "/saya", "/pengajar/susun"):
        page.goto(path, wait_until="load")
    foreign = [url for url in requested
               if urlsplit(url).scheme in ("http", "https") and not url.startswith(live_server.url + "/")]
    assert foreign == []
