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
