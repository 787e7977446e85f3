"""Operator commands: ``flask opd seed``, ``flask users create``, ``flask demo accounts``.

Each command commits once at the end, or rolls back and exits with status 1
and Indonesian messages on stderr. Passwords are never printed, except the
random passwords of newly created demo accounts, shown once.
"""
from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import AppGroup

from app.admin import services
from app.auth.models import ROLES
from app.auth.services import AccountData, AccountError, create_user
from app.common.asn import ESELON
from app.extensions import db

users_cli = AppGroup("users", help="Kelola akun pengguna.")
demo_cli = AppGroup("demo", help="Data contoh.")
opd_cli = AppGroup("opd", help="Kelola daftar OPD.")

PASSWORD_ENV = "LENTERA_USER_PASSWORD"


def _fail(*messages: str) -> None:
    """Roll back, print ``messages`` to stderr and exit with status 1."""
    db.session.rollback()
    for message in messages:
        click.echo(message, err=True)
    click.get_current_context().exit(1)


@opd_cli.command("seed")
def opd_seed():
    """Isi daftar OPD Pemprov Kalimantan Timur (aman dijalankan berulang)."""
    result = services.seed_opds()
    db.session.commit()
    click.echo(f"{result.added} OPD ditambahkan ({result.existing} sudah ada).")


@users_cli.command("create")
@click.option("--email", required=True, help="Alamat email (untuk masuk).")
@click.option("--name", "full_name", required=True, help="Nama lengkap tanpa gelar.")
@click.option("--role", default="learner", show_default=True, help=f"Peran: {', '.join(ROLES)}.")
@click.option("--nip", default=None, help="NIP 18 digit (ASN).")
@click.option("--opd", "opd_code", default=None, help="Kode OPD, mis. DISKOMINFO (lihat `flask opd seed`).")
@click.option("--gelar-depan", default=None, help="Gelar di depan nama, mis. Dr.")
@click.option("--gelar-belakang", default=None, help="Gelar di belakang nama, mis. S.Kom.")
@click.option("--employment-type", default=None, help="Jenis kepegawaian: PNS atau PPPK.")
@click.option("--jabatan", default=None, help="Jabatan.")
@click.option("--eselon", default=None, help=f"Eselon: {', '.join(ESELON)}.")
@click.option("--golongan", default=None, help="Golongan, mis. III/d (I/a … IV/e).")
def users_create(email, full_name, role, nip, opd_code, gelar_depan, gelar_belakang, employment_type, jabatan,
                 eselon, golongan):
    """Buat akun. Kata sandi dibaca dari LENTERA_USER_PASSWORD, atau ditanyakan (tidak ditampilkan)."""
    opd_id = None
    if opd_code:
        opd = services.find_opd_by_code(opd_code)
        if opd is None:
            _fail(f"OPD dengan kode '{opd_code}' tidak dikenal. Jalankan `flask opd seed` atau periksa kodenya.")
        opd_id = opd.id
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt="Ulangi kata sandi")
    try:
        user = create_user(AccountData(
            email=email, full_name=full_name, password=password, role=role, gelar_depan=gelar_depan,
            gelar_belakang=gelar_belakang, nip=nip, opd_id=opd_id, jabatan=jabatan, eselon=eselon,
            golongan=golongan, employment_type=employment_type,
        ))
    except AccountError as error:
        _fail(*error.field_errors.values())
    db.session.commit()
    click.echo(f"Akun dibuat: {user.email} ({user.role_label}), {user.display_name}.")


@demo_cli.command("accounts")
def demo_accounts():
    """Buat akun demo admin, pengajar, dan peserta (aman dijalankan berulang)."""
    try:
        result = services.ensure_demo_accounts()
    except AccountError as error:
        _fail(*error.field_errors.values())
    db.session.commit()
    login_url = current_app.config["LENTERA_BASE_URL"].rstrip("/") + "/masuk"
    header = ("Peran", "Email", "Kata sandi")
    rows = [(a.role, a.email, a.password if a.created else "sudah ada (kata sandi tidak diubah)")
            for a in result.accounts]
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(len(header))]
    line = "+-" + "-+-".join("-" * w for w in widths) + "-+"

    def echo_row(cells):
        click.echo("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |")

    click.echo(f"Akun demo Lentera. Masuk di {login_url}")
    click.echo(line)
    echo_row(header)
    click.echo(line)
    for row in rows:
        echo_row(row)
    click.echo(line)
    if any(a.created for a in result.accounts):
        click.echo("Kata sandi baru hanya ditampilkan sekali ini. Simpan sekarang.")
    click.echo(f"Pengajar demo mengampu {result.trainer_courses} kursus "
               f"({result.trainer_links_added} baru ditautkan).")
