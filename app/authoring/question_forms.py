"""Question editing forms, kept in one module so more question types can be added here.

Currently single choice (exactly one correct) and multiple choice (at least
one correct and one wrong). Choices are a fixed number of rows; empty rows
are ignored, so an author can add up to :data:`CHOICE_ROWS` options.
"""
from __future__ import annotations

from decimal import Decimal

from wtforms import BooleanField, Form, FormField, FieldList, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.assessment.models import QUESTION_MULTIPLE, QUESTION_SINGLE
from app.authoring.forms import REQUIRED, AuthoringForm, IdDecimalField, strip
from app.authoring.services import ChoiceData, QuestionData

CHOICE_ROWS = 6
#: Types this form edits, with their Indonesian labels.
QUESTION_TYPE_CHOICES = [
    (QUESTION_SINGLE, "Pilihan tunggal (tepat satu jawaban benar)"),
    (QUESTION_MULTIPLE, "Pilihan ganda (satu atau lebih jawaban benar)"),
]
EDITABLE_TYPES = {value for value, _ in QUESTION_TYPE_CHOICES}


class ChoiceRow(Form):
    """One answer option row (no CSRF of its own: the outer form has it)."""

    text = TextAreaField("Teks pilihan", filters=[strip],
                         validators=[Optional(), Length(max=2000, message="Paling banyak 2000 karakter.")])
    is_correct = BooleanField("Jawaban benar")


class QuestionForm(AuthoringForm):
    """A single- or multiple-choice question with up to :data:`CHOICE_ROWS` choices."""

    key = StringField("Kunci (opsional, mis. q1)", filters=[strip],
                      validators=[Optional(), Length(max=60, message="Paling banyak 60 karakter.")])
    type = SelectField("Tipe pertanyaan", choices=QUESTION_TYPE_CHOICES, default=QUESTION_SINGLE)
    text = TextAreaField("Teks pertanyaan", validators=[DataRequired(REQUIRED),
                                                        Length(max=5000, message="Paling banyak 5000 karakter.")])
    points = IdDecimalField("Poin", validators=[InputRequired(REQUIRED)], low=Decimal(0), low_inclusive=False,
                            high=Decimal("1000"), default=Decimal(1))
    explanation = TextAreaField("Penjelasan (ditampilkan setelah kuis dikumpulkan)",
                                validators=[Optional(), Length(max=5000, message="Paling banyak 5000 karakter.")])
    choices = FieldList(FormField(ChoiceRow), min_entries=CHOICE_ROWS, max_entries=CHOICE_ROWS)

    def fill_from(self, question) -> None:
        """Load an existing question into the form (GET)."""
        self.key.data = question.key
        self.type.data = question.type
        self.text.data = question.text
        self.points.data = question.points
        self.explanation.data = question.explanation
        ordered = sorted(question.choices, key=lambda c: c.position)
        for row, choice in zip(self.choices.entries, ordered):
            row.form.text.data = choice.text
            row.form.is_correct.data = choice.is_correct

    def to_data(self) -> QuestionData:
        """The validated input as a :class:`QuestionData`; empty choice rows are dropped."""
        choices = [ChoiceData(text=row.form.text.data, is_correct=bool(row.form.is_correct.data))
                   for row in self.choices.entries if (row.form.text.data or "").strip()]
        return QuestionData(type=self.type.data, text=self.text.data, explanation=self.explanation.data or "",
                            points=self.points.number, choices=choices, key=self.key.data or "")
