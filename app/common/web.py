"""Request-wide wiring: user loading, template filters, error pages, headers."""
from __future__ import annotations

import logging
from decimal import Decimal

from flask import Flask, g, render_template
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db, login_manager

log = logging.getLogger("lentera")

ERROR_MESSAGES = {
    400: ("Permintaan tidak valid", "Data yang dikirim tidak dapat diproses. Periksa isian Anda lalu coba lagi."),
    403: ("Akses ditolak", "Anda tidak memiliki hak untuk membuka halaman ini."),
    404: ("Halaman tidak ditemukan", "Alamat yang Anda buka tidak ada atau sudah dipindahkan."),
    405: ("Metode tidak diizinkan", "Halaman ini tidak menerima permintaan dengan cara tersebut."),
    413: ("Berkas terlalu besar", "Ukuran berkas melebihi batas yang diizinkan."),
    429: ("Terlalu banyak permintaan", "Tunggu sebentar lalu coba lagi."),
    500: ("Terjadi kesalahan", "Maaf, terjadi kesalahan di server. Silakan coba lagi beberapa saat lagi."),
    503: ("Layanan tidak tersedia", "Layanan sedang tidak dapat menyimpan data. Silakan coba lagi nanti."),
}


def init_app(app: Flask) -> None:
    """Attach loaders, filters, error handlers, response headers and the log set-up to ``app``."""
    from app.auth.sessions import load_user
    from app.common import formatting
    from app.common import logging as app_logging

    app_logging.init_app(app)
    login_manager.user_loader(load_user)

    @app.before_request
    def forget_cached_user():
        # Flask-Login caches the user in ``g``, which lives as long as the app
        # context: a test (or CLI) that keeps one app context across requests
        # would otherwise reuse an earlier request's user and skip the session
        # checks. Every request loads its user from its own cookie.
        g.pop("_login_user", None)

    tz = app.config["LENTERA_TIMEZONE"]

    app.jinja_env.filters["tanggal"] = lambda d: formatting.format_date_id(formatting.to_local(d, tz).date()) if hasattr(d, "hour") else formatting.format_date_id(d)
    app.jinja_env.filters["waktu"] = lambda dt: formatting.format_datetime_id(dt, tz)
    app.jinja_env.filters["jp"] = formatting.format_jp
    app.jinja_env.filters["angka"] = lambda v, places=None: formatting.format_decimal_id(Decimal(v), places)

    @app.context_processor
    def inject_globals():
        return {"institution": app.config["LENTERA_INSTITUTION"]}

    def render_error(code: int, message: str | None = None):
        title, default_message = ERROR_MESSAGES.get(code, (str(code), ""))
        return render_template("error.html", code=code, title=title, message=message or default_message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "Sesi formulir sudah tidak berlaku. Muat ulang halaman lalu kirim kembali.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in ERROR_MESSAGES:
            description = error.description if getattr(error, "lentera_message", False) else None
            return render_error(error.code, description)
        return error

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        if is_disk_full(error, app.config["SQLALCHEMY_DATABASE_URI"]):
            # Nothing was saved (rolled back); pages that only read keep working.
            log.error("disk full while writing: %s", type(error).__name__)
            return render_error(503, DISK_FULL_MESSAGE)
        log.exception("unhandled error %s", getattr(getattr(error, "orig", None), "sqlite_errorname", ""))
        return render_error(500)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("LENTERA_HSTS_SECONDS"):
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['LENTERA_HSTS_SECONDS']}; includeSubDomains")
        if current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


DISK_FULL_MESSAGE = ("Penyimpanan server sedang penuh sehingga data Anda belum tersimpan. "
                     "Tidak ada yang berubah; silakan coba lagi nanti atau hubungi admin BPSDM.")


def is_disk_full(error: BaseException, database_url: str | None = None) -> bool:
    """True for "no space left" / "quota exceeded" (ENOSPC, EDQUOT), also when wrapped by SQLAlchemy.

    SQLite reports a full disk as SQLITE_FULL, or as an I/O error
    (SQLITE_IOERR_WRITE, _SHMSIZE, …) when a journal or WAL index cannot grow;
    an I/O error counts as "full" when the database's filesystem has less
    than 1 MiB free. PostgreSQL: "could not extend file" / "No space left".
    """
    import errno
    import shutil

    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(error).lower()
        if "database or disk is full" in text or "no space left on device" in text or "could not extend file" in text:
            return True
        name = getattr(error, "sqlite_errorname", "") or ""
        if name.startswith("SQLITE_IOERR") and database_url and database_url.startswith("sqlite:///"):
            from pathlib import Path

            try:
                folder = Path(database_url[len("sqlite:///"):]).parent
                return shutil.disk_usage(folder).free < 1024 * 1024
            except OSError:
                return False
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return False


def user_error(code: int, message: str):
    """Build an HTTPException whose Indonesian ``message`` is shown to the user.

    Use ``raise user_error(400, "…")`` from routes (``abort`` takes only codes).
    """
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=message)
    error.lentera_message = True
    return error
