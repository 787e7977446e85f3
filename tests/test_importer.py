"""Course importer (app/catalog/importer.py) and ``flask courses import``.

Fixture courses live in tests/data/courses/{valid,invalid}/; every test copies
the ones it needs into ``<tmp>/courses/`` and runs from ``<tmp>`` so problems
name files as an operator would see them (``courses/<folder>/…``).
"""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app.assessment.models import AttemptAnswer, Choice, Question, Quiz, QuizAttempt
from app.catalog.importer import (
    STATUS_CREATED,
    STATUS_FAILED,
    STATUS_UNCHANGED,
    STATUS_UPDATED,
    CourseImportError,
    ImportProblem,
    default_lesson_slug,
    find_course_dirs,
    import_course_dir,
    import_path,
    load_course,
)
from app.catalog.models import Course, Lesson, Module
from app.extensions import db
from app.learning.models import Enrolment, LessonProgress

DATA = Path(__file__).resolve().parent / "data" / "courses"
SPBE = Path("courses/dasar-spbe")


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    """``<tmp>`` as the working directory, with an empty ``courses/`` in it."""
    (tmp_path / "courses").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def add_course(name: str, group: str = "valid", as_name: str | None = None) -> Path:
    shutil.copytree(DATA / group / name, Path("courses") / (as_name or name))
    return Path("courses") / (as_name or name)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str, after: str | None = None) -> int:
    """1-based line of the only line containing ``needle`` (the first one after ``after``, if given)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = 0
    if after is not None:
        start = next(i for i, line in enumerate(lines) if after in line) + 1
        return next(i + 1 for i in range(start, len(lines)) if needle in lines[i])
    found = [i + 1 for i, line in enumerate(lines) if needle in line]
    assert len(found) == 1, f"{needle!r} must occur once in {path}"
    return found[0]


def problems_of(course_dir: Path, *, importing: bool = True) -> list[ImportProblem]:
    """Problems raised by importing ``course_dir`` (or only validating it: no database needed)."""
    with pytest.raises(CourseImportError) as info:
        (import_course_dir if importing else load_course)(course_dir)
    return info.value.problems


def course_by_slug(slug: str) -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


class WriteCounter:
    """Counts INSERT/UPDATE/DELETE statements sent to the database while active."""

    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            self.statements.append(statement)

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


# ---------------------------------------------------------------------------
# Creating


def test_import_creates_course_tree_in_file_order_with_exact_decimals(app, workdir):
    result = import_course_dir(add_course("dasar-spbe"))
    db.session.commit()
    assert (result.status, result.slug, result.problems) == (STATUS_CREATED, "dasar-spbe", [])

    course = course_by_slug("dasar-spbe")
    assert result.course_id == course.id
    assert course.title == "Dasar-Dasar SPBE" and course.audience == "ASN semua jenjang"
    assert course.summary == "Pengantar singkat Sistem Pemerintahan Berbasis Elektronik."
    assert course.jp == Decimal("7.5") and str(course.jp) == "7.5"
    assert course.pass_mark == Decimal("70") and course.version == 1 and course.is_published is True

    assert [(m.slug, m.position) for m in course.modules] == [("pengenalan-spbe", 0), ("evaluasi-spbe", 1)]
    first, second = course.modules
    assert [(lesson.slug, lesson.position, lesson.minutes) for lesson in first.lessons] == [
        ("apa-itu-spbe", 0, 20), ("prinsip-spbe", 1, 25)]
    assert first.lessons[1].body_md == (SPBE / "01-pengenalan/02-prinsip-spbe.md").read_text(encoding="utf-8")
    assert second.lessons[0].minutes is None and second.summary == ""

    quiz = first.quiz
    assert quiz.title == "Kuis Pengenalan SPBE" and quiz.pass_mark == Decimal("80")
    assert second.quiz.pass_mark is None and second.quiz.effective_pass_mark == Decimal("70")
    assert [(q.key, q.type, q.points, q.position) for q in quiz.questions] == [
        ("q1", "single", Decimal("1"), 0), ("q2", "multiple", Decimal("2"), 1), ("q3", "single", Decimal("0.1"), 2)]
    assert quiz.questions[0].explanation == "Perpres 95/2018." and quiz.questions[1].explanation == ""
    assert [(c.text, c.is_correct, c.position) for c in quiz.questions[1].choices] == [
        ("Interoperabilitas", True, 0), ("Keamanan", True, 1), ("Sentralisasi", False, 2)]


def test_numbers_come_from_the_yaml_source_text_never_through_float(app, workdir):
    path = add_course("dasar-spbe")
    edit(path / "course.yaml", "jp: 7.5", "jp: 2.3")  # float(2.3) is 2.29999…; Decimal("2.3") is exact
    edit(path / "course.yaml", "pass_mark: 70", "pass_mark: 66.67")
    spec = load_course(path)
    assert spec.jp == Decimal("2.3") and spec.jp.as_tuple() == Decimal("2.3").as_tuple()
    assert spec.pass_mark == Decimal("66.67")
    import_course_dir(path)
    db.session.commit()
    course = course_by_slug("dasar-spbe")
    assert (course.jp, course.pass_mark) == (Decimal("2.3"), Decimal("66.67"))


def test_lesson_slug_defaults_to_file_stem_without_leading_number():
    assert default_lesson_slug("01-pengertian-spbe.md") == "pengertian-spbe"
    assert default_lesson_slug("modul/12-a-b.md") == "a-b"
    assert default_lesson_slug("ringkasan.md") == "ringkasan"


def test_find_course_dirs_accepts_a_course_a_course_file_or_a_folder_of_courses(workdir):
    add_course("etika-digital")
    add_course("dasar-spbe")
    (Path("courses") / "catatan").mkdir()  # no course.yaml: not a course
    assert find_course_dirs("courses") == [Path("courses/dasar-spbe"), Path("courses/etika-digital")]
    assert find_course_dirs(SPBE) == [SPBE]
    assert find_course_dirs(SPBE / "course.yaml") == [SPBE]
    with pytest.raises(CourseImportError) as info:
        find_course_dirs("tidak-ada")
    assert [str(p) for p in info.value.problems] == ["tidak-ada: folder tidak ditemukan"]
    with pytest.raises(CourseImportError) as info:
        find_course_dirs("courses/catatan")
    assert "tidak ada folder kursus" in info.value.problems[0].message


# ---------------------------------------------------------------------------
# Re-importing and updating


def test_reimporting_the_same_files_writes_nothing(app, workdir):
    path = add_course("dasar-spbe")
    import_course_dir(path)
    db.session.commit()
    before = course_by_slug("dasar-spbe").updated_at

    with WriteCounter() as writes:
        results = import_path("courses")
        db.session.commit()
    assert [(r.slug, r.status, r.changes) for r in results] == [("dasar-spbe", STATUS_UNCHANGED, [])]
    assert writes.statements == []
    assert course_by_slug("dasar-spbe").updated_at == before


def test_update_changes_values_in_place_and_keeps_ids_and_publication(app, workdir):
    path = add_course("dasar-spbe")
    import_course_dir(path)
    course = course_by_slug("dasar-spbe")
    course.is_published = False  # an admin unpublished it; the import must not undo that
    db.session.commit()
    before = course.updated_at
    ids = {"course": course.id, "lessons": [lesson.id for m in course.modules for lesson in m.lessons],
           "questions": [q.id for q in course.modules[0].quiz.questions],
           "choices": [c.id for c in course.modules[0].quiz.questions[1].choices]}

    edit(path / "course.yaml", 'title: "Dasar-Dasar SPBE"', 'title: "Dasar-Dasar SPBE (Edisi 2)"')
    edit(path / "course.yaml", "version: 1", "version: 2")
    edit(path / "01-pengenalan/01-apa-itu-spbe.md", "(Perpres 95/2018).", "(Perpres 95/2018, Pasal 1).")
    edit(path / "01-pengenalan/quiz.yaml", "points: 2\n", "points: 2.5\n")
    edit(path / "01-pengenalan/quiz.yaml", '- text: "Keamanan"', '- text: "Keamanan informasi"')
    result = import_course_dir(path)
    db.session.commit()

    assert result.status == STATUS_UPDATED
    assert set(result.changes) == {"kursus: judul", "kursus: versi", "pelajaran pengenalan-spbe/apa-itu-spbe: isi",
                                   "pertanyaan pengenalan-spbe/q2: poin",
                                   "pertanyaan pengenalan-spbe/q2, pilihan ke-2: teks"}
    course = course_by_slug("dasar-spbe")
    assert (course.title, course.version, course.is_published) == ("Dasar-Dasar SPBE (Edisi 2)", 2, False)
    assert course.updated_at > before
    lesson = course.modules[0].lessons[0]
    assert lesson.body_md.endswith("(Perpres 95/2018, Pasal 1).\n")
    q2 = course.modules[0].quiz.questions[1]
    assert q2.points == Decimal("2.5")
    assert [c.text for c in q2.choices] == ["Interoperabilitas", "Keamanan informasi", "Sentralisasi"]
    assert course.id == ids["course"]
    assert [lesson.id for m in course.modules for lesson in m.lessons] == ids["lessons"]
    assert [q.id for q in course.modules[0].quiz.questions] == ids["questions"]
    assert [c.id for c in q2.choices] == ids["choices"]


def test_a_change_in_a_lesson_only_still_moves_course_updated_at(app, workdir):
    path = add_course("etika-digital")
    import_course_dir(path)
    db.session.commit()
    before = course_by_slug("etika-digital").updated_at
    edit(path / "materi/pelajaran.md", "Pikirkan dulu", "Pikirkan baik-baik")
    result = import_course_dir(path)
    db.session.commit()
    assert (result.status, result.changes) == (STATUS_UPDATED, ["pelajaran bermedia-sosial/etika-bermedia-sosial: isi"])
    assert course_by_slug("etika-digital").updated_at > before


def test_rows_gone_from_the_files_are_removed_with_learner_data_on_them(app, workdir, make_user):
    path = add_course("dasar-spbe")
    import_course_dir(path)
    db.session.commit()
    course = course_by_slug("dasar-spbe")
    removed_lesson = course.modules[0].lessons[0]
    quiz = course.modules[0].quiz
    q1 = quiz.questions[0]
    enrolment = Enrolment(user=make_user(), course=course)
    attempt = QuizAttempt(enrolment=enrolment, quiz=quiz, number=1, score=Decimal(1), max_score=Decimal("3.1"),
                          percent=Decimal("32.25"), passed=False)
    attempt.answers.append(AttemptAnswer(question_id=q1.id, selected=str(q1.choices[0].id),
                                         points_awarded=Decimal(1), is_correct=True))
    db.session.add_all([enrolment, attempt])
    db.session.flush()
    db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_id=removed_lesson.id))
    db.session.commit()

    course_yaml = (path / "course.yaml").read_text(encoding="utf-8")
    course_yaml = course_yaml.replace("""      - file: 01-pengenalan/01-apa-itu-spbe.md
        title: "Apa Itu SPBE"
        minutes: 20
""", "").replace("    quiz: 02-evaluasi/quiz.yaml\n", "")
    (path / "course.yaml").write_text(course_yaml, encoding="utf-8")
    quiz_yaml = (path / "01-pengenalan/quiz.yaml").read_text(encoding="utf-8")
    start, end = quiz_yaml.index("  - key: q1"), quiz_yaml.index("  - key: q2")
    (path / "01-pengenalan/quiz.yaml").write_text(quiz_yaml[:start] + quiz_yaml[end:], encoding="utf-8")
    edit(path / "01-pengenalan/quiz.yaml", '      - text: "Keamanan"\n        correct: true\n', "")

    result = import_course_dir(path)
    db.session.commit()
    assert result.status == STATUS_UPDATED
    assert {"pelajaran dihapus: pengenalan-spbe/apa-itu-spbe", "kuis dihapus: evaluasi-spbe",
            "pertanyaan dihapus: pengenalan-spbe/q1"} <= set(result.changes)
    course = course_by_slug("dasar-spbe")
    assert [(lesson.slug, lesson.position) for lesson in course.modules[0].lessons] == [("prinsip-spbe", 0)]
    assert course.modules[1].quiz is None
    assert [(q.key, q.position) for q in course.modules[0].quiz.questions] == [("q2", 0), ("q3", 1)]
    # Choices match by position: the second takes the third's text, the third is deleted.
    assert [(c.text, c.is_correct) for c in course.modules[0].quiz.questions[0].choices] == [
        ("Interoperabilitas", True), ("Sentralisasi", False)]
    assert count(Lesson) == 2 and count(Quiz) == 1 and count(Question) == 2 and count(Choice) == 4
    assert count(LessonProgress) == 0 and count(AttemptAnswer) == 0
    assert count(QuizAttempt) == 1  # the attempt itself stays on the remaining quiz


def test_courses_not_in_the_folder_are_left_alone(app, workdir, make_course):
    other = make_course(slug="kursus-lama")
    add_course("etika-digital")
    results = import_path("courses")
    db.session.commit()
    assert [r.status for r in results] == [STATUS_CREATED]
    assert course_by_slug("kursus-lama").id == other.id and count(Module) == 2 + 1


# ---------------------------------------------------------------------------
# Refusing bad files

# (id, file to edit, old text, new text | None to delete the file | function of the whole text,
#  file named in the problem, line: number | needle | (anchor, first needle after it), expected message)
BAD_CASES = [
    ("syntax-error", "course.yaml", 'title: "Dasar-Dasar SPBE"', "title: Dasar: SPBE", "course.yaml",
     "title: Dasar: SPBE", "sintaks YAML tidak sah: tanda ':' tidak boleh di sini"),
    ("missing-key", "course.yaml", '        title: "Tujuh Prinsip SPBE"\n', "", "course.yaml",
     "- file: 01-pengenalan/02-prinsip-spbe.md",
     "modul pengenalan-spbe, pelajaran ke-2: kunci wajib 'title' tidak ada"),
    ("unknown-key", "01-pengenalan/quiz.yaml", "pass_mark: 80", "pasmark: 80", "01-pengenalan/quiz.yaml",
     "pasmark: 80", "kuis: kunci tidak dikenal 'pasmark' (maksud Anda 'pass_mark'?)"),
    ("unknown-course-key", "course.yaml", "version: 1", "version: 1\nversi: 2", "course.yaml",
     "versi: 2", "kursus: kunci tidak dikenal 'versi' (maksud Anda 'version'?)"),
    ("doubled-key", "course.yaml", "version: 1", "version: 1\nversion: 2", "course.yaml",
     "version: 2", "kursus: kunci 'version' ditulis dua kali"),
    ("single-two-correct", "01-pengenalan/quiz.yaml", '      - text: "Perpres 39/2019"\n',
     '      - text: "Perpres 39/2019"\n        correct: true\n', "01-pengenalan/quiz.yaml", ("key: q1", "choices:"),
     "pertanyaan q1 bertipe single harus punya tepat satu pilihan benar (ada 2)"),
    ("multiple-all-correct", "01-pengenalan/quiz.yaml", '      - text: "Sentralisasi"\n',
     '      - text: "Sentralisasi"\n        correct: yes\n', "01-pengenalan/quiz.yaml", ("key: q2", "choices:"),
     "pertanyaan q2 bertipe multiple harus punya paling sedikit satu pilihan benar dan satu pilihan salah"),
    ("one-choice", "02-evaluasi/quiz.yaml", "",
     lambda text: text.replace('      - text: "35"\n', "").replace('      - text: "20"\n', ""),
     "02-evaluasi/quiz.yaml", "choices:",
     "pertanyaan indikator harus punya paling sedikit 2 pilihan"),
    ("correct-not-bool", "02-evaluasi/quiz.yaml", "correct: true", "correct: benar", "02-evaluasi/quiz.yaml",
     "correct: benar", "pertanyaan indikator, pilihan ke-2: 'correct' harus true atau false"),
    ("unknown-type", "02-evaluasi/quiz.yaml", "type: single", "type: tunggal", "02-evaluasi/quiz.yaml",
     "type: tunggal", "pertanyaan indikator: type 'tunggal' tidak dikenal"),
    ("points-zero", "01-pengenalan/quiz.yaml", "points: 0.1", "points: 0", "01-pengenalan/quiz.yaml",
     "points: 0", "pertanyaan q3: 'points' harus lebih dari 0"),
    ("points-three-places", "01-pengenalan/quiz.yaml", "points: 0.1", "points: 0.125", "01-pengenalan/quiz.yaml",
     "points: 0.125", "pertanyaan q3: 'points' paling banyak 2 angka di belakang titik desimal"),
    ("duplicate-question-key", "01-pengenalan/quiz.yaml", "key: q3", "key: q1", "01-pengenalan/quiz.yaml",
     ("key: q2", "key: q1"), "key 'q1' sudah dipakai di baris 4; harus unik dalam kuis"),
    ("missing-lesson-file", "01-pengenalan/02-prinsip-spbe.md", "", None, "course.yaml",
     "file: 01-pengenalan/02-prinsip-spbe.md", "file pelajaran tidak ditemukan: 01-pengenalan/02-prinsip-spbe.md"),
    ("missing-quiz-file", "02-evaluasi/quiz.yaml", "", None, "course.yaml",
     "quiz: 02-evaluasi/quiz.yaml", "modul evaluasi-spbe: file kuis tidak ditemukan: 02-evaluasi/quiz.yaml"),
    ("path-escapes", "course.yaml", "file: 01-pengenalan/01-apa-itu-spbe.md",
     "file: ../etika-digital/materi/pelajaran.md", "course.yaml", "file: ../etika-digital",
     "path '../etika-digital/materi/pelajaran.md' tidak boleh keluar dari folder kursus"),
    ("absolute-path", "course.yaml", "file: 01-pengenalan/01-apa-itu-spbe.md", "file: /etc/passwd.md",
     "course.yaml", "file: /etc/passwd.md", "path '/etc/passwd.md' harus relatif terhadap folder kursus"),
    ("bad-module-slug", "course.yaml", "slug: evaluasi-spbe", "slug: Evaluasi_SPBE", "course.yaml",
     "slug: Evaluasi_SPBE", "modul ke-2: slug 'Evaluasi_SPBE' tidak sah"),
    ("bad-course-slug", "course.yaml", "slug: dasar-spbe", "slug: dasar--spbe", "course.yaml",
     "slug: dasar--spbe", "kursus: slug 'dasar--spbe' tidak sah"),
    ("duplicate-module-slug", "course.yaml", "slug: evaluasi-spbe", "slug: pengenalan-spbe", "course.yaml",
     ("minutes: 25", "slug: pengenalan-spbe"),
     "modul pengenalan-spbe: slug modul sudah dipakai di baris 11; harus unik dalam kursus"),
    ("duplicate-lesson-slug", "course.yaml", '        title: "Tujuh Prinsip SPBE"',
     '        slug: apa-itu-spbe\n        title: "Tujuh Prinsip SPBE"', "course.yaml", "slug: apa-itu-spbe",
     "slug pelajaran 'apa-itu-spbe' sudah dipakai di baris 15; harus unik dalam modul"),
    ("jp-not-a-number", "course.yaml", "jp: 7.5", "jp: abc", "course.yaml", "jp: abc",
     "kursus: 'jp' harus berupa angka desimal dengan titik, mis. 20 atau 7.5 (tertulis: 'abc')"),
    ("jp-comma", "course.yaml", "jp: 7.5", "jp: 7,5", "course.yaml", "jp: 7,5", "'jp' harus berupa angka desimal"),
    ("jp-negative", "course.yaml", "jp: 7.5", "jp: -1", "course.yaml", "jp: -1", "kursus: 'jp' harus angka >= 0"),
    ("jp-three-places", "course.yaml", "jp: 7.5", "jp: 7.555", "course.yaml", "jp: 7.555",
     "kursus: 'jp' paling banyak 2 angka di belakang titik desimal (tertulis: 7.555)"),
    ("jp-empty", "course.yaml", "jp: 7.5", "jp:", "course.yaml", "jp:", "kursus: 'jp' wajib diisi"),
    ("pass-mark-0", "course.yaml", "pass_mark: 70", "pass_mark: 0", "course.yaml", "pass_mark: 0",
     "kursus: 'pass_mark' harus lebih dari 0 dan paling besar 100 (persen) (tertulis: 0)"),
    ("pass-mark-101", "course.yaml", "pass_mark: 70", "pass_mark: 101", "course.yaml", "pass_mark: 101",
     "kursus: 'pass_mark' harus lebih dari 0 dan paling besar 100 (persen) (tertulis: 101)"),
    ("quiz-pass-mark-three-places", "01-pengenalan/quiz.yaml", "pass_mark: 80", "pass_mark: 80.001",
     "01-pengenalan/quiz.yaml", "pass_mark: 80.001", "kuis: 'pass_mark' paling banyak 2 angka"),
    ("version-zero", "course.yaml", "version: 1", "version: 0", "course.yaml", "version: 0",
     "kursus: 'version' harus bilangan bulat paling kecil 1"),
    ("version-decimal", "course.yaml", "version: 1", "version: 1.5", "course.yaml", "version: 1.5",
     "kursus: 'version' harus berupa bilangan bulat"),
    ("minutes-text", "course.yaml", "minutes: 25", "minutes: setengah jam", "course.yaml", "minutes: setengah jam",
     "pelajaran ke-2: 'minutes' harus berupa bilangan bulat"),
    ("no-modules", "course.yaml", "modules:", lambda text: text[:text.index("modules:")] + "modules: []\n",
     "course.yaml", "modules: []",
     "kursus: 'modules' harus berisi paling sedikit satu modul"),
    ("empty-lesson", "02-evaluasi/01-indeks-spbe.md", "", lambda text: "  \n\n", "02-evaluasi/01-indeks-spbe.md", 1,
     "file pelajaran kosong"),
    ("title-too-long", "course.yaml", 'title: "Evaluasi SPBE"', "title: " + "x" * 201, "course.yaml", "x" * 201,
     "modul evaluasi-spbe: 'title' terlalu panjang (201 karakter; paling banyak 200)"),
    ("missing-key-named-by-slug", "course.yaml", '    title: "Evaluasi SPBE"\n', "", "course.yaml",
     "slug: evaluasi-spbe", "modul evaluasi-spbe: kunci wajib 'title' tidak ada"),
    ("choice-not-a-mapping", "01-pengenalan/quiz.yaml", '      - text: "Sentralisasi"', '      - "Sentralisasi"',
     "01-pengenalan/quiz.yaml", '- "Sentralisasi"', "pertanyaan q2, pilihan ke-3 harus berupa pemetaan"),
    ("tab-indent", "course.yaml", "  - slug: evaluasi-spbe", "\t- slug: evaluasi-spbe", "course.yaml",
     "- slug: evaluasi-spbe", "karakter tab tidak boleh dipakai"),
    ("lesson-not-markdown", "course.yaml", "file: 02-evaluasi/01-indeks-spbe.md", "file: 02-evaluasi/quiz.yaml",
     "course.yaml", "file: 02-evaluasi/quiz.yaml", "file pelajaran '02-evaluasi/quiz.yaml' harus berakhiran .md"),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_a_bad_file_is_refused_with_file_line_and_reason(workdir, case):
    # Validation only (load_course): import_course_dir runs the same check before any write,
    # which the database-backed tests below show.
    _, target, old, new, problem_file, line_spec, message = case
    add_course("etika-digital")
    path = add_course("dasar-spbe")
    if new is None:
        (path / target).unlink()
    elif callable(new):
        (path / target).write_text(new((path / target).read_text(encoding="utf-8")), encoding="utf-8")
    else:
        edit(path / target, old, new)
    if isinstance(line_spec, int):
        line = line_spec
    elif isinstance(line_spec, tuple):
        line = line_of(path / problem_file, line_spec[1], after=line_spec[0])
    else:
        line = line_of(path / problem_file, line_spec)

    problems = problems_of(path, importing=False)
    assert len(problems) == 1, "\n".join(map(str, problems))
    problem = problems[0]
    assert (problem.file, problem.line) == (f"courses/dasar-spbe/{problem_file}", line), str(problem)
    assert message in problem.message, str(problem)
    assert str(problem).startswith(f"courses/dasar-spbe/{problem_file}:{line}: ")


def test_lesson_that_is_not_utf8_is_refused_at_the_line_of_the_bad_byte(workdir):
    path = add_course("dasar-spbe")
    (path / "01-pengenalan/02-prinsip-spbe.md").write_bytes("Prinsip SPBE:\n\n1. efektivitas\n".encode("utf-8")
                                                           + "2. keterpaduan – ok\n".encode("cp1252"))
    problems = problems_of(path, importing=False)
    assert [(p.file, p.line) for p in problems] == [("courses/dasar-spbe/01-pengenalan/02-prinsip-spbe.md", 4)]
    assert "bukan teks UTF-8" in problems[0].message


def test_every_problem_of_a_course_is_reported_not_only_the_first(app, workdir):
    path = add_course("banyak-kesalahan", group="invalid")
    problems = problems_of(path)
    course_yaml = "courses/banyak-kesalahan/course.yaml"
    assert [str(p) for p in problems] == [
        f"{course_yaml}:1: kursus: kunci wajib 'pass_mark' tidak ada",
        f"{course_yaml}:3: kursus: 'jp' harus berupa angka desimal dengan titik, mis. 20 atau 7.5 (tertulis: 'abc')",
        f"{course_yaml}:4: kursus: kunci tidak dikenal 'pasmark' (maksud Anda 'pass_mark'?)",
        f"{course_yaml}:7: modul ke-1: slug 'Modul_Satu' tidak sah; gunakan huruf kecil a-z, angka 0-9 dan tanda '-' "
        "di antara kata (mis. spbe-dasar)",
        f"{course_yaml}:12: modul Modul_Satu, pelajaran ke-2: file pelajaran tidak ditemukan: 01-modul/02-tidak-ada.md",
        "courses/banyak-kesalahan/01-modul/quiz.yaml:13: pertanyaan q3 bertipe single harus punya tepat satu pilihan "
        "benar (ada 2)",
    ]
    assert count(Course) == 0 and count(Module) == 0


def test_a_bad_course_writes_nothing_while_good_siblings_import(app, workdir):
    add_course("dasar-spbe")
    add_course("banyak-kesalahan", group="invalid")
    add_course("etika-digital")
    results = import_path("courses")
    db.session.commit()
    assert [(r.label, r.status) for r in results] == [
        ("courses/banyak-kesalahan", STATUS_FAILED), ("dasar-spbe", STATUS_CREATED), ("etika-digital", STATUS_CREATED)]
    assert len(results[0].problems) == 6 and results[1].problems == []
    assert set(db.session.scalars(select(Course.slug))) == {"dasar-spbe", "etika-digital"}
    assert count(Lesson) == 4  # 3 + 1: nothing of banyak-kesalahan


def test_a_failed_update_leaves_the_stored_course_as_it_was(app, workdir):
    path = add_course("dasar-spbe")
    import_course_dir(path)
    db.session.commit()
    edit(path / "course.yaml", 'title: "Dasar-Dasar SPBE"', 'title: "Judul Baru"')
    edit(path / "02-evaluasi/quiz.yaml", "type: single", "type: multiple")  # 1 correct of 3 is fine…
    edit(path / "02-evaluasi/quiz.yaml", '      - text: "35"\n', '      - text: "35"\n        correct: true\n')
    edit(path / "02-evaluasi/quiz.yaml", '      - text: "20"\n', '      - text: "20"\n        correct: true\n')
    results = import_path("courses")
    db.session.commit()
    assert [r.status for r in results] == [STATUS_FAILED]
    assert "bertipe multiple" in results[0].problems[0].message
    assert course_by_slug("dasar-spbe").title == "Dasar-Dasar SPBE"


def test_two_folders_with_one_course_slug_refuse_the_second(app, workdir):
    add_course("dasar-spbe")
    add_course("dasar-spbe", as_name="salinan-spbe")
    results = import_path("courses")
    assert [(r.path, r.status) for r in results] == [("courses/dasar-spbe", STATUS_CREATED),
                                                     ("courses/salinan-spbe", STATUS_FAILED)]
    assert str(results[1].problems[0]) == (
        "courses/salinan-spbe/course.yaml:2: slug kursus 'dasar-spbe' sudah dipakai oleh "
        "courses/dasar-spbe/course.yaml:2")


# ---------------------------------------------------------------------------
# Command line


def test_cli_imports_reports_each_course_and_fails_on_a_bad_one(app, workdir):
    add_course("dasar-spbe")
    add_course("banyak-kesalahan", group="invalid")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["courses", "import", "courses/"])
    assert result.exit_code == 1
    assert "dasar-spbe: dibuat (versi 1; 2 modul, 3 pelajaran, 2 kuis, 4 pertanyaan)" in result.stdout
    assert "courses/banyak-kesalahan: gagal (6 kesalahan)" in result.stdout
    assert "Ringkasan: 1 dibuat, 0 diperbarui, 0 tidak berubah, 1 gagal" in result.stdout
    assert ("courses/banyak-kesalahan/01-modul/quiz.yaml:13: pertanyaan q3 bertipe single harus punya tepat satu "
            "pilihan benar") in result.stderr
    assert "courses/banyak-kesalahan/course.yaml:4: kursus: kunci tidak dikenal 'pasmark'" in result.stderr
    db.session.rollback()
    assert set(db.session.scalars(select(Course.slug))) == {"dasar-spbe"}  # committed by the command

    shutil.rmtree("courses/banyak-kesalahan")
    result = runner.invoke(args=["courses", "import", "courses"])
    assert result.exit_code == 0, result.output
    assert "dasar-spbe: tidak berubah" in result.stdout and result.stderr == ""

    edit(SPBE / "course.yaml", "version: 1", "version: 2")
    result = runner.invoke(args=["courses", "import", "courses/dasar-spbe"])
    assert result.exit_code == 0
    assert "dasar-spbe: diperbarui (versi 2;" in result.stdout and "  - kursus: versi" in result.stdout


def test_cli_refuses_a_path_without_courses(app, workdir):
    result = app.test_cli_runner().invoke(args=["courses", "import", "tidak-ada"])
    assert result.exit_code == 1
    assert "tidak-ada: folder tidak ditemukan" in result.stderr


# ---------------------------------------------------------------------------
# The real courses of the repository


def test_the_courses_folder_of_the_repository_imports_cleanly(app, repo_root):
    courses = repo_root / "courses"
    if not any((d / "course.yaml").is_file() for d in courses.iterdir() if d.is_dir()):
        pytest.skip("courses/ has no course folder (with course.yaml) yet")
    results = import_path(courses)
    problems = [str(p) for r in results for p in r.problems]
    assert problems == []
    assert all(r.status == STATUS_CREATED for r in results)
    db.session.commit()
    assert [r.status for r in import_path(courses)] == [STATUS_UNCHANGED] * len(results)
