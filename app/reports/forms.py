"""Filter forms of the reports, the JP ledger and the audit log (GET, no CSRF: they change nothing)."""
from __future__ import annotations

from datetime import datetime

from app.common.forms import LenteraForm
from wtforms import DateField, SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

from app.admin.forms import INVALID_CHOICE, IdSelectField
from app.common.asn import ESELON, GOLONGAN
from app.reports.ledger import MET, NOT_MET

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


class CodeSelectField(SelectField):
    """A select of fixed codes where ``""`` means "all": ``data`` is the code or ``None``."""

    def __init__(self, label=None, codes=(), all_label="Semua", **kwargs):
        choices = [("", all_label)] + [(c, c) if isinstance(c, str) else c for c in codes]
        super().__init__(label, choices=choices, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = valuelist[0].strip() or None

    def pre_validate(self, form):
        if self.data is not None and self.data not in {value for value, _ in self.choices}:
            raise ValidationError(INVALID_CHOICE)


class _DelimiterMixin:
    def validate_delimiter(self, field):
        if field.data and field.data not in DELIMITERS:
            raise ValidationError(INVALID_CHOICE)

    @property
    def delimiter_char(self) -> str:
        return DELIMITERS.get(self.delimiter.data or "comma", ",")

    def first_error(self) -> str:
        """The first error message of the form, prefixed with its field label."""
        for field in self:
            if field.errors:
                return f"{field.label.text}: {field.errors[0]}"
        return "Isian filter tidak valid."


def _delimiter_field():
    return SelectField("Pemisah kolom CSV", validators=[Optional()], default="comma", validate_choice=False,
                       choices=[("comma", "Koma (,)"), ("semicolon", "Titik koma (;) untuk Excel berbahasa Indonesia")])


class CompletionFilterForm(_DelimiterMixin, LenteraForm):
    """``?course=<id>&cohort=<id>&opd=<id>&eselon=…&golongan=…&dari=YYYY-MM-DD&sampai=YYYY-MM-DD&delimiter=…``.

    Dates are local calendar dates in ``LENTERA_TIMEZONE``; both ends are
    inclusive. ``delimiter`` is used only by the CSV download.
    Choices of ``course``, ``cohort`` and ``opd`` are set by the route.
    """

    class Meta:
        csrf = False

    course = IdSelectField("Kursus")
    cohort = IdSelectField("Angkatan")
    opd = IdSelectField("OPD")
    eselon = CodeSelectField("Eselon", codes=ESELON, all_label="Semua eselon")
    golongan = CodeSelectField("Golongan", codes=GOLONGAN, all_label="Semua golongan")
    dari = LocalDateField("Selesai dari tanggal", validators=[Optional()])
    sampai = LocalDateField("Sampai tanggal", validators=[Optional()])
    delimiter = _delimiter_field()

    def validate_sampai(self, field):
        if field.data and self.dari.data and self.dari.data > field.data:
            raise ValidationError("Tanggal 'sampai' tidak boleh sebelum tanggal 'dari'.")


class LedgerFilterForm(_DelimiterMixin, LenteraForm):
    """``?tahun=YYYY&opd=<id>&eselon=…&golongan=…&jenis=PNS|PPPK&status=memenuhi|belum&delimiter=…``.

    ``tahun`` choices (recent years) and ``opd`` choices are set by the route;
    an empty ``tahun`` means this year.
    """

    class Meta:
        csrf = False

    tahun = IdSelectField("Tahun")
    opd = IdSelectField("OPD")
    eselon = CodeSelectField("Eselon", codes=ESELON, all_label="Semua eselon")
    golongan = CodeSelectField("Golongan", codes=GOLONGAN, all_label="Semua golongan")
    jenis = CodeSelectField("Jenis kepegawaian", codes=("PNS", "PPPK"), all_label="PNS dan PPPK")
    status = CodeSelectField("Status", codes=((MET, "Memenuhi target"), (NOT_MET, "Belum memenuhi target")),
                             all_label="Semua status")
    delimiter = _delimiter_field()


class AuditFilterForm(_DelimiterMixin, LenteraForm):
    """``?aksi=<action>&pelaku=<email part>&dari=YYYY-MM-DD&sampai=YYYY-MM-DD&delimiter=…``.

    ``aksi`` choices (the actions recorded so far) are set by the route.
    """

    class Meta:
        csrf = False

    aksi = CodeSelectField("Aksi", all_label="Semua aksi")
    pelaku = SearchField("Email pelaku", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[Optional(), Length(max=254, message="Paling banyak 254 karakter.")])
    dari = LocalDateField("Dari tanggal", validators=[Optional()])
    sampai = LocalDateField("Sampai tanggal", validators=[Optional()])
    delimiter = _delimiter_field()

    def validate_sampai(self, field):
        if field.data and self.dari.data and self.dari.data > field.data:
            raise ValidationError("Tanggal 'sampai' tidak boleh sebelum tanggal 'dari'.")
