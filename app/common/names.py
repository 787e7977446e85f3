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


class PersonNameError(ValueError):
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
