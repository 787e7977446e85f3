"""``flask roster import FILE [--dry-run]``: the roster import from the command line.

Same rules as the web dry run (:mod:`app.admin.roster`): the whole file is
checked first; with any error nothing is written and the command exits 1.
Otherwise the import is written in one transaction and recorded in the audit
log (actor empty: command line).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.admin import roster
from app.admin.audit import record_event
from app.extensions import db

roster_cli = AppGroup("roster", help="Impor daftar ASN (roster) dari CSV atau XLSX.")

#: Errors printed before the rest are summarised as a count.
MAX_PRINTED_ERRORS = 200


def _count_rows(path: Path) -> int:
    """Data rows of the file, for the progress bar (0 when unknown: the bar then only counts)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with open(path, "rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True)
            rows = workbook.worksheets[0].max_row or 1
            workbook.close()
            return max(0, rows - 1)
        except Exception:  # the planner reports the unreadable file with its Indonesian message
            return 0
    return 0


@roster_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Periksa saja; tidak ada yang disimpan.")
def roster_import(file: Path, dry_run: bool):
    """Impor roster ASN dari FILE (.csv atau .xlsx), dicocokkan per NIP."""
    try:
        with click.progressbar(length=_count_rows(file), label="Memeriksa baris",
                               file=sys.stderr) as bar:
            plan = roster.plan_file(file, progress=bar.update)
    except roster.RosterFileError as error:
        db.session.rollback()
        click.echo(f"Berkas ditolak: {error}", err=True)
        raise SystemExit(1) from None
    summary = plan.summary()
    click.echo(f"{summary['rows']} baris: {summary['create']} dibuat, {summary['update']} diperbarui, "
               f"{summary['unchanged']} tidak berubah, {summary['error']} baris bermasalah.")
    errors = plan.errors
    for error in errors[:MAX_PRINTED_ERRORS]:
        click.echo(f"Baris {error.row}, kolom {error.column}: {error.message}"
                   + (f" (nilai: {error.value})" if error.value else ""), err=True)
    if len(errors) > MAX_PRINTED_ERRORS:
        click.echo(f"… dan {len(errors) - MAX_PRINTED_ERRORS} kesalahan lain.", err=True)
    if errors:
        db.session.rollback()
        click.echo("Tidak ada yang disimpan: perbaiki kesalahan di atas lalu jalankan ulang.", err=True)
        raise SystemExit(1)
    if dry_run:
        db.session.rollback()
        click.echo("Uji coba (--dry-run): tidak ada yang disimpan.")
        return
    try:
        with click.progressbar(length=summary["rows"], label="Menyimpan",
                               file=sys.stderr) as bar:
            result = roster.apply_import(plan, progress=bar.update)
        record_event(None, "roster.import", "roster", file.name, file=file.name, created=result.created,
                     updated=result.updated, unchanged=result.unchanged, rows=summary["rows"])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        click.echo("Data pengguna berubah selama impor (NIP atau email bentrok); tidak ada yang disimpan. "
                   "Jalankan ulang.", err=True)
        raise SystemExit(1) from None
    click.echo(f"Impor selesai: {result.created} dibuat, {result.updated} diperbarui, "
               f"{result.unchanged} tidak berubah. Akun baru belum memiliki kata sandi yang dapat dipakai: "
               "peserta perlu mengatur kata sandi (atur ulang kata sandi) sebelum dapat masuk.")
