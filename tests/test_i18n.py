"""Interface language (issue #7): Indonesian first, English per user.

Three kinds of checks:

* catalogues -- every msgid extracted from an area (same mapping and keywords
  as ``babel.cfg``) has a non-empty, non-fuzzy English msgstr in that area's
  own catalogue;
* templates -- no user-visible text is written in a template outside
  ``_()``/``ngettext()`` (text nodes and the placeholder, title, alt,
  aria-label, aria-description and submit-value attributes);
* behaviour -- Indonesian by default, English by cookie or account, dates,
  numbers and WTForms messages in the reader's language.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import refresh

from app.auth.models import User
from app.extensions import db

APP_DIR = Path(__file__).resolve().parent.parent / "app"

# Same mapping as babel.cfg; same keywords as the documented pybabel call.
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}

# Catalogue areas: area -> sources extracted into app/<area>/translations
# (the app-level catalogue is app/translations).
FEATURE_AREAS = ["auth", "learning", "catalog", "assessment", "authoring", "admin", "cohorts", "reports",
                 "certificates"]
# A newer package with its own templates or catalogue is checked too.
FEATURE_AREAS += sorted(p.parent.name for p in APP_DIR.glob("*/translations")
                        if p.parent.name not in FEATURE_AREAS) + \
    sorted(p.parent.name for p in APP_DIR.glob("*/templates")
           if p.parent.name not in FEATURE_AREAS and not (p.parent / "translations").exists())
AREAS = ["app"] + FEATURE_AREAS


def _sources(area: str) -> list[Path]:
    if area == "app":
        return [APP_DIR / "templates", APP_DIR / "common", APP_DIR / "__init__.py", APP_DIR / "extensions.py"]
    return [APP_DIR / area]


def _catalogue_path(area: str) -> Path:
    base = APP_DIR / "translations" if area == "app" else APP_DIR / area / "translations"
    return base / "en" / "LC_MESSAGES" / "messages.po"


def extract_msgids(area: str) -> dict[str, str]:
    """``{msgid: "file:line"}`` of every translatable string in ``area`` (plural forms by their singular)."""
    found: dict[str, str] = {}
    for source in _sources(area):
        if source.is_dir():
            results = ((source / name, lineno, message)
                       for name, lineno, message, _comments, _context in
                       extract_from_dir(source, METHOD_MAP, keywords=KEYWORDS))
        elif source.exists():
            results = ((source, lineno, message)
                       for lineno, message, _comments, _context in
                       extract_from_file("python", source, keywords=KEYWORDS))
        else:
            continue
        for path, lineno, message in results:
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault(msgid, f"{Path(path).relative_to(APP_DIR.parent)}:{lineno}")
    return found


@pytest.mark.parametrize("area", AREAS)
def test_every_msgid_has_an_english_translation(area):
    msgids = extract_msgids(area)
    if not msgids:
        pytest.skip(f"{area}: no translatable strings")
    path = _catalogue_path(area)
    translated: set[str] = set()
    if path.exists():
        with path.open("rb") as handle:
            catalogue = read_po(handle)
        for message in catalogue:
            if not message.id or message.fuzzy:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if strings and all(s and s.strip() for s in strings):
                key = message.id[0] if isinstance(message.id, tuple) else message.id
                translated.add(key)
    missing = sorted((where, msgid) for msgid, where in msgids.items() if msgid not in translated)
    assert not missing, f"{area}: {len(missing)} msgid(s) without English in {path.relative_to(APP_DIR.parent)}:\n" + \
        "\n".join(f"  {where}: {msgid!r}" for where, msgid in missing)


# --- Hard-coded text in templates -----------------------------------------------------------------

TEMPLATES = sorted(p for p in APP_DIR.glob("**/templates/**/*.html"))
TEMPLATE_IDS = [str(p.relative_to(APP_DIR)) for p in TEMPLATES]

# Words that are the same in every language: the brand, units (JP, KB, MB), file formats and the
# official identifiers kept verbatim in English too (NIP, OPD, PNS, PPPK).
ALLOWED_WORDS = {"Lentera", "JP", "KB", "MB", "CSV", "XLSX", "PDF", "NIP", "OPD", "PNS", "PPPK"}
CHECKED_ATTRIBUTES = ("placeholder", "title", "alt", "aria-label", "aria-description")

_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_STATEMENT = re.compile(r"\{%.*?%\}", re.S)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
# Not checked: scripts and styles, literal input (code, kbd, samp) and elements marked translate="no"
# (HTML's own "do not translate" flag, e.g. the column names a roster file must use).
_RAW_BLOCK = re.compile(r"<(script|style|code|kbd|samp)\b.*?</\1\s*>"
                        r"|<([a-zA-Z][\w-]*)\b[^>]*\stranslate=[\"']no[\"'][^>]*>.*?</\2\s*>", re.S | re.I)
_TAG = re.compile(r"<[a-zA-Z!/][^>]*>", re.S)
_OPEN_TAG = re.compile(r"<([a-zA-Z][\w-]*)((?:\s[^>]*)?)>", re.S)
_ATTRIBUTE = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")
_LETTER = re.compile(r"[^\W\d_]")


def _leftover_words(text: str) -> list[str]:
    """Words with letters left in ``text`` once allowed words and entities are removed."""
    text = _ENTITY.sub(" ", text)
    return [word for word in re.split(r"[\s\u00a0]+", text)
            if _LETTER.search(word) and word.strip(".,:;()·›‹–—-") not in ALLOWED_WORDS]


def hard_coded_texts(source: str) -> list[str]:
    """User-visible texts of a Jinja/HTML template that are not passed through gettext."""
    source = _COMMENT.sub("", source)
    # Expressions become a marker: their text is produced by code (wrapped or data).
    marked = _STATEMENT.sub("", _EXPRESSION.sub("\x00", source))
    problems = []
    for tag in _OPEN_TAG.finditer(marked):
        name, attributes = tag.group(1).lower(), dict(
            (m.group(1).lower(), m.group(2) if m.group(2) is not None else m.group(3))
            for m in _ATTRIBUTE.finditer(tag.group(2)))
        checked = [a for a in CHECKED_ATTRIBUTES if a in attributes]
        if name == "input" and attributes.get("type", "").lower() in ("submit", "button", "reset"):
            checked.append("value")
        for attribute in checked:
            words = _leftover_words(attributes[attribute].replace("\x00", " "))
            if words:
                problems.append(f'<{name} {attribute}="{attributes[attribute]}">')
    text = _TAG.sub(" ", _RAW_BLOCK.sub(" ", marked)).replace("\x00", " ")
    for line in text.splitlines():
        words = _leftover_words(line)
        if words:
            problems.append(" ".join(words))
    return problems


@pytest.mark.parametrize("template", TEMPLATES, ids=TEMPLATE_IDS)
def test_templates_have_no_hard_coded_text(template):
    problems = hard_coded_texts(template.read_text(encoding="utf-8"))
    assert not problems, f"{template.relative_to(APP_DIR.parent)}: text not wrapped in _():\n" + \
        "\n".join(f"  {p}" for p in problems)


def test_hard_coded_text_check_finds_text_and_attributes():
    found = hard_coded_texts('<p>Halo {{ name }}</p><img alt="Foto" src="x"><input type="submit" value="Kirim">'
                             '<a title="{{ _(\'Buka\') }}">{{ _(\'Buka\') }}</a> Lentera {# catatan #}'
                             '<th translate="no">Gelar Depan</th><code>flask courses import</code>')
    assert found == ['<img alt="Foto">', '<input value="Kirim">', "Halo"]


# --- Behaviour ------------------------------------------------------------------------------------


def test_visitor_sees_indonesian_by_default(client, make_course):
    make_course(title="Kepemimpinan Digital")
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="id">' in html
    assert "Katalog kursus" in html and "Masuk" in html
    assert "Course catalogue" not in html


def test_english_cookie_gives_english_pages(client, make_course):
    make_course(title="Kepemimpinan Digital")
    client.set_cookie("lentera_bahasa", "en")
    catalogue = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in catalogue
    assert "Course catalogue" in catalogue and "Katalog kursus" not in catalogue
    assert "20 JP" in catalogue and "2 modules" in catalogue
    sign_in = client.get("/masuk").get_data(as_text=True)
    assert "Sign in to Lentera" in sign_in and "Password" in sign_in and "Kata sandi" not in sign_in
    missing = client.get("/tidak-ada")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert "Page not found" in text and "Halaman tidak ditemukan" not in text


def test_signed_in_user_choice_is_stored_and_kept(client, make_user, login, app):
    user = make_user("learner")
    login(user)
    page = client.get("/saya").get_data(as_text=True)
    assert "Kursus saya" in page
    response = client.post("/bahasa", data={"bahasa": "en"}, headers={"Referer": "http://localhost/saya?x=1"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/saya?x=1")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    # A new sign-in on a fresh client (no cookie): the account's choice applies.
    fresh = app.test_client()
    fresh.post("/masuk", data={"email": user.email, "password": "rahasia-123"})
    page = fresh.get("/saya").get_data(as_text=True)
    assert '<html lang="en">' in page and "My courses" in page and "Kursus saya" not in page


@pytest.mark.parametrize("referrer", [None, "https://evil.example/saya", "http://localhost//evil.example/x"])
def test_language_switch_never_redirects_off_site(client, referrer):
    headers = {"Referer": referrer} if referrer else {}
    response = client.post("/bahasa", data={"bahasa": "en"}, headers=headers)
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_unknown_language_code_is_refused(client):
    response = client.post("/bahasa", data={"bahasa": "fr"})
    assert response.status_code == 400
    assert "Bahasa tidak dikenal." in response.get_data(as_text=True)


def _render_in(app, locale: str, template: str, **values) -> str:
    headers = {"Cookie": f"lentera_bahasa={locale}"}
    with app.test_request_context("/", headers=headers):
        refresh()  # the fixture's app context (and its g) outlives this request
        return render_template_string(template, **values)


def test_dates_and_numbers_follow_the_language(app):
    values = {"day": dt.date(2026, 2, 5), "n": Decimal("1.5"), "big": Decimal("1234.5"),
              "at": dt.datetime(2026, 2, 5, 1, 0, tzinfo=dt.timezone.utc)}
    template = "{{ day|tanggal }}|{{ n|angka }}|{{ big|angka }}|{{ n|jp }}|{{ at|waktu }}"
    tz_label = _render_in(app, "id", "{{ at|waktu }}", **values).rsplit(" ", 1)[1]
    indonesian = _render_in(app, "id", template, **values).split("|")
    english = _render_in(app, "en", template, **values).split("|")
    assert indonesian[:4] == ["5 Februari 2026", "1,5", "1.234,5", "1,5 JP"]
    assert english[:4] == ["5 February 2026", "1.5", "1,234.5", "1.5 JP"]
    assert indonesian[4].startswith("5 Februari 2026 pukul ") and " at " in english[4]
    assert english[4].endswith(" " + tz_label)  # the zone abbreviation (WIB/WITA/WIT) stays


def test_python_formatting_stays_indonesian(app):
    from app.common.formatting import format_date_id, format_decimal_id

    with app.test_request_context("/", headers={"Cookie": "lentera_bahasa=en"}):
        refresh()
        assert format_date_id(dt.date(2026, 2, 5)) == "5 Februari 2026"
        assert format_decimal_id(Decimal("1.5")) == "1,5"


def test_wtforms_messages_follow_the_language(client):
    indonesian = client.post("/lupa-sandi", data={"email": ""}).get_data(as_text=True)
    assert "Wajib diisi." in indonesian
    client.set_cookie("lentera_bahasa", "en")
    english = client.post("/lupa-sandi", data={"email": ""}).get_data(as_text=True)
    assert "This field is required." in english and "Wajib diisi." not in english


def test_builtin_wtforms_message_in_english(app):
    from wtforms import IntegerField

    from app.common.forms import LenteraForm

    class NumberForm(LenteraForm):
        class Meta:
            csrf = False

        number = IntegerField("n")

    for locale, expected in (("id", "Harus berupa bilangan bulat."), ("en", "Not a valid integer value.")):
        with app.test_request_context("/", method="POST", data={"number": "x"},
                                      headers={"Cookie": f"lentera_bahasa={locale}"}):
            refresh()
            form = NumberForm()
            assert not form.validate()
            assert expected in form.number.errors


def test_role_labels_follow_the_language(app, make_user):
    user = make_user("trainer")
    with app.test_request_context("/", headers={"Cookie": "lentera_bahasa=en"}):
        refresh()
        assert user.role_label == "Trainer"
    with app.test_request_context("/"):
        refresh()
        assert user.role_label == "Pengajar"


def test_catalogues_agree_on_shared_msgids():
    """Flask-Babel merges every catalogue into one: a msgid shared by two areas must have one English text.

    Otherwise the last catalogue loaded wins everywhere. Give the string a
    context (``pgettext``) when the meaning differs.
    """
    seen: dict[tuple, tuple[str, object]] = {}
    conflicts = []
    for path in sorted(APP_DIR.glob("**/translations/en/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            for message in read_po(handle):
                if not message.id or message.fuzzy or not message.string:
                    continue
                key = (message.context, message.id)
                where = str(path.relative_to(APP_DIR.parent))
                if key in seen and seen[key][1] != message.string:
                    conflicts.append(f"  {message.id!r}: {seen[key][0]} {seen[key][1]!r} vs {where} {message.string!r}")
                seen.setdefault(key, (where, message.string))
    assert not conflicts, "same msgid, different English:\n" + "\n".join(conflicts)
