"""Request-wide wiring: user loading, template filters, error pages, headers."""
from __future__ import annotations

import logging
from decimal import Decimal

from flask import Flask, render_template, request
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
    """Attach loaders, filters, error handlers and response headers to ``app``."""
    from app.auth.models import User
    from app.common import formatting

    @login_manager.user_loader
    def load_user(user_id: str):
        if not user_id.isdigit():
            return None
        return db.session.get(User, int(user_id))

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
        log.exception("unhandled error on %s %s", request.method, request.path)
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
        if current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


def user_error(code: int, message: str):
    """Build an HTTPException whose Indonesian ``message`` is shown to the user.

    Use ``raise user_error(400, "…")`` from routes (``abort`` takes only codes).
    """
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=message)
    error.lentera_message = True
    return error
