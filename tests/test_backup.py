"""`flask backup` / `flask restore`: a consistent online copy taken while writes run, restored intact."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.auth.models import LoginThrottle
from app.extensions import db


def _writer(app, stop: threading.Event, written: list[int]):
    """Commit one row at a time until told to stop; ``written`` counts committed rows."""
    with app.app_context():
        n = 0
        while not stop.is_set() or n < 20:
            n += 1
            db.session.add(LoginThrottle(key=f"address:writer-{n}", failures=n))
            db.session.commit()
            written.append(n)
        db.session.remove()


def _rows():
    db.session.expire_all()
    return db.session.scalars(select(LoginThrottle.failures).order_by(LoginThrottle.failures)).all()


def test_backup_while_writing_then_restore(app, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "cadangan" / "lentera.backup"
    db.session.commit()
    db.session.close()
    stop = threading.Event()
    written: list[int] = []
    thread = threading.Thread(target=_writer, args=(app, stop, written))
    thread.start()
    try:
        while len(written) < 10:  # writes are running when the backup starts
            threading.Event().wait(0.01)
        result = runner.invoke(args=["backup", str(path)])
    finally:
        stop.set()
        thread.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert "Cadangan tersimpan" in result.output
    assert not path.with_name(path.name + ".part").exists()
    total = len(written)
    assert _rows() == list(range(1, total + 1))

    # Refuses to overwrite an existing backup.
    again = runner.invoke(args=["backup", str(path)])
    assert again.exit_code != 0 and "sudah ada" in again.output

    db.session.close()
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    restored = _rows()
    # A consistent snapshot: every row committed before some moment, none after, no gaps.
    assert restored == list(range(1, len(restored) + 1))
    assert 10 <= len(restored) <= total
    assert db.session.scalar(select(func.count()).select_from(LoginThrottle)) == len(restored)


def test_restore_refuses_a_missing_or_damaged_file(app, tmp_path):
    runner = app.test_cli_runner()
    damaged = tmp_path / "rusak.backup"
    damaged.write_bytes(b"bukan cadangan")
    db.session.close()
    result = runner.invoke(args=["restore", str(damaged), "--yes"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    missing = runner.invoke(args=["restore", str(tmp_path / "tidak-ada.backup"), "--yes"])
    assert missing.exit_code != 0


def test_after_a_restore_no_course_revision_repeats_one_seen_before(app, tmp_path, make_course):
    # Retest finding: web processes cache outlines by (course, revision); after a restore to an older
    # revision, the next edits reused the cached numbers and the old text was served.
    from sqlalchemy import update

    from app.catalog.models import Course, Lesson

    course = make_course(modules=1, lessons_per_module=1)
    db.session.commit()
    course_id, lesson_id = course.id, course.modules[0].lessons[0].id
    runner = app.test_cli_runner()
    path = tmp_path / "sebelum-edit.backup"
    db.session.close()
    assert runner.invoke(args=["backup", str(path)]).exit_code == 0
    for n in range(3):
        db.session.execute(update(Lesson).where(Lesson.id == lesson_id).values(title=f"Edit {n}"))
        db.session.commit()
    highest_seen = db.session.scalar(select(Course.content_revision).where(Course.id == course_id))
    db.session.close()
    result = runner.invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Mulai ulang proses web" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Lesson.title).where(Lesson.id == lesson_id)) == "Pelajaran 1.1"
    assert db.session.scalar(select(Course.content_revision).where(Course.id == course_id)) > highest_seen
