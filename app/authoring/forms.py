"""Authoring forms (Flask-WTF, CSRF): labels and messages in Indonesian, English per user (Flask-Babel).

Decimals accept a comma or a point ("2,5" or "2.5") and at most two places,
because JP and pass marks are stored exactly with two decimal places.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_wtf.file import FileField

from app.common.forms import IdIntegerField, IntegerRange, LenteraForm
from app.common.names import TextCharacterError, check_printable_text, check_title_text
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import (DataRequired, InputRequired, Length, Optional, StopValidation,
                                ValidationError)

# A minus sign is let through so that a negative value gets the range message.
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+([.,][0-9]+)?")
# Lazy: translated when shown, in the language of that request.
REQUIRED = _l("Wajib diisi.")
NUL_MESSAGE = _l("Teks memuat karakter yang tidak sah.")
#: WTForms' Length fills in %(max)d.
TOO_LONG = _l("Paling banyak %(max)d karakter.")


def _fields(form):
    for item in form:
        entries = getattr(item, "entries", None)
        if entries is not None:  # FieldList
            for entry in entries:
                if hasattr(entry, "form"):
                    yield from _fields(entry.form)
                else:
                    yield entry
        elif hasattr(item, "form") and item.type == "FormField":
            yield from _fields(item.form)
        else:
            yield item


class AuthoringForm(LenteraForm):
    """Base of the authoring forms: text with NUL characters is refused (PostgreSQL cannot store it)."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for item in _fields(self):
            if isinstance(item.data, str) and "\x00" in item.data:
                item.errors = list(item.errors) + [NUL_MESSAGE]
                ok = False
        return ok


class IdDecimalField(StringField):
    """A decimal typed the Indonesian way (comma) or with a point; ``data`` is a ``Decimal`` or ``None``.

    ``low``/``high`` bound the value (``low_inclusive`` decides whether ``low`` itself is allowed).
    """

    def __init__(self, label=None, validators=None, *, low=None, high=None, low_inclusive=True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.low, self.high, self.low_inclusive = low, high, low_inclusive
        self.number = None

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.number = None

    def pre_validate(self, form):
        # A field absent from the POST keeps its default, which may be a Decimal.
        text = ("" if self.data is None else str(self.data)).strip().replace(" ", "")
        if not text:
            self.number = None
            if self.flags.required:
                # Only spaces typed: InputRequired saw input, but there is no number to save.
                raise StopValidation(str(REQUIRED))
            return
        if text.count(",") + text.count(".") > 1:
            raise ValidationError(_("Tulis angka dengan satu tanda desimal, mis. 2,5."))
        # Only ASCII digits and one decimal mark: Decimal() alone would take "1e3", "1_0", "+5" and "٣".
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise ValidationError(_("Isi dengan angka 0-9 dan paling banyak satu tanda desimal, mis. 20 atau 2,5."))
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValidationError(_("Isi dengan angka, mis. 20 atau 2,5.")) from None
        if not value.is_finite() or value.as_tuple().exponent < -2:
            raise ValidationError(_("Paling banyak dua angka di belakang koma."))
        if self.low is not None and (value < self.low or (value == self.low and not self.low_inclusive)):
            if self.low_inclusive:
                raise ValidationError(_("Nilai harus paling kecil %(low)s.", low=self.low))
            raise ValidationError(_("Nilai harus lebih dari %(low)s.", low=self.low))
        if self.high is not None and value > self.high:
            raise ValidationError(_("Nilai paling besar %(high)s.", high=self.high))
        self.number = value

    def _value(self):
        if self.data is None:
            return ""
        if isinstance(self.data, Decimal):
            text = format(self.data.normalize() if self.data == self.data.to_integral() else self.data, "f")
            # Shown with the reader's decimal mark (both are accepted back).
            return text if str(get_locale() or "id") == "en" else text.replace(".", ",")
        return str(self.data)


class TitleCharacters:
    """Validator: no control or invisible characters in a title; with ``printable`` every
    character must also exist in the certificate fonts (course titles are printed on
    certificates). Rule and messages: :mod:`app.common.names`."""

    def __init__(self, printable: bool = False):
        self.printable = printable

    def __call__(self, form, field):
        check = check_printable_text if self.printable else check_title_text
        try:
            check(field.data or "", str(field.label.text))
        except TextCharacterError as error:
            raise ValidationError(str(error)) from None


def strip(value):
    """Filter: surrounding spaces removed from one-line text."""
    return value.strip() if isinstance(value, str) else value


ENROLMENT_MODES = [("open", _l("Terbuka (peserta mendaftar sendiri)")),
                   ("approval", _l("Dengan persetujuan operator")),
                   ("closed", _l("Tertutup (didaftarkan operator)"))]


class CourseForm(AuthoringForm):
    """Course metadata and an optional cover image (PNG, JPEG or WebP)."""

    title = StringField(_l("Judul"), filters=[strip], validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG),
                                                              TitleCharacters(printable=True)])
    slug = StringField(_l("Slug (alamat kursus)"), filters=[strip], validators=[Optional(), Length(max=100, message=TOO_LONG)])
    summary = TextAreaField(_l("Ringkasan"), validators=[Optional(), Length(max=5000, message=TOO_LONG)])
    audience = StringField(_l("Sasaran peserta"), filters=[strip], validators=[Optional(), Length(max=300, message=TOO_LONG),
                                                                           TitleCharacters()])
    jp = IdDecimalField(_l("Kredit JP"), validators=[InputRequired(REQUIRED)], low=Decimal(0), high=Decimal("9999"))
    pass_mark = IdDecimalField(_l("Nilai lulus kuis (%)"), validators=[InputRequired(REQUIRED)], low=Decimal(0),
                               low_inclusive=False, high=Decimal(100))
    version = IdIntegerField(_l("Versi"), default=1, validators=[InputRequired(_l("Isi dengan bilangan bulat.")),
                                                           IntegerRange(min=1, max=1_000_000, message=_l("Versi 1 sampai 1.000.000."))])
    enrolment_mode = SelectField(_l("Pendaftaran"), choices=ENROLMENT_MODES, default="open")
    # Choices are the template folders under certificates/, set by the view.
    certificate_template = SelectField(_l("Templat sertifikat"), choices=[("", _l("Bawaan (default)"))], default="")
    certificate_validity_months = IdIntegerField(
        _l("Masa berlaku sertifikat (bulan)"),
        validators=[Optional(), IntegerRange(min=1, max=600, message=_l("Masa berlaku 1 sampai 600 bulan."))])
    cover = FileField(_l("Gambar sampul (PNG, JPEG, atau WebP)"))
    remove_cover = BooleanField(_l("Hapus gambar sampul"))


class ModuleForm(AuthoringForm):
    """A module's title and summary."""

    title = StringField(_l("Judul modul"), filters=[strip], validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG),
                                                                    TitleCharacters()])
    summary = TextAreaField(_l("Ringkasan modul"), validators=[Optional(), Length(max=5000, message=TOO_LONG)])


class LessonForm(AuthoringForm):
    """A lesson: Markdown body (previewed on the server), duration, optional video link."""

    title = StringField(_l("Judul pelajaran"), filters=[strip], validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG),
                                                                        TitleCharacters()])
    body_md = TextAreaField(_l("Isi pelajaran (Markdown)"), validators=[DataRequired(REQUIRED),
                                                                    Length(max=200_000, message=_l("Isi terlalu panjang."))])
    minutes = IdIntegerField(_l("Perkiraan durasi (menit)"), validators=[Optional(), IntegerRange(min=1, max=10_000, message=_l("Durasi 1 sampai 10.000 menit."))])
    is_required = BooleanField(_l("Wajib diselesaikan"), default=True)
    video_url = StringField(_l("Tautan video YouTube atau Vimeo (opsional)"), filters=[strip], validators=[Optional(), Length(max=300, message=TOO_LONG)])


class PreviewForm(AuthoringForm):
    """The live preview request sent by app/static/js/authoring-preview.js."""

    body_md = TextAreaField(_l("Isi"), validators=[Optional(), Length(max=200_000, message=_l("Isi terlalu panjang."))])


class AttachmentForm(AuthoringForm):
    """An attachment upload: PDF or an image."""

    title = StringField(_l("Judul lampiran"), filters=[strip], validators=[Optional(), Length(max=200, message=TOO_LONG),
                                                                       TitleCharacters()])
    file = FileField(_l("Berkas (PDF, PNG, JPEG, atau WebP)"))


class QuizForm(AuthoringForm):
    """A module's quiz; an empty pass mark means the course's."""

    title = StringField(_l("Judul kuis"), filters=[strip], validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG),
                                                                   TitleCharacters()])
    pass_mark = IdDecimalField(_l("Nilai lulus kuis (%), kosongkan untuk memakai nilai lulus kursus"),
                               low=Decimal(0), low_inclusive=False, high=Decimal(100))


class TrainerForm(AuthoringForm):
    """Adding a co-owner by email."""

    email = EmailField(_l("Email pengajar"), filters=[strip], validators=[DataRequired(REQUIRED), Length(max=254, message=_l("Email terlalu panjang."))])


class MoveForm(AuthoringForm):
    """Up/down reorder buttons."""

    direction = HiddenField(validators=[DataRequired(REQUIRED)])
