"""Submitting, dispatching and running background jobs; their result files.

Life of a job:

1. A route calls :func:`submit` (adds a ``queued`` row, flushes) and commits
   once, as every route does.
2. When that outermost transaction commits, the job is dispatched (a session
   hook, like the certificate file staging): with ``LENTERA_REDIS_URL`` it is
   enqueued on the RQ queue ``LENTERA_JOBS_QUEUE``; without it (or when Redis
   cannot be reached) it runs in this process in a small thread pool
   (``LENTERA_JOBS_THREADS``). A rolled-back request dispatches nothing.
3. :func:`run_job` -- the same function on both paths -- claims the row
   (``queued`` → ``running`` by a conditional UPDATE, so a job runs at most
   once even if it is delivered twice), calls the job's handler
   (:data:`app.jobs.tasks.HANDLERS`) with a :class:`JobContext` for progress
   and results, and records ``finished`` or ``failed``. A failure is stored
   as an Indonesian message (the cause goes to the log); the user never
   sees a stack trace or a 500 page.

Result files live in ``LENTERA_DATA_DIR/jobs/`` under generated names,
written to a temporary file and renamed into place (atomic on one file
system, so also on a shared NFS path). Services never read ``request``.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import delete, or_, select, update

from app.common.after_commit import on_outcome
from app.common.i18n import N_
from app.common.db import utcnow
from app.common.durable import fsync_dir, fsync_file
from app.extensions import db
from app.jobs.models import (
    STATUS_FAILED,
    STATUS_FINISHED,
    STATUS_QUEUED,
    STATUS_RUNNING,
    BackgroundJob,
)

log = logging.getLogger("lentera.jobs")

JOBS_SUBDIR = "jobs"
_PERFORM = "app.jobs.services.perform"



#: Stored as ``error`` when a job fails for an unexpected reason (details in the log).
UNEXPECTED_FAILURE = N_("Tugas gagal karena kesalahan di server. Silakan coba lagi; "
                        "bila terulang, hubungi admin BPSDM.")
UNKNOWN_KIND = N_("Jenis tugas tidak dikenal.")
OWNER_GONE = N_("Akun pemilik tugas sudah tidak ada.")
WRITE_FAILED = N_("Berkas hasil tidak dapat ditulis: penyimpanan penuh atau tidak dapat diakses.")
TIMED_OUT = N_("Tugas melebihi batas waktu dan dihentikan. Persempit pilihan (mis. per angkatan) lalu coba lagi.")
WORKER_LOST = N_("Proses yang menjalankan tugas ini berhenti sebelum selesai. Silakan mulai ulang tugasnya.")


class JobError(Exception):
    """A job cannot go on; ``message`` is the Indonesian msgid stored as the job's error."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------
# Submitting and dispatching
# --------------------------------------------------------------------------


def submit(kind: str, owner, parameters: dict, total: int | None = None) -> BackgroundJob:
    """Add a ``queued`` job of ``kind`` owned by ``owner`` (a User) and flush it.

    ``parameters`` must be JSON-serialisable. The job is dispatched when the
    caller's outermost transaction commits (nothing runs if it rolls back).
    Does not commit. Returns the row (its ``id`` is set).
    """
    job = BackgroundJob(kind=kind, user_id=owner.id, status=STATUS_QUEUED, progress_done=0,
                        progress_total=total, created_at=utcnow(),
                        parameters=json.dumps(parameters, ensure_ascii=False, sort_keys=True))
    db.session.add(job)
    db.session.flush()
    app, job_id = current_app._get_current_object(), job.id
    on_outcome(db.session, commit=lambda: dispatch(app, job_id))  # nothing runs if the job row rolls back
    return job


def find_active(kind: str, owner, parameters: dict) -> BackgroundJob | None:
    """A queued or running job of ``owner`` with the same ``kind`` and ``parameters``, if any
    (so a double click does not start the same bulk work twice)."""
    text = json.dumps(parameters, ensure_ascii=False, sort_keys=True)
    return db.session.scalar(select(BackgroundJob).where(
        BackgroundJob.kind == kind, BackgroundJob.user_id == owner.id, BackgroundJob.parameters == text,
        BackgroundJob.status.in_((STATUS_QUEUED, STATUS_RUNNING))).order_by(BackgroundJob.id.desc()).limit(1))


def redis_connection(url: str):
    """A Redis client for ``url`` with short connect/read timeouts (a dead Redis must not hang a request)."""
    from redis import Redis

    return Redis.from_url(url, socket_connect_timeout=5, socket_timeout=30)


def queue(app: Flask | None = None, connection=None):
    """The RQ queue ``LENTERA_JOBS_QUEUE`` on ``LENTERA_REDIS_URL`` (``connection`` overrides)."""
    from rq import Queue

    app = app or current_app
    connection = connection or redis_connection(app.config["LENTERA_REDIS_URL"])
    return Queue(app.config["LENTERA_JOBS_QUEUE"], connection=connection)


def dispatch(app: Flask, job_id: int) -> None:
    """Start job ``job_id``: enqueue it on RQ when ``LENTERA_REDIS_URL`` is set, else run it in-process.

    When Redis cannot be reached the job runs in-process instead (logged as an
    error), so the user still gets the result.
    """
    if app.config.get("LENTERA_REDIS_URL"):
        try:
            queue(app).enqueue(_PERFORM, job_id, job_timeout=app.config["LENTERA_JOB_TIMEOUT_SECONDS"],
                               result_ttl=0, failure_ttl=7 * 24 * 3600, description=f"lentera job {job_id}")
            return
        except Exception:  # redis.ConnectionError, TimeoutError, ...
            log.exception("job %s: Redis queue unreachable; running it in this process", job_id)
    _submit_local(app, job_id)


# In-process execution: one bounded pool per process, created on first use (after a
# gunicorn fork, never before), and the futures still running (for wait_for_local_jobs).
_pool_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_futures: set[Future] = set()


def _submit_local(app: Flask, job_id: int) -> None:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, int(app.config.get("LENTERA_JOBS_THREADS", 2))),
                                       thread_name_prefix="lentera-job")
        future = _pool.submit(_run_local, app, job_id)
        _futures.add(future)
    future.add_done_callback(_futures.discard)


def _run_local(app: Flask, job_id: int) -> None:
    with app.app_context():
        perform(job_id)


def wait_for_local_jobs(timeout: float = 120) -> bool:
    """Wait until every in-process job of this process has ended; False on timeout (tests, shutdown)."""
    with _pool_lock:
        pending = list(_futures)
    done, not_done = wait(pending, timeout=timeout)
    return not not_done


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


class JobContext:
    """What a job handler gets: the job's id, parameters and owner, and ways to report.

    ``progress(done, total=None)`` stores the progress and commits the
    session (so work done so far is saved with it); ``result_target(ext)``
    gives a temporary path to write the result file to; ``finish(...)``
    marks the job finished (the handler returns right after).
    """

    def __init__(self, job: BackgroundJob):
        self.job_id = job.id
        self.kind = job.kind
        self.params = job.params
        self.owner = job.user
        self._tmp: Path | None = None
        self._final: Path | None = None

    def progress(self, done: int, total: int | None = None) -> None:
        """Record ``done`` units (and ``total`` when given) and commit."""
        values = {"progress_done": int(done), "updated_at": utcnow()}
        if total is not None:
            values["progress_total"] = int(total)
        db.session.execute(update(BackgroundJob).where(BackgroundJob.id == self.job_id).values(**values)
                           .execution_options(synchronize_session=False))
        db.session.commit()

    def result_target(self, ext: str) -> Path:
        """A temporary path (in ``LENTERA_DATA_DIR/jobs``) for the result file of extension ``ext``."""
        folder = jobs_root()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_urlsafe(18)}.{ext}"
        self._final = folder / name
        self._tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
        return self._tmp

    def discard(self) -> None:
        """Delete a partly written result (on failure)."""
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)

    def finish(self, *, download_name: str | None = None, summary: dict | None = None) -> None:
        """Mark the job finished, moving the result file (if any) into place first; commits."""
        values = {"status": STATUS_FINISHED, "finished_at": utcnow(), "updated_at": utcnow(), "error": None}
        if summary is not None:
            values["summary"] = json.dumps(summary, ensure_ascii=False, sort_keys=True)
        if self._tmp is not None:
            fsync_file(self._tmp)
            os.replace(self._tmp, self._final)
            fsync_dir(self._final.parent)
            values["result_file"] = f"{JOBS_SUBDIR}/{self._final.name}"
            values["result_name"] = download_name
            self._tmp = None
        db.session.execute(update(BackgroundJob).where(BackgroundJob.id == self.job_id).values(**values)
                           .execution_options(synchronize_session=False))
        db.session.commit()


def perform(job_id: int) -> None:
    """Entry point of both paths (RQ worker and in-process thread); needs an app context.

    Runs :func:`run_job` and always releases the session afterwards (a worker
    process keeps one app context for many jobs).
    """
    try:
        run_job(job_id)
    finally:
        db.session.remove()


def run_job(job_id: int) -> str | None:
    """Claim and run job ``job_id``; returns its final status (``None`` if it was not queued).

    Never raises for a failure of the job itself: the row is marked
    ``failed`` with an Indonesian message and the cause is logged.
    """
    from app.jobs.tasks import HANDLERS

    now = utcnow()
    claimed = db.session.execute(
        update(BackgroundJob).where(BackgroundJob.id == job_id, BackgroundJob.status == STATUS_QUEUED)
        .values(status=STATUS_RUNNING, started_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    if claimed != 1:
        log.warning("job %s is not queued (missing, or run already); skipped", job_id)
        return None
    job = db.session.get(BackgroundJob, job_id)
    context = None
    try:
        handler = HANDLERS.get(job.kind)
        if handler is None:
            raise JobError(UNKNOWN_KIND)
        if job.user is None:
            raise JobError(OWNER_GONE)
        context = JobContext(job)
        handler(context)
    except JobError as error:
        _fail(job_id, error.message, context)
        return STATUS_FAILED
    except OSError as error:
        log.exception("job %s (%s) could not write its result", job_id, getattr(job, "kind", "?"))
        _fail(job_id, WRITE_FAILED if error.errno is not None else UNEXPECTED_FAILURE, context)
        return STATUS_FAILED
    except Exception as error:
        # rq raises JobTimeoutException inside the job when LENTERA_JOB_TIMEOUT_SECONDS is over.
        timed_out = type(error).__name__ == "JobTimeoutException"
        log.exception("job %s (%s) %s", job_id, getattr(job, "kind", "?"), "timed out" if timed_out else "failed")
        _fail(job_id, TIMED_OUT if timed_out else UNEXPECTED_FAILURE, context)
        return STATUS_FAILED
    status = db.session.scalar(select(BackgroundJob.status).where(BackgroundJob.id == job_id))
    db.session.commit()
    if status == STATUS_RUNNING:  # a handler that returned without finish(): nothing to offer
        JobContext(db.session.get(BackgroundJob, job_id)).finish()
        status = STATUS_FINISHED
    return status


def _fail(job_id: int, message: str, context: JobContext | None) -> None:
    db.session.rollback()
    if context is not None:
        context.discard()
    now = utcnow()
    db.session.execute(update(BackgroundJob).where(BackgroundJob.id == job_id)
                       .values(status=STATUS_FAILED, error=message, finished_at=now, updated_at=now)
                       .execution_options(synchronize_session=False))
    db.session.commit()


# --------------------------------------------------------------------------
# Reading jobs and their files
# --------------------------------------------------------------------------


def jobs_root() -> Path:
    """``LENTERA_DATA_DIR/jobs`` as an absolute path."""
    return Path(current_app.config["LENTERA_DATA_DIR"]).resolve() / JOBS_SUBDIR


def result_path(job: BackgroundJob) -> Path | None:
    """Absolute path of ``job``'s result file when it exists and lies in the jobs folder, else ``None``."""
    if not job.result_file:
        return None
    root = jobs_root()
    path = (root.parent / job.result_file).resolve()
    if path.parent != root or not path.is_file():
        return None
    return path


def visible_job(job_id: int, viewer) -> BackgroundJob | None:
    """Job ``job_id`` if ``viewer`` may see it (its owner, or a BPSDM admin), else ``None``."""
    from app.admin.scope import is_bpsdm_admin

    job = db.session.get(BackgroundJob, job_id)
    if job is None or not (job.user_id == viewer.id or is_bpsdm_admin(viewer)):
        return None
    return job


def jobs_of(owner, limit: int = 50) -> list[BackgroundJob]:
    """The newest ``limit`` jobs of ``owner``."""
    return list(db.session.scalars(select(BackgroundJob).where(BackgroundJob.user_id == owner.id)
                                   .order_by(BackgroundJob.created_at.desc(), BackgroundJob.id.desc())
                                   .limit(limit)))


def purge(retention: timedelta, stale_after: timedelta) -> tuple[int, int]:
    """Housekeeping; returns ``(removed, marked_failed)``. Does not commit.

    Removes ended jobs finished more than ``retention`` ago, with their
    files; marks ``failed`` (:data:`WORKER_LOST`) queued or running jobs
    with no progress report for ``stale_after`` (their process died).
    """
    now = utcnow()
    old = list(db.session.scalars(select(BackgroundJob).where(
        BackgroundJob.status.in_((STATUS_FINISHED, STATUS_FAILED)), BackgroundJob.finished_at < now - retention)))
    for job in old:
        path = result_path(job)
        if path is not None:
            path.unlink(missing_ok=True)
    if old:
        db.session.execute(delete(BackgroundJob).where(BackgroundJob.id.in_([j.id for j in old]))
                           .execution_options(synchronize_session=False))
    cutoff = now - stale_after
    stale = db.session.execute(
        update(BackgroundJob).where(
            BackgroundJob.status.in_((STATUS_QUEUED, STATUS_RUNNING)),
            or_(BackgroundJob.updated_at < cutoff,
                (BackgroundJob.updated_at.is_(None)) & (BackgroundJob.created_at < cutoff)))
        .values(status=STATUS_FAILED, error=WORKER_LOST, finished_at=now, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    return len(old), stale


def remove_orphan_files(max_age: timedelta) -> int:
    """Delete files in the jobs folder older than ``max_age`` that no job row names (crashed writes)."""
    root = jobs_root()
    if not root.is_dir():
        return 0
    known = {Path(name).name for name in db.session.scalars(
        select(BackgroundJob.result_file).where(BackgroundJob.result_file.is_not(None)))}
    cutoff = (utcnow() - max_age).timestamp()
    removed = 0
    for path in root.iterdir():
        try:
            if path.is_file() and path.name not in known and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed
