"""quiz.yaml: new question types and quiz settings through the importer."""
import json
from decimal import Decimal

import pytest

from app.assessment.models import Quiz
from app.catalog import importer
from app.extensions import db

COURSE = """\
slug: kursus-tipe
title: "Kursus Tipe Soal"
jp: 2
pass_mark: 70
version: 1
modules:
  - slug: modul-satu
    title: "Modul Satu"
    lessons:
      - file: m1/01-pengantar.md
        title: "Pengantar"
    quiz: m1/quiz.yaml
"""

QUIZ = """\
title: "Kuis Tipe"
draw: 3
shuffle: true
max_attempts: 3
grading: average
wait_minutes: 10
time_limit_minutes: 20
kind: posttest
show_answers: never
questions:
  - key: pilih
    type: multiple
    scoring: partial
    text: "Pilih yang benar"
    choices:
      - text: "A"
        correct: true
      - text: "B"
        correct: true
      - text: "C"
  - key: bs
    type: true_false
    answer: false
    text: "SPBE hanya untuk pemerintah pusat."
  - key: isian
    type: short_answer
    points: 2
    accepted: ["SPBE", "Sistem Pemerintahan Berbasis Elektronik"]
    text: "Singkatan?"
  - key: jodoh
    type: matching
    text: "Pasangkan"
    pairs:
      - left: "SPBE"
        right: "Perpres 95/2018"
      - left: "PDP"
        right: "UU 27/2022"
"""


def _write(tmp_path, quiz=QUIZ):
    root = tmp_path / "kursus-tipe"
    (root / "m1").mkdir(parents=True)
    (root / "course.yaml").write_text(COURSE, encoding="utf-8")
    (root / "m1" / "01-pengantar.md").write_text("Isi.\n", encoding="utf-8")
    (root / "m1" / "quiz.yaml").write_text(quiz, encoding="utf-8")
    return root


def test_new_types_and_settings_import_and_reimport_unchanged(app, tmp_path):
    root = _write(tmp_path)
    result = importer.import_course_dir(root)
    db.session.commit()
    assert result.status == importer.STATUS_CREATED
    quiz = db.session.query(Quiz).one()
    assert (quiz.draw_count, quiz.shuffle, quiz.max_attempts, quiz.grading, quiz.wait_minutes,
            quiz.time_limit_minutes, quiz.kind, quiz.show_answers) == (3, True, 3, "average", 10, 20, "posttest",
                                                                      "never")
    by_key = {q.key: q for q in quiz.questions}
    assert json.loads(by_key["pilih"].settings) == {"scoring": "partial"}
    assert json.loads(by_key["bs"].settings) == {"answer": False} and by_key["bs"].choices == []
    assert json.loads(by_key["isian"].settings)["accepted"][1] == "Sistem Pemerintahan Berbasis Elektronik"
    assert by_key["isian"].points == Decimal(2)
    assert json.loads(by_key["jodoh"].settings)["pairs"][1] == {"left": "PDP", "right": "UU 27/2022"}
    again = importer.import_course_dir(root)
    assert again.status == importer.STATUS_UNCHANGED, again.changes


@pytest.mark.parametrize(("change", "message"), [
    (("grading: average", "grading: median"), "'grading' harus salah satu dari"),
    (("draw: 3", "draw: 9"), "melebihi jumlah pertanyaan"),
    (("answer: false", "answer: mungkin"), "'answer' harus true atau false"),
    (("    accepted: [\"SPBE\", \"Sistem Pemerintahan Berbasis Elektronik\"]\n", ""), "wajib punya 'accepted'"),
    (("scoring: partial", "scoring: sebagian"), "'scoring' harus all_or_nothing atau partial"),
    (("    type: true_false\n    answer: false", "    type: true_false\n    answer: false\n    scoring: partial"),
     "'scoring' hanya untuk tipe"),
    (("        right: \"UU 27/2022\"", "        right: \"Perpres 95/2018\""), "tidak boleh sama"),
])
def test_bad_settings_are_refused_with_line(app, tmp_path, change, message):
    old, new = change
    assert old in QUIZ
    root = _write(tmp_path, QUIZ.replace(old, new))
    with pytest.raises(importer.CourseImportError) as caught:
        importer.import_course_dir(root)
    problems = caught.value.problems
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    assert all(p.file.endswith("quiz.yaml") and p.line for p in problems)


def test_shipped_courses_still_import(app, repo_root):
    results = importer.import_path(repo_root / "courses")
    assert results and all(r.ok for r in results), [str(p) for r in results for p in r.problems]
    quiz = db.session.query(Quiz).first()
    assert (quiz.grading, quiz.kind, quiz.show_answers, quiz.draw_count) == ("highest", "regular", "after_pass", None)
