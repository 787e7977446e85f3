"""Question editing forms: one form for every type of :mod:`app.assessment.question_types`.

One :class:`QuestionForm` holds the fields of every type; the page shows the
section of the chosen type (``app/static/js/question-form.js`` hides the
others; without JavaScript every section stays visible, each saying which
type it is for). :meth:`QuestionForm.to_data` keeps only what the chosen type
uses:

* single / multiple choice: choice rows (empty rows are ignored): a new
  question shows :data:`CHOICE_ROWS`, an existing one its choices and
  :data:`SPARE_CHOICE_ROWS` empty rows, and *Tambah baris pilihan* adds more,
  up to ``MAX_OPTIONS``; multiple choice also its ``scoring`` (all-or-nothing
  or partial credit);
* true/false: the correct answer (``answer``);
* short answer: the accepted answers, one per line (``accepted``);
* matching: ``left = right`` pairs, one per line (``pairs``), and their scoring.

The rules themselves (counts, duplicates, correct answers) are checked by
:mod:`app.authoring.services` through the question-type registry, so the
browser and ``quiz.yaml`` follow the same rules.
"""
from __future__ import annotations

import json
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, FormField, FieldList, RadioField, SelectField, StringField, TextAreaField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.assessment.models import (QUESTION_MATCHING, QUESTION_MULTIPLE, QUESTION_SHORT_ANSWER, QUESTION_SINGLE,
                                   QUESTION_TRUE_FALSE)
from app.assessment.question_types import MAX_OPTIONS, SCORING_ALL_OR_NOTHING, SCORING_PARTIAL
from app.authoring.forms import REQUIRED, AuthoringForm, IdDecimalField, strip
from app.common.names import TextCharacterError, check_body_text
from app.authoring.services import ChoiceData, QuestionData

CHOICE_ROWS = 6
#: Empty rows shown below an existing question's choices, and added by *Tambah baris pilihan*.
SPARE_CHOICE_ROWS = 3
#: Name of the submit button that adds choice rows instead of saving.
ADD_ROWS_BUTTON = "tambah_pilihan"


def _no_hidden_characters(form, field) -> None:
    """Validator: no bidi overrides or zero-width spaces (rule: :func:`app.common.names.check_body_text`)."""
    try:
        check_body_text(field.data or "", str(field.label.text))
    except TextCharacterError as error:
        raise ValidationError(str(error)) from None

#: Separator of a matching pair line: ``left = right``.
PAIR_SEPARATOR = "="
#: Types this form edits (every registered type), with their Indonesian labels.
QUESTION_TYPE_CHOICES = [
    (QUESTION_SINGLE, _l("Pilihan tunggal (tepat satu jawaban benar)")),
    (QUESTION_MULTIPLE, _l("Pilihan ganda (satu atau lebih jawaban benar)")),
    (QUESTION_TRUE_FALSE, _l("Benar/salah")),
    (QUESTION_SHORT_ANSWER, _l("Isian singkat")),
    (QUESTION_MATCHING, _l("Menjodohkan")),
]
EDITABLE_TYPES = {value for value, _label in QUESTION_TYPE_CHOICES}
CHOICE_TYPES = (QUESTION_SINGLE, QUESTION_MULTIPLE)
SCORING_CHOICES = [
    (SCORING_ALL_OR_NOTHING, _l("Semua atau tidak sama sekali (poin penuh hanya bila seluruhnya benar)")),
    (SCORING_PARTIAL, _l("Nilai sebagian (poin sebanding dengan bagian yang benar)")),
]
ANSWER_TRUE = "benar"
ANSWER_FALSE = "salah"
ANSWER_CHOICES = [(ANSWER_TRUE, _l("Benar")), (ANSWER_FALSE, _l("Salah"))]
# Characters of the accepted-answers and pairs text areas: MAX_OPTIONS lines of up to 500 characters.
_MAX_LIST = 15000


class ChoiceRow(Form):
    """One answer option row (no CSRF of its own: the outer form has it)."""

    text = TextAreaField(_l("Teks pilihan"), filters=[strip],
                         validators=[Optional(), Length(max=2000, message=_l("Paling banyak 2000 karakter.")),
                                     _no_hidden_characters])
    is_correct = BooleanField(_l("Jawaban benar"))


#: Fields of a :class:`ChoiceRow`, posted as ``choices-<row number>-<field>``.
_ROW_FIELDS = ("text", "is_correct")


def _plain_row_number(raw: str) -> bool:
    """True for a row number the page itself writes: ASCII digits, no leading zero (``0``, ``7``, ``9000``)."""
    return raw.isascii() and raw.isdigit() and (raw == "0" or not raw.startswith("0"))


class ChoiceRowList(FieldList):
    """The choice rows, read from every posted ``choices-<number>-<field>`` and numbered again 0, 1, 2, …

    WTForms' own FieldList read only rows numbered with digits and kept the first ``max_entries``
    numbers, so a crafted or script-made POST lost rows without a word. Here every posted row is
    kept: rows with a plain number (:func:`_plain_row_number`) in the order of their numbers, gaps
    closed; rows with any other number (``-1``, ``01``, ``١``, …) after them, in posted order, and
    those that carry text are listed in :attr:`odd_rows` (the form refuses them, showing them
    again). More rows than ``MAX_OPTIONS + 1``: the empty ones are left out (they are ignored
    anyway); the filled ones are all kept, so that too many choices gets the rule's message.
    The number of rows is bounded by the request parser (werkzeug's form-part limit).
    """

    def process(self, formdata, data=unset_value, extra_filters=None):
        #: Posted row numbers, not plain, of rows with text (in posted order).
        self.odd_rows: list[str] = []
        if formdata:
            formdata = self._renumbered(formdata)
        super().process(formdata, data, extra_filters)

    def _renumbered(self, formdata) -> MultiDict:
        prefix = f"{self.name}{self._separator}"
        rows: dict[str, list[tuple[str, list[str]]]] = {}
        for key in formdata:
            # The field name is last; the row number is everything between (it may hold "-").
            raw, separator, field = key[len(prefix):].rpartition("-") if key.startswith(prefix) else ("", "", "")
            if separator and field in _ROW_FIELDS:
                rows.setdefault(raw, []).append((field, formdata.getlist(key)))

        def filled(raw: str) -> bool:
            return any(field == "text" and any(v.strip() for v in values) for field, values in rows[raw])

        plain = sorted((raw for raw in rows if _plain_row_number(raw)), key=int)
        odd = [raw for raw in rows if not _plain_row_number(raw)]
        self.odd_rows = [raw for raw in odd if filled(raw)]
        order = plain + odd
        if len(order) > MAX_OPTIONS + 1:
            order = [raw for raw in order if filled(raw)]
        renumbered = MultiDict()
        for number, raw in enumerate(order):
            for field, values in rows[raw]:
                for value in values:
                    renumbered.add(f"{prefix}{number}-{field}", value)
        return renumbered


def _lines(text: str | None) -> list[tuple[int, str]]:
    """Non-empty lines of a text area as ``(line number from 1, stripped text)``."""
    return [(number, line.strip()) for number, line in enumerate((text or "").splitlines(), start=1) if line.strip()]


def parse_accepted(text: str | None) -> list[str]:
    """Accepted answers, one per line: stripped, blank lines dropped, repeats (ignoring case) dropped."""
    seen, accepted = set(), []
    for _number, line in _lines(text):
        folded = " ".join(line.split()).casefold()
        if folded not in seen:
            seen.add(folded)
            accepted.append(line)
    return accepted


def parse_pairs(text: str | None) -> list[dict]:
    """Matching pairs from ``left = right`` lines (split at the first ``=``), stripped.

    Raises ``ValueError`` (Indonesian message) for a line without ``=`` or
    with an empty side; duplicates and counts are the service's rules.
    """
    pairs = []
    for number, line in _lines(text):
        left, separator, right = line.partition(PAIR_SEPARATOR)
        if not separator:
            raise ValueError(_("Baris %(number)d: tulis pasangan sebagai kiri = kanan.", number=number))
        if not left.strip() or not right.strip():
            raise ValueError(_("Baris %(number)d: teks kiri dan teks kanan wajib diisi.", number=number))
        pairs.append({"left": left.strip(), "right": right.strip()})
    return pairs


def pairs_text(pairs: list[dict]) -> str:
    """The inverse of :func:`parse_pairs`: one ``left = right`` line per pair."""
    return "\n".join(f"{pair['left']} {PAIR_SEPARATOR} {pair['right']}" for pair in pairs)


class QuestionForm(AuthoringForm):
    """A question of any type; see the module docstring for which fields each type uses."""

    key = StringField(_l("Kunci (opsional, mis. q1)"), filters=[strip],
                      validators=[Optional(), Length(max=60, message=_l("Paling banyak 60 karakter."))])
    type = SelectField(_l("Tipe pertanyaan"), choices=QUESTION_TYPE_CHOICES, default=QUESTION_SINGLE)
    text = TextAreaField(_l("Teks pertanyaan"), validators=[
        DataRequired(REQUIRED), Length(max=5000, message=_l("Paling banyak 5000 karakter.")), _no_hidden_characters])
    points = IdDecimalField(_l("Poin"), validators=[InputRequired(REQUIRED)], low=Decimal(0), low_inclusive=False,
                            high=Decimal("1000"), default=Decimal(1))
    explanation = TextAreaField(_l("Penjelasan (ditampilkan setelah kuis dikumpulkan)"),
                                validators=[Optional(), Length(max=5000, message=_l("Paling banyak 5000 karakter."))])
    # No max_entries: a post of too many choices is refused by the rules (question_types) with
    # their message rather than cut short without one (ChoiceRowList bounds the empty rows).
    choices = ChoiceRowList(FormField(ChoiceRow), min_entries=CHOICE_ROWS)
    scoring = SelectField(_l("Cara penilaian pilihan ganda"), choices=SCORING_CHOICES, default=SCORING_ALL_OR_NOTHING)
    # validate_choice=False: an unknown or missing value reaches the service as "no answer" and gets its message.
    answer = RadioField(_l("Jawaban yang benar"), choices=ANSWER_CHOICES, validate_choice=False,
                        validators=[Optional()])
    accepted = TextAreaField(_l("Jawaban yang diterima (satu per baris)"), filters=[strip],
                             validators=[Optional(), Length(max=_MAX_LIST,
                                                            message=_l("Paling banyak 15000 karakter."))])
    pairs = TextAreaField(_l("Pasangan (satu per baris: kiri = kanan)"), filters=[strip],
                          validators=[Optional(), Length(max=_MAX_LIST, message=_l("Paling banyak 15000 karakter."))])
    pair_scoring = SelectField(_l("Cara penilaian menjodohkan"), choices=SCORING_CHOICES, default=SCORING_PARTIAL)

    def add_choice_rows(self) -> None:
        """Append :data:`SPARE_CHOICE_ROWS` empty choice rows (at most ``MAX_OPTIONS`` rows in all)."""
        for _ in range(SPARE_CHOICE_ROWS):
            if len(self.choices.entries) >= MAX_OPTIONS:
                break
            self.choices.append_entry()

    @property
    def can_add_choice_rows(self) -> bool:
        return len(self.choices.entries) < MAX_OPTIONS

    @property
    def max_choices(self) -> int:
        return MAX_OPTIONS

    def validate_choices(self, field) -> None:
        """Choice rows with an odd row number (only from a crafted POST) are refused, shown again at the end."""
        if self.type.data in CHOICE_TYPES and field.odd_rows:
            raise ValidationError(_(
                "%(count)d baris pilihan dikirim dengan nomor baris yang tidak sah; baris itu kini ditampilkan di "
                "akhir daftar. Periksa urutan pilihan, lalu simpan lagi.", count=len(field.odd_rows)))

    def validate_pairs(self, field) -> None:
        """Pair lines must read ``left = right`` (only when the question is a matching one)."""
        if self.type.data != QUESTION_MATCHING:
            return
        try:
            parse_pairs(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def fill_from(self, question) -> None:
        """Load an existing question, with its type's settings, into the form (GET)."""
        settings = json.loads(question.settings or "{}")
        self.key.data = question.key
        self.type.data = question.type
        self.text.data = question.text
        self.points.data = question.points
        self.explanation.data = question.explanation
        ordered = sorted(question.choices, key=lambda c: c.position)
        while len(self.choices.entries) < min(MAX_OPTIONS, len(ordered) + SPARE_CHOICE_ROWS):
            self.choices.append_entry()
        for row, choice in zip(self.choices.entries, ordered):
            row.form.text.data = choice.text
            row.form.is_correct.data = choice.is_correct
        if question.type == QUESTION_MULTIPLE:
            self.scoring.data = settings.get("scoring", SCORING_ALL_OR_NOTHING)
        if question.type == QUESTION_TRUE_FALSE and isinstance(settings.get("answer"), bool):
            self.answer.data = ANSWER_TRUE if settings["answer"] else ANSWER_FALSE
        if question.type == QUESTION_SHORT_ANSWER:
            self.accepted.data = "\n".join(settings.get("accepted", []))
        if question.type == QUESTION_MATCHING:
            self.pairs.data = pairs_text(settings.get("pairs", []))
            self.pair_scoring.data = settings.get("scoring", SCORING_PARTIAL)

    def to_data(self) -> QuestionData:
        """The validated input as a :class:`QuestionData` holding only what the chosen type uses.

        Empty choice rows are dropped; ``settings`` is ``{"scoring"}`` for
        multiple choice, ``{"answer": bool | None}`` for true/false,
        ``{"accepted": [...]}`` for short answer and ``{"pairs", "scoring"}``
        for matching.
        """
        qtype = self.type.data
        choices: list[ChoiceData] = []
        settings: dict = {}
        if qtype in CHOICE_TYPES:
            choices = [ChoiceData(text=row.form.text.data, is_correct=bool(row.form.is_correct.data))
                       for row in self.choices.entries if (row.form.text.data or "").strip()]
        if qtype == QUESTION_MULTIPLE:
            settings["scoring"] = self.scoring.data
        elif qtype == QUESTION_TRUE_FALSE:
            settings["answer"] = {ANSWER_TRUE: True, ANSWER_FALSE: False}.get(self.answer.data)
        elif qtype == QUESTION_SHORT_ANSWER:
            settings["accepted"] = parse_accepted(self.accepted.data)
        elif qtype == QUESTION_MATCHING:
            settings["pairs"] = parse_pairs(self.pairs.data)  # format already checked by validate_pairs
            settings["scoring"] = self.pair_scoring.data
        return QuestionData(type=qtype, text=self.text.data, explanation=self.explanation.data or "",
                            points=self.points.number, choices=choices, key=self.key.data or "",
                            settings=settings)
