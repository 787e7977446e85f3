"""Sign-in and registration forms; labels and messages are lazy gettext strings (Indonesian msgids)."""
from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l
from app.common.forms import LenteraForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from app.auth.passwords import MAX_LENGTH, MIN_LENGTH
from app.common.asn import ESELON, GOLONGAN, PANGKAT
from app.common.nip import NipError, parse_nip

# Required fields use WTForms' own message, translated by LenteraForm
# ("Wajib diisi." / "This field is required."), not a catalogue entry.
# Plain str on purpose: app/admin/roster.py puts it in stored roster diagnostics.
EMAIL_INVALID = "Alamat email tidak valid."


class LoginForm(LenteraForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Ingat saya di perangkat ini"))


def _nip_check(form, field):
    if field.data:
        try:
            field.data = parse_nip(field.data, employment_type=form.employment_type.data or None).value
        except NipError as error:
            raise ValidationError(str(error)) from None  # NipError text is already translated


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterForm(LenteraForm):
    """Public learners fill email, name and password; ASN add NIP and their post."""

    email = EmailField(_l("Email"), filters=[_strip], validators=[
        DataRequired(), Email(_l("Alamat email tidak valid."), check_deliverability=False), Length(max=254)])
    full_name = StringField(_l("Nama lengkap (tanpa gelar)"), filters=[_strip], validators=[
        DataRequired(), Length(max=200, message=_l("Paling banyak 200 karakter."))])
    password = PasswordField(_l("Kata sandi"), validators=[
        DataRequired(),
        Length(min=MIN_LENGTH, max=MAX_LENGTH, message=_l("Kata sandi %(min)d–%(max)d karakter.", min=MIN_LENGTH, max=MAX_LENGTH))])
    password_confirm = PasswordField(_l("Ulangi kata sandi"), validators=[
        DataRequired(), EqualTo("password", message=_l("Kedua kata sandi tidak sama."))])
    is_asn = BooleanField(_l("Saya ASN (PNS/PPPK)"))
    gelar_depan = StringField(_l("Gelar depan"), filters=[_strip], validators=[Optional(), Length(max=60)])
    gelar_belakang = StringField(_l("Gelar belakang"), filters=[_strip], validators=[Optional(), Length(max=100)])
    nip = StringField(_l("NIP (18 digit)"), filters=[_strip], validators=[Optional(), _nip_check])
    employment_type = SelectField(_l("Jenis kepegawaian"), choices=[("", "—"), ("PNS", "PNS"), ("PPPK", "PPPK")],
                                  validators=[Optional()])
    opd_id = SelectField(_l("OPD / unit kerja"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                         validators=[Optional()], validate_choice=True)
    jabatan = StringField(_l("Jabatan"), filters=[_strip], validators=[Optional(), Length(max=200)])
    eselon = SelectField(_l("Eselon"), choices=[("", _l("— Non-eselon —"))] + [(e, e) for e in ESELON], validators=[Optional()])
    golongan = SelectField(_l("Golongan"), choices=[("", "—")] + [(g, f"{g} ({PANGKAT[g]})") for g in GOLONGAN],
                           validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """Field rules, then: an ASN must give NIP, OPD and employment type.

        A NIP typed without ticking "Saya ASN" still marks the account as ASN,
        so the number is never dropped silently.
        """
        valid = super().validate(extra_validators)
        if self.nip.data or self.nip.errors:
            self.is_asn.data = True
        if self.is_asn.data:
            for field, message in ((self.nip, _("NIP wajib diisi untuk ASN.")),
                                   (self.opd_id, _("Pilih OPD Anda.")),
                                   (self.employment_type, _("Pilih PNS atau PPPK."))):
                if not field.data and not field.errors:
                    field.errors = [*field.errors, message]
                    valid = False
        return valid


class TotpForm(LenteraForm):
    """The 6-digit code from the authenticator app."""

    code = StringField(_l("Kode verifikasi (6 digit)"), filters=[_strip],
                       validators=[DataRequired(), Length(max=12)])


class ResetRequestForm(LenteraForm):
    email = EmailField(_l("Email"), filters=[_strip], validators=[DataRequired(), Length(max=254)])


def _new_password_fields():
    return (
        PasswordField(_l("Kata sandi baru"), validators=[
            DataRequired(),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=_l("Kata sandi %(min)d–%(max)d karakter.", min=MIN_LENGTH, max=MAX_LENGTH))]),
        PasswordField(_l("Ulangi kata sandi baru"), validators=[
            DataRequired(), EqualTo("password", message=_l("Kedua kata sandi tidak sama."))]),
    )


class ResetPasswordForm(LenteraForm):
    password, password_confirm = _new_password_fields()


class ChangePasswordForm(LenteraForm):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    password, password_confirm = _new_password_fields()


class TotpEnableForm(LenteraForm):
    code = StringField(_l("Kode dari aplikasi autentikator (6 digit)"), filters=[_strip],
                       validators=[DataRequired(), Length(max=12)])


class TotpDisableForm(LenteraForm):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
