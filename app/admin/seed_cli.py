"""``flask seed-demo``: a realistic demo data set at scale (see :mod:`app.admin.demo_data`)."""
from __future__ import annotations

import time

import click
from flask.cli import with_appcontext

from app.admin.demo_data import DEFAULT_CERTIFICATES, DEMO_PASSWORD, seed_demo


@click.command("seed-demo")
@click.option("--users", type=click.IntRange(min=1), required=True, help="Jumlah pengguna demo yang dibuat.")
@click.option("--seed", type=int, default=2026, show_default=True,
              help="Benih acak: benih dan tanggal yang sama menghasilkan data yang sama.")
@click.option("--certificates", type=click.IntRange(min=0), default=DEFAULT_CERTIFICATES, show_default=True,
              help="Jumlah sertifikat PDF asli yang diterbitkan; penyelesaian lain tetap layak sertifikat.")
@with_appcontext
def seed_demo_command(users: int, seed: int, certificates: int) -> None:
    """Isi basis data dengan pengguna, pendaftaran, progres, kuis dan sertifikat demo."""
    started = time.monotonic()

    def say(line: str) -> None:
        click.echo(f"[{time.monotonic() - started:7.1f} dtk] {line}")

    counts = seed_demo(users, seed=seed, progress=say, certificates=certificates)
    click.echo(f"Selesai dalam {time.monotonic() - started:.1f} detik. Semua pengguna demo memakai kata sandi "
               f"'{DEMO_PASSWORD}'.")
    for table, count in counts.items():
        click.echo(f"  {table}: {count}")
