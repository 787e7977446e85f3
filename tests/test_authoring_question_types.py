"""Browser authoring of every question type (issue 3): true/false, short answer, matching, scoring.

Questions are created and edited over HTTP as a trainer would, answered by a
learner through the quiz pages, and carried through export → import.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.assessment.models import AttemptAnswer, Question, QuestionVersion, QuizAttempt
from app.auth.models import User
from app.catalog.exporter import load_for_export, write_course_dir
from app.catalog.importer import STATUS_CREATED, STATUS_UNCHANGED, import_course_dir
from app.catalog.models import Course, CourseTrainer, Module
from app.extensions import db


@pytest.fixture()
def authoring(make_user, make_course, login, client):
    """A signed-in trainer owning a course whose first module has an empty quiz: ``(course, module, new_url)``."""
    trainer = make_user("trainer", full_name="Budi Pengajar")
    course = make_course(slug="jenis-soal", modules=1, lessons_per_module=1, questions_per_quiz=0)
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    module = course.modules[0]
    login(trainer)
    response = client.post(f"/pengajar/susun/{course.id}/modul/{module.id}/kuis", data={"title": "Kuis Jenis Soal"})
    assert response.status_code == 302
    return course, module, f"/pengajar/susun/{course.id}/modul/{module.id}/kuis/pertanyaan/baru"


def _form(qtype, text="Pertanyaan?", points="1", **extra):
    return {"type": qtype, "text": text, "points": points, "explanation": "", **extra}


def _question(key) -> Question:
    db.session.expire_all()
    return db.session.scalar(select(Question).where(Question.key == key))


def _settings(key) -> dict:
    return json.loads(_question(key).settings)


def _body(response) -> str:
    return response.get_data(as_text=True)


def test_each_type_is_created_and_edited_in_the_browser(client, authoring):
    course, module, new = authoring
    assert client.post(new, data=_form("true_false", "SPBE diatur Perpres 95/2018.", answer="benar",
                                       key="tf")).status_code == 302
    assert client.post(new, data=_form("short_answer", "Singkatan SPBE?", key="isian",
                                       accepted="Sistem Pemerintahan Berbasis Elektronik\r\n\r\n  SPBE  \r\nspbe")
                       ).status_code == 302
    assert client.post(new, data=_form("matching", "Pasangkan aturannya.", points="2", key="jodoh",
                                       pairs="SPBE = Perpres 95/2018\r\nPDP=UU 27/2022\r\n",
                                       pair_scoring="partial")).status_code == 302
    assert client.post(new, data=_form("multiple", "Pilih dua.", key="ganda", scoring="partial", **{
        "choices-0-text": "A", "choices-0-is_correct": "y", "choices-1-text": "B", "choices-1-is_correct": "y",
        "choices-2-text": "C"})).status_code == 302

    assert (_question("tf").type, _settings("tf")) == ("true_false", {"answer": True})
    assert _question("tf").choices == []
    # Blank lines dropped, spaces stripped, a repeat differing only in case dropped.
    assert _settings("isian") == {"accepted": ["Sistem Pemerintahan Berbasis Elektronik", "SPBE"]}
    # The default scoring of matching (partial) is not stored, as the importer does.
    assert _settings("jodoh") == {"pairs": [{"left": "SPBE", "right": "Perpres 95/2018"},
                                            {"left": "PDP", "right": "UU 27/2022"}]}
    assert _settings("ganda") == {"scoring": "partial"}

    # The edit pages show the stored values back.
    page = _body(client.get(f"/pengajar/susun/{course.id}/pertanyaan/{_question('tf').id}"))
    assert re.search(r'<input[^>]*checked[^>]*value="benar"|<input[^>]*value="benar"[^>]*checked', page)
    page = _body(client.get(f"/pengajar/susun/{course.id}/pertanyaan/{_question('isian').id}"))
    assert "Sistem Pemerintahan Berbasis Elektronik\nSPBE</textarea>" in page
    page = _body(client.get(f"/pengajar/susun/{course.id}/pertanyaan/{_question('jodoh').id}"))
    assert "SPBE = Perpres 95/2018\nPDP = UU 27/2022</textarea>" in page
    page = _body(client.get(f"/pengajar/susun/{course.id}/pertanyaan/{_question('ganda').id}"))
    assert re.search(r'<option selected value="partial">|<option value="partial" selected>', page)

    edit = f"/pengajar/susun/{course.id}/pertanyaan/{{}}"
    assert client.post(edit.format(_question("tf").id), data=_form("true_false", "SPBE diatur UU.",
                                                                   answer="salah")).status_code == 302
    assert _settings("tf") == {"answer": False} and _question("tf").text == "SPBE diatur UU."
    assert client.post(edit.format(_question("isian").id), data=_form("short_answer", "Singkatan SPBE?",
                                                                      accepted="SPBE")).status_code == 302
    assert _settings("isian") == {"accepted": ["SPBE"]}
    assert client.post(edit.format(_question("jodoh").id), data=_form(
        "matching", "Pasangkan aturannya.", points="2",
        pairs="SPBE = Perpres 95/2018\nPDP = UU 27/2022\nKIP = UU 14/2008", pair_scoring="all_or_nothing")
    ).status_code == 302
    assert _settings("jodoh") == {"scoring": "all_or_nothing", "pairs": [
        {"left": "SPBE", "right": "Perpres 95/2018"}, {"left": "PDP", "right": "UU 27/2022"},
        {"left": "KIP", "right": "UU 14/2008"}]}
    # Saving unchanged values changes nothing.
    response = client.post(edit.format(_question("isian").id), data=_form("short_answer", "Singkatan SPBE?",
                                                                          accepted="SPBE"), follow_redirects=True)
    assert "Tidak ada perubahan" in _body(response)
    # A type change drops the old type's data: single choice keeps choices, no settings.
    assert client.post(edit.format(_question("ganda").id), data=_form("single", "Pilih satu.", **{
        "choices-0-text": "A", "choices-0-is_correct": "y", "choices-1-text": "B"})).status_code == 302
    assert _settings("ganda") == {} and len(_question("ganda").choices) == 2
    # ...and a type without choices drops the choices.
    assert client.post(edit.format(_question("ganda").id), data=_form("true_false", "Pilih satu.",
                                                                      answer="benar")).status_code == 302
    assert _question("ganda").choices == [] and _settings("ganda") == {"answer": True}


@pytest.mark.parametrize("data, message, kept", [
    (_form("short_answer", "Isian kosong?", accepted=" \r\n  \r\n"),
     "Isi paling sedikit satu jawaban yang diterima", "Isian kosong?"),
    (_form("matching", "Satu pasangan?", pairs="SPBE = Perpres 95/2018"),
     "paling sedikit 2 pasangan", "SPBE = Perpres 95/2018"),
    (_form("matching", "Kiri sama?", pairs="SPBE = Perpres 95/2018\nSPBE = UU 27/2022"),
     "tidak boleh sama", "SPBE = UU 27/2022"),
    (_form("matching", "Tanpa tanda sama dengan?", pairs="SPBE = Perpres 95/2018\nPDP UU 27/2022"),
     "Baris 2: tulis pasangan sebagai kiri = kanan.", "PDP UU 27/2022"),
    (_form("matching", "Sisi kosong?", pairs="SPBE = \nPDP = UU 27/2022"),
     "Baris 1: teks kiri dan teks kanan wajib diisi.", "Sisi kosong?"),
    (_form("true_false", "Benar atau salah tanpa jawaban?"),
     "Pilih jawaban yang benar: Benar atau Salah.", "Benar atau salah tanpa jawaban?"),
    (_form("true_false", "Jawaban palsu?", answer="mungkin"),
     "Pilih jawaban yang benar: Benar atau Salah.", "Jawaban palsu?"),
    (_form("short_answer", "Terlalu panjang?", accepted="x" * 501),
     "paling panjang 500 karakter", "Terlalu panjang?"),
], ids=["empty-accepted", "one-pair", "duplicate-left", "no-separator", "empty-side", "no-answer",
        "unknown-answer", "long-accepted"])
def test_bad_input_is_a_400_with_the_message_and_the_typed_values(client, authoring, data, message, kept):
    course, module, new = authoring
    response = client.post(new, data=data)
    body = _body(response)
    assert response.status_code == 400
    assert message in body
    assert kept in body  # nothing typed is lost
    assert f'<option selected value="{data["type"]}">' in body or f'value="{data["type"]}" selected' in body
    db.session.expire_all()
    assert db.session.get(Module, module.id).quiz.questions == []


def test_a_bad_edit_keeps_the_question_and_the_typed_values(client, authoring):
    course, module, new = authoring
    client.post(new, data=_form("matching", "Pasangkan.", key="m", pairs="A = 1\nB = 2"))
    before = _question("m").settings
    response = client.post(f"/pengajar/susun/{course.id}/pertanyaan/{_question('m').id}",
                           data=_form("matching", "Pasangkan (ubah).", pairs="A = 1\nA = 2"))
    assert response.status_code == 400 and "tidak boleh sama" in _body(response)
    assert "Pasangkan (ubah)." in _body(response) and "A = 1\nA = 2</textarea>" in _body(response)
    assert _question("m").settings == before and _question("m").text == "Pasangkan."


def test_form_is_labelled_and_has_no_inline_script(client, authoring):
    course, module, new = authoring
    body = _body(client.get(new))
    for value in ("single", "multiple", "true_false", "short_answer", "matching"):
        assert f'value="{value}"' in body
    # Every control has a label: a <label for=id> or a wrapping <label>.
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", body):
        if 'type="hidden"' in tag:
            continue
        control_id = re.search(r'id="([^"]+)"', tag).group(1)
        assert f'for="{control_id}"' in body or re.search(r'<label class="check">\s*' + re.escape(tag), body), tag
    assert '<script src="/static/js/question-form.js"' in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body) and " onclick=" not in body and " onchange=" not in body
    assert client.get("/static/js/question-form.js").status_code == 200
    for types in ('data-question-types="true_false"', 'data-question-types="short_answer"',
                  'data-question-types="matching"', 'data-question-types="multiple"'):
        assert types in body


def _learner_takes(client, login, make_user, course, quiz_id, answers, **learner):
    """Sign a new learner in, enrol, start the quiz, submit ``answers`` ({question key: form values}); the attempt."""
    client.post("/keluar")
    login(make_user(**learner))
    client.post(f"/kursus/{course.slug}/ikuti")
    client.post(f"/kursus/{course.slug}/kuis/{quiz_id}/mulai")
    attempt = db.session.scalars(select(QuizAttempt).order_by(QuizAttempt.id.desc())).first()
    page = client.get(f"/kursus/{course.slug}/kuis/{quiz_id}").get_data(as_text=True)
    data = {"action": "kirim"}
    for key, values in answers.items():
        question = _question(key)
        if isinstance(values, dict):
            # Matching: given as right-hand texts; option values are per-attempt positions read off the page.
            data.update({f"q-{question.id}-{index}": re.search(
                r'<option value="(\d+)"[^>]*>' + re.escape(text) + "</option>", page).group(1)
                for index, text in values.items()})
        else:
            data[f"q-{question.id}"] = values
    assert client.post(f"/kuis/percobaan/{attempt.id}", data=data).status_code == 302
    db.session.expire_all()
    return db.session.get(QuizAttempt, attempt.id)


def test_learner_is_graded_right_on_browser_authored_questions(client, authoring, login, make_user):
    course, module, new = authoring
    client.post(new, data=_form("true_false", "SPBE diatur Perpres 95/2018.", key="tf", answer="benar"))
    client.post(new, data=_form("short_answer", "Singkatan SPBE?", key="isian", accepted="SPBE\nS.P.B.E."))
    client.post(new, data=_form("matching", "Pasangkan.", points="2", key="jodoh",
                                pairs="SPBE = Perpres 95/2018\nPDP = UU 27/2022"))
    client.post(new, data=_form("multiple", "Pilih dua.", points="2", key="ganda", scoring="partial", **{
        "choices-0-text": "A", "choices-0-is_correct": "y", "choices-1-text": "B", "choices-1-is_correct": "y",
        "choices-2-text": "C"}))
    quiz_id = db.session.get(Module, module.id).quiz.id
    ganda = _question("ganda")
    first_choice = sorted(ganda.choices, key=lambda c: c.position)[0].id
    attempt = _learner_takes(client, login, make_user, course, quiz_id, {
        "tf": "benar",
        "isian": "  spbe ",                  # case and surrounding spaces ignored
        "jodoh": {0: "Perpres 95/2018", 1: "Perpres 95/2018"},  # one of two pairs right: partial by default
        "ganda": str(first_choice),          # one of two right choices: partial scoring
    })
    points = {a.question.key: a.points_awarded for a in attempt.answers}
    assert points == {"tf": Decimal(1), "isian": Decimal(1), "jodoh": Decimal(1), "ganda": Decimal(1)}
    assert attempt.score == Decimal(4) and attempt.max_score == Decimal(6)
    body = _body(client.get(f"/kuis/hasil/{attempt.id}"))
    assert "SPBE → Perpres 95/2018" in body


def test_editing_an_answered_question_keeps_the_answered_version(client, authoring, login, make_user):
    course, module, new = authoring
    client.post(new, data=_form("short_answer", "Singkatan SPBE?", key="isian", accepted="SPBE"))
    trainer_email = db.session.scalar(select(User.email).join(CourseTrainer, CourseTrainer.user_id == User.id)
                                      .where(CourseTrainer.course_id == course.id))
    quiz_id = db.session.get(Module, module.id).quiz.id
    attempt = _learner_takes(client, login, make_user, course, quiz_id, {"isian": "spbe"})
    assert attempt.score == Decimal(1)
    old_version = attempt.answers[0].question_version_id

    client.post("/keluar")
    client.post("/masuk", data={"email": trainer_email, "password": "rahasia-123"})
    question = _question("isian")
    response = client.post(f"/pengajar/susun/{course.id}/pertanyaan/{question.id}",
                           data=_form("short_answer", "Kepanjangan SPBE?", accepted="Sistem Pemerintahan Berbasis "
                                      "Elektronik"))
    assert response.status_code == 302
    db.session.expire_all()
    answer = db.session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id))
    assert answer.question_version_id == old_version and answer.points_awarded == Decimal(1)
    assert json.loads(db.session.get(QuestionVersion, old_version).definition)["accepted"] == ["SPBE"]
    second = _learner_takes(client, login, make_user, course, quiz_id, {"isian": "spbe"})
    assert second.score == Decimal(0)
    assert second.answers[0].question_version_id != old_version
    assert db.session.get(QuestionVersion, second.answers[0].question_version_id).number == 2


def test_export_import_round_trip_keeps_the_browser_authored_types(client, authoring, tmp_path):
    from tests.test_export import canonical_dump

    course, module, new = authoring
    client.post(new, data=_form("true_false", "Benar?", key="tf", answer="salah"))
    client.post(new, data=_form("short_answer", "Isian?", key="isian", accepted="satu\nDua kata"))
    client.post(new, data=_form("matching", "Jodohkan.", key="jodoh", pairs="a = b: c\nkiri = kanan = lagi",
                                pair_scoring="all_or_nothing"))
    client.post(new, data=_form("multiple", "Ganda.", key="ganda", scoring="partial", **{
        "choices-0-text": "ya", "choices-0-is_correct": "y", "choices-1-text": "no"}))
    before = canonical_dump("jenis-soal")
    assert [q[1] for q in before["modules"][0]["quiz"]["questions"]] == ["true_false", "short_answer", "matching",
                                                                         "multiple"]
    write_course_dir(load_for_export("jenis-soal"), tmp_path / "a")
    quiz_yaml = (tmp_path / "a" / "01-modul-1" / "quiz.yaml").read_text(encoding="utf-8")
    assert "answer: false" in quiz_yaml and "scoring: partial" in quiz_yaml and "scoring: all_or_nothing" in quiz_yaml
    db.session.delete(db.session.get(Course, course.id))
    db.session.commit()
    assert import_course_dir(tmp_path / "a").status == STATUS_CREATED
    db.session.commit()
    assert canonical_dump("jenis-soal") == before
    assert import_course_dir(tmp_path / "a").status == STATUS_UNCHANGED


def test_english_reader_sees_the_form_the_quiz_and_the_review_in_english(client, authoring, login, make_user):
    course, module, new = authoring
    client.set_cookie("lentera_bahasa", "en")
    trainer = db.session.scalar(select(User).where(User.role == "trainer"))
    trainer.locale = "en"
    db.session.commit()
    response = client.post(new, data=_form("matching", "Pasangkan.", pairs="A = 1\nB 2"))
    body = _body(response)
    assert response.status_code == 400 and "Line 2: write the pair as left = right." in body
    assert "Pairs (one per line: left = right)" in body and "Kunci (opsional" not in body
    response = client.post(new, data=_form("short_answer", "Isian?", accepted=""))
    assert response.status_code == 400 and "Enter at least one accepted answer (one per line)." in _body(response)
    client.post(new, data=_form("true_false", "SPBE diatur Perpres 95/2018.", key="tf", answer="benar"))
    quiz = db.session.get(Module, module.id).quiz
    quiz.max_attempts, quiz.time_limit_minutes = 2, 30
    db.session.commit()
    client.post("/keluar")
    learner = make_user(locale="en")
    login(learner)
    client.post(f"/kursus/{course.slug}/ikuti")
    intro = _body(client.get(f"/kursus/{course.slug}/kuis/{quiz.id}"))
    assert "Number of questions" in intro and "2 times" in intro and "30 minutes from the start" in intro
    client.post(f"/kursus/{course.slug}/kuis/{quiz.id}/mulai")
    page = _body(client.get(f"/kursus/{course.slug}/kuis/{quiz.id}"))
    assert "<dt>Attempt</dt><dd>1 of 2</dd>" in page  # attempt 1 of at most 2
    assert "Choose True or False." in page and "Submit answers" in page and "Kirim jawaban" not in page
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.state == "in_progress"))
    client.post(f"/kuis/percobaan/{attempt.id}", data={f"q-{_question('tf').id}": "salah", "action": "kirim"})
    body = _body(client.get(f"/kuis/hasil/{attempt.id}"))
    assert "Result of" in body and "Wrong" in body and "Your answer:" in body and "False" in body
    assert "Pembahasan" not in body and "Jawaban Anda" not in body
    client.post("/keluar")
    trainer_login = db.session.scalar(select(User).where(User.role == "trainer"))
    client.post("/masuk", data={"email": trainer_login.email, "password": "rahasia-123"})
    report = _body(client.get(f"/pengajar/kursus/{course.id}/penilaian"))
    assert "1 learner ·" in report and "Question statistics" in report and "Regrade" in report
