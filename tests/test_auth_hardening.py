"""ASVS 5.0 L2 sign-in and session controls: throttle, sessions, reset, passwords, TOTP."""
from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from flask import g
from sqlalchemy import select

from app import create_app
from app.auth import sessions, throttle
from app.auth.models import LoginThrottle, PasswordResetToken, User, UserSession
from app.auth.passwords import common_passwords, password_problem
from app.common.db import utcnow
from app.extensions import db
from tests.factories import PASSWORD


def _fresh(client):
    """Drop the user cached in ``g`` (tests share one app context), so the next request loads it anew."""
    g.pop("_login_user", None)
    return client


def _sign_in(client, email, password=PASSWORD, **extra):
    _fresh(client)
    return client.post("/masuk", data={"email": email, "password": password, **extra})


# --- throttle -----------------------------------------------------------------

def test_five_failures_lock_the_account_with_429_and_retry_time(client, make_user):
    user = make_user()
    for _ in range(4):
        assert _sign_in(client, user.email, "salah-sekali").status_code == 400
    fifth = _sign_in(client, user.email, "salah-sekali")
    assert fifth.status_code == 400  # the fifth failure is answered normally, then the lock starts
    locked = _sign_in(client, user.email)  # even the right password waits
    body = locked.get_data(as_text=True)
    assert locked.status_code == 429
    assert "Terlalu banyak percobaan yang gagal" in body and "coba lagi setelah" in body and "WITA" in body
    assert 1 <= int(locked.headers["Retry-After"]) <= 60
    with client.session_transaction() as state:
        assert "_user_id" not in state


def test_unknown_and_known_accounts_are_throttled_alike(app, client, make_user):
    app.config["LENTERA_LOGIN_MAX_FAILURES"] = 2  # fewer slow argon2 checks; the rule is the same
    user = make_user()
    answers = {}
    for email in (user.email, "tidak-ada@example.com"):
        for _ in range(2):
            _sign_in(client, email, "salah-sekali")
        response = _sign_in(client, email, "salah-sekali")
        answers[email] = (response.status_code, "Terlalu banyak percobaan" in response.get_data(as_text=True))
    assert answers[user.email] == answers["tidak-ada@example.com"] == (429, True)


def test_address_is_throttled_across_accounts(app, client, make_user):
    app.config["LENTERA_LOGIN_MAX_FAILURES_ADDRESS"] = 4
    user = make_user()
    for n in range(4):
        assert _sign_in(client, f"semprot{n}@example.com", "salah-sekali").status_code == 400
    assert _sign_in(client, user.email).status_code == 429  # a fresh account from the same address waits
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.8.7"
    assert _sign_in(other, user.email).status_code == 302  # another address is not affected


def test_backoff_doubles_up_to_fifteen_minutes(app):
    now = utcnow()
    keys = ["account:budi@example.com"]
    locks = []
    for n in range(10):
        until = throttle.record_failure(keys, now)
        locks.append(int((until - now).total_seconds()) if until else 0)
    assert locks == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900]
    assert throttle.blocked_until(keys, now + timedelta(seconds=899)) is not None
    assert throttle.blocked_until(keys, now + timedelta(seconds=901)) is None


def test_throttle_state_is_shared_by_workers(app, database_url, tmp_path, make_user):
    """A second application (another worker process) sees the lock written by the first."""
    email = make_user().email
    throttle_keys = throttle.keys_for(email, "127.0.0.1")
    for _ in range(5):
        throttle.record_failure(throttle_keys)
    db.session.commit()
    db.session.close()  # this "worker" holds no transaction while the other one works
    worker = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, LENTERA_DATA_DIR=str(tmp_path / "w2"))
    with worker.app_context():
        response = worker.test_client().post("/masuk", data={"email": email, "password": PASSWORD})
        assert response.status_code == 429
        db.session.remove()
        db.engine.dispose()


def test_success_clears_the_account_counter(client, make_user):
    user = make_user()
    for _ in range(3):
        _sign_in(client, user.email, "salah-sekali")
    assert _sign_in(client, user.email).status_code == 302
    assert db.session.scalar(select(LoginThrottle).where(LoginThrottle.key == f"account:{user.email}")) is None


# --- sessions -----------------------------------------------------------------

def _cookie(client):
    return client.get_cookie("session").value


def test_sign_in_issues_a_new_session_id_and_signout_revokes_it_server_side(client, make_user):
    user = make_user()
    with client.session_transaction() as s:
        s[sessions.SESSION_ID_KEY] = "planted-by-attacker"
        s["planted"] = "x"
    assert _sign_in(client, user.email).status_code == 302
    with client.session_transaction() as s:
        sid = s[sessions.SESSION_ID_KEY]
        assert sid != "planted-by-attacker" and "planted" not in s
    stolen = _cookie(client)
    assert _fresh(client).get("/akun/keamanan").status_code == 200
    assert _fresh(client).post("/keluar").status_code == 302
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert record.revoked_at is not None and record.token_hash != sid  # only a digest is stored
    client.set_cookie("session", stolen)  # replay the cookie captured before sign-out
    response = _fresh(client).get("/akun/keamanan")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_idle_timeout(client, make_user, monkeypatch):
    user = make_user()
    _sign_in(client, user.email)
    later = utcnow() + timedelta(minutes=29)
    monkeypatch.setattr(sessions, "utcnow", lambda: later)
    assert _fresh(client).get("/akun/keamanan").status_code == 200  # activity refreshes the idle clock
    much_later = later + timedelta(minutes=31)
    monkeypatch.setattr(sessions, "utcnow", lambda: much_later)
    response = _fresh(client).get("/akun/keamanan")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_absolute_timeout_even_when_active(client, make_user, monkeypatch):
    user = make_user()
    _sign_in(client, user.email)
    start = utcnow()
    for minutes in range(20, 12 * 60, 20):  # a request every 20 minutes for 12 hours
        moment = start + timedelta(minutes=minutes)
        monkeypatch.setattr(sessions, "utcnow", lambda moment=moment: moment)
        assert _fresh(client).get("/akun/keamanan").status_code == 200
    moment = start + timedelta(hours=12, minutes=1)
    monkeypatch.setattr(sessions, "utcnow", lambda: moment)
    assert _fresh(client).get("/akun/keamanan").status_code == 302


def test_cookie_flags(client, make_user):
    user = make_user()
    response = _sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie  # a browser-session cookie unless "Ingat saya"
    remembered = _sign_in(client.application.test_client(), user.email, remember="y")
    assert "Expires" in remembered.headers["Set-Cookie"]


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


# --- password reset -----------------------------------------------------------

def _outbox(app):
    folder = app.config.get("LENTERA_MAIL_OUTBOX")
    from pathlib import Path

    return sorted(Path(folder).glob("*.eml")) if folder and Path(folder).exists() else []


@pytest.fixture()
def outbox(app, tmp_path):
    app.config["LENTERA_MAIL_OUTBOX"] = str(tmp_path / "outbox")
    return app


def _link_from(path):
    text = path.read_text(encoding="utf-8")
    return re.search(r"https://lentera\.example\.go\.id(/atur-ulang-sandi/[A-Za-z0-9_\-]+)", text).group(1)


def test_reset_request_answers_alike_and_mails_only_real_accounts(outbox, client, make_user, caplog):
    user = make_user()
    caplog.set_level("INFO")
    known = client.post("/lupa-sandi", data={"email": user.email.upper()}, follow_redirects=True)
    unknown = client.post("/lupa-sandi", data={"email": "tidak-ada@example.com"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert "Jika email tersebut terdaftar" in known.get_data(as_text=True)
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    mails = _outbox(outbox)
    assert len(mails) == 1 and f"To: {user.email}" in mails[0].read_text()
    link = _link_from(mails[0])
    raw = link.rsplit("/", 1)[1]
    stored = db.session.scalars(select(PasswordResetToken)).all()
    assert len(stored) == 1 and stored[0].token_hash != raw and len(stored[0].token_hash) == 64
    assert raw not in caplog.text  # the token never reaches the log


def test_reset_link_works_once(outbox, client, make_user):
    user = make_user()
    client.post("/lupa-sandi", data={"email": user.email})
    link = _link_from(_outbox(outbox)[0])
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "lampu-minyak-tanah", "password_confirm": "lampu-minyak-tanah"})
    assert response.status_code == 302
    assert _sign_in(client, user.email, "lampu-minyak-tanah").status_code == 302
    _fresh(client).post("/keluar")
    assert client.get(link).status_code == 404
    again = client.post(link, data={"password": "lain-lagi-sekali", "password_confirm": "lain-lagi-sekali"})
    assert again.status_code == 404 and "Tautan tidak berlaku" in again.get_data(as_text=True)


def test_reset_link_expires_after_sixty_minutes(outbox, client, make_user, monkeypatch):
    user = make_user()
    client.post("/lupa-sandi", data={"email": user.email})
    link = _link_from(_outbox(outbox)[0])
    from app.auth import reset

    later = utcnow() + timedelta(minutes=61)
    monkeypatch.setattr(reset, "utcnow", lambda: later)
    assert client.get(link).status_code == 404


def test_reset_link_is_void_after_any_password_change(outbox, client, make_user):
    user = make_user()
    client.post("/lupa-sandi", data={"email": user.email})
    link = _link_from(_outbox(outbox)[0])
    # The password changes by another way (an operator, say) after the link was sent.
    from app.auth.passwords import hash_password

    db.session.get(User, user.id).password_hash = hash_password("diganti-admin-123")
    db.session.commit()
    assert client.get(link).status_code == 404


def test_reset_shares_the_throttle(outbox, client, make_user):
    user = make_user()
    for _ in range(5):
        client.post("/lupa-sandi", data={"email": user.email})
    assert client.post("/lupa-sandi", data={"email": user.email}).status_code == 429
    assert _sign_in(client, user.email).status_code == 429
    assert len(_outbox(outbox)) == 5


def test_forged_reset_links_are_throttled(app, client):
    app.config["LENTERA_LOGIN_MAX_FAILURES_ADDRESS"] = 3
    for n in range(3):
        assert client.get(f"/atur-ulang-sandi/tebakan{n}").status_code == 404
    assert client.get("/atur-ulang-sandi/tebakan9").status_code == 429


# --- passwords ----------------------------------------------------------------

@pytest.mark.parametrize("password", ["bismillah", "Indonesia", "sayangku", "123456789", "password1", "qwertyuiop"])
def test_common_passwords_are_refused(client, password):
    response = client.post("/daftar", data={"email": "baru@example.com", "full_name": "Baru",
                                             "password": password, "password_confirm": password})
    assert response.status_code == 400
    assert "terlalu umum" in response.get_data(as_text=True)


def test_length_limits_and_list_size():
    assert len(common_passwords()) >= 10000
    assert password_problem("a" * 7) == "Kata sandi 8–128 karakter."
    assert password_problem("Lampu minyak tanah " + "x" * 109) is None  # 128 characters, spaces kept
    assert password_problem("x" * 129) == "Kata sandi 8–128 karakter."
    assert password_problem("budi.santoso", "budi.santoso@example.go.id") is not None


def test_password_change_ends_other_sessions(app, client, make_user):
    user = make_user()
    other = app.test_client()
    _sign_in(other, user.email)
    _sign_in(client, user.email)
    response = _fresh(client).post("/akun/sandi", data={
        "current_password": PASSWORD, "password": "lampu-minyak-tanah", "password_confirm": "lampu-minyak-tanah"})
    assert response.status_code == 302
    assert _fresh(client).get("/akun/keamanan").status_code == 200  # this device continues
    assert _fresh(other).get("/akun/keamanan").status_code == 302  # the other device is signed out
    assert db.session.get(User, user.id).password_hash.startswith("$argon2id$")


# --- TOTP ---------------------------------------------------------------------

def _enable_totp(client, user):
    _sign_in(client, user.email)
    _fresh(client).get("/akun/2fa")
    with client.session_transaction() as s:
        secret = s["lentera_totp_setup"]
    enabling_code = pyotp.TOTP(secret).now()
    response = _fresh(client).post("/akun/2fa", data={"code": enabling_code})
    assert response.status_code == 302
    _fresh(client).post("/keluar")
    client.enabling_code = enabling_code  # the replay test reuses exactly this code
    return secret


def test_totp_sign_in_needs_a_fresh_code(client, make_user):
    user = make_user()
    secret = _enable_totp(client, user)
    first = _sign_in(client, user.email)
    assert first.status_code == 302 and first.headers["Location"].endswith("/masuk/kode")
    assert _fresh(client).get("/akun/keamanan").status_code == 302  # not signed in yet
    # The code used to enable two-factor just now: reusing it is a replay even
    # when a 30-second step boundary has passed since (a new code would not be).
    replay = _fresh(client).post("/masuk/kode", data={"code": client.enabling_code})
    assert replay.status_code == 400
    totp_time = (int(utcnow().timestamp()) // 30 + 1) * 30
    ok = _fresh(client).post("/masuk/kode", data={"code": pyotp.TOTP(secret).at(totp_time)})
    assert ok.status_code == 302
    assert _fresh(client).get("/akun/keamanan").status_code == 200


def test_wrong_totp_codes_count_in_the_throttle(client, make_user):
    user = make_user()
    _enable_totp(client, user)
    _sign_in(client, user.email)
    for _ in range(5):
        assert _fresh(client).post("/masuk/kode", data={"code": "000000"}).status_code in (400, 429)
    assert _fresh(client).post("/masuk/kode", data={"code": "000000"}).status_code == 429


def test_admin_two_factor_required_when_turned_on(app, client, make_user):
    app.config["LENTERA_REQUIRE_ADMIN_2FA"] = True
    admin = make_user(role="admin")
    response = _sign_in(client, admin.email)
    assert response.headers["Location"].endswith("/akun/2fa")
    admin_page = _fresh(client).get("/admin")
    assert admin_page.status_code == 302 and admin_page.headers["Location"].endswith("/akun/2fa")
    with client.session_transaction() as s:
        secret = s.get("lentera_totp_setup")
    if secret is None:
        _fresh(client).get("/akun/2fa")
        with client.session_transaction() as s:
            secret = s["lentera_totp_setup"]
    _fresh(client).post("/akun/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert _fresh(client).get("/admin").status_code == 200
