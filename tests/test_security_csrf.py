"""CSRF: every POST route refuses a request without a token; tokens do not expire with time."""
from __future__ import annotations

import re

import pytest
from flask import g

from app import create_app
from app.extensions import db
from tests.factories import PASSWORD


@pytest.fixture()
def csrf_app(app, database_url, tmp_path):
    """A second app on the same test database, with CSRF protection on (as in production)."""
    csrf_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, LENTERA_DATA_DIR=str(tmp_path / "csrf"),
                          WTF_CSRF_ENABLED=True)
    return csrf_app


def _csrf(client, url="/masuk"):
    g.pop("_login_user", None)
    body = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
    return match.group(1)


def _sign_in(app, email):
    client = app.test_client()
    token = _csrf(client)
    g.pop("_login_user", None)
    response = client.post("/masuk", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_every_post_route_needs_a_csrf_token(csrf_app, make_user, make_course):
    admin = make_user(role="admin")
    admin_email = admin.email
    make_course()
    db.session.commit()
    db.session.close()
    with csrf_app.app_context():
        client = _sign_in(csrf_app, admin_email)
        missing = []
        for rule in csrf_app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            args = {name: (1 if "id" in name else "x") for name in rule.arguments}
            if "decision" in rule.arguments:
                args["decision"] = "setujui"
            if "fmt" in rule.arguments:
                args["fmt"] = "csv"
            with csrf_app.test_request_context():
                from flask import url_for

                url = url_for(rule.endpoint, **args)
            g.pop("_login_user", None)
            response = client.post(url, data={"anything": "x"})
            if response.status_code != 400 or "Sesi formulir sudah tidak berlaku" not in response.get_data(as_text=True):
                missing.append(f"{url}: {response.status_code}")
        assert missing == []
        db.session.remove()


def test_a_form_left_open_for_five_hours_still_submits(csrf_app, make_user, monkeypatch):
    """WTF_CSRF_TIME_LIMIT=None: the token lives as long as the session (12 h absolute), not
    Flask-WTF's default hour, so a quiz page left open over lunch still submits."""
    import time as time_module

    user = make_user()
    email = user.email
    db.session.close()
    with csrf_app.app_context():
        client = csrf_app.test_client()
        token = _csrf(client)
        real_time = time_module.time
        monkeypatch.setattr(time_module, "time", lambda: real_time() + 5 * 3600)
        g.pop("_login_user", None)
        response = client.post("/masuk", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        # The same token under a one-hour limit is refused: the test above can fail.
        csrf_app.config["WTF_CSRF_TIME_LIMIT"] = 3600
        other = csrf_app.test_client()
        monkeypatch.setattr(time_module, "time", real_time)
        token = _csrf(other)
        monkeypatch.setattr(time_module, "time", lambda: real_time() + 5 * 3600)
        g.pop("_login_user", None)
        refused = other.post("/masuk", data={"email": email, "password": PASSWORD, "csrf_token": token})
        assert refused.status_code == 400
        monkeypatch.setattr(time_module, "time", real_time)
        db.session.remove()


def test_a_form_sent_after_the_session_cookie_is_gone_signs_in_and_returns(csrf_app, make_user):
    """The CSRF token lives in the session cookie: a quiz sent after the cookie was dropped failed
    with "Sesi formulir sudah tidak berlaku" and no way back (fresh-user retest). A form for signed-in
    users now leads to the sign-in page and back to the page it came from; public forms keep the 400."""
    from urllib.parse import parse_qs, urlsplit

    with csrf_app.app_context():
        client = csrf_app.test_client()
        g.pop("_login_user", None)
        sent = client.post("/kuis/percobaan/1", data={"action": "kirim", "csrf_token": "lama"},
                           headers={"Referer": "http://localhost/kursus/kursus-uji/kuis/1"})
        assert sent.status_code == 302
        target = urlsplit(sent.headers["Location"])
        assert target.path == "/masuk" and parse_qs(target.query)["next"] == ["/kursus/kursus-uji/kuis/1"]
        g.pop("_login_user", None)
        page = client.get(sent.headers["Location"]).get_data(as_text=True)
        assert "Sesi Anda telah berakhir sebelum formulir terkirim" in page
        g.pop("_login_user", None)
        public = client.post("/masuk", data={"email": "a@b.go.id", "password": "x"})
        assert public.status_code == 400 and "Sesi formulir sudah tidak berlaku" in public.get_data(as_text=True)
        db.session.remove()


def test_sign_in_never_returns_to_a_post_only_address(app, client, make_user):
    user = make_user()
    response = client.post("/masuk?next=/kuis/percobaan/1", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] != "/kuis/percobaan/1"
