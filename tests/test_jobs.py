"""Background jobs (app/jobs): in-process path, RQ path on a real Redis, large exports, bulk certificates.

The RQ tests use the Redis on 127.0.0.1:6379 when one answers (skipped with
the reason otherwise), on a queue name unique to the run, removed afterwards;
the worker runs inside the test (rq ``SimpleWorker``, burst mode).
"""
from __future__ import annotations

import io
import json
import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import g
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.admin.models import AuditEvent
from app.certificates import services as certificates
from app.common.db import utcnow
from app.extensions import db
from app.jobs import services, tasks
from app.jobs.models import (
    KIND_CERTIFICATE_ISSUE,
    KIND_COMPLETION_EXPORT,
    STATUS_FAILED,
    STATUS_FINISHED,
    STATUS_QUEUED,
    STATUS_RUNNING,
    BackgroundJob,
)
from app.learning import services as learning

# Database 15 of the local Redis, kept apart from a developer's own data; override to point elsewhere.
REDIS_URL = os.environ.get("LENTERA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NOV_2026 = datetime(2026, 11, 15, 2, 0, tzinfo=timezone.utc)


def _redis_or_reason():
    try:
        from redis import Redis

        connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
        connection.ping()
        return connection, None
    except Exception as error:  # not installed, refused, timed out
        return None, f"no Redis reachable at {REDIS_URL} ({type(error).__name__})"


def drain() -> None:
    """Let in-process jobs finish; the test's session holds no transaction meanwhile (SQLite lock)."""
    db.session.rollback()
    assert services.wait_for_local_jobs(120)
    db.session.expire_all()


def job_row(job_id: int) -> BackgroundJob:
    db.session.expire_all()
    return db.session.get(BackgroundJob, job_id)


def job_id_from(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert "/tugas/" in location
    return int(location.rstrip("/").rsplit("/", 1)[1])


@pytest.fixture()
def course(make_course):
    return make_course(modules=1, lessons_per_module=1, questions_per_quiz=1, title="Transformasi Digital")


def complete(make_user, course, count: int, **fields) -> list[int]:
    ids = []
    for n in range(count):
        enrolment = learning.enrol(make_user(**fields), course)
        enrolment.completed_at = NOV_2026 + timedelta(minutes=n)
        db.session.commit()
        ids.append(enrolment.id)
    return ids


@pytest.fixture()
def switch(client, login):
    """``switch(user)``: sign out whoever is signed in, then sign ``user`` in."""

    def _switch(user):
        client.post("/keluar")
        return login(user)

    return _switch


@pytest.fixture()
def admin(make_user, login):
    user = make_user(role="admin", full_name="Admin BPSDM")
    login(user)
    return user


# --------------------------------------------------------------------------
# In-process path (no Redis configured)
# --------------------------------------------------------------------------


def test_bulk_issue_runs_in_process_with_progress_and_summary(app, client, admin, make_user, course):
    enrolment_ids = complete(make_user, course, 3)
    response = client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": course.id})
    job_id = job_id_from(response)
    drain()
    job = job_row(job_id)
    assert (job.kind, job.status, job.progress_done, job.progress_total) == (KIND_CERTIFICATE_ISSUE,
                                                                              STATUS_FINISHED, 3, 3)
    assert job.outcome["issued"] == 3 and job.outcome["failed"] == 0
    assert job.started_at and job.finished_at and job.error is None
    assert all(certificates.certificate_for_enrolment(i) is not None for i in enrolment_ids)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.bulk_issue"))
    assert event.actor_id == admin.id and json.loads(event.detail)["job_id"] == job_id
    page = client.get(f"/tugas/{job_id}")
    assert page.status_code == 200 and "Refresh" not in page.headers
    text = page.get_data(as_text=True)
    assert "3 sertifikat diterbitkan, 0 gagal." in text and "<progress" in text and 'value="100"' in text


def test_bulk_regenerate_in_process(app, client, admin, make_user, course):
    enrolment_ids = complete(make_user, course, 2)
    first = client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": course.id})
    drain()
    before = {i: certificates.certificate_for_enrolment(i).sha256 for i in enrolment_ids}
    job_id = job_id_from(client.post("/tugas/sertifikat", data={"aksi": "buat-ulang", "kursus": course.id}))
    assert job_id != job_id_from(first)
    drain()
    job = job_row(job_id)
    assert job.status == STATUS_FINISHED and job.outcome == {"regenerated": 2, "changed": 0, "failed": 0,
                                                               "failures": []}
    for enrolment_id in enrolment_ids:
        certificate = certificates.certificate_for_enrolment(enrolment_id)
        assert certificate.sha256 != before[enrolment_id] and certificate.resigned_at is not None
    text = client.get(f"/tugas/{job_id}").get_data(as_text=True)
    assert "2 sertifikat dibuat ulang (0 dengan isi berbeda dari saat terbit), 0 gagal." in text


def test_bulk_action_validation_and_access(app, client, make_user, make_course, login, switch, course):
    learner = make_user()
    login(learner)
    assert client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": course.id}).status_code == 403
    switch(make_user(role="admin"))
    response = client.post("/tugas/sertifikat", data={"aksi": "terbitkan"})
    assert response.status_code == 400 and "Pilih kursus atau angkatan" in response.get_data(as_text=True)
    assert client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": 999999}).status_code == 404
    assert client.post("/tugas/sertifikat", data={"aksi": "hapus", "kursus": course.id}).status_code == 400
    from datetime import date

    from app.learning.models import Cohort

    other_course = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1, title="Lain")
    cohort = Cohort(course_id=other_course.id, name="Angkatan I", starts_on=date(2026, 11, 1),
                    ends_on=date(2026, 11, 30))
    db.session.add(cohort)
    db.session.commit()
    response = client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": course.id,
                                                      "angkatan": cohort.id})
    assert response.status_code == 404 and "Angkatan tidak ditemukan" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(BackgroundJob)) == 0


def test_certificate_admin_page_offers_the_bulk_actions(app, client, admin, course):
    text = client.get(f"/sertifikat/kelola?kursus={course.id}").get_data(as_text=True)
    assert 'action="/tugas/sertifikat"' in text and 'name="aksi" value="terbitkan"' in text
    assert 'action="/tugas/sertifikat"' not in client.get("/sertifikat/kelola").get_data(as_text=True)


def test_active_job_page_refreshes_and_others_get_404(app, client, make_user, switch, admin):
    owner = make_user(role="opd_admin")
    job = BackgroundJob(kind=KIND_COMPLETION_EXPORT, user_id=owner.id, status=STATUS_RUNNING, progress_done=40,
                        progress_total=160, parameters="{}", created_at=utcnow())
    db.session.add(job)
    db.session.commit()
    job_id = job.id
    # A BPSDM admin sees every job.
    page = client.get(f"/tugas/{job_id}")
    assert page.status_code == 200 and page.headers["Refresh"] == "3"
    text = page.get_data(as_text=True)
    assert '<progress max="100" value="25"' in text and "Sedang berjalan" in text
    switch(owner)
    assert client.get(f"/tugas/{job_id}").status_code == 200
    assert "Ekspor laporan penyelesaian #%d" % job_id in client.get("/tugas").get_data(as_text=True)
    switch(make_user(role="opd_admin"))
    assert client.get(f"/tugas/{job_id}").status_code == 404
    assert client.get(f"/tugas/{job_id}/unduh").status_code == 404
    assert client.get("/tugas/99999999").status_code == 404


def test_job_list_empty_state(app, client, make_user, login):
    login(make_user())
    text = client.get("/tugas").get_data(as_text=True)
    assert "Belum ada tugas." in text


def test_failures_are_recorded_with_a_clear_message(app, client, admin):
    unknown = services.submit("tidak-ada", admin, {}).id
    bad_date = services.submit(KIND_COMPLETION_EXPORT, admin, {"format": "csv", "delimiter": ",",
                                                               "filters": {"date_from": "bukan-tanggal"}}).id
    bad_format = services.submit(KIND_COMPLETION_EXPORT, admin, {"format": "pdf", "filters": {}}).id
    db.session.commit()
    drain()
    assert (job_row(unknown).status, job_row(unknown).error) == (STATUS_FAILED, services.UNKNOWN_KIND)
    assert job_row(bad_date).error == services.UNEXPECTED_FAILURE
    assert job_row(bad_format).error == tasks.BAD_PARAMETERS
    assert job_row(bad_date).finished_at is not None and job_row(bad_date).result_file is None
    page = client.get(f"/tugas/{bad_date}")
    assert page.status_code == 200 and "Refresh" not in page.headers
    assert "Tugas gagal karena kesalahan di server." in page.get_data(as_text=True)
    assert client.get(f"/tugas/{bad_date}/unduh").status_code == 404
    # Nothing is left in the jobs folder by the failed export.
    root = Path(app.config["LENTERA_DATA_DIR"]) / "jobs"
    assert not root.exists() or not any(root.iterdir())
    client.set_cookie("lentera_bahasa", "en")
    g.pop("_flask_babel", None)  # the test keeps one app context, where Flask-Babel caches the locale
    english = client.get(f"/tugas/{unknown}").get_data(as_text=True)
    assert "Unknown job type." in english and "Failed" in english


def test_rolled_back_submission_is_not_run(app, make_user):
    owner = make_user()
    job_id = services.submit("tidak-ada", owner, {}).id
    db.session.rollback()
    drain()
    assert job_row(job_id) is None


def test_job_runs_once(app, make_user):
    owner = make_user()
    job_id = services.submit("tidak-ada", owner, {}).id
    db.session.commit()
    drain()
    assert services.run_job(job_id) is None  # already ran: a second delivery does nothing


# --------------------------------------------------------------------------
# Completion export above and below the threshold
# --------------------------------------------------------------------------


def test_export_below_threshold_streams_and_above_runs_as_a_job(app, client, admin, make_user, course,
                                                                 monkeypatch):
    complete(make_user, course, 5, nip=None)
    app.config["LENTERA_EXPORT_JOB_THRESHOLD"] = 5
    streamed = client.get("/admin/laporan/penyelesaian.csv?delimiter=semicolon")
    assert streamed.status_code == 200 and streamed.mimetype == "text/csv"
    assert db.session.scalar(select(func.count()).select_from(BackgroundJob)) == 0

    app.config["LENTERA_EXPORT_JOB_THRESHOLD"] = 4
    monkeypatch.setattr(tasks, "EXPORT_BATCH", 2)  # several batches, several progress reports
    job_id = job_id_from(client.get("/admin/laporan/penyelesaian.csv?delimiter=semicolon"))
    drain()
    job = job_row(job_id)
    assert (job.status, job.progress_done, job.progress_total) == (STATUS_FINISHED, 5, 5)
    assert job.result_file.startswith("jobs/") and job.result_name.startswith("laporan-penyelesaian-")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "report.export")
                               .order_by(AuditEvent.id)).all()[-1]
    assert json.loads(event.detail)["job_id"] == job_id
    page = client.get(f"/tugas/{job_id}").get_data(as_text=True)
    assert "5 baris diekspor." in page and f"/tugas/{job_id}/unduh" in page
    download = client.get(f"/tugas/{job_id}/unduh")
    assert download.status_code == 200
    assert "no-store" in download.headers["Cache-Control"]
    assert job.result_name in download.headers["Content-Disposition"]
    # The job's file is byte for byte the file the request would have streamed.
    assert download.data == streamed.data
    assert download.data.startswith("\ufeff".encode()) and download.data.count(b"\r\n") == 6


def test_large_xlsx_export_job_and_owner_only_download(app, client, make_user, login, switch, course):
    complete(make_user, course, 3)
    app.config["LENTERA_EXPORT_JOB_THRESHOLD"] = 1
    owner = make_user(role="admin")
    login(owner)
    job_id = job_id_from(client.get("/admin/laporan/penyelesaian.xlsx"))
    drain()
    response = client.get(f"/tugas/{job_id}/unduh")
    assert response.status_code == 200 and response.data.startswith(b"PK")
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "NIP" and len(rows) == 4
    switch(make_user())  # a learner: not theirs
    assert client.get(f"/tugas/{job_id}/unduh").status_code == 404
    switch(make_user(role="opd_admin"))  # another admin, not BPSDM: not theirs either
    assert client.get(f"/tugas/{job_id}").status_code == 404
    assert client.get(f"/tugas/{job_id}/unduh").status_code == 404


def test_opd_admin_export_job_keeps_the_opd_scope(app, client, make_user, login, course):
    from tests.factories import make_opd

    mine, other = make_opd("DISKOMINFO", "Diskominfo"), make_opd("BAPPEDA", "Bappeda")
    complete(make_user, course, 2, opd_id=mine.id)
    complete(make_user, course, 3, opd_id=other.id)
    app.config["LENTERA_EXPORT_JOB_THRESHOLD"] = 1
    login(make_user(role="opd_admin", opd_id=mine.id))
    job_id = job_id_from(client.get("/admin/laporan/penyelesaian.csv"))
    drain()
    assert job_row(job_id).progress_total == 2
    assert client.get(f"/tugas/{job_id}/unduh").data.count(b"\r\n") == 3


def test_purge_removes_old_jobs_and_marks_dead_ones_failed(app, make_user):
    owner = make_user()
    root = Path(app.config["LENTERA_DATA_DIR"]) / "jobs"
    root.mkdir(parents=True, exist_ok=True)
    (root / "old.csv").write_text("x")
    long_ago = utcnow() - timedelta(days=30)
    old = BackgroundJob(kind=KIND_COMPLETION_EXPORT, user_id=owner.id, status=STATUS_FINISHED, progress_done=1,
                        parameters="{}", result_file="jobs/old.csv", result_name="a.csv", created_at=long_ago,
                        finished_at=long_ago)
    dead = BackgroundJob(kind=KIND_COMPLETION_EXPORT, user_id=owner.id, status=STATUS_RUNNING, progress_done=1,
                         parameters="{}", created_at=long_ago, updated_at=long_ago)
    fresh = BackgroundJob(kind=KIND_COMPLETION_EXPORT, user_id=owner.id, status=STATUS_QUEUED, progress_done=0,
                          parameters="{}", created_at=utcnow())
    db.session.add_all([old, dead, fresh])
    db.session.commit()
    old_id, dead_id, fresh_id = old.id, dead.id, fresh.id
    result = app.test_cli_runner().invoke(args=["jobs", "purge"])
    assert result.exit_code == 0, result.output
    assert "1 tugas dihapus, 1 tugas ditandai gagal" in result.output
    assert job_row(old_id) is None and not (root / "old.csv").exists()
    assert (job_row(dead_id).status, job_row(dead_id).error) == (STATUS_FAILED, services.WORKER_LOST)
    assert job_row(fresh_id).status == STATUS_QUEUED


def test_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "LENTERA_REDIS_URL" in result.output


def test_unreachable_redis_falls_back_to_in_process(app, client, admin, make_user, course):
    app.config["LENTERA_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    complete(make_user, course, 1)
    job_id = job_id_from(client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": course.id}))
    drain()
    assert job_row(job_id).status == STATUS_FINISHED


# --------------------------------------------------------------------------
# RQ path on a real Redis
# --------------------------------------------------------------------------


@pytest.fixture()
def rq_queue(app):
    """App configured for RQ on a queue name unique to this test; the queue's keys are removed after."""
    connection, reason = _redis_or_reason()
    if connection is None:
        pytest.skip(reason)
    name = f"lentera-test-{uuid.uuid4().hex[:12]}"
    app.config.update(LENTERA_REDIS_URL=REDIS_URL, LENTERA_JOBS_QUEUE=name)
    queue = services.queue(app, connection=connection)
    yield queue
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter(match=f"*{name}*"):
        connection.delete(key)
    connection.close()


def run_worker(queue) -> None:
    from rq import SimpleWorker

    db.session.rollback()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)


def test_rq_bulk_issue_is_enqueued_then_run_by_the_worker(app, client, admin, make_user, course, rq_queue):
    enrolment_ids = complete(make_user, course, 2)
    job_id = job_id_from(client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": course.id}))
    drain()  # nothing runs in-process
    assert job_row(job_id).status == STATUS_QUEUED and rq_queue.count == 1
    assert client.get(f"/tugas/{job_id}").headers["Refresh"] == "3"
    # A second click while queued points at the same job.
    assert job_id_from(client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": course.id})) == job_id
    run_worker(rq_queue)
    job = job_row(job_id)
    assert (job.status, job.progress_done, job.progress_total) == (STATUS_FINISHED, 2, 2)
    assert all(certificates.certificate_for_enrolment(i) is not None for i in enrolment_ids)
    assert rq_queue.count == 0


def test_rq_export_job_and_worker_command(app, client, admin, make_user, course, rq_queue):
    complete(make_user, course, 3)
    app.config["LENTERA_EXPORT_JOB_THRESHOLD"] = 2
    job_id = job_id_from(client.get("/admin/laporan/penyelesaian.csv"))
    db.session.rollback()
    assert job_row(job_id).status == STATUS_QUEUED and rq_queue.count == 1
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    job = job_row(job_id)
    assert (job.status, job.progress_done) == (STATUS_FINISHED, 3)
    path = Path(app.config["LENTERA_DATA_DIR"]) / job.result_file
    assert path.is_file() and path.read_bytes().count(b"\r\n") == 4
    assert client.get(f"/tugas/{job_id}/unduh").data == path.read_bytes()


def test_rq_failure_is_recorded(app, admin, rq_queue):
    job_id = services.submit("tidak-ada", admin, {}).id
    db.session.commit()
    run_worker(rq_queue)
    assert (job_row(job_id).status, job_row(job_id).error) == (STATUS_FAILED, services.UNKNOWN_KIND)


def test_a_course_id_too_long_for_a_float_is_refused_not_a_500(app, client, admin):
    # Retest finding: WTForms' NumberRange converted the id to float (OverflowError, a 500).
    response = client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": "9" * 400})
    assert response.status_code == 400 and "Terjadi kesalahan" not in response.get_data(as_text=True)


@pytest.mark.parametrize("digits", ["\u0662", "\uff12"])  # Arabic-Indic and full-width "2"
def test_a_course_id_in_other_digits_is_refused_like_everywhere_else(app, client, admin, course, digits):
    # Retest finding: int() read "٢" as 2 and started a job for course 2.
    response = client.post("/tugas/sertifikat", data={"aksi": "terbitkan", "kursus": digits})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(BackgroundJob)) == 0
