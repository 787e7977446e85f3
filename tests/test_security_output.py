"""Output and headers: CSP without inline code, security headers, friendly 500/503, safe logs."""
from __future__ import annotations

import errno
import io
import logging
import re

import pytest
from flask import g

from app import create_app
from app.common.access import public
from app.common.logging import SafeFormatter, escape_control, make_handler
from app.extensions import db
from tests.test_security_access import _get, _get_rules, _signed_in, _url, world  # noqa: F401  (fixture)

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
EVENT_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_TAG = re.compile(r"<style[\s>]", re.I)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def test_csp_and_security_headers(client):
    response = client.get("/masuk")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # only in production (HTTPS)


def test_hsts_in_production(database_url, tmp_path):
    prod = create_app("production", SECRET_KEY="k" * 32, SQLALCHEMY_DATABASE_URI=database_url,
                      LENTERA_DATA_DIR=str(tmp_path / "prod"))
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    with prod.app_context():
        response = prod.test_client().get("/masuk", base_url="https://lentera.example.go.id")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        db.session.remove()
        db.engine.dispose()


def test_signed_in_pages_are_not_cached(client, make_user, login):
    login(make_user())
    g.pop("_login_user", None)
    assert client.get("/saya").headers["Cache-Control"] == "no-store"


def test_no_page_carries_inline_script_style_or_event_handlers(app, world):  # noqa: F811
    clients = {"anonymous": app.test_client(), "owner": _signed_in(app, world["users"]["owner"]),
               "admin": _signed_in(app, world["users"]["admin"]),
               "trainer": _signed_in(app, world["users"]["trainer"])}
    problems = []
    checked = 0
    for rule in _get_rules(app):
        url = _url(app, rule, world["values"])
        for who, client in clients.items():
            response = _get(client, url)
            if response.status_code != 200 or not response.mimetype == "text/html":
                continue
            checked += 1
            body = response.get_data(as_text=True)
            for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style= attribute", STYLE_ATTR),
                                  ("on*= attribute", EVENT_ATTR), ("<style> element", STYLE_TAG),
                                  ("javascript: URL", JS_URL)):
                if pattern.search(body):
                    problems.append(f"{who} {url}: {name}: {pattern.search(body).group(0)[:80]}")
    assert checked >= 10
    assert problems == []


@pytest.fixture()
def faulty_app(database_url, tmp_path):
    """A test app with routes that fail on purpose."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, LENTERA_DATA_DIR=str(tmp_path / "f"))

    @public
    def boom():
        raise RuntimeError("rahasia-internal SELECT * FROM users")

    @public
    def disk_full():
        from app.auth.models import Opd

        db.session.add(Opd(code="TMP", name="Tidak boleh tersimpan"))
        db.session.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    app.add_url_rule("/uji/boom", "boom", boom)
    app.add_url_rule("/uji/penuh", "disk_full", disk_full, methods=["POST"])
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_500_page_is_friendly_without_details(faulty_app):
    response = faulty_app.test_client().get("/uji/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Terjadi kesalahan" in body
    assert "Traceback" not in body and "rahasia-internal" not in body and "RuntimeError" not in body


def test_disk_full_gives_503_rolls_back_and_reads_still_work(faulty_app):
    from app.auth.models import Opd

    client = faulty_app.test_client()
    response = client.post("/uji/penuh")
    assert response.status_code == 503
    assert "Penyimpanan server sedang penuh" in response.get_data(as_text=True)
    assert db.session.query(Opd).filter_by(code="TMP").count() == 0
    assert client.get("/masuk").status_code == 200


# --- logs ---------------------------------------------------------------------

def _capture(app):
    stream = io.StringIO()
    handler = make_handler(stream)
    logger = logging.getLogger("lentera")
    logger.addHandler(handler)
    return stream, handler, logger


def test_log_lines_are_utc_and_cannot_be_forged(app):
    record = logging.LogRecord("lentera.test", logging.INFO, __file__, 1, "search %s", ("x\r\n2026-01-01T00:00:00Z INFO forged",), None)
    record.created = 0
    line = make_handler(io.StringIO()).formatter.format(_with_context(record))
    assert line.startswith("1970-01-01T00:00:00Z INFO lentera.test")
    assert "\n" not in line and "\r" not in line
    assert "x\\r\\n2026-01-01T00:00:00Z INFO forged" in line
    assert escape_control("a\u2028b\x1b") == "a\\u2028b\\x1b"


def _with_context(record):
    from app.common.logging import RequestContextFilter

    RequestContextFilter().filter(record)
    return record


def test_requests_are_logged_with_user_and_without_secrets(app, client, make_user, tmp_path):
    app.config["LENTERA_MAIL_OUTBOX"] = str(tmp_path / "outbox")
    user = make_user()
    stream, handler, logger = _capture(app)
    try:
        client.post("/masuk", data={"email": user.email, "password": "salah-sekali\r\nINFO palsu"})
        g.pop("_login_user", None)
        client.post("/masuk", data={"email": user.email, "password": "rahasia-123"})
        g.pop("_login_user", None)
        client.get("/saya")
        client.post("/keluar")
        client.post("/lupa-sandi", data={"email": user.email})
        mail = next((tmp_path / "outbox").glob("*.eml")).read_text()
        token = re.search(r"/atur-ulang-sandi/([A-Za-z0-9_\-]+)", mail).group(1)
        client.get(f"/atur-ulang-sandi/{token}")
        logger.warning("debug password=hunter2-abc token=abc")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    cookie = client.get_cookie("session")
    assert f"user={user.id} " in text and "sign-in user=" in text and "GET /saya: status=200" in text
    for secret in ("rahasia-123", "salah-sekali", "hunter2-abc", token) + ((cookie.value,) if cookie else ()):
        assert secret not in text, secret
    assert "/atur-ulang-sandi/***" in text
    for line in text.splitlines():
        assert re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ [A-Z]+ lentera|  \| )", line), line
    assert isinstance(handler.formatter, SafeFormatter)
