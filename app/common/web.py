"""Request-wide wiring: user loading, template filters, error pages, headers."""
from __future__ import annotations

import logging
from decimal import Decimal

from flask import Flask, g, render_template, request
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db, login_manager

log = logging.getLogger("lentera")

ERROR_MESSAGES = {
    400: (_l("Permintaan tidak valid"), _l("Data yang dikirim tidak dapat diproses. Periksa isian Anda lalu coba lagi.")),
    403: (_l("Akses ditolak"), _l("Anda tidak memiliki hak untuk membuka halaman ini.")),
    404: (_l("Halaman tidak ditemukan"), _l("Alamat yang Anda buka tidak ada atau sudah dipindahkan.")),
    405: (_l("Metode tidak diizinkan"), _l("Halaman ini tidak menerima permintaan dengan cara tersebut.")),
    409: (_l("Permintaan bertabrakan"),
          _l("Permintaan ini bertabrakan dengan keadaan data saat ini. Muat ulang halaman lalu coba lagi.")),
    413: (_l("Kiriman terlalu besar"),
          _l("Ukuran kiriman (berkas atau isian formulir) melebihi batas yang diizinkan. Tidak ada yang disimpan.")),
    429: (_l("Terlalu banyak permintaan"), _l("Tunggu sebentar lalu coba lagi.")),
    500: (_l("Terjadi kesalahan"), _l("Maaf, terjadi kesalahan di server. Silakan coba lagi beberapa saat lagi.")),
    503: (_l("Layanan tidak tersedia"), _l("Layanan sedang tidak dapat menyimpan data. Silakan coba lagi nanti.")),
}


#: The site-wide Content-Security-Policy (ASVS 5.0 V3.4): no inline script or
#: style, no plugins, no <base>, never framed. Lesson pages with a video add
#: frame-src for the allowed players (app/authoring/video.py).
CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                           "frame-ancestors 'none'; form-action 'self'")


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
        # Flask-Babel caches the locale and catalogues in ``g`` too: choose
        # the language afresh for every request (cookie or account may differ).
        g.pop("_flask_babel", None)

    tz = app.config["LENTERA_TIMEZONE"]

    # The filters follow the reader's language (get_locale(): "id" unless chosen
    # otherwise); Python code that must stay Indonesian calls formatting.*_id.
    def locale() -> str:
        return str(get_locale() or "id")

    app.jinja_env.filters["tanggal"] = lambda d: formatting.format_date(
        formatting.to_local(d, tz).date() if hasattr(d, "hour") else d, locale())
    app.jinja_env.filters["waktu"] = lambda dt: formatting.format_datetime(dt, tz, locale())
    app.jinja_env.filters["jp"] = lambda v: formatting.format_jp_locale(v, locale())
    app.jinja_env.filters["angka"] = lambda v, places=None: formatting.format_decimal(Decimal(v), places, locale())

    @app.context_processor
    def inject_globals():
        return {"institution": app.config["LENTERA_INSTITUTION"]}

    def render_error(code: int, message: str | None = None):
        title, default_message = ERROR_MESSAGES.get(code, (str(code), ""))
        return render_template("error.html", code=code, title=title, message=message or default_message), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # The token lives in the session cookie: a form for signed-in users sent after the session
        # ended fails here first. Sign in again and return to the form's page, as login_required does.
        view = app.view_functions.get(request.endpoint or "")
        if not current_user.is_authenticated and getattr(view, "access_rule", "public") != "public":
            from app.common.access import sign_in_then_back

            return sign_in_then_back()
        return render_error(400, _("Sesi formulir sudah tidak berlaku. Muat ulang halaman lalu kirim kembali."))

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
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("LENTERA_HSTS_SECONDS"):
            response.headers.setdefault(
                "Strict-Transport-Security", f"max-age={app.config['LENTERA_HSTS_SECONDS']}; includeSubDomains")
        if current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response


DISK_FULL_MESSAGE = _l("Penyimpanan server sedang penuh sehingga data Anda belum tersimpan. "
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
    """Build an HTTPException whose ``message`` is shown to the user.

    Use ``raise user_error(400, _("…"))`` from routes (``abort`` takes only
    codes); pass the message through gettext so it follows the reader's language.
    """
    from werkzeug.exceptions import default_exceptions

    error = default_exceptions[code](description=message)
    error.lentera_message = True
    return error


#: Highest page number a list accepts; a larger one is answered 404 before its
#: offset (page × size) can overflow the database's 64-bit integer.
MAX_PAGE = 1_000_000


def page_number(raw: str | None) -> int:
    """The ``page`` query argument as 1…MAX_PAGE: missing, malformed or below 1 gives 1.

    Raises a 404 HTTPException above :data:`MAX_PAGE` (no such page can exist).
    """
    if raw is None or not raw.strip().isascii() or not raw.strip().isdigit():
        return 1
    page = int(raw)
    if page > MAX_PAGE:
        from flask import abort

        abort(404)
    return max(page, 1)


def id_argument(raw) -> int | None:
    """An id from a query argument: ASCII digits within 1…MAX_ID, else ``None`` (treated as "all"/absent)."""
    from app.common.db import MAX_ID

    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def safe_next(target: str | None) -> str | None:
    """``target`` when it is a same-site relative path to go to after sign-in, else ``None`` (no open redirect)."""
    from urllib.parse import urlsplit

    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def same_origin_path(referrer: str | None, host_url: str) -> str | None:
    """The path (and query) of ``referrer`` when it is on this site, else ``None``."""
    from urllib.parse import urlsplit

    if not referrer:
        return None
    parts, own = urlsplit(referrer), urlsplit(host_url)
    if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
        return None
    return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
