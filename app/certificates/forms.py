"""Forms of the certificate pages (labels and messages are Indonesian msgids, translated lazily)."""
from __future__ import annotations

from app.common.forms import LenteraForm
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ReasonForm(LenteraForm):
    """Revoke or reissue: the reason is required and recorded."""

    reason = TextAreaField(_l("Alasan"), validators=[
        DataRequired(_l("Alasan wajib diisi.")),
        Length(max=500, message=_l("Alasan paling banyak 500 karakter.")),
    ])


class UploadForm(LenteraForm):
    """A PDF file to check (type and size are checked on the bytes by the route)."""

    file = FileField(_l("Berkas PDF sertifikat"), validators=[FileRequired(_l("Pilih berkas PDF sertifikat."))])


class CertificateFilterForm(LenteraForm):
    """Filter of the admin list (GET, no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(_l("Cari nama atau nomor"),
                    validators=[Optional(), Length(max=100, message=_l("Paling banyak 100 karakter."))])
    kursus = SelectField(_l("Kursus"), validators=[Optional()], validate_choice=False)
    angkatan = SelectField(_l("Angkatan"), validators=[Optional()], validate_choice=False)
    status = SelectField(_l("Status"), validators=[Optional()], choices=[
        ("", _l("Semua status")), ("valid", _l("Valid")), ("revoked", _l("Dicabut")), ("superseded", _l("Digantikan"))])
