"""Filter form of the completion report (GET, no CSRF: it changes nothing)."""
from __future__ import annotations

from datetime import datetime

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from app.admin.forms import INVALID_CHOICE, IdSelectField

DELIMITERS = {"comma": ",", "semicolon": ";"}

# Dates far outside what the platform can hold would overflow when turned into
# UTC instants; the form refuses them with a message instead of a 500.
MIN_YEAR, MAX_YEAR = 1900, 9998


class LocalDateField(DateField):
    """An ISO date (``YYYY-MM-DD``, what ``<input type="date">`` sends) with Indonesian errors."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0]:
            return
        try:
            value = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError("Tanggal tidak valid; gunakan format TTTT-BB-HH, mis. 2026-11-29.") from None
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            self.data = None
            raise ValueError(f"Tahun harus antara {MIN_YEAR} dan {MAX_YEAR}.")
        self.data = value


class CompletionFilterForm(FlaskForm):
    """``?course=<id>&opd=<id>&dari=YYYY-MM-DD&sampai=YYYY-MM-DD&delimiter=comma|semicolon``.

    Dates are local calendar dates in ``LENTERA_TIMEZONE``; both ends are
    inclusive. ``delimiter`` is used only by the CSV download.
    Choices of ``course`` and ``opd`` are set by the route.
    """

    class Meta:
        csrf = False

    course = IdSelectField("Kursus")
    opd = IdSelectField("OPD")
    dari = LocalDateField("Selesai dari tanggal", validators=[Optional()])
    sampai = LocalDateField("Sampai tanggal", validators=[Optional()])
    delimiter = SelectField("Pemisah kolom CSV", validators=[Optional()], default="comma", validate_choice=False,
                            choices=[("comma", "Koma (,)"), ("semicolon", "Titik koma (;) untuk Excel berbahasa Indonesia")])

    def validate_delimiter(self, field):
        if field.data and field.data not in DELIMITERS:
            raise ValidationError(INVALID_CHOICE)

    def validate_sampai(self, field):
        if field.data and self.dari.data and self.dari.data > field.data:
            raise ValidationError("Tanggal 'sampai' tidak boleh sebelum tanggal 'dari'.")

    @property
    def delimiter_char(self) -> str:
        return DELIMITERS.get(self.delimiter.data or "comma", ",")

    def first_error(self) -> str:
        """The first error message of the form, prefixed with its field label."""
        for field in self:
            if field.errors:
                return f"{field.label.text}: {field.errors[0]}"
        return "Isian filter tidak valid."
