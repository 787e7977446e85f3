"""Reading a submitted quiz form.

A quiz has a variable set of questions, so the form is plain HTML: one radio
group (single choice) or checkbox group (multiple choice) per question, named
``q-<question id>`` with choice ids as values. CSRF is checked by Flask-WTF's
CSRFProtect for every POST, as for the other forms.
"""
from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MultiDict

from app.assessment.models import Question
from app.assessment.services import AnswerError


def field_name(question: Question) -> str:
    """The form field name of a question's choices."""
    return f"q-{question.id}"


def parse_answers(formdata: MultiDict, questions: Sequence[Question]) -> dict[int, list[int]]:
    """``{question_id: [choice_id, …]}`` from the submitted form.

    Questions with nothing chosen are left out (they score 0). Raises
    :class:`~app.assessment.services.AnswerError` (Indonesian message) when a
    value is not a plain decimal integer. Whether each id belongs to its
    question is checked by the service.
    """
    answers: dict[int, list[int]] = {}
    for question in questions:
        values = formdata.getlist(field_name(question))
        ids = []
        for raw in values:
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
                raise AnswerError("Jawaban kuis tidak dapat dibaca. Muat ulang halaman kuis lalu kirim kembali.")
            ids.append(int(raw))
        if ids:
            answers[question.id] = ids
    return answers
