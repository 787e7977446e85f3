"""Interface language: Bahasa Indonesia first, English per user (Flask-Babel).

Message ids are the Indonesian texts themselves, so Indonesian needs no
catalogue and a missing English entry falls back to Indonesian, never to a
blank. Each feature package keeps its own catalogue next to its code,
``app/<area>/translations/en/LC_MESSAGES/messages.po``; Flask-Babel merges
every directory listed in ``BABEL_TRANSLATION_DIRECTORIES``.

Choice of language, first match wins: the signed-in user's ``locale``; the
``lentera_bahasa`` cookie (visitors); ``id``.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import get_locale, get_translations
from flask_login import current_user

#: Languages offered, code -> name in that language.
LANGUAGES: dict[str, str] = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LOCALE = "id"
LOCALE_COOKIE = "lentera_bahasa"
APP_DIR = Path(__file__).resolve().parent.parent


def catalogue_dirs() -> list[Path]:
    """Every ``translations`` folder of the application: ``app/translations`` and ``app/<area>/translations``."""
    dirs = [APP_DIR / "translations"]
    dirs += sorted(p for p in APP_DIR.glob("*/translations") if p.is_dir())
    return [d for d in dirs if d.is_dir()]


def select_locale() -> str:
    """Flask-Babel locale selector: ``"id"`` or ``"en"``.

    Outside a request (CLI commands, background work) there is no reader:
    Indonesian.
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    user_locale = getattr(current_user, "locale", None) if current_user and current_user.is_authenticated else None
    if user_locale in LANGUAGES:
        return user_locale
    cookie = request.cookies.get(LOCALE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return DEFAULT_LOCALE


def compile_catalogues(force: bool = False) -> list[Path]:
    """Compile every ``messages.po`` into ``messages.mo`` when the .mo is missing or older.

    Returns the .mo paths written. Raises ``babel.messages.pofile.PoFileError``
    on a malformed catalogue.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for directory in catalogue_dirs():
        for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
            mo_path = po_path.with_suffix(".mo")
            if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, abort_invalid=True)
            tmp = mo_path.with_suffix(".mo.tmp")
            with tmp.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            tmp.replace(mo_path)
            written.append(mo_path)
    return written


def init_app(app: Flask) -> None:
    """Set up Flask-Babel on ``app`` with every feature catalogue and the locale selector."""
    from app.extensions import babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in catalogue_dirs()) or str(APP_DIR / "translations")
    babel.init_app(app, locale_selector=select_locale)
    # Templates call _() a few dozen times per page; Flask-Babel resolves the locale and its
    # catalogue afresh on each call (about 7 µs). The same lookups, remembered per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )

    @app.context_processor
    def inject_languages():
        return {"languages": LANGUAGES, "current_locale": str(get_locale() or DEFAULT_LOCALE)}


def _request_translations():
    """This request's catalogue, as ``flask_babel.get_translations()`` gives it, looked up once per locale.

    Kept next to Flask-Babel's own per-request state (``g._flask_babel``) and keyed by
    the locale object there, so ``flask_babel.force_locale`` (mail in the account's
    language) still switches catalogues.
    """
    state = g.get("_flask_babel")
    locale = getattr(state, "babel_locale", None) if state is not None else None
    remembered = getattr(state, "lentera_translations", None) if state is not None else None
    if remembered is not None and locale is not None and remembered[0] is locale:
        return remembered[1]
    translations = get_translations()
    state = g.get("_flask_babel")  # created by get_translations() when it was missing
    if state is not None:
        state.lentera_translations = (get_locale(), translations)
    return translations


def N_(text: str) -> str:
    """Mark ``text`` for extraction only (pybabel's default ``N_`` keyword); returns it unchanged.

    For messages kept in Indonesian where they are stored or printed (database
    rows, JSON API, CLI, logs) and translated with ``_()`` when a page shows them.
    """
    return text
