"""Cleaning of people's names and gelar as typed by users or rosters.

Names are printed exactly as written, on pages and on certificates, so they
are only normalised (Unicode NFC, runs of spaces folded) and checked:
control and invisible formatting characters (zero-width, bidi overrides)
are refused because they make the web page and the PDF disagree, and every
character must exist in all the fonts shipped for certificates, so that a
learner who completes a course always gets a printable certificate.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from flask_babel import gettext as _
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parent.parent / "certificates" / "fonts"
_SPACES = re.compile(r"\s+")
_REFUSED_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


class TextCharacterError(ValueError):
    """Authored or typed text holding a refused character; ``str(error)`` is the message in the current language."""


class PersonNameError(TextCharacterError):
    """A name or gelar that cannot be accepted; ``str(error)`` is the Indonesian message."""


@functools.cache
def printable_codepoints() -> frozenset[int]:
    """Code points present in every TTF font under app/certificates/fonts/."""
    sets = [set(TTFont(f"check-{p.stem}", str(p)).face.charWidths) for p in sorted(FONT_DIR.glob("*.ttf"))]
    return frozenset(set.intersection(*sets)) if sets else frozenset()


def clean_person_text(value: str | None, label: str, *, required: bool = False, max_length: int = 200) -> str | None:
    """Return ``value`` normalised (NFC, spaces folded, trimmed), or ``None`` when empty.

    Raises :class:`PersonNameError` (message in the current language naming ``label``) when the
    value is required but empty, longer than ``max_length``, has no letter,
    holds a control or invisible formatting character, or a character the
    certificate fonts cannot print.
    """
    text = unicodedata.normalize("NFC", _SPACES.sub(" ", value or "")).strip()
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise PersonNameError(_("%(label)s berisi karakter tersembunyi atau karakter kendali (%(code)s); "
                                    "ketik ulang tanpa menyalin dari dokumen lain.", label=label, code=f"U+{ord(char):04X}"))
    if not text:
        if required:
            raise PersonNameError(_("%(label)s wajib diisi.", label=label))
        return None
    if len(text) > max_length:
        raise PersonNameError(_("%(label)s paling banyak %(max)d karakter.", label=label, max=max_length))
    if required and not any(unicodedata.category(c).startswith("L") for c in text):
        raise PersonNameError(_("%(label)s harus memuat setidaknya satu huruf.", label=label))
    printable = printable_codepoints()
    for char in text:
        if ord(char) not in printable:
            raise PersonNameError(_("Karakter '%(char)s' (%(code)s) pada %(label)s tidak dapat dicetak "
                                    "pada sertifikat. Tulis nama dengan huruf Latin.",
                                    char=char, code=f"U+{ord(char):04X}", label=str(label).lower()))
    return text


def refused_character(text: str) -> str | None:
    """The first control or invisible formatting character of ``text`` (categories
    Cc, Cf, Co, Cs, Cn, Zl, Zp: NUL, tab, newline, bidi overrides U+202A-U+202E and
    U+2066-U+2069, zero-width U+200B-U+200D, ...), or ``None``."""
    return next((char for char in text if unicodedata.category(char) in _REFUSED_CATEGORIES), None)


def unprintable_character(text: str) -> str | None:
    """The first character of ``text`` missing from a certificate font (see
    :func:`printable_codepoints`), or ``None``."""
    printable = printable_codepoints()
    return next((char for char in text if ord(char) not in printable), None)


def check_title_text(value: str, label: str) -> str:
    """Return the one-line title ``value`` unchanged, or raise :class:`TextCharacterError`
    (message naming ``label`` and the code point) when it holds a control or invisible
    formatting character (:func:`refused_character`). Titles of modules, lessons,
    quizzes and attachments follow this rule; bodies (Markdown) do not."""
    char = refused_character(value or "")
    if char is not None:
        raise TextCharacterError(_("%(label)s berisi karakter tersembunyi atau karakter kendali (%(code)s); "
                                   "ketik ulang tanpa menyalin dari dokumen lain.", label=label, code=f"U+{ord(char):04X}"))
    return value


def check_printable_text(value: str, label: str) -> str:
    """Like :func:`check_title_text`, and every character must also exist in the
    certificate fonts (the rule of people's names), because the text is printed on
    certificates (e.g. a course title). Raises :class:`TextCharacterError`."""
    check_title_text(value, label)
    char = unprintable_character(value or "")
    if char is not None:
        raise TextCharacterError(_("Karakter '%(char)s' (%(code)s) pada %(label)s tidak dapat dicetak pada sertifikat; "
                                   "hapus karakter itu (mis. emoji) atau ganti dengan huruf biasa.",
                                   char=char, code=f"U+{ord(char):04X}", label=str(label).lower()))
    return value


#: Bidi embeddings/overrides/isolates and the zero-width space: refused even in longer texts
#: (question text, choices), where they reorder or hide what the reader sees.
_HIDDEN_IN_BODIES = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A)) | {0x200B}


def hidden_character(text: str) -> str | None:
    """The first bidi control or zero-width space of ``text`` (see :func:`check_body_text`), or ``None``."""
    return next((c for c in text if ord(c) in _HIDDEN_IN_BODIES), None)


def check_body_text(value: str, label: str) -> str:
    """Return ``value`` unchanged, or raise :class:`TextCharacterError` when it holds a bidi
    override/embedding/isolate (U+202A-U+202E, U+2066-U+2069) or a zero-width space (U+200B).

    Other characters (line breaks, tabs, emoji with U+200D joiners) stay allowed in bodies.
    """
    char = hidden_character(value or "")
    if char is not None:
        raise TextCharacterError(_("%(label)s berisi karakter tersembunyi atau karakter kendali (%(code)s); "
                                   "ketik ulang tanpa menyalin dari dokumen lain.", label=label, code=f"U+{ord(char):04X}"))
    return value
