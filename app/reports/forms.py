"""Filter forms of the reports, the JP ledger and the audit log (GET, no CSRF: they change nothing)."""
from __future__ import annotations

from datetime import datetime

from app.common.forms import LenteraForm
from flask_babel import gettext as _, lazy_gettext as _l
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
            raise ValueError(_("Tanggal tidak valid; gunakan format TTTT-BB-HH, mis. 2026-11-29.")) from None
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            self.data = None
            raise ValueError(_("Tahun harus antara %(min)s dan %(max)s.", min=MIN_YEAR, max=MAX_YEAR))
        self.data = value


class CodeSelectField(SelectField):
    """A select of fixed codes where ``""`` means "all": ``data`` is the code or ``None``."""

    def __init__(self, label=None, codes=(), all_label=_l("Semua"), **kwargs):
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
        return _("Isian filter tidak valid.")


def _delimiter_field():
    return SelectField(_l("Pemisah kolom CSV"), validators=[Optional()], default="comma", validate_choice=False,
                       choices=[("comma", _l("Koma (,)")),
                                ("semicolon", _l("Titik koma (;) untuk Excel berbahasa Indonesia"))])


class CompletionFilterForm(_DelimiterMixin, LenteraForm):
    """``?course=<id>&cohort=<id>&opd=<id>&eselon=…&golongan=…&dari=YYYY-MM-DD&sampai=YYYY-MM-DD&delimiter=…``.

    Dates are local calendar dates in ``LENTERA_TIMEZONE``; both ends are
    inclusive. ``delimiter`` is used only by the CSV download.
    Choices of ``course``, ``cohort`` and ``opd`` are set by the route.
    """

    class Meta:
        csrf = False

    course = IdSelectField(_l("Kursus"))
    cohort = IdSelectField(_l("Angkatan"))
    opd = IdSelectField("OPD")
    eselon = CodeSelectField(_l("Eselon"), codes=ESELON, all_label=_l("Semua eselon"))
    golongan = CodeSelectField(_l("Golongan"), codes=GOLONGAN, all_label=_l("Semua golongan"))
    dari = LocalDateField(_l("Selesai dari tanggal"), validators=[Optional()])
    sampai = LocalDateField(_l("Sampai tanggal"), validators=[Optional()])
    delimiter = _delimiter_field()

    def validate_sampai(self, field):
        if field.data and self.dari.data and self.dari.data > field.data:
            raise ValidationError(_("Tanggal 'sampai' tidak boleh sebelum tanggal 'dari'."))


class LedgerFilterForm(_DelimiterMixin, LenteraForm):
    """``?tahun=YYYY&opd=<id>&eselon=…&golongan=…&jenis=PNS|PPPK&status=memenuhi|belum&delimiter=…``.

    ``tahun`` choices (recent years) and ``opd`` choices are set by the route;
    an empty ``tahun`` means this year.
    """

    class Meta:
        csrf = False

    tahun = IdSelectField(_l("Tahun"))
    opd = IdSelectField("OPD")
    eselon = CodeSelectField(_l("Eselon"), codes=ESELON, all_label=_l("Semua eselon"))
    golongan = CodeSelectField(_l("Golongan"), codes=GOLONGAN, all_label=_l("Semua golongan"))
    jenis = CodeSelectField(_l("Jenis kepegawaian"), codes=("PNS", "PPPK"), all_label=_l("PNS dan PPPK"))
    status = CodeSelectField(_l("Status"), all_label=_l("Semua status"),
                             codes=((MET, _l("Memenuhi target")), (NOT_MET, _l("Belum memenuhi target"))))
    delimiter = _delimiter_field()


class AuditFilterForm(_DelimiterMixin, LenteraForm):
    """``?aksi=<action>&pelaku=<email part>&dari=YYYY-MM-DD&sampai=YYYY-MM-DD&delimiter=…``.

    ``aksi`` choices (the actions recorded so far) are set by the route.
    """

    class Meta:
        csrf = False

    aksi = CodeSelectField(_l("Aksi"), all_label=_l("Semua aksi"))
    pelaku = SearchField(_l("Email pelaku"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[Optional(), Length(max=254, message=_l("Paling banyak 254 karakter."))])
    dari = LocalDateField(_l("Dari tanggal"), validators=[Optional()])
    sampai = LocalDateField(_l("Sampai tanggal"), validators=[Optional()])
    delimiter = _delimiter_field()

    def validate_sampai(self, field):
        if field.data and self.dari.data and self.dari.data > field.data:
            raise ValidationError(_("Tanggal 'sampai' tidak boleh sebelum tanggal 'dari'."))
