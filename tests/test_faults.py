"""Faults: a full disk, a worker killed while issuing certificates, 50 learners at once."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import func, select

from app import create_app
from app.assessment.models import QuizAttempt
from app.auth.models import User
from app.certificates import storage
from app.certificates.models import Certificate
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrolment, LessonProgress
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


# --- full disk ----------------------------------------------------------------

@pytest.fixture()
def tiny_disk(tmp_path):
    """A 16 MiB tmpfs mounted for the test (root only); skipped where mounting is not permitted."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.strip() or 'not root'}): "
                    "the full-disk case is covered by test_security_output's ENOSPC route only")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def _fill(folder: Path) -> Path:
    filler = folder / "filler.bin"
    chunk = b"\0" * (256 * 1024)
    with filler.open("wb") as handle:
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError:
            pass
    # Any last bytes too, so that not even one page fits.
    try:
        with filler.open("ab") as handle:
            while True:
                handle.write(b"\0" * 512)
                handle.flush()
    except OSError:
        pass
    return filler


def test_full_disk_gives_503_rolls_back_and_reads_keep_working(tiny_disk, app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the database file must live on the tiny filesystem: SQLite only")
    url = "sqlite:///" + str(tiny_disk / "lentera.db")
    full = create_app("testing", SQLALCHEMY_DATABASE_URI=url, LENTERA_DATA_DIR=str(tiny_disk / "data"))
    with full.app_context():
        from flask_migrate import upgrade

        upgrade()
        factories.make_course(slug="kursus-penuh", title="Kursus Saat Disk Penuh")
        db.session.close()
        db.engine.dispose()
        raw = sqlite3.connect(tiny_disk / "lentera.db")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the next write must grow the WAL file
        # The running app holds pooled connections (and so the WAL index) before the disk fills.
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.session.close()
        raw.close()
        filler = _fill(tiny_disk)
        client = full.test_client()
        form = {"email": "penuh@example.com", "full_name": "Penuh", "password": "lampu-minyak-tanah",
                "password_confirm": "lampu-minyak-tanah"}
        g.pop("_login_user", None)
        response = client.post("/daftar", data=form)
        body = response.get_data(as_text=True)
        assert response.status_code == 503, body[:500]
        assert "Penyimpanan server sedang penuh" in body and "Traceback" not in body
        db.session.remove()
        assert db.session.scalar(select(func.count()).select_from(User)) == 0  # rolled back
        assert client.get("/").status_code == 200  # reads keep working
        assert "Kursus Saat Disk Penuh" in client.get("/kursus/kursus-penuh").get_data(as_text=True)
        filler.unlink()
        db.session.remove()
        g.pop("_login_user", None)
        assert client.post("/daftar", data=form).status_code == 302  # space back: writes work again
        db.session.remove()
        db.engine.dispose()


# --- killed while issuing -------------------------------------------------------

CHILD = r"""
import sys
from app import create_app
from app.extensions import db
from app.learning.models import Enrolment
from app.certificates.services import issue_certificate

app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1], LENTERA_DATA_DIR=sys.argv[2],
                 LENTERA_BASE_URL="https://lentera.example.go.id")
with app.app_context():
    print("ready", flush=True)
    for enrolment_id in map(int, sys.argv[3].split(",")):
        issue_certificate(db.session.get(Enrolment, enrolment_id))
        db.session.commit()
        print("issued", enrolment_id, flush=True)
"""


def _check_files(expect_all: bool) -> list[str]:
    problems = []
    db.session.expire_all()
    for certificate in db.session.scalars(select(Certificate)):
        path = storage.absolute_path(certificate.file_name)
        if not path.exists():
            if expect_all:
                problems.append(f"{certificate.file_name}: missing")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != certificate.sha256:
            problems.append(f"{certificate.file_name}: sha256 differs (partial or foreign file)")
    return problems


def test_killing_the_worker_while_issuing_loses_no_pdf(app, database_url, make_user, make_course):
    course = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1)
    ids = []
    for n in range(12):
        enrolment = learning.enrol(make_user(full_name=f"Peserta Uji {n}"), course)
        enrolment.completed_at = datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc)
        db.session.commit()
        ids.append(enrolment.id)
    db.session.close()
    data_dir = app.config["LENTERA_DATA_DIR"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    rng = random.Random(20261129)
    runner = app.test_cli_runner()
    for round_no in range(3):
        child = subprocess.Popen([sys.executable, "-c", CHILD, database_url, data_dir, ",".join(map(str, ids))],
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.6))  # somewhere inside rendering, staging, commit or rename
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        # No final file is ever partial or foreign, even before recovery.
        assert _check_files(expect_all=False) == []
        db.session.close()
        result = runner.invoke(args=["certificates", "reconcile"])
        assert result.exit_code == 0, result.output
        assert _check_files(expect_all=True) == [], f"round {round_no}: {result.output}"
        db.session.close()
    # Whatever was left unissued is issued by reconcile: every enrolment has exactly one certificate.
    result = runner.invoke(args=["certificates", "reconcile"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    counts = dict(db.session.execute(select(Certificate.enrolment_id, func.count()).group_by(Certificate.enrolment_id)).all())
    assert counts == {enrolment_id: 1 for enrolment_id in ids}
    assert _check_files(expect_all=True) == []
    sequences = sorted(c.sequence for c in db.session.scalars(select(Certificate)))
    assert sequences == list(range(1, len(ids) + 1))  # gapless numbers despite the kills


# --- load -----------------------------------------------------------------------

def test_fifty_learners_at_once_lose_no_progress_and_get_one_certificate_each(app, make_user, make_course):
    course = make_course(modules=1, lessons_per_module=2, questions_per_quiz=1)
    lesson_ids = [lesson.id for lesson in course.modules[0].lessons]
    quiz_id = course.modules[0].quiz.id
    enrolment_ids = []
    for n in range(50):
        enrolment = learning.enrol(make_user(full_name=f"Peserta Beban {n}"), course)
        db.session.commit()
        enrolment_ids.append(enrolment.id)
    db.session.close()
    errors: list[str] = []
    start = threading.Barrier(100)

    def progress(enrolment_id):
        with app.app_context():
            try:
                start.wait()
                enrolment = db.session.get(Enrolment, enrolment_id)
                for lesson_id in lesson_ids:
                    from app.catalog.models import Lesson

                    learning.mark_lesson_complete(enrolment, db.session.get(Lesson, lesson_id))
                    db.session.commit()
            except Exception as error:  # reported below
                errors.append(f"progress {enrolment_id}: {error!r}")
            finally:
                db.session.remove()

    def quiz(enrolment_id):
        with app.app_context():
            try:
                start.wait()
                enrolment = db.session.get(Enrolment, enrolment_id)
                fields = dict(enrolment_id=enrolment_id, quiz_id=quiz_id, number=1, score=Decimal(1),
                              max_score=Decimal(1), percent=Decimal(100), passed=True)
                if hasattr(QuizAttempt, "state"):
                    fields.update(state="submitted", submitted_at=datetime.now(timezone.utc))
                db.session.add(QuizAttempt(**fields))
                db.session.flush()
                learning.evaluate_completion(enrolment)
                db.session.commit()
            except Exception as error:
                errors.append(f"quiz {enrolment_id}: {error!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=fn, args=(eid,)) for eid in enrolment_ids for fn in (progress, quiz)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(LessonProgress)) == 50 * len(lesson_ids)
    counts = dict(db.session.execute(select(Certificate.enrolment_id, func.count()).group_by(Certificate.enrolment_id)).all())
    assert counts == {enrolment_id: 1 for enrolment_id in enrolment_ids}
    sequences = sorted(c.sequence for c in db.session.scalars(select(Certificate)))
    assert sequences == list(range(1, 51))
    assert _check_files(expect_all=True) == []
