"""``flask courses …`` commands (being written)."""
import click
from flask.cli import AppGroup

courses_cli = AppGroup("courses", help="Kelola kursus dari berkas di courses/.")
