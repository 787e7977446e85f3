"""Browser tests: the real app served over HTTP on 127.0.0.1, driven by Chromium.

One server per test run: its own SQLite database migrated by Alembic, the OPD
list, the shipped courses/ imported by the real importer, one admin and one
trainer account. CSRF protection is ON (unlike the test-client suite), and the
app's Content-Security-Policy is enforced by the browser, so the JavaScript
in app/static/js is exercised exactly as in production.

The module is skipped (with the reason) when no Chromium is found or when the
run is the PostgreSQL pass (``LENTERA_TEST_DATABASE_URL`` set): the browser
tests check pages, not the database engine, and once is enough.

On failure a pytest hook saves screenshots at 1280 px and 360 px width to
``test-artifacts/`` (git-ignored).

Environment: ``LENTERA_CHROMIUM`` (browser binary, default /usr/bin/chromium;
never a downloaded browser), ``LENTERA_E2E_SCREENSHOTS=1`` (a picture of every
audited page at both widths), ``LENTERA_E2E_AXE_REPORT=1`` (all axe-core
findings, any impact, in test-artifacts/axe-report.json).
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass

import pytest

from tests.e2e.support import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, ROOT,
                               skip_reason)


@dataclass
class LiveServer:
    """The running app: ``url`` like ``http://127.0.0.1:PORT``; ``app`` for database set-up."""

    url: str
    app: object
    admin_email: str
    trainer_email: str


@pytest.fixture(scope="package")
def live_server(tmp_path_factory):
    """Serve a fully set-up Lentera on a free port in a background thread (whole run)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from flask_migrate import upgrade
    from sqlalchemy import select
    from werkzeug.serving import make_server

    from app import create_app
    from app.admin.services import seed_opds
    from app.catalog.importer import import_path
    from app.catalog.models import Course
    from app.extensions import db
    from tests import factories

    base = tmp_path_factory.mktemp("e2e")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite:///" + str(base / "lentera-e2e.db"),
                     LENTERA_DATA_DIR=str(base / "data"), WTF_CSRF_ENABLED=True,
                     LENTERA_REQUIRE_ADMIN_2FA=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["LENTERA_BASE_URL"] = url
    with app.app_context():
        upgrade()
        seed_opds()
        for result in import_path(ROOT / "courses"):
            assert result.status == "dibuat", result.problems
        db.session.commit()
        admin = factories.make_user("admin", email="admin.e2e@lentera.test", full_name="Admin Uji")
        trainer = factories.make_user("trainer", email="pengajar.e2e@lentera.test", full_name="Pengajar Uji")
        for course in db.session.scalars(select(Course)):
            course.trainers.append(trainer)
        db.session.commit()
        admin_email, trainer_email = admin.email, trainer.email
        db.session.remove()
    werkzeug_log = logging.getLogger("werkzeug")
    previous_level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # one line per request is noise here
    thread = threading.Thread(target=server.serve_forever, name="lentera-e2e", daemon=True)
    thread.start()
    yield LiveServer(url, app, admin_email, trainer_email)
    server.shutdown()
    thread.join(timeout=10)
    werkzeug_log.setLevel(previous_level)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="package")
def browser():
    """One headless Debian Chromium for the run (never a downloaded browser)."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # playwright's launch() gives the browser a fresh temporary profile
        # (user-data-dir) of its own and removes it on close.
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def context(browser, live_server):
    """A fresh browser profile (cookies) per test, desktop width, downloads allowed."""
    ctx = browser.new_context(base_url=live_server.url, viewport=DESKTOP, accept_downloads=True,
                              locale="id-ID")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


class Dialogs:
    """Answers the page's confirm()/alert() dialogs: ``accept`` (default True) and the ``messages`` seen."""

    def __init__(self):
        self.accept = True
        self.messages: list[str] = []

    def __call__(self, dialog) -> None:
        self.messages.append(dialog.message)
        dialog.accept() if self.accept else dialog.dismiss()


@pytest.fixture()
def dialogs():
    return Dialogs()


@pytest.fixture()
def page(context, dialogs):
    """The test's browser tab; dialogs (confirm()) are answered by the ``dialogs`` fixture."""
    tab = context.new_page()
    tab.on("dialog", dialogs)
    return tab


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed test step, save screenshots of its page at 1280 px and 360 px."""
    outcome = yield
    report = outcome.get_result()
    if report.when not in ("setup", "call") or not report.failed:
        return
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if page is None or page.is_closed():
        return
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])
    try:
        for label, size in (("1280", DESKTOP), ("360", PHONE)):
            page.set_viewport_size(size)
            page.screenshot(path=str(ARTIFACTS / f"{stem}-{label}.png"), full_page=True)
        (ARTIFACTS / f"{stem}.url.txt").write_text(page.url + "\n", encoding="utf-8")
    except Exception as error:  # a crashed page must not hide the real failure
        report.sections.append(("screenshots", f"tidak dapat mengambil tangkapan layar: {error}"))
