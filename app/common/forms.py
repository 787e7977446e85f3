"""The base form of every Lentera form: WTForms' own messages in the reader's language.

WTForms ships no Indonesian catalogue, so its built-in validator and field
messages (msgids of wtforms.pot, WTForms 3.2) are translated here. For
English (issue #7) WTForms' own English texts are used as they are: the
msgids of wtforms.pot *are* English.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import NumberRange, ValidationError

MESSAGES_ID = {
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "Field must be at least %(min)d character long.": "Isian minimal %(min)d karakter.",
    "Field must be at least %(min)d characters long.": "Isian minimal %(min)d karakter.",
    "Field cannot be longer than %(max)d character.": "Isian paling banyak %(max)d karakter.",
    "Field cannot be longer than %(max)d characters.": "Isian paling banyak %(max)d karakter.",
    "Field must be exactly %(max)d character long.": "Isian harus tepat %(max)d karakter.",
    "Field must be exactly %(max)d characters long.": "Isian harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": "Isian harus %(min)d–%(max)d karakter.",
    "Number must be at least %(min)s.": "Angka minimal %(min)s.",
    "Number must be at most %(max)s.": "Angka paling besar %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus antara %(min)s dan %(max)s.",
    "This field is required.": "Wajib diisi.",
    "Invalid input.": "Isian tidak valid.",
    "Invalid email address.": "Alamat email tidak valid.",
    "Invalid IP address.": "Alamat IP tidak valid.",
    "Invalid Mac address.": "Alamat MAC tidak valid.",
    "Invalid URL.": "Alamat URL tidak valid.",
    "Invalid UUID.": "UUID tidak valid.",
    "Invalid value, must be one of: %(values)s.": "Nilai tidak valid; harus salah satu dari: %(values)s.",
    "Invalid value, can't be any of: %(values)s.": "Nilai tidak valid; tidak boleh salah satu dari: %(values)s.",
    "This field cannot be edited.": "Isian ini tidak dapat diubah.",
    "This field is disabled and cannot have a value.": "Isian ini nonaktif dan tidak boleh berisi nilai.",
    "Invalid CSRF Token.": "Token formulir tidak valid.",
    "CSRF token missing.": "Token formulir tidak ada.",
    "CSRF failed.": "Pemeriksaan token formulir gagal.",
    "CSRF token expired.": "Token formulir sudah kedaluwarsa.",
    "The CSRF token is missing.": "Token formulir tidak ada.",
    "The CSRF token is invalid.": "Token formulir tidak valid.",
    "The CSRF token has expired.": "Token formulir sudah kedaluwarsa.",
    "The CSRF tokens do not match.": "Token formulir tidak cocok.",
    "Invalid Choice: could not coerce.": "Pilihan tidak valid.",
    "Choices cannot be None.": "Pilihan tidak tersedia.",
    "Not a valid choice.": "Pilihan tidak valid.",
    "Invalid choice(s): one or more data inputs could not be coerced.": "Satu atau lebih pilihan tidak valid.",
    "'%(value)s' is not a valid choice for this field.": "'%(value)s' bukan pilihan yang valid.",
    "'%(value)s' are not valid choices for this field.": "'%(value)s' bukan pilihan yang valid.",
    "Not a valid datetime value.": "Tanggal dan waktu tidak valid.",
    "Not a valid date value.": "Tanggal tidak valid (gunakan format TTTT-BB-HH).",
    "Not a valid time value.": "Waktu tidak valid.",
    "Not a valid week value.": "Minggu tidak valid.",
    "Not a valid integer value.": "Harus berupa bilangan bulat.",
    "Not a valid decimal value.": "Harus berupa angka desimal.",
    "Not a valid float value.": "Harus berupa angka.",
}


class IndonesianTranslations:
    """The ``gettext``/``ngettext`` pair WTForms asks its meta for."""

    def gettext(self, message: str) -> str:
        return MESSAGES_ID.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return MESSAGES_ID.get(singular if n == 1 else plural, singular if n == 1 else plural)


class EnglishTranslations:
    """WTForms' own (English) messages, unchanged."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


_TRANSLATIONS = IndonesianTranslations()
_ENGLISH = EnglishTranslations()


def _current_locale() -> str:
    from flask import has_request_context
    from flask_babel import get_locale

    if not has_request_context():
        return "id"
    return str(get_locale() or "id")


class LenteraForm(FlaskForm):
    """Base class of every form in Lentera (CSRF from Flask-WTF, messages in the reader's language)."""

    class Meta:
        def get_translations(self, form):
            return _ENGLISH if _current_locale().startswith("en") else _TRANSLATIONS


class IntegerRange(NumberRange):
    """WTForms' ``NumberRange`` for integer fields, safe for integers of any length.

    ``NumberRange`` calls ``math.isnan`` on the value, which converts it to a float and raises
    ``OverflowError`` for an integer of 309 digits or more: a 500 for a field typed full of nines
    (found by the fresh-user retest). Integers are compared as integers here; the messages are
    ``NumberRange``'s own.
    """

    def __call__(self, form, field):
        data = field.data
        if not isinstance(data, int) or isinstance(data, bool):
            return super().__call__(form, field)
        if (self.min is None or data >= self.min) and (self.max is None or data <= self.max):
            return None
        if self.message is not None:
            message = self.message
        elif self.max is None:
            message = field.gettext("Number must be at least %(min)s.")
        elif self.min is None:
            message = field.gettext("Number must be at most %(max)s.")
        else:
            message = field.gettext("Number must be between %(min)s and %(max)s.")
        raise ValidationError(message % dict(min=self.min, max=self.max))


class IdIntegerField(IntegerField):
    """An integer field: ASCII digits only (Python's ``int`` also reads "٢" or "５"), a translated parse
    error (not WTForms' English), and ``None`` for empty input."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        if not text:
            self.data = None
            return
        if not re.fullmatch(r"-?[0-9]+", text):
            self.data = None
            raise ValueError(_("Isi dengan bilangan bulat."))
        self.data = int(text)
