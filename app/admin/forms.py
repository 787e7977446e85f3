"""Filter forms of the admin area (GET, no CSRF: they change nothing)."""
from __future__ import annotations

from app.common.forms import LenteraForm
from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional, ValidationError

INVALID_CHOICE = _l("Pilihan tidak valid.")


def optional_id(value):
    """Coerce a select value to an int id; ``""``/``None`` mean "all" (``None``)."""
    if value in (None, "", "None"):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        raise ValueError(INVALID_CHOICE)
    return int(text)


class IdSelectField(SelectField):
    """A select of database ids where the empty value means "all", with Indonesian errors.

    Choices are ``[("", "Semua …"), (id, label), ...]``; ``data`` is an int or ``None``.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=optional_id, validate_choice=True, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = optional_id(valuelist[0])
            except ValueError:
                self.data = None
                raise ValueError(INVALID_CHOICE) from None

    def pre_validate(self, form):
        if self.data is None:
            return
        if not any(optional_id(value) == self.data for value, _ in self.choices):
            raise ValidationError(INVALID_CHOICE)


class LearnerFilterForm(LenteraForm):
    """Search and OPD filter of the learner list (``?q=…&opd=…``)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Cari nama, NIP, atau email"), filters=[lambda v: v.strip() if isinstance(v, str) else v],
                    validators=[Optional(), Length(max=200, message=_l("Paling banyak 200 karakter."))])
    opd = IdSelectField("OPD")


class RoleForm(LenteraForm):
    """Change a user's role (BPSDM admins only; POST with CSRF). ``opd`` is required for Admin OPD.

    Choices are set by the route.
    """

    role = SelectField(_l("Peran"), validate_choice=True)
    opd = IdSelectField(_l("OPD (untuk Admin OPD)"))


class UserFilterForm(LearnerFilterForm):
    """The user list's search with a role filter (``?peran=…``; empty = every role, default learners)."""

    peran = SelectField(_l("Peran"), validate_choice=False, default="learner")

    def validate_peran(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError(INVALID_CHOICE)
