"""``flask courses import`` keeps changes made in the browser and records itself in the course history.

The bug: ``make run``/``make setup`` run ``flask courses import courses/`` every time, and the import
overwrote every course with its files -- a module added in the browser (with its quiz, questions and
a learner's open attempt) was deleted, a removed attachment came back, the pass mark and titles were
reverted -- and nothing of it appeared in the course's *Riwayat perubahan*.

Fixture course: tests/data/courses/valid/dasar-spbe, copied into ``<tmp>/courses/`` (one lesson gets a
PDF attachment), commands run from ``<tmp>`` like an operator would.
"""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.admin.models import AuditEvent
from app.assessment.models import Question, QuizAttempt
from app.assessment.services import start_attempt
from app.authoring import services
from app.catalog.importer import (IMPORT_ACTION, STATUS_CREATED, STATUS_SKIPPED, STATUS_UNCHANGED, STATUS_UPDATED,
                                  import_course_dir)
from app.catalog.models import Attachment, Course, CourseTrainer, Lesson, Module
from app.extensions import db
from app.learning.models import Enrolment

DATA = Path(__file__).resolve().parent / "data" / "courses" / "valid"
SPBE = Path("courses/dasar-spbe")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OVERWRITE_HINT = "Untuk menimpanya dengan isi berkas: flask courses import courses/dasar-spbe --timpa"


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    """``<tmp>`` as the working directory with ``courses/dasar-spbe`` (its first lesson has a PDF attachment)."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(DATA / "dasar-spbe", SPBE)
    (SPBE / "01-pengenalan/perpres.pdf").write_bytes(PDF_BYTES)
    edit(SPBE / "course.yaml", '        title: "Apa Itu SPBE"\n        minutes: 20\n',
         '        title: "Apa Itu SPBE"\n        minutes: 20\n        attachments:\n'
         '          - file: 01-pengenalan/perpres.pdf\n            title: "Perpres 95/2018"\n')
    return tmp_path


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def run_import(runner, *extra: str, expect_exit: int = 0):
    result = runner.invoke(args=["courses", "import", "courses/", *extra])
    assert result.exit_code == expect_exit, result.output
    db.session.rollback()  # see what the command committed
    db.session.expire_all()
    return result


def course_by_slug(slug: str = "dasar-spbe") -> Course:
    db.session.expire_all()
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def import_events(course_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.target_type == "course", AuditEvent.target_id == str(course_id),
        AuditEvent.action == IMPORT_ACTION).order_by(AuditEvent.id)))


def state(course: Course) -> dict:
    """What the import would overwrite, plus the learner's attempt on the browser-made quiz."""
    return {
        "title": course.title, "pass_mark": course.pass_mark,
        "modules": [(m.slug, m.title) for m in sorted(course.modules, key=lambda m: m.position)],
        "lessons": sorted((m.slug, lesson.slug, lesson.title) for m in course.modules for lesson in m.lessons),
        "attachments": sorted(a.title for m in course.modules for lesson in m.lessons for a in lesson.attachments),
        "questions": sorted((m.slug, q.key) for m in course.modules if m.quiz for q in m.quiz.questions),
        "attempts": db.session.scalar(select(func.count()).select_from(QuizAttempt)),
    }


def stored_files(app) -> set[str]:
    folder = Path(app.config["LENTERA_DATA_DIR"]) / "attachments"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def trainer_of(course: Course, make_user):
    trainer = make_user("trainer", full_name="Budi Pengajar", email="budi@example.go.id")
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    return trainer


def edit_in_browser(client, trainer, course: Course, make_user) -> None:
    """The retest's edits, through the authoring pages (the question through its service, as the form does)."""
    base = f"/pengajar/susun/{course.id}"
    ok = client.post(base, data={"title": "SPBE untuk Pimpinan", "summary": "Ringkasan baru", "audience": "Pimpinan",
                                 "jp": "7.5", "pass_mark": "80", "version": "1", "enrolment_mode": "open"})
    assert ok.status_code == 302
    assert client.post(f"{base}/modul/baru", data={"title": "Studi Kasus Daerah"}).status_code == 302
    module = db.session.scalar(select(Module).where(Module.course_id == course.id, Module.slug == "studi-kasus-daerah"))
    assert client.post(f"{base}/modul/{module.id}/pelajaran/baru", data={
        "title": "Kasus Kaltim", "body_md": "Isi", "is_required": "y", "action": "save"}).status_code == 302
    assert client.post(f"{base}/modul/{module.id}/kuis", data={"title": "Kuis Kasus"}).status_code == 302
    db.session.expire_all()
    module = db.session.get(Module, module.id)
    services.add_question(trainer, module.quiz, services.QuestionData(
        type="single", text="Siapa koordinator SPBE daerah?", explanation="", points=Decimal(1),
        choices=[services.ChoiceData("Sekda", True), services.ChoiceData("Camat", False)]))
    db.session.commit()
    first = next(m for m in course.modules if m.slug == "pengenalan-spbe")
    assert client.post(f"{base}/modul/{first.id}/pelajaran/baru", data={
        "title": "Catatan Pengajar", "body_md": "Tambahan", "is_required": "y", "action": "save"}).status_code == 302
    attachment = db.session.scalar(select(Attachment))
    assert client.post(f"{base}/lampiran/{attachment.id}/hapus").status_code == 302
    # A learner has an open attempt at the quiz made in the browser.
    learner = make_user()
    enrolment = Enrolment(user=learner, course=db.session.get(Course, course.id))
    db.session.add(enrolment)
    db.session.flush()
    start_attempt(enrolment, db.session.get(Module, module.id).quiz)
    db.session.commit()


def test_an_import_after_browser_edits_skips_the_course_says_how_to_overwrite_and_exits_0(
        app, workdir, runner, client, login, make_user):
    created = run_import(runner)
    assert "dasar-spbe: dibuat" in created.stdout
    course = course_by_slug()
    trainer = trainer_of(course, make_user)
    login(trainer)
    edit_in_browser(client, trainer, course, make_user)
    before, files_before = state(course_by_slug()), stored_files(app)
    assert before["modules"][-1] == ("studi-kasus-daerah", "Studi Kasus Daerah") and before["attempts"] == 1
    assert before["attachments"] == [] and before["pass_mark"] == Decimal("80")

    result = run_import(runner)  # what `make run` does
    assert result.exit_code == 0
    assert "dasar-spbe: dilewati -- kursus diubah di peramban sejak impor terakhir (" in result.stdout
    assert "oleh budi@example.go.id" in result.stdout
    assert OVERWRITE_HINT in result.stdout
    assert "  - modul dihapus: studi-kasus-daerah" in result.stdout  # what it would have done
    assert "Ringkasan: 0 dibuat, 0 diperbarui, 0 tidak berubah, 0 gagal, 1 dilewati" in result.stdout
    assert state(course_by_slug()) == before
    assert stored_files(app) == files_before  # the attachment copied for the rolled-back import is gone again
    assert len(import_events(course.id)) == 1

    # Files changed as well: still skipped, still nothing written.
    edit(SPBE / "course.yaml", "version: 1", "version: 2")
    assert "dasar-spbe: dilewati" in run_import(runner).stdout
    assert state(course_by_slug()) == before and course_by_slug().version == 1


def test_timpa_overwrites_a_browser_edited_course_and_records_it(app, workdir, runner, client, login, make_user):
    run_import(runner)
    course = course_by_slug()
    trainer = trainer_of(course, make_user)
    login(trainer)
    edit_in_browser(client, trainer, course, make_user)

    result = run_import(runner, "--timpa")
    assert "dasar-spbe: diperbarui" in result.stdout and "  - modul dihapus: studi-kasus-daerah" in result.stdout
    after = state(course_by_slug())
    assert after == {
        "title": "Dasar-Dasar SPBE", "pass_mark": Decimal("70"),
        "modules": [("pengenalan-spbe", "Pengenalan SPBE"), ("evaluasi-spbe", "Evaluasi SPBE")],
        "lessons": [("evaluasi-spbe", "indeks-spbe", "Indeks dan Predikat SPBE"),
                    ("pengenalan-spbe", "apa-itu-spbe", "Apa Itu SPBE"),
                    ("pengenalan-spbe", "prinsip-spbe", "Tujuh Prinsip SPBE")],
        "attachments": ["Perpres 95/2018"],
        "questions": [("evaluasi-spbe", "indikator"), ("pengenalan-spbe", "q1"), ("pengenalan-spbe", "q2"),
                      ("pengenalan-spbe", "q3")],
        "attempts": 0,
    }
    first, second = import_events(course.id)
    detail = json.loads(second.detail)
    assert second.actor_id is None and first.id < second.id
    assert (detail["source"], detail["status"], detail["overwrote"]["actor"]) == (
        "dasar-spbe", STATUS_UPDATED, "budi@example.go.id")
    assert "modul dihapus: studi-kasus-daerah" in detail["changes"]
    assert "menimpa perubahan di peramban" in detail["summary"]
    page = client.get(f"/pengajar/susun/{course.id}/riwayat").get_data(as_text=True)
    assert page.count("Kursus diimpor dari berkas") == 2 and "menimpa perubahan di peramban" in page

    # Overwritten and recorded: the next plain import has nothing to do and is not skipped.
    again = run_import(runner)
    assert "dasar-spbe: tidak berubah" in again.stdout and len(import_events(course.id)) == 2


def test_importing_a_new_course_records_an_event_shown_in_the_history(app, workdir, runner, client, login,
                                                                    make_user):
    run_import(runner)
    course = course_by_slug()
    [event] = import_events(course.id)
    detail = json.loads(event.detail)
    assert event.actor_id is None
    assert (detail["source"], detail["status"], detail["version"]) == ("dasar-spbe", STATUS_CREATED, 1)
    assert detail["summary"] == ("folder dasar-spbe: kursus baru versi 1; 2 modul, 3 pelajaran, 2 kuis, "
                                 "4 pertanyaan")
    login(make_user("admin"))
    page = client.get(f"/pengajar/susun/{course.id}/riwayat").get_data(as_text=True)
    assert "Kursus diimpor dari berkas" in page and "baris perintah" in page and detail["summary"] in page
    client.set_cookie("lentera_bahasa", "en")
    assert "Course imported from files" in client.get(f"/pengajar/susun/{course.id}/riwayat").get_data(as_text=True)


def test_a_second_import_without_changes_records_nothing(app, workdir, runner):
    run_import(runner)
    course = course_by_slug()
    updated_at = course.updated_at
    result = run_import(runner)
    assert "dasar-spbe: tidak berubah" in result.stdout
    assert "Ringkasan: 0 dibuat, 0 diperbarui, 1 tidak berubah, 0 gagal\n" in result.stdout
    assert len(import_events(course.id)) == 1 and course_by_slug().updated_at == updated_at


def test_a_file_change_after_an_import_is_applied_and_recorded(app, workdir, runner):
    run_import(runner)
    course = course_by_slug()
    edit(SPBE / "course.yaml", 'title: "Dasar-Dasar SPBE"', 'title: "Dasar-Dasar SPBE (Edisi 2)"')
    edit(SPBE / "course.yaml", "version: 1", "version: 2")
    result = run_import(runner)
    assert "dasar-spbe: diperbarui (versi 2;" in result.stdout
    assert (course_by_slug().title, course_by_slug().version) == ("Dasar-Dasar SPBE (Edisi 2)", 2)
    first, second = import_events(course.id)
    detail = json.loads(second.detail)
    assert (detail["status"], detail["change_count"], sorted(detail["changes"])) == (
        STATUS_UPDATED, 2, ["kursus: judul", "kursus: versi"])
    assert detail["summary"] == "folder dasar-spbe: 2 perubahan, versi 2" and "overwrote" not in detail


def test_publishing_or_co_owners_in_the_browser_do_not_stop_the_next_import(
        app, workdir, runner, client, login, make_user):
    # Import never writes publication or trainers, so changing them is not an edit it could overwrite.
    run_import(runner)
    course = course_by_slug()
    trainer = trainer_of(course, make_user)
    make_user("trainer", email="rekan@example.go.id")
    login(trainer)
    assert client.post(f"/pengajar/susun/{course.id}/terbit", data={"publish": "0"}).status_code == 302
    response = client.post(f"/pengajar/susun/{course.id}/pengajar", data={"email": "rekan@example.go.id"})
    assert response.status_code == 302
    edit(SPBE / "course.yaml", "version: 1", "version: 2")
    assert "dasar-spbe: diperbarui" in run_import(runner).stdout
    course = course_by_slug()
    assert (course.version, course.is_published) == (2, False)


def test_a_course_created_in_the_browser_with_a_folders_slug_is_not_overwritten(
        app, workdir, runner, client, login, make_user):
    login(make_user("admin"))
    response = client.post("/pengajar/susun/baru", data={"title": "SPBE Versi Peramban", "slug": "dasar-spbe",
                                                          "jp": "2", "pass_mark": "60", "version": "1",
                                                          "enrolment_mode": "open"})
    assert response.status_code == 302
    result = run_import(runner)
    assert "dasar-spbe: dilewati" in result.stdout and "course.create" in result.stdout
    assert OVERWRITE_HINT in result.stdout
    course = course_by_slug()
    assert (course.title, course.pass_mark, course.modules) == ("SPBE Versi Peramban", Decimal("60"), [])
    assert import_events(course.id) == []

    assert "dasar-spbe: diperbarui" in run_import(runner, "--timpa").stdout
    assert course_by_slug().title == "Dasar-Dasar SPBE" and len(import_events(course.id)) == 1


def test_a_course_imported_before_imports_were_recorded_is_still_updated(app, workdir, make_course):
    # No audit event at all: nothing says it was edited in the browser (older imports recorded nothing).
    course = make_course(slug="dasar-spbe", title="Judul Lama")
    result = import_course_dir(SPBE)
    db.session.commit()
    assert result.status == STATUS_UPDATED and course_by_slug().title == "Dasar-Dasar SPBE"
    assert len(import_events(course.id)) == 1


def test_a_browser_edit_undone_leaves_nothing_to_skip(app, workdir, client, login, make_user):
    import_course_dir(SPBE)
    db.session.commit()
    course = course_by_slug()
    login(make_user("admin"))
    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "prinsip-spbe"))
    url = f"/pengajar/susun/{course.id}/pelajaran/{lesson.id}"

    def retitle(title):
        data = {"title": title, "body_md": lesson.body_md, "minutes": "25", "is_required": "y", "action": "save"}
        assert client.post(url, data=data).status_code == 302
        db.session.expire_all()

    retitle("Prinsip SPBE")
    retitle("Tujuh Prinsip SPBE")
    result = import_course_dir(SPBE)
    db.session.commit()
    assert (result.status, result.changes, result.browser_change) == (STATUS_UNCHANGED, [], None)
    # Retest finding: the files agreed with the course, yet the next file change was skipped as if
    # browser edits were at stake. The agreement is recorded once, so the change is applied.
    agreed = json.loads(import_events(course.id)[-1].detail)
    assert agreed["status"] == STATUS_UNCHANGED and "sudah ada di berkas" in agreed["summary"]
    edit(SPBE / "course.yaml", "version: 1", "version: 2")
    assert import_course_dir(SPBE).status == STATUS_UPDATED
    db.session.commit()
    assert course_by_slug().version == 2

    # A real browser edit since: the API skips like the command, and overwrites only when asked.
    retitle("Prinsip-Prinsip SPBE")
    edit(SPBE / "course.yaml", "version: 2", "version: 3")
    skipped = import_course_dir(SPBE)
    db.session.commit()
    assert (skipped.status, skipped.browser_change.action) == (STATUS_SKIPPED, "lesson.update")
    assert "kursus: versi" in skipped.changes and course_by_slug().version == 2
    assert import_course_dir(SPBE, overwrite=True).status == STATUS_UPDATED
    db.session.commit()
    assert course_by_slug().version == 3
    assert db.session.scalar(select(func.count()).select_from(Question)) == 4
