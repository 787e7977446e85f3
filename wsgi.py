"""WSGI entry point: ``gunicorn wsgi:app`` (production reads LENTERA_ENV)."""
import os

from app import create_app

app = create_app(os.environ.get("LENTERA_ENV", "production"))
