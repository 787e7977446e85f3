"""Forms of the certificate pages (labels and messages in Indonesian)."""
from __future__ import annotations

from app.common.forms import LenteraForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ReasonForm(LenteraForm):
    """Revoke or reissue: the reason is required and recorded."""

    reason = TextAreaField("Alasan", validators=[
        DataRequired("Alasan wajib diisi."),
        Length(max=500, message="Alasan paling banyak 500 karakter."),
    ])


class UploadForm(LenteraForm):
    """A PDF file to check (type and size are checked on the bytes by the route)."""

    file = FileField("Berkas PDF sertifikat", validators=[FileRequired("Pilih berkas PDF sertifikat.")])


class CertificateFilterForm(LenteraForm):
    """Filter of the admin list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField("Cari nama atau nomor", validators=[Optional(), Length(max=100)])
    kursus = SelectField("Kursus", validators=[Optional()], validate_choice=False)
    angkatan = SelectField("Angkatan", validators=[Optional()], validate_choice=False)
    status = SelectField("Status", validators=[Optional()], choices=[
        ("", "Semua status"), ("valid", "Valid"), ("revoked", "Dicabut"), ("superseded", "Digantikan")])
