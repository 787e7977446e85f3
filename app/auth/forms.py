"""Sign-in and registration forms, with Indonesian messages on every field."""
from __future__ import annotations

from app.common.forms import LenteraForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from app.auth.passwords import MAX_LENGTH, MIN_LENGTH
from app.common.asn import ESELON, GOLONGAN, PANGKAT
from app.common.nip import NipError, parse_nip

REQUIRED = "Wajib diisi."
EMAIL_INVALID = "Alamat email tidak valid."


class LoginForm(LenteraForm):
    email = EmailField("Email", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Kata sandi", validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH)])
    remember = BooleanField("Ingat saya di perangkat ini")


def _nip_check(form, field):
    if field.data:
        try:
            field.data = parse_nip(field.data, employment_type=form.employment_type.data or None).value
        except NipError as error:
            raise ValidationError(str(error)) from None


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class RegisterForm(LenteraForm):
    """Public learners fill email, name and password; ASN add NIP and their post."""

    email = EmailField("Email", filters=[_strip], validators=[
        DataRequired(REQUIRED), Email(EMAIL_INVALID, check_deliverability=False), Length(max=254)])
    full_name = StringField("Nama lengkap (tanpa gelar)", filters=[_strip], validators=[
        DataRequired(REQUIRED), Length(max=200, message="Paling banyak 200 karakter.")])
    password = PasswordField("Kata sandi", validators=[
        DataRequired(REQUIRED),
        Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Kata sandi {MIN_LENGTH}–{MAX_LENGTH} karakter.")])
    password_confirm = PasswordField("Ulangi kata sandi", validators=[
        DataRequired(REQUIRED), EqualTo("password", message="Kedua kata sandi tidak sama.")])
    is_asn = BooleanField("Saya ASN (PNS/PPPK)")
    gelar_depan = StringField("Gelar depan", filters=[_strip], validators=[Optional(), Length(max=60)])
    gelar_belakang = StringField("Gelar belakang", filters=[_strip], validators=[Optional(), Length(max=100)])
    nip = StringField("NIP (18 digit)", filters=[_strip], validators=[Optional(), _nip_check])
    employment_type = SelectField("Jenis kepegawaian", choices=[("", "—"), ("PNS", "PNS"), ("PPPK", "PPPK")],
                                  validators=[Optional()])
    opd_id = SelectField("OPD / unit kerja", coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                         validators=[Optional()], validate_choice=True)
    jabatan = StringField("Jabatan", filters=[_strip], validators=[Optional(), Length(max=200)])
    eselon = SelectField("Eselon", choices=[("", "— Non-eselon —")] + [(e, e) for e in ESELON], validators=[Optional()])
    golongan = SelectField("Golongan", choices=[("", "—")] + [(g, f"{g} ({PANGKAT[g]})") for g in GOLONGAN],
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
            for field, message in ((self.nip, "NIP wajib diisi untuk ASN."),
                                   (self.opd_id, "Pilih OPD Anda."),
                                   (self.employment_type, "Pilih PNS atau PPPK.")):
                if not field.data and not field.errors:
                    field.errors = [*field.errors, message]
                    valid = False
        return valid


class TotpForm(LenteraForm):
    """The 6-digit code from the authenticator app."""

    code = StringField("Kode verifikasi (6 digit)", filters=[_strip],
                       validators=[DataRequired(REQUIRED), Length(max=12)])


class ResetRequestForm(LenteraForm):
    email = EmailField("Email", filters=[_strip], validators=[DataRequired(REQUIRED), Length(max=254)])


def _new_password_fields():
    return (
        PasswordField("Kata sandi baru", validators=[
            DataRequired(REQUIRED),
            Length(min=MIN_LENGTH, max=MAX_LENGTH, message=f"Kata sandi {MIN_LENGTH}–{MAX_LENGTH} karakter.")]),
        PasswordField("Ulangi kata sandi baru", validators=[
            DataRequired(REQUIRED), EqualTo("password", message="Kedua kata sandi tidak sama.")]),
    )


class ResetPasswordForm(LenteraForm):
    password, password_confirm = _new_password_fields()


class ChangePasswordForm(LenteraForm):
    current_password = PasswordField("Kata sandi saat ini", validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH)])
    password, password_confirm = _new_password_fields()


class TotpEnableForm(LenteraForm):
    code = StringField("Kode dari aplikasi autentikator (6 digit)", filters=[_strip],
                       validators=[DataRequired(REQUIRED), Length(max=12)])


class TotpDisableForm(LenteraForm):
    current_password = PasswordField("Kata sandi saat ini", validators=[DataRequired(REQUIRED), Length(max=MAX_LENGTH)])
