"""``flask certificates …`` commands.

``reconcile`` brings the stored PDFs in line with the database: it issues
certificates that a completion could not issue earlier (e.g. after an admin
fixed a name the font could not print), rebuilds PDF files that are missing
or damaged (a crash between commit and rename, a lost disk) from each row's
snapshot and re-signs them (the row keeps the new file's SHA-256 and
``resigned_at``), and deletes stale ``*.tmp`` files left by interrupted
writes. Safe to run at any time, also while the application serves requests.

``issue`` issues the missing certificates of a course or cohort;
``regenerate`` renders and signs the current certificates of a course or
cohort again (after the signing key changed, e.g. from the development key
to the institution's own). Both show a progress bar and commit one
certificate at a time.
"""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.admin.audit import record_event
from app.catalog.models import Course
from app.certificates import services, storage
from app.certificates.models import Certificate
from app.common import ratelimit
from app.extensions import db
from app.learning.models import Cohort

certificates_cli = AppGroup("certificates", help="Kelola sertifikat.")


def _scope(course_slug: str | None, cohort_id: int | None) -> tuple[int | None, int | None, str]:
    """Resolve ``--course``/``--cohort`` to ids and a label; exits with a message when unknown."""
    if not course_slug and cohort_id is None:
        raise click.UsageError("Sebutkan --course SLUG atau --cohort ID.")
    course_id = None
    label = []
    if course_slug:
        course = db.session.scalar(select(Course).where(Course.slug == course_slug))
        if course is None:
            raise click.BadParameter(f"kursus {course_slug!r} tidak ditemukan.", param_hint="--course")
        course_id = course.id
        label.append(f"kursus {course.slug}")
    if cohort_id is not None:
        cohort = db.session.get(Cohort, cohort_id)
        if cohort is None or (course_id is not None and cohort.course_id != course_id):
            raise click.BadParameter(f"angkatan {cohort_id} tidak ditemukan"
                                     + (" pada kursus ini." if course_id else "."), param_hint="--cohort")
        label.append(f"angkatan {cohort.name}")
    return course_id, cohort_id, ", ".join(label)


@certificates_cli.command("reconcile")
@click.option("--tmp-age", "tmp_age_minutes", default=10, show_default=True, type=click.IntRange(min=1),
              help="Berkas *.tmp yang lebih tua dari sekian menit dianggap sisa dan dihapus.")
def reconcile(tmp_age_minutes: int) -> None:
    """Terbitkan sertifikat yang tertunda, buat ulang berkas PDF yang hilang, hapus *.tmp sisa."""
    failures = 0

    issued = 0
    for enrolment in services.missing_certificates():
        enrolment_id = enrolment.id
        try:
            certificate = services.issue_certificate(enrolment)
        except services.CertificateIssueError as error:
            db.session.rollback()
            failures += 1
            click.echo(f"GAGAL terbit: pendaftaran {enrolment_id}: {error.detail}")
            continue
        number = certificate.number
        db.session.commit()
        issued += 1
        click.echo(f"Diterbitkan: {number} (pendaftaran {enrolment_id})")

    rebuilt = 0
    ids = list(db.session.scalars(select(Certificate.id).order_by(Certificate.id)))
    db.session.rollback()
    for certificate_id in ids:
        certificate = db.session.get(Certificate, certificate_id)
        if certificate is None:
            continue
        file_name, number = certificate.file_name, certificate.number
        try:
            loaded = services.load_pdf(certificate)
            db.session.commit()  # a rebuilt file moves into place with its row
        except Exception as error:  # one bad row must not stop the rest
            db.session.rollback()
            failures += 1
            click.echo(f"GAGAL buat ulang: {number}: {error}")
            continue
        if loaded.rebuilt:
            rebuilt += 1
            note = "" if loaded.matches else " (PERINGATAN: isi berbeda dari saat terbit)"
            click.echo(f"Dibuat ulang dan ditandatangani ulang: {file_name}{note}")

    # Verification rate-limit windows are minutes long; day-old counters are dead weight.
    for limiter in ("verify-miss", "verify-upload"):
        ratelimit.purge_expired(timedelta(days=1), limiter)
    db.session.commit()

    removed = storage.remove_stale_tmp_files(tmp_age_minutes * 60)
    root = storage.data_root()
    for path in removed:
        click.echo(f"Dihapus: {path.relative_to(root)}")

    click.echo(f"Selesai: {issued} diterbitkan, {rebuilt} berkas dibuat ulang, "
               f"{len(removed)} berkas sementara dihapus, {failures} gagal.")
    if failures:
        click.get_current_context().exit(1)


@certificates_cli.command("issue")
@click.option("--course", "course_slug", help="Slug kursus.")
@click.option("--cohort", "cohort_id", type=int, help="ID angkatan.")
def issue(course_slug: str | None, cohort_id: int | None) -> None:
    """Terbitkan sertifikat yang belum ada untuk kursus atau angkatan."""
    course_id, cohort_id, label = _scope(course_slug, cohort_id)
    ids = [e.id for e in services.missing_certificates(course_id, cohort_id)]
    db.session.rollback()
    from app.learning.models import Enrolment

    issued = failures = 0
    with click.progressbar(ids, label=f"Menerbitkan ({label})", show_pos=True) as bar:
        for enrolment_id in bar:
            enrolment = db.session.get(Enrolment, enrolment_id)
            try:
                services.issue_certificate(enrolment)
            except services.CertificateIssueError as error:
                db.session.rollback()
                failures += 1
                click.echo(f"\nGAGAL terbit: pendaftaran {enrolment_id}: {error.detail}")
                continue
            db.session.commit()
            issued += 1
    record_event(None, "certificate.bulk_issue", "cohort" if cohort_id else "course",
                 cohort_id or course_id, issued=issued, failed=failures)
    db.session.commit()
    click.echo(f"Selesai: {issued} diterbitkan, {failures} gagal.")
    if failures:
        click.get_current_context().exit(1)


@certificates_cli.command("regenerate")
@click.option("--course", "course_slug", help="Slug kursus.")
@click.option("--cohort", "cohort_id", type=int, help="ID angkatan.")
def regenerate(course_slug: str | None, cohort_id: int | None) -> None:
    """Buat ulang dan tanda tangani ulang PDF sertifikat kursus atau angkatan (mis. setelah kunci diganti)."""
    course_id, cohort_id, label = _scope(course_slug, cohort_id)
    ids = [c.id for c in services.current_certificates(course_id, cohort_id)]
    db.session.rollback()
    done = failures = changed = 0
    with click.progressbar(ids, label=f"Membuat ulang ({label})", show_pos=True) as bar:
        for certificate_id in bar:
            certificate = db.session.get(Certificate, certificate_id)
            number = certificate.number
            try:
                loaded = services.resign(certificate, why="regenerate")
                db.session.commit()
            except Exception as error:  # one bad row must not stop the rest
                db.session.rollback()
                failures += 1
                click.echo(f"\nGAGAL buat ulang: {number}: {error}")
                continue
            done += 1
            changed += 0 if loaded.matches else 1
    click.echo(f"Selesai: {done} dibuat ulang ({changed} dengan isi berbeda dari saat terbit), {failures} gagal.")
    if failures:
        click.get_current_context().exit(1)
