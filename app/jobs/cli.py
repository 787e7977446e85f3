"""``flask jobs …`` commands: the RQ worker and housekeeping.

``flask jobs worker`` runs queued jobs from ``LENTERA_JOBS_QUEUE`` on
``LENTERA_REDIS_URL`` inside the application context; start one or more
per machine (systemd ``lentera-worker@N``). It is an RQ ``SimpleWorker``:
jobs run in the worker process itself (no fork per job), so the database
connection pool is never shared across a fork; each job ends by releasing
its session. ``LENTERA_JOB_TIMEOUT_SECONDS`` bounds one job.

``flask jobs purge`` removes ended jobs (and their files) older than
``LENTERA_JOB_RETENTION_DAYS`` and marks jobs whose process died as failed.
"""
from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db
from app.jobs import services

jobs_cli = AppGroup("jobs", help="Tugas latar belakang (antrean RQ di Redis).")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Berhenti setelah antrean kosong.")
@click.option("--name", default=None, help="Nama pekerja (bawaan: dibuat oleh RQ).")
def worker(burst: bool, name: str | None) -> None:
    """Jalankan pekerja RQ untuk antrean LENTERA_JOBS_QUEUE di LENTERA_REDIS_URL."""
    from rq import SimpleWorker

    url = current_app.config.get("LENTERA_REDIS_URL")
    if not url:
        raise click.UsageError("LENTERA_REDIS_URL belum diisi; tanpa Redis tugas berjalan di dalam proses web.")
    connection = services.redis_connection(url)
    queue = services.queue(connection=connection)
    db.session.remove()  # no transaction is held while waiting for work
    SimpleWorker([queue], connection=connection, name=name).work(burst=burst, with_scheduler=False)


@jobs_cli.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Hapus tugas yang berakhir lebih dari sekian hari lalu (bawaan: LENTERA_JOB_RETENTION_DAYS).")
@click.option("--stale-hours", type=click.IntRange(min=1), default=None,
              help="Tugas aktif tanpa kabar selama sekian jam dianggap gagal (bawaan: batas waktu tugas).")
def purge(days: int | None, stale_hours: int | None) -> None:
    """Hapus tugas lama beserta berkasnya; tandai gagal tugas yang prosesnya berhenti."""
    config = current_app.config
    retention = timedelta(days=config["LENTERA_JOB_RETENTION_DAYS"] if days is None else days)
    stale = (timedelta(hours=stale_hours) if stale_hours
             else timedelta(seconds=config["LENTERA_JOB_TIMEOUT_SECONDS"]) + timedelta(minutes=10))
    removed, failed = services.purge(retention, stale)
    db.session.commit()
    orphans = services.remove_orphan_files(timedelta(days=1))
    click.echo(f"Selesai: {removed} tugas dihapus, {failed} tugas ditandai gagal, {orphans} berkas yatim dihapus.")
