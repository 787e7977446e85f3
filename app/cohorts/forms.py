"""Forms of the roster and cohort pages; labels and messages are Indonesian msgids, translated lazily."""
from __future__ import annotations

from app.common.forms import LenteraForm
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.common.asn import ESELON, GOLONGAN, PANGKAT
from app.learning.services import ENROLMENT_MODES

REQUIRED = _l("Wajib diisi.")
FILE_REQUIRED = _l("Pilih berkas .csv atau .xlsx.")
FILE_TYPES = _l("Jenis berkas tidak didukung; unggah berkas .csv atau .xlsx.")
DATE_INVALID = _l("Tanggal tidak valid; gunakan format tahun-bulan-tanggal.")
INVALID_CHOICE = _l("Pilihan tidak valid.")


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ChoiceField(SelectField):
    """A select whose bad or forged values get an Indonesian message."""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = self.coerce(valuelist[0])
            except (ValueError, TypeError):
                self.data = None
                raise ValueError(INVALID_CHOICE) from None

    def pre_validate(self, form):
        if self.data not in [self.coerce(value) if value != "" else _blank(self.coerce) for value, *_ in self.choices]:
            raise ValidationError(INVALID_CHOICE)


def _blank(coerce):
    try:
        return coerce("")
    except (ValueError, TypeError):
        return ""


class MultiChoiceField(SelectMultipleField):
    """A multiple select with an Indonesian message for values outside its choices."""

    def process_formdata(self, valuelist):
        try:
            self.data = [self.coerce(value) for value in valuelist]
        except (ValueError, TypeError):
            self.data = []
            raise ValueError(INVALID_CHOICE) from None

    def pre_validate(self, form):
        allowed = {value for value, *_ in self.choices}
        if any(value not in allowed for value in self.data or ()):
            raise ValidationError(INVALID_CHOICE)


class LocalDateField(DateField):
    """A ``YYYY-MM-DD`` date (the browser's date picker) with an Indonesian error."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_INVALID) from None


class UploadForm(LenteraForm):
    """One CSV/XLSX file (roster, or a NIP/email list for a cohort)."""

    file = FileField(_l("Berkas (.csv atau .xlsx)"), validators=[FileRequired(FILE_REQUIRED),
                                                             FileAllowed(["csv", "xlsx"], FILE_TYPES)])


class ConfirmForm(LenteraForm):
    """A bare confirmation (CSRF only)."""


class CohortForm(LenteraForm):
    """Create or edit a cohort; dates are local calendar dates."""

    course_id = ChoiceField(_l("Kursus"), coerce=int, validators=[InputRequired(REQUIRED)])
    name = StringField(_l("Nama angkatan"), validators=[DataRequired(REQUIRED),
                                                    Length(max=120, message=_l("Paling banyak 120 karakter."))])
    starts_on = LocalDateField(_l("Tanggal mulai"), validators=[InputRequired(REQUIRED)])
    ends_on = LocalDateField(_l("Tanggal selesai (batas waktu)"), validators=[InputRequired(REQUIRED)])
    # Only templates that exist under certificates/: a misspelt name would stop certificates (choices set by the view).
    certificate_template = SelectField(_l("Templat sertifikat"), choices=[("", _l("Ikuti templat kursus"))],
                                       default="")


class EnrolListForm(LenteraForm):
    """NIPs or emails pasted one per line; ``preview`` counts, ``confirm`` enrols."""

    identifiers = TextAreaField(_l("NIP atau email, satu per baris"), validators=[DataRequired(REQUIRED)])
    preview = SubmitField(_l("Hitung peserta"))
    confirm = SubmitField(_l("Daftarkan"))


class EnrolPickForm(LenteraForm):
    """People ticked in the search results; choices are set by the route to those the actor may see."""

    user_ids = MultiChoiceField(_l("Peserta"), coerce=int,
                                validators=[DataRequired(_l("Pilih paling sedikit satu peserta."))])
    preview = SubmitField(_l("Hitung peserta"))
    confirm = SubmitField(_l("Daftarkan"))


class EnrolRuleForm(LenteraForm):
    """A rule over ASN data; empty fields match everyone."""

    opd_id = ChoiceField("OPD", coerce=_int_or_none, validators=[Optional()])
    eselon = MultiChoiceField(_l("Eselon"), choices=[(e, e) for e in ESELON], validators=[Optional()])
    golongan = MultiChoiceField(_l("Golongan"), choices=[(g, f"{g} ({PANGKAT[g]})") for g in GOLONGAN],
                                validators=[Optional()])
    employment_type = ChoiceField(_l("Jenis kepegawaian"),
                                  choices=[("", _l("Semua")), ("PNS", "PNS"), ("PPPK", "PPPK")],
                                  validators=[Optional()])
    preview = SubmitField(_l("Hitung peserta"))
    confirm = SubmitField(_l("Daftarkan"))


class EnrolmentModeForm(LenteraForm):
    """How learners self-enrol in one course."""

    enrolment_mode = ChoiceField(_l("Pendaftaran mandiri"), choices=list(ENROLMENT_MODES.items()),
                                 validators=[InputRequired(REQUIRED)])
