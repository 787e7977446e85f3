"""Configuration read from the environment.

Every setting has a safe default for the embedded SQLite set-up (``make run``),
except ``SECRET_KEY`` in production, which must be given.
"""
from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


class Config:
    """Base settings; values come from environment variables of the same name.

    - DATABASE_URL: SQLAlchemy URL; default ``sqlite:///<instance>/lentera.db``.
      PostgreSQL: ``postgresql+psycopg://user@host/dbname``.
    - LENTERA_DATA_DIR: folder for stored certificate PDFs; default
      ``<instance>/data``.
    - LENTERA_TIMEZONE: IANA zone used to show dates; default ``Asia/Makassar``
      (WITA, Kalimantan Timur; Keppres 41/1987).
    - LENTERA_MINUTES_PER_JP: minutes in one jam pelajaran; a setting because no
      current LAN rule text fixing it was found (see shared/domain-facts.md §4).
    """

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # filled in create_app
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session; forms left open still submit
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("LENTERA_SECURE_COOKIES", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    LENTERA_DATA_DIR = os.environ.get("LENTERA_DATA_DIR")  # filled in create_app
    LENTERA_TIMEZONE = os.environ.get("LENTERA_TIMEZONE", "Asia/Makassar")
    LENTERA_MINUTES_PER_JP = int(os.environ.get("LENTERA_MINUTES_PER_JP", "45"))
    LENTERA_JP_TARGET_PNS = Decimal(os.environ.get("LENTERA_JP_TARGET_PNS", "20"))
    LENTERA_BASE_URL = os.environ.get("LENTERA_BASE_URL", "http://127.0.0.1:5000")
    LENTERA_INSTITUTION = os.environ.get(
        "LENTERA_INSTITUTION",
        "Badan Pengembangan Sumber Daya Manusia Provinsi Kalimantan Timur",
    )
    LENTERA_PLACE = os.environ.get("LENTERA_PLACE", "Samarinda")
    LENTERA_SIGNATORY_NAME = os.environ.get("LENTERA_SIGNATORY_NAME", "Kepala BPSDM Provinsi Kalimantan Timur")
    LENTERA_SIGNATORY_TITLE = os.environ.get("LENTERA_SIGNATORY_TITLE", "Kepala Badan")
    LENTERA_SIGNATORY_NIP = os.environ.get("LENTERA_SIGNATORY_NIP") or None
    LENTERA_CERT_NUMBER_PATTERN = os.environ.get(
        "LENTERA_CERT_NUMBER_PATTERN", "{seq:04d}/BPSDM-KT/{roman_month}/{year}"
    )


class DevelopmentConfig(Config):
    """Local use: an insecure fallback key is allowed."""

    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"


class ProductionConfig(Config):
    """Production: refuses to start without SECRET_KEY (checked in create_app)."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("LENTERA_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """pytest: the database URL and data folder are given by the fixtures."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
