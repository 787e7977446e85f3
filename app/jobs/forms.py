"""Forms of the job pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import DataRequired, Optional

from app.common.db import MAX_ID
from app.common.forms import IdIntegerField, IntegerRange, LenteraForm

ACTION_ISSUE = "terbitkan"
ACTION_REGENERATE = "buat-ulang"


class BulkCertificateForm(LenteraForm):
    """Start a bulk certificate job for a course (``kursus``) and/or cohort (``angkatan``), by id."""

    aksi = SelectField(_l("Tindakan"), choices=[(ACTION_ISSUE, _l("Terbitkan sertifikat yang belum ada")),
                                                (ACTION_REGENERATE, _l("Buat ulang dan tanda tangani ulang"))],
                       validators=[DataRequired()])
    kursus = IdIntegerField(_l("Kursus"), validators=[Optional(), IntegerRange(min=1, max=MAX_ID)])
    angkatan = IdIntegerField(_l("Angkatan"), validators=[Optional(), IntegerRange(min=1, max=MAX_ID)])
