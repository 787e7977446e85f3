"""``flask courses …`` commands.

Language (issue #7): operator-facing only -- CLI output and file:line
diagnostics stay in Indonesian and are not in the gettext catalogues.

``flask courses import PATH [--timpa]`` imports course folders written in the
format of ``courses/FORMAT.md``; the rules live in :mod:`app.catalog.importer`.
A course changed in the browser since its last import is skipped (exit code 0,
so ``make run`` still serves) unless ``--timpa`` is given.
``flask courses export SLUG DIR`` writes one course back to that format
(:mod:`app.catalog.exporter`).
"""
from __future__ import annotations

import shlex
from pathlib import Path

import click
from flask.cli import AppGroup

from app.catalog.importer import (
    STATUS_CREATED,
    STATUS_FAILED,
    STATUS_SKIPPED,
    STATUS_UNCHANGED,
    STATUS_UPDATED,
    CourseImportError,
    ImportResult,
    iter_import,
    remove_obsolete,
)
from app.extensions import db

courses_cli = AppGroup("courses", help="Kelola kursus dari berkas di courses/.")


# Differences listed for a skipped course; the rest are counted.
_SKIPPED_SHOWN = 10


def _describe(result: ImportResult) -> str:
    if result.status == STATUS_FAILED:
        return f"{result.label}: {STATUS_FAILED} ({len(result.problems)} kesalahan)"
    if result.status == STATUS_SKIPPED:
        return (f"{result.label}: {STATUS_SKIPPED} -- kursus diubah di peramban sejak impor terakhir "
                f"({result.browser_change}); isi berkas tidak diterapkan agar perubahan itu tidak hilang. "
                f"Untuk menimpanya dengan isi berkas: flask courses import {shlex.quote(result.path)} --timpa")
    spec = result.spec
    return (f"{result.label}: {result.status} (versi {spec.version}; {len(spec.modules)} modul, "
            f"{spec.lesson_count} pelajaran, {spec.quiz_count} kuis, {spec.question_count} pertanyaan)")


@courses_cli.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--timpa", "overwrite", is_flag=True,
              help="Timpa juga kursus yang diubah di peramban sejak impor terakhir (perubahan itu hilang).")
def import_courses(path: Path, overwrite: bool) -> None:
    """Impor atau perbarui kursus dari PATH.

    PATH adalah satu folder kursus (berisi course.yaml) atau folder berisi
    folder-folder kursus, mis. courses/. Setiap kursus disimpan dalam satu
    transaksi: kursus yang salah tidak disimpan sama sekali, kursus lain tetap
    diimpor. Kode keluar bukan nol bila ada kursus yang gagal. Kursus yang
    diubah di peramban sejak impor terakhir dilewati (tidak ditimpa) kecuali
    dengan --timpa; setiap impor yang mengubah kursus tercatat di riwayat
    perubahan kursus itu.
    """
    counts = {STATUS_CREATED: 0, STATUS_UPDATED: 0, STATUS_UNCHANGED: 0, STATUS_FAILED: 0}
    skipped = 0
    try:
        for result in iter_import(path, overwrite=overwrite):
            if result.ok:
                db.session.commit()
                remove_obsolete(result)
            else:
                db.session.rollback()
            click.echo(_describe(result))
            if result.status == STATUS_SKIPPED:
                skipped += 1
                click.echo(f"  Perbedaan yang tidak diterapkan ({len(result.changes)}):")
                shown = result.changes[:_SKIPPED_SHOWN]
            else:
                counts[result.status] += 1
                shown = result.changes
            for change in shown:
                click.echo(f"  - {change}")
            if len(shown) < len(result.changes):
                click.echo(f"  - … dan {len(result.changes) - len(shown)} lainnya")
            for problem in result.problems:
                click.echo(str(problem), err=True)
    except CourseImportError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.exceptions.Exit(1)
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    # Named only when it happened, so the usual summary line stays as it was.
    click.echo("Ringkasan: " + summary + (f", {skipped} {STATUS_SKIPPED}" if skipped else ""))
    if counts[STATUS_FAILED]:
        raise click.exceptions.Exit(1)


@courses_cli.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
def export_course(slug: str, directory: Path) -> None:
    """Ekspor kursus SLUG ke folder DIRECTORY dalam format courses/.

    Hasilnya dapat diimpor kembali dengan `flask courses import DIRECTORY`.
    Folder yang sudah berisi ekspor kursus yang sama ditimpa (berkas yang tidak
    lagi dipakai dihapus); folder berisi kursus lain ditolak.
    """
    from app.admin.audit import record_event
    from app.catalog.exporter import ExportError, load_for_export, write_course_dir

    course = load_for_export(slug)
    if course is None:
        click.echo(f"Kursus dengan slug '{slug}' tidak ditemukan.", err=True)
        raise click.exceptions.Exit(1)
    try:
        written = write_course_dir(course, directory)
    except (ExportError, OSError) as exc:
        click.echo(f"Ekspor gagal: {exc}", err=True)
        raise click.exceptions.Exit(1)
    record_event(None, "course.export", "course", course.id, format="folder", path=str(directory))
    db.session.commit()
    click.echo(f"{slug}: {len(written)} berkas ditulis ke {directory}")
