"""Helpers shared by the browser tests: page audits (axe-core, 360 px width, same-origin)."""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
CHROMIUM = os.environ.get("LENTERA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "rahasia-123"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if os.environ.get("LENTERA_TEST_DATABASE_URL"):
        return ("uji peramban (tests/e2e) hanya dijalankan pada putaran SQLite; "
                "LENTERA_TEST_DATABASE_URL diset")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"Chromium tidak ditemukan di {CHROMIUM}: pasang paket Debian `chromium` "
                "atau set LENTERA_CHROMIUM; uji peramban dilewati")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "paket Python playwright belum terpasang; uji peramban dilewati"
    return None


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and wait for the landing page."""
    page.goto("/masuk")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/masuk" not in page.url, page.content()[:2000]


AXE_LOG: dict[str, list[dict]] = {}


def run_axe(page, name: str = "") -> list[dict]:
    """Run axe-core in ``page`` and return the serious and critical violations.

    With ``LENTERA_E2E_AXE_REPORT=1`` every violation (any impact) of each
    named page is also written to ``test-artifacts/axe-report.json``.

    ``page.evaluate`` runs through the DevTools protocol, so the page's CSP
    (no inline script) does not block the injected library.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})")
    found = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
              "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result["violations"]]
    if os.environ.get("LENTERA_E2E_AXE_REPORT"):
        import json

        AXE_LOG[name or page.url] = found
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-report.json").write_text(json.dumps(AXE_LOG, indent=1, ensure_ascii=False),
                                                  encoding="utf-8")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def horizontal_overflow(page) -> int:
    """Pixels the page is wider than the viewport (0 = no horizontal scrolling)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")



# Same-origin check: every resource the document points at.
_REFERENCES_JS = """() => Array.from(document.querySelectorAll(
  'script[src], link[href], img[src], iframe[src], source[src], video[src], audio[src], form[action]'))
  .map(el => el.getAttribute(el.tagName === 'FORM' ? 'action' : (el.tagName === 'LINK' ? 'href' : 'src')))
  .filter(v => v).map(v => new URL(v, document.baseURI).href)"""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class PageAudit:
    """Collects problems of several pages and fails once at the end, naming every page.

    ``check(name)`` runs axe-core (serious/critical only), measures horizontal
    scrolling at 360 px and lists resources from another origin. With
    ``LENTERA_E2E_SCREENSHOTS=1`` it also saves the page at 1280 and 360 px
    to ``test-artifacts/audit-<name>-<width>.png``.
    """

    def __init__(self, page, origin: str):
        self.page = page
        self.origin = origin
        self.problems: dict[str, list] = {}
        self.checked: list[str] = []

    def check(self, name: str) -> None:
        page = self.page
        found = []
        violations = run_axe(page, name)
        if violations:
            found.append({"axe": violations})
        shots = os.environ.get("LENTERA_E2E_SCREENSHOTS")  # =1: keep a picture of every audited page
        if shots:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"audit-{_slug(name)}-1280.png"), full_page=True)
        page.set_viewport_size(PHONE)
        try:
            if shots:
                page.screenshot(path=str(ARTIFACTS / f"audit-{_slug(name)}-360.png"), full_page=True)
            overflow = horizontal_overflow(page)
            if overflow > 0:
                widest = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
                  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                  .slice(0, 5).map(el => el.tagName + '.' + el.className)""")
                found.append({"lebih lebar 360 px": overflow, "elemen": widest})
        finally:
            page.set_viewport_size(DESKTOP)
        foreign = [ref for ref in page.evaluate(_REFERENCES_JS)
                   if ref and urlsplit(ref).scheme in ("http", "https")
                   and f"{urlsplit(ref).scheme}://{urlsplit(ref).netloc}" != self.origin]
        if foreign:
            found.append({"sumber luar": foreign})
        self.checked.append(name)
        if found:
            self.problems[name] = found

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(f"{name}: {found}" for name, found in self.problems.items())
