"""Issuing, storing, downloading and verifying certificates (real database, real files)."""
from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update

from app.admin.models import AuditEvent
from app.assessment.models import QuizAttempt
from app.certificates import services, signing
from app.certificates.cli import certificates_cli
from app.certificates.models import Certificate, CertificateSequence
from app.common.formatting import format_date_id, to_local
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrolment
from tests.factories import make_completed_enrolment, make_opd

NOV_2026 = datetime(2026, 11, 15, 2, 0, tzinfo=timezone.utc)
THREADS = 8


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def cert_files(app) -> list[Path]:
    base = Path(app.config["LENTERA_DATA_DIR"]) / "certificates"
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def final_files(app) -> list[Path]:
    return [p for p in cert_files(app) if p.suffix == ".pdf"]


def tmp_files(app) -> list[Path]:
    return [p for p in cert_files(app) if p.name.endswith(".tmp")]


def completed_enrolment(make_user, course, when=NOV_2026, **user_fields) -> Enrolment:
    return make_completed_enrolment(make_user(**user_fields), course, when)


def small_course(make_course, **options):
    options.setdefault("modules", 1)
    options.setdefault("lessons_per_module", 1)
    options.setdefault("questions_per_quiz", 1)
    return make_course(**options)


def sequence_value(year: int) -> int | None:
    return db.session.scalar(select(CertificateSequence.last_value).where(CertificateSequence.year == year))


def passed_attempt(enrolment, quiz, points: Decimal) -> QuizAttempt:
    """A submitted, passed attempt (fields of the assessment engine set when present)."""
    fields = dict(enrolment_id=enrolment.id, quiz_id=quiz.id, number=1, score=points, max_score=points,
                  percent=Decimal(100), passed=True)
    if hasattr(QuizAttempt, "state"):
        fields.update(state="submitted", submitted_at=datetime.now(timezone.utc))
    return QuizAttempt(**fields)


def issue_and_commit(enrolment) -> Certificate:
    certificate = services.issue_certificate(enrolment)
    db.session.commit()
    return certificate


# --------------------------------------------------------------------------
# issuing
# --------------------------------------------------------------------------


def test_completion_through_lessons_and_quizzes_issues_the_certificate(app, make_user, make_course):
    opd = make_opd()
    user = make_user(full_name="Siti Nurhaliza", gelar_depan="Dr. dr. Hj.", gelar_belakang="M.Kes., Ph.D.",
                     nip="196608011988031001", opd_id=opd.id, email="siti@kaltimprov.go.id")
    course = make_course(title="Kepemimpinan Digital bagi Pejabat Administrator", jp=Decimal("19.5"))
    enrolment = learning.enrol(user, course)
    db.session.flush()
    for module in course.modules:
        for lesson in module.lessons:
            assert learning.mark_lesson_complete(enrolment, lesson)
    assert enrolment.completed_at is None  # quizzes still open
    for module in course.modules:
        db.session.add(passed_attempt(enrolment, module.quiz, Decimal(2)))
    db.session.flush()

    certificate = learning.evaluate_completion(enrolment)
    assert isinstance(certificate, Certificate)
    assert final_files(app) == []  # not before the commit
    db.session.commit()

    today = to_local(enrolment.completed_at, "Asia/Makassar").date()
    assert certificate.completed_on == today
    assert certificate.holder_name == "Dr. dr. Hj. Siti Nurhaliza, M.Kes., Ph.D."
    assert certificate.nip == "196608011988031001"
    assert certificate.jp == Decimal("19.5")
    assert len(certificate.code) == 32  # token_urlsafe(24): 192 bits
    assert certificate.file_name == f"certificates/{today.year}/{certificate.code}.pdf"

    path = Path(app.config["LENTERA_DATA_DIR"]) / certificate.file_name
    assert final_files(app) == [path] and tmp_files(app) == []
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == certificate.sha256
    text = pdf_text(data)
    assert "Dr. dr. Hj. Siti Nurhaliza, M.Kes., Ph.D." in text
    assert "NIP. 19660801 198803 1 001" in text
    assert "Kepemimpinan Digital bagi Pejabat Administrator" in text
    assert "dengan beban 19,5 JP" in text
    assert format_date_id(today) in text
    assert f"Nomor: {certificate.number}" in text
    assert f"https://lentera.example.go.id/verify/{certificate.code}" in text

    # evaluating again returns the same certificate
    assert learning.evaluate_completion(enrolment).id == certificate.id


def test_issue_requires_completion(app, make_user, make_course):
    enrolment = learning.enrol(make_user(), small_course(make_course))
    db.session.flush()
    with pytest.raises(ValueError):
        services.issue_certificate(enrolment)


def test_snapshot_number_and_idempotent_issue(app, make_user, make_course):
    course = small_course(make_course, title="Keamanan Siber Dasar", jp=Decimal("8"))
    enrolment = completed_enrolment(make_user, course, full_name="Budi Santoso", gelar_belakang="S.Kom.")
    certificate = issue_and_commit(enrolment)
    assert certificate.number == "0001/BPSDM-KT/XI/2026"
    assert (certificate.year, certificate.sequence) == (2026, 1)
    assert certificate.completed_on.isoformat() == "2026-11-15"
    path = Path(app.config["LENTERA_DATA_DIR"]) / certificate.file_name
    before = path.stat()

    # later edits of the profile and course do not change the issued certificate
    enrolment.user.full_name = "Budi Santoso Baru"
    course.title = "Judul Lain"
    db.session.commit()
    again = issue_and_commit(enrolment)
    assert again.id == certificate.id
    assert again.holder_name == "Budi Santoso, S.Kom." and again.course_title == "Keamanan Siber Dasar"
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert sequence_value(2026) == 1
    assert len(final_files(app)) == 1


def test_numbers_are_gapless_per_local_year(app, make_user, make_course):
    course = small_course(make_course)
    numbers = [issue_and_commit(completed_enrolment(make_user, course)).number for _ in range(3)]
    assert numbers == ["0001/BPSDM-KT/XI/2026", "0002/BPSDM-KT/XI/2026", "0003/BPSDM-KT/XI/2026"]
    # 16.30 UTC on 31 December is 00.30 WITA on 1 January: the next year's first number
    new_year = completed_enrolment(make_user, course, when=datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc))
    assert issue_and_commit(new_year).number == "0001/BPSDM-KT/I/2027"
    late_2026 = completed_enrolment(make_user, course, when=datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc))
    assert issue_and_commit(late_2026).number == "0004/BPSDM-KT/XII/2026"
    assert (sequence_value(2026), sequence_value(2027)) == (4, 1)


def test_number_pattern_comes_from_config(app, make_user, make_course):
    app.config["LENTERA_CERT_NUMBER_PATTERN"] = "800/{seq:03d}/LENTERA/{month:02d}/{year}"
    certificate = issue_and_commit(completed_enrolment(make_user, small_course(make_course)))
    assert certificate.number == "800/001/LENTERA/11/2026"


# --------------------------------------------------------------------------
# transactions and files
# --------------------------------------------------------------------------


def test_rollback_deletes_the_tmp_file_and_gives_the_number_back(app, make_user, make_course):
    enrolment = completed_enrolment(make_user, small_course(make_course))
    certificate = services.issue_certificate(enrolment)
    assert [p.name for p in tmp_files(app)] and final_files(app) == []
    assert tmp_files(app)[0].name.startswith(f"{certificate.code}.pdf.")
    db.session.rollback()
    assert cert_files(app) == []
    assert sequence_value(2026) is None
    assert issue_and_commit(enrolment).number == "0001/BPSDM-KT/XI/2026"
    assert len(final_files(app)) == 1 and tmp_files(app) == []


def test_files_follow_savepoints_and_session_close(app, make_user, make_course):
    enrolment = completed_enrolment(make_user, small_course(make_course))

    savepoint = db.session.begin_nested()
    services.issue_certificate(enrolment)
    assert len(tmp_files(app)) == 1
    savepoint.rollback()  # an enclosing savepoint rolled back: its file goes too
    assert cert_files(app) == []

    savepoint = db.session.begin_nested()
    certificate = services.issue_certificate(enrolment)
    savepoint.commit()  # released: the file now waits for the outer commit
    assert len(tmp_files(app)) == 1 and final_files(app) == []
    unrelated = db.session.begin_nested()  # an unrelated savepoint rolled back must not touch it
    db.session.execute(select(1))
    unrelated.rollback()
    assert len(tmp_files(app)) == 1
    db.session.commit()
    assert [p.name for p in cert_files(app)] == [f"{certificate.code}.pdf"]
    assert certificate.number == "0001/BPSDM-KT/XI/2026"

    # a session closed without committing (end of a failed request) leaves nothing behind
    other = completed_enrolment(make_user, enrolment.course)
    services.issue_certificate(other)
    assert len(tmp_files(app)) == 1
    db.session.remove()
    assert tmp_files(app) == [] and len(final_files(app)) == 1


def test_unrenderable_name_keeps_completion_and_can_be_issued_later(app, make_user, make_course, caplog):
    course = small_course(make_course)
    enrolment = learning.enrol(make_user(full_name="Wang 王小明"), course)
    db.session.flush()
    enrolment.completed_at = NOV_2026
    db.session.flush()
    with caplog.at_level(logging.ERROR, logger="lentera.certificates"):
        with pytest.raises(services.CertificateIssueError) as raised:
            services.issue_certificate(enrolment)
    error = raised.value
    assert "Admin sudah diberi tahu" in str(error) and error.message == str(error)
    assert "U+738B" in error.detail and error.enrolment_id == enrolment.id
    assert any("could not be issued" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    db.session.commit()  # the route commits: the completion is kept

    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).completed_at is not None
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0
    assert sequence_value(2026) is None and cert_files(app) == []
    assert services.missing_certificates() == [enrolment]

    enrolment.user.full_name = "Wang Xiaoming"  # the admin fixes the name
    db.session.commit()
    assert issue_and_commit(enrolment).number == "0001/BPSDM-KT/XI/2026"
    assert services.missing_certificates() == []


def test_evaluate_completion_with_unrenderable_name_does_not_lose_completion(app, make_user, make_course):
    course = small_course(make_course)
    enrolment = learning.enrol(make_user(full_name="Wang 王小明"), course)
    db.session.flush()
    learning.mark_lesson_complete(enrolment, course.modules[0].lessons[0])
    db.session.add(passed_attempt(enrolment, course.modules[0].quiz, Decimal(1)))
    db.session.flush()
    try:
        result = learning.evaluate_completion(enrolment)
    except services.CertificateIssueError:  # until evaluate_completion handles it itself
        result = None
    assert result is None
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).completed_at is not None
    assert cert_files(app) == []


# --------------------------------------------------------------------------
# concurrency
# --------------------------------------------------------------------------


def _issue_in_threads(app, enrolment_ids: list[int]) -> tuple[list, list]:
    """Issue for each id in its own thread, app context and session, all released at once."""
    db.session.remove()  # the test's own session must not hold a transaction (SQLite write lock)
    barrier = threading.Barrier(len(enrolment_ids))
    results: list = [None] * len(enrolment_ids)
    errors: list = []

    def worker(index: int, enrolment_id: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                enrolment = db.session.get(Enrolment, enrolment_id)
                certificate = services.issue_certificate(enrolment)
                results[index] = (certificate.id, certificate.number)
                db.session.commit()
            except Exception as error:  # collected and asserted on below
                db.session.rollback()
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(i, eid)) for i, eid in enumerate(enrolment_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors


def test_concurrent_issue_for_one_enrolment_makes_one_certificate(app, make_user, make_course):
    enrolment = completed_enrolment(make_user, small_course(make_course))
    results, errors = _issue_in_threads(app, [enrolment.id] * THREADS)
    assert errors == []
    assert len(set(results)) == 1 and results[0][1] == "0001/BPSDM-KT/XI/2026"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert sequence_value(2026) == 1  # the losers gave their numbers back
    assert len(final_files(app)) == 1 and tmp_files(app) == []


def test_duplicate_insert_after_a_lost_race_returns_the_winner(app, make_user, make_course, monkeypatch):
    """The savepoint path, deterministic on both engines: the first look-up misses
    a certificate that exists (as when a concurrent request commits just after it)."""
    enrolment = completed_enrolment(make_user, small_course(make_course))
    winner = issue_and_commit(enrolment)
    real_lookup = services.certificate_for_enrolment
    calls = []

    def racing_lookup(enrolment_id):
        calls.append(enrolment_id)
        return None if len(calls) == 1 else real_lookup(enrolment_id)

    monkeypatch.setattr(services, "certificate_for_enrolment", racing_lookup)
    result = services.issue_certificate(enrolment)
    assert len(calls) == 2 and result.id == winner.id
    assert sequence_value(2026) == 1  # the loser's number was given back
    assert tmp_files(app) == []  # and its tmp file deleted
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert len(final_files(app)) == 1


def test_concurrent_issue_for_many_enrolments_numbers_without_gaps(app, make_user, make_course):
    course = small_course(make_course)
    ids = [completed_enrolment(make_user, course).id for _ in range(THREADS)]
    results, errors = _issue_in_threads(app, ids)
    assert errors == []
    sequences = sorted(int(number.split("/")[0]) for _, number in results)
    assert sequences == list(range(1, THREADS + 1))
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == THREADS
    assert sequence_value(2026) == THREADS
    assert len(final_files(app)) == THREADS and tmp_files(app) == []


# --------------------------------------------------------------------------
# download
# --------------------------------------------------------------------------


@pytest.fixture()
def issued(app, make_user, make_course):
    course = small_course(make_course, title="Transformasi Digital Pemerintahan", jp=Decimal("20"))
    enrolment = completed_enrolment(make_user, course, full_name="Ani Lestari", gelar_belakang="S.E.",
                                    nip="198005122005012003", email="ani@kaltimprov.go.id")
    certificate = issue_and_commit(enrolment)
    return certificate


def test_download_by_holder_admin_and_others(app, client, login, make_user, issued):
    url = f"/sertifikat/{issued.id}/unduh"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]

    holder = issued.enrolment.user
    login(holder)
    first = client.get(url)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"] == (
        "attachment; filename=sertifikat-0001-BPSDM-KT-XI-2026.pdf")
    assert "no-store" in first.headers["Cache-Control"]
    assert hashlib.sha256(first.data).hexdigest() == issued.sha256
    assert client.get(url).data == first.data
    assert client.get(f"/sertifikat/{issued.id + 1000}/unduh").status_code == 404
    client.post("/keluar")

    login(make_user())
    assert client.get(url).status_code == 404  # another learner: not even its existence
    client.post("/keluar")
    login(make_user(role="trainer"))
    assert client.get(url).status_code == 404
    client.post("/keluar")

    login(make_user(role="admin"))
    response = client.get(url)
    assert response.status_code == 200 and response.data == first.data


def test_download_rebuilds_a_missing_or_damaged_file_and_re_signs_it(app, client, login, issued, caplog):
    path = Path(app.config["LENTERA_DATA_DIR"]) / issued.file_name
    original = path.read_bytes()
    content_hash = issued.content_sha256
    login(issued.enrolment.user)

    path.unlink()
    response = client.get(f"/sertifikat/{issued.id}/unduh")
    assert response.status_code == 200
    rebuilt = response.data
    assert rebuilt != original  # a new signature carries a new signing time
    assert path.read_bytes() == rebuilt and tmp_files(app) == []
    db.session.expire_all()
    row = db.session.get(Certificate, issued.id)
    assert row.sha256 == hashlib.sha256(rebuilt).hexdigest()  # the row follows the signed file
    assert row.resigned_at is not None and row.content_sha256 == content_hash
    assert signing.check_signature(rebuilt, signing.load_signing_key()).genuine
    assert pdf_text(rebuilt) == pdf_text(original)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "certificate.resign")) == 1

    path.write_bytes(rebuilt[: len(rebuilt) // 2])  # a truncated file is never served
    with caplog.at_level(logging.ERROR, logger="lentera.certificates"):
        response = client.get(f"/sertifikat/{issued.id}/unduh")
    assert response.data.startswith(b"%PDF-") and response.data == path.read_bytes()
    assert signing.check_signature(response.data, signing.load_signing_key()).genuine
    assert any("does not match" in r.getMessage() for r in caplog.records)

    # an untouched file is served as stored, byte for byte
    again = client.get(f"/sertifikat/{issued.id}/unduh")
    assert again.data == response.data


def test_rebuilt_file_prints_the_issued_content_after_settings_and_profile_change(app, issued):
    """The row's snapshot alone drives the PDF: a rebuild after a new signatory,
    base URL or holder name still renders the issued content (same content hash)."""
    original = (Path(app.config["LENTERA_DATA_DIR"]) / issued.file_name).read_bytes()
    (Path(app.config["LENTERA_DATA_DIR"]) / issued.file_name).unlink()
    app.config["LENTERA_SIGNATORY_NAME"] = "Pejabat Baru"
    app.config["LENTERA_BASE_URL"] = "https://alamat-baru.example.go.id"
    issued.enrolment.user.full_name = "Nama Diubah"
    loaded = services.load_pdf(issued)
    assert loaded.rebuilt and loaded.matches
    assert pdf_text(loaded.data) == pdf_text(original)
    text = pdf_text(loaded.data)
    assert "Pejabat Baru" not in text and "alamat-baru" not in text and "Nama Diubah" not in text


def test_rebuilt_file_that_differs_from_the_issued_content_is_logged(app, issued, caplog):
    (Path(app.config["LENTERA_DATA_DIR"]) / issued.file_name).unlink()
    db.session.execute(update(Certificate).where(Certificate.id == issued.id)
                       .values(signatory_name="Pejabat Baru"))  # a row edited behind Lentera's back
    db.session.commit()
    with caplog.at_level(logging.ERROR, logger="lentera.certificates"):
        loaded = services.load_pdf(issued)
    assert loaded.rebuilt and not loaded.matches
    assert any("differs from the content rendered at issue" in r.getMessage() for r in caplog.records)


# --------------------------------------------------------------------------
# verification
# --------------------------------------------------------------------------


def test_verify_shows_only_public_facts(app, client, issued):
    response = client.get(f"/verify/{issued.code}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    for shown in ("Ani Lestari, S.E.", "Transformasi Digital Pemerintahan", "20 JP", "15 November 2026",
                  "Valid", "0001/BPSDM-KT/XI/2026"):
        assert shown in body
    for hidden in ("198005122005012003", "19800512 200501 2 003", "ani@kaltimprov.go.id"):
        assert hidden not in body


def test_unknown_and_malformed_codes_get_the_same_page(app, client, issued):
    reference = client.get("/verify/" + "A" * 32)  # well formed, unknown
    assert reference.status_code == 404
    assert "Sertifikat tidak valid" in reference.get_data(as_text=True)
    assert reference.headers["Cache-Control"] == "no-store"
    for code in ("abc", issued.code[:-1], issued.code + "x", "x" * 5000, "sertifikat-ñ-王",
                 "../../etc/passwd", "..", "%00", "a%00b", "'; DROP TABLE certificates; --",
                 issued.code.lower() if issued.code.lower() != issued.code else issued.code.upper()):
        response = client.get("/verify/" + code)
        assert response.status_code == 404, code
        assert response.data == reference.data, code
        assert response.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_certificate_routes_declare_access_rules(app):
    assert app.view_functions["certificates.download"].access_rule == "authenticated"
    assert app.view_functions["certificates.verify"].access_rule == "public"
    assert services.verify_url("abc") == "https://lentera.example.go.id/verify/abc"
    app.config["LENTERA_BASE_URL"] = "https://bpsdm.kaltimprov.go.id/lentera/"
    assert services.verify_url("abc") == "https://bpsdm.kaltimprov.go.id/lentera/verify/abc"


# --------------------------------------------------------------------------
# reconcile
# --------------------------------------------------------------------------


def test_reconcile_issues_rebuilds_and_cleans(app, make_user, make_course, issued):
    app.cli.add_command(certificates_cli)
    root = Path(app.config["LENTERA_DATA_DIR"])
    issued_path = root / issued.file_name
    original = issued_path.read_bytes()
    issued_path.unlink()  # as if the process died between commit and rename
    folder = issued_path.parent
    stale = folder / f"{issued.code}.pdf.deadbeef.tmp"
    stale.write_bytes(b"%PDF-1.4 partial")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = folder / "inflight.pdf.cafebabe.tmp"  # a transaction still in progress
    fresh.write_bytes(b"%PDF")

    pending_id = completed_enrolment(make_user, issued.enrolment.course).id  # completed, no certificate
    broken_id = completed_enrolment(make_user, issued.enrolment.course, full_name="Wang 王小明").id
    issued_file_name = issued.file_name
    db.session.remove()

    result = app.test_cli_runner().invoke(args=["certificates", "reconcile"])
    output = result.output
    assert result.exit_code == 1, output  # the broken name is reported as a failure
    assert "Diterbitkan: 0002/BPSDM-KT/XI/2026" in output
    assert f"GAGAL terbit: pendaftaran {broken_id}" in output and "U+738B" in output
    assert f"Dibuat ulang dan ditandatangani ulang: {issued_file_name}" in output and "PERINGATAN" not in output
    assert f"Dihapus: {stale.relative_to(root)}" in output
    assert "Selesai: 1 diterbitkan, 1 berkas dibuat ulang, 1 berkas sementara dihapus, 1 gagal." in output
    rebuilt = issued_path.read_bytes()
    assert pdf_text(rebuilt) == pdf_text(original)
    assert signing.check_signature(rebuilt, signing.load_signing_key()).genuine
    row = db.session.get(Certificate, issued.id)
    assert row.sha256 == hashlib.sha256(rebuilt).hexdigest() and row.resigned_at is not None
    assert not stale.exists() and fresh.exists()
    assert services.certificate_for_enrolment(pending_id) is not None

    # after the admin fixes the name, the next run issues it and has nothing else to do
    db.session.get(Enrolment, broken_id).user.full_name = "Wang Xiaoming"
    db.session.commit()
    db.session.remove()
    result = app.test_cli_runner().invoke(args=["certificates", "reconcile"])
    assert result.exit_code == 0, result.output
    assert "Diterbitkan: 0003/BPSDM-KT/XI/2026" in result.output
    assert "Selesai: 1 diterbitkan, 0 berkas dibuat ulang, 0 berkas sementara dihapus, 0 gagal." in result.output


def test_verify_link_copied_with_trailing_punctuation_still_verifies(client, issued):
    for suffix in (".", ",", "/", ")"):
        response = client.get(f"/verify/{issued.code}{suffix}")
        assert response.status_code == 200, suffix
        assert "Ani Lestari, S.E." in response.get_data(as_text=True)
