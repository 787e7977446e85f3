"""``flask certificates …`` commands.

``flask certificates reconcile`` brings the stored PDFs in line with the
database: it issues certificates that a completion could not issue earlier
(e.g. after an admin fixed a name the font could not print), rebuilds PDF
files that are missing or damaged (a crash between commit and rename, a
lost disk) from each row's snapshot, and deletes stale ``*.tmp`` files
left by interrupted writes. Safe to run at any time, also while the
application serves requests.
"""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.certificates import services, storage
from app.certificates.models import Certificate
from app.extensions import db

certificates_cli = AppGroup("certificates", help="Kelola sertifikat.")


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
        # Detach and end the transaction before rendering: on SQLite every
        # transaction holds the write lock, which the app's requests need.
        db.session.expunge(certificate)
        db.session.rollback()
        try:
            loaded = services.load_pdf(certificate)
        except Exception as error:  # one bad row must not stop the rest
            failures += 1
            click.echo(f"GAGAL buat ulang: {certificate.number}: {error}")
            continue
        if loaded.rebuilt:
            rebuilt += 1
            note = "" if loaded.matches else " (PERINGATAN: SHA-256 berbeda dari catatan saat terbit)"
            click.echo(f"Dibuat ulang: {certificate.file_name}{note}")

    removed = storage.remove_stale_tmp_files(tmp_age_minutes * 60)
    root = storage.data_root()
    for path in removed:
        click.echo(f"Dihapus: {path.relative_to(root)}")

    click.echo(f"Selesai: {issued} diterbitkan, {rebuilt} berkas dibuat ulang, "
               f"{len(removed)} berkas sementara dihapus, {failures} gagal.")
    if failures:
        click.get_current_context().exit(1)
