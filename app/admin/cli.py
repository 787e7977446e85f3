"""Operator commands (being written)."""
from flask.cli import AppGroup

users_cli = AppGroup("users", help="Kelola akun pengguna.")
demo_cli = AppGroup("demo", help="Data contoh.")
opd_cli = AppGroup("opd", help="Kelola daftar OPD.")
