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
    - LENTERA_JP_TARGET_PNS: yearly JP target of a PNS; default 20 (PP 11/2017
      as amended by PP 17/2020, domain-facts §4).
    - LENTERA_JP_TARGET_PPPK: yearly JP target of a PPPK; default 20. A separate
      setting because PPPK entitlements differ from PNS and no rule text fixing
      theirs was found; set it to what the province applies.
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
    LENTERA_ATTACHMENT_MAX_BYTES = int(os.environ.get("LENTERA_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
    LENTERA_MINUTES_PER_JP = int(os.environ.get("LENTERA_MINUTES_PER_JP", "45"))
    LENTERA_JP_TARGET_PNS = Decimal(os.environ.get("LENTERA_JP_TARGET_PNS", "20"))
    LENTERA_JP_TARGET_PPPK = Decimal(os.environ.get("LENTERA_JP_TARGET_PPPK", "20"))
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
    # Certificate signing key: a PKCS#12 file and its passphrase. Unset: a development
    # key is created in LENTERA_DATA_DIR/signing/ and each PDF says it is a development signature.
    LENTERA_SIGNING_P12 = os.environ.get("LENTERA_SIGNING_P12") or None
    LENTERA_SIGNING_PASSPHRASE = os.environ.get("LENTERA_SIGNING_PASSPHRASE") or None

    # Sign-in throttle (ASVS 5.0 V6.3): after MAX_FAILURES failed attempts per
    # account (per address: MAX_FAILURES_ADDRESS, higher because an OPD office
    # shares one NAT address), each further failure locks for
    # BACKOFF_SECONDS * 2**(n - limit), at most BACKOFF_MAX_SECONDS.
    # Failures older than FAILURE_WINDOW_SECONDS are forgotten.
    LENTERA_LOGIN_MAX_FAILURES = int(os.environ.get("LENTERA_LOGIN_MAX_FAILURES", "5"))
    LENTERA_LOGIN_MAX_FAILURES_ADDRESS = int(os.environ.get("LENTERA_LOGIN_MAX_FAILURES_ADDRESS", "20"))
    LENTERA_LOGIN_BACKOFF_SECONDS = int(os.environ.get("LENTERA_LOGIN_BACKOFF_SECONDS", "60"))
    LENTERA_LOGIN_BACKOFF_MAX_SECONDS = int(os.environ.get("LENTERA_LOGIN_BACKOFF_MAX_SECONDS", "900"))
    LENTERA_LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LENTERA_LOGIN_FAILURE_WINDOW_SECONDS", "3600"))
    # Sessions: idle and absolute timeouts (server-checked), in minutes.
    LENTERA_SESSION_IDLE_MINUTES = int(os.environ.get("LENTERA_SESSION_IDLE_MINUTES", "30"))
    LENTERA_SESSION_ABSOLUTE_MINUTES = int(os.environ.get("LENTERA_SESSION_ABSOLUTE_MINUTES", str(12 * 60)))
    PERMANENT_SESSION_LIFETIME = LENTERA_SESSION_ABSOLUTE_MINUTES * 60  # "Ingat saya" keeps the cookie this long
    LENTERA_RESET_TOKEN_MINUTES = int(os.environ.get("LENTERA_RESET_TOKEN_MINUTES", "60"))
    # Admin accounts must use TOTP two-factor sign-in when on.
    LENTERA_REQUIRE_ADMIN_2FA = _bool("LENTERA_REQUIRE_ADMIN_2FA", False)
    LENTERA_TOTP_ISSUER = os.environ.get("LENTERA_TOTP_ISSUER", "Lentera BPSDM Kaltim")
    # Reverse proxies in front of the app whose X-Forwarded-For is trusted (0: none).
    LENTERA_PROXY_COUNT = int(os.environ.get("LENTERA_PROXY_COUNT", "0"))
    # Mail: SMTP when LENTERA_SMTP_HOST is set, else messages are written to
    # LENTERA_MAIL_OUTBOX (default <instance>/outbox) for development.
    LENTERA_MAIL_FROM = os.environ.get("LENTERA_MAIL_FROM", "Lentera <no-reply@lentera.invalid>")
    LENTERA_SMTP_HOST = os.environ.get("LENTERA_SMTP_HOST") or None
    LENTERA_SMTP_PORT = int(os.environ.get("LENTERA_SMTP_PORT", "587"))
    LENTERA_SMTP_USERNAME = os.environ.get("LENTERA_SMTP_USERNAME") or None
    LENTERA_SMTP_PASSWORD = os.environ.get("LENTERA_SMTP_PASSWORD") or None
    LENTERA_SMTP_STARTTLS = _bool("LENTERA_SMTP_STARTTLS", True)
    LENTERA_SMTP_TIMEOUT = int(os.environ.get("LENTERA_SMTP_TIMEOUT", "10"))
    LENTERA_MAIL_OUTBOX = os.environ.get("LENTERA_MAIL_OUTBOX") or None
    LENTERA_LOG_LEVEL = os.environ.get("LENTERA_LOG_LEVEL", "INFO")
    LENTERA_HSTS_SECONDS = int(os.environ.get("LENTERA_HSTS_SECONDS", "0"))  # 0: no HSTS header
    # Background jobs (app/jobs): with a Redis URL, jobs go to the RQ queue LENTERA_JOBS_QUEUE and
    # `flask jobs worker` runs them; unset, they run in-process in LENTERA_JOBS_THREADS threads.
    LENTERA_REDIS_URL = os.environ.get("LENTERA_REDIS_URL") or None
    LENTERA_JOBS_QUEUE = os.environ.get("LENTERA_JOBS_QUEUE", "lentera")
    LENTERA_JOBS_THREADS = int(os.environ.get("LENTERA_JOBS_THREADS", "2"))
    LENTERA_JOB_TIMEOUT_SECONDS = int(os.environ.get("LENTERA_JOB_TIMEOUT_SECONDS", str(2 * 3600)))
    # Exports with more rows than this answer at once with a job page instead of streaming.
    LENTERA_EXPORT_JOB_THRESHOLD = int(os.environ.get("LENTERA_EXPORT_JOB_THRESHOLD", "5000"))
    # Finished jobs' files and rows are removed by `flask jobs purge` after this many days.
    LENTERA_JOB_RETENTION_DAYS = int(os.environ.get("LENTERA_JOB_RETENTION_DAYS", "7"))


class DevelopmentConfig(Config):
    """Local use: an insecure fallback key is allowed."""

    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-not-secret"


class ProductionConfig(Config):
    """Production: refuses to start without SECRET_KEY (checked in create_app)."""

    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("LENTERA_SECURE_COOKIES", True)
    LENTERA_HSTS_SECONDS = int(os.environ.get("LENTERA_HSTS_SECONDS", str(365 * 24 * 3600)))
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestingConfig(Config):
    """pytest: the database URL and data folder are given by the fixtures."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret"
    WTF_CSRF_ENABLED = False
    LENTERA_REDIS_URL = None  # jobs run in-process unless a test asks for Redis


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}
