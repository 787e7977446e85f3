"""The question types, behind one registry (after CTFd's challenge types).

Every type is a :class:`QuestionType` registered in :data:`REGISTRY` under its
name (the ``Question.type`` / ``quiz.yaml`` ``type`` value). A type knows how to

* ``validate_definition(definition) -> list[str]``: problems of a definition
  (empty when valid), in the reader's language (gettext, Indonesian msgids;
  Indonesian outside a request, e.g. the importer CLI); used by the importer
  and the authoring forms;
* ``make_layout(definition, rng, shuffle) -> dict``: what one attempt shows
  (choice or matching order), stored with the attempt;
* ``render(definition, layout, response) -> (template name, context)``;
* ``parse_response(formdata, field, definition, layout=None) -> response``: a
  JSON-able answer (``None`` when unanswered) read from the form fields named
  ``field`` (``field-<n>`` for matching), raising :class:`AnswerError`;
  ``layout`` is the attempt's layout entry (matching maps option values back
  through it);
* ``grade(definition, response) -> Decimal``: points awarded, exact.

A *definition* is the immutable content of a :class:`QuestionVersion`::

    {"type": "single", "text": "...", "explanation": "...", "points": "1.5",
     "choices": [{"id": 12, "text": "...", "correct": true}, ...],   # single, multiple
     "scoring": "all_or_nothing" | "partial",                         # multiple, matching
     "answer": true,                                                  # true_false
     "accepted": ["kata sandi", ...],                                 # short_answer
     "pairs": [{"left": "...", "right": "..."}, ...]}                 # matching

Points are exact: partial credit is computed as a :class:`~fractions.Fraction`
and converted with :func:`fraction_to_points`, exact whenever it has at most
four decimal places, otherwise truncated at four (never rounded up).
"""
from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.assessment.models import (QUESTION_MATCHING, QUESTION_MULTIPLE, QUESTION_SHORT_ANSWER, QUESTION_SINGLE,
                                   QUESTION_TRUE_FALSE)

SCORING_ALL_OR_NOTHING = "all_or_nothing"
SCORING_PARTIAL = "partial"
SCORINGS = (SCORING_ALL_OR_NOTHING, SCORING_PARTIAL)
#: Decimal places of awarded points (``AttemptAnswer.points_awarded``, ``QuizAttempt.score``).
POINT_PLACES = 4
SHORT_ANSWER_MAX = 500
#: Most choices (single/multiple choice) or pairs (matching) in one question: a
#: 400-pair question made a 6.9 MB quiz page. Real items have 2 to 10.
MAX_OPTIONS = 30


class AnswerError(ValueError):
    """Submitted answers cannot be graded (tampered or stale form); message translated (Indonesian msgid)."""


def fraction_to_points(value: Fraction) -> Decimal:
    """``value`` (>= 0) as a Decimal with at most 4 places: exact when possible, else truncated (never up)."""
    scaled = math.floor(value * 10 ** POINT_PLACES)
    return Decimal(scaled).scaleb(-POINT_PLACES) + Decimal(0)


def normalize_text(value: str) -> str:
    """Short-answer comparison form: Unicode NFC, inner runs of space collapsed, ends stripped, casefolded."""
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


def _choices_by_id(definition: dict) -> dict[int, dict]:
    return {choice["id"]: choice for choice in definition.get("choices", [])}


def _ordered(items: Sequence, order: Sequence) -> list:
    """``items`` keyed by ``order`` (ids or indexes); items missing from ``order`` are appended."""
    return list(order) + [item for item in items if item not in order]


class QuestionType:
    """Base of every type; subclasses set ``name``, ``label`` and ``hint`` (lazy gettext strings)."""

    name = ""
    label = ""
    hint = ""
    has_choices = False

    @property
    def template(self) -> str:
        return f"assessment/types/{self.name}.html"

    def validate_definition(self, definition: dict) -> list[str]:
        """Problems common to every type: text and points; subclasses add their own."""
        problems = []
        if not str(definition.get("text", "")).strip():
            problems.append(_("Teks pertanyaan wajib diisi."))
        try:
            points = Decimal(str(definition.get("points", "")))
            if not points > 0:
                problems.append(_("Poin harus lebih dari 0."))
            elif points.as_tuple().exponent < -2:
                problems.append(_("Poin paling banyak 2 angka di belakang koma."))
        except ArithmeticError:
            problems.append(_("Poin harus berupa angka."))
        return problems

    def make_layout(self, definition: dict, rng: random.Random, shuffle: bool) -> dict:
        return {}

    def render(self, definition: dict, layout: dict, response) -> tuple[str, dict]:
        """The template and its context for one question of an attempt."""
        return self.template, {"definition": definition, "layout": layout, "response": response}

    def parse_response(self, formdata, field: str, definition: dict, layout: dict | None = None):
        """The answer read from ``formdata`` (a ``MultiDict``); see the module docstring."""
        return self.parse_values(formdata.getlist(field), definition)

    def parse_values(self, values: list[str], definition: dict):
        raise NotImplementedError

    def score(self, definition: dict, response) -> Fraction:
        """Share of the points earned, 0..1."""
        raise NotImplementedError

    def grade(self, definition: dict, response) -> Decimal:
        """Points awarded for ``response`` (``None`` = unanswered, 0 points)."""
        if response is None:
            return Decimal(0)
        share = self.score(definition, response)
        return fraction_to_points(share * Fraction(Decimal(str(definition["points"]))))

    def describe(self, definition: dict, response) -> list[str]:
        """The learner's answer as text lines for the review; empty when unanswered."""
        raise NotImplementedError

    def correct_answer(self, definition: dict) -> list[str]:
        """The correct answer as text lines for the review."""
        raise NotImplementedError


class _ChoiceType(QuestionType):
    has_choices = True

    def make_layout(self, definition, rng, shuffle):
        order = [choice["id"] for choice in definition["choices"]]
        if shuffle:
            rng.shuffle(order)
        return {"order": order}

    def render(self, definition, layout, response):
        by_id = _choices_by_id(definition)
        order = _ordered(list(by_id), layout.get("order", []))
        chosen = set(response or [])
        choices = [dict(by_id[i], chosen=i in chosen) for i in order if i in by_id]
        return self.template, {"definition": definition, "choices": choices}

    def parse_values(self, values, definition):
        ids = []
        for raw in values:
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
                raise AnswerError(_("Jawaban kuis tidak dapat dibaca. Muat ulang halaman kuis lalu kirim kembali."))
            ids.append(int(raw))
        if not set(ids) <= set(_choices_by_id(definition)):
            raise AnswerError(_("Pilihan jawaban tidak valid. Muat ulang halaman kuis lalu kirim kembali."))
        return sorted(set(ids)) or None

    def describe(self, definition, response):
        by_id = _choices_by_id(definition)
        return [by_id[i]["text"] for i in (response or []) if i in by_id]

    def correct_answer(self, definition):
        return [choice["text"] for choice in definition["choices"] if choice["correct"]]

    def _choice_problems(self, definition) -> list[str]:
        choices = definition.get("choices") or []
        problems = []
        if len(choices) < 2:
            problems.append(_("Pertanyaan pilihan harus punya paling sedikit 2 pilihan."))
        if len(choices) > MAX_OPTIONS:
            problems.append(_("Pertanyaan pilihan paling banyak punya %(max)d pilihan.", max=MAX_OPTIONS))
        texts = [str(c.get("text", "")).strip() for c in choices]
        if any(not t for t in texts):
            problems.append(_("Teks pilihan tidak boleh kosong."))
        if len(set(texts)) != len(texts):
            problems.append(_("Teks pilihan tidak boleh sama."))
        return problems


class SingleChoice(_ChoiceType):
    """Exactly one correct choice; full points when that one choice is chosen."""

    name = QUESTION_SINGLE
    label = _l("Pilihan tunggal")
    hint = _l("Pilih satu jawaban.")

    def validate_definition(self, definition):
        problems = super().validate_definition(definition) + self._choice_problems(definition)
        right = sum(1 for c in definition.get("choices") or [] if c.get("correct"))
        if right != 1:
            problems.append(_("Pilihan tunggal harus punya tepat satu pilihan benar (ada %(count)d).", count=right))
        return problems

    def parse_values(self, values, definition):
        ids = super().parse_values(values, definition)
        if ids and len(ids) > 1:
            raise AnswerError(_("Pertanyaan pilihan tunggal hanya boleh dijawab dengan satu pilihan."))
        return ids

    def score(self, definition, response):
        correct = {c["id"] for c in definition["choices"] if c["correct"]}
        return Fraction(1) if len(response) == 1 and set(response) <= correct else Fraction(0)


class MultipleChoice(_ChoiceType):
    """One or more correct choices.

    ``all_or_nothing``: full points only when the chosen set equals the correct
    set. ``partial``: ``max(0, (correct chosen − wrong chosen) / correct total)``
    of the points.
    """

    name = QUESTION_MULTIPLE
    label = _l("Pilihan ganda kompleks")
    hint = _l("Pilih semua jawaban yang benar.")

    def validate_definition(self, definition):
        problems = super().validate_definition(definition) + self._choice_problems(definition)
        choices = definition.get("choices") or []
        right = sum(1 for c in choices if c.get("correct"))
        if right < 1 or right == len(choices):
            problems.append(_("Pilihan ganda kompleks harus punya paling sedikit satu pilihan benar dan satu "
                              "pilihan salah (benar %(right)d dari %(total)d).", right=right, total=len(choices)))
        if definition.get("scoring", SCORING_ALL_OR_NOTHING) not in SCORINGS:
            problems.append(_("Cara penilaian harus all_or_nothing atau partial."))
        return problems

    def score(self, definition, response):
        correct = {c["id"] for c in definition["choices"] if c["correct"]}
        chosen = set(response)
        if definition.get("scoring") == SCORING_PARTIAL:
            share = Fraction(len(chosen & correct) - len(chosen - correct), len(correct))
            return max(Fraction(0), share)
        return Fraction(1) if chosen and chosen == correct else Fraction(0)


class TrueFalse(QuestionType):
    """A statement that is true or false; ``answer`` holds the truth."""

    name = QUESTION_TRUE_FALSE
    label = _l("Benar/salah")
    hint = _l("Pilih Benar atau Salah.")
    _VALUES = {"benar": True, "salah": False}

    def validate_definition(self, definition):
        problems = super().validate_definition(definition)
        if not isinstance(definition.get("answer"), bool):
            problems.append(_("Pertanyaan benar/salah harus menyatakan jawaban: true atau false."))
        return problems

    def render(self, definition, layout, response):
        return self.template, {"definition": definition, "response": response}

    def parse_values(self, values, definition):
        if not values:
            return None
        if len(values) > 1 or values[0] not in self._VALUES:
            raise AnswerError(_("Jawaban benar/salah tidak dapat dibaca. Muat ulang halaman kuis lalu kirim kembali."))
        return self._VALUES[values[0]]

    def score(self, definition, response):
        return Fraction(1) if response is definition["answer"] else Fraction(0)

    def describe(self, definition, response):
        return [] if response is None else [_("Benar") if response else _("Salah")]

    def correct_answer(self, definition):
        return [_("Benar") if definition["answer"] else _("Salah")]


class ShortAnswer(QuestionType):
    """A typed answer matched against ``accepted`` answers.

    Comparison ignores case and surrounding (and repeated inner) spaces, after
    Unicode NFC normalisation (:func:`normalize_text`).
    """

    name = QUESTION_SHORT_ANSWER
    label = _l("Isian singkat")
    hint = _l("Ketik jawaban singkat.")

    def validate_definition(self, definition):
        problems = super().validate_definition(definition)
        accepted = definition.get("accepted")
        if not accepted or not all(isinstance(a, str) and a.strip() for a in accepted):
            problems.append(_("Isian singkat harus punya paling sedikit satu jawaban yang diterima (tidak kosong)."))
        elif len(accepted) > MAX_OPTIONS:
            problems.append(_("Isian singkat paling banyak punya %(max)d jawaban yang diterima.", max=MAX_OPTIONS))
        return problems

    def render(self, definition, layout, response):
        return self.template, {"definition": definition, "response": response or ""}

    def parse_values(self, values, definition):
        if len(values) > 1:
            raise AnswerError(_("Jawaban isian tidak dapat dibaca. Muat ulang halaman kuis lalu kirim kembali."))
        text = values[0].strip() if values else ""
        if len(text) > SHORT_ANSWER_MAX:
            raise AnswerError(_("Jawaban isian paling panjang %(max)d karakter.", max=SHORT_ANSWER_MAX))
        return text or None

    def score(self, definition, response):
        accepted = {normalize_text(a) for a in definition["accepted"]}
        return Fraction(1) if normalize_text(response) in accepted else Fraction(0)

    def describe(self, definition, response):
        return [] if not response else [response]

    def correct_answer(self, definition):
        return list(definition["accepted"])


class Matching(QuestionType):
    """Pairs: each left item is matched with one right item.

    The response is a list, per pair index (left item), of the chosen right
    item's pair index or ``None``. ``partial``: each correct pair earns its
    share of the points; ``all_or_nothing``: full points only when all match.

    The option values of the form are *positions* in the attempt's shuffled
    right-hand list (layout ``"right"``, marked by ``"values": "position"``),
    so the page does not reveal the pairing (the correct value of row ``i`` is
    where pair ``i`` landed in the shuffle); :meth:`parse_response` maps them
    back to pair indexes. Layouts without the marker (attempts started before
    this) use pair indexes as values, as they did then.
    """

    name = QUESTION_MATCHING
    label = _l("Menjodohkan")
    hint = _l("Pasangkan setiap butir di kiri dengan satu jawaban.")
    #: Layout marker: option values are positions in ``layout["right"]``.
    BY_POSITION = "position"

    def validate_definition(self, definition):
        problems = super().validate_definition(definition)
        pairs = definition.get("pairs") or []
        if len(pairs) < 2:
            problems.append(_("Soal menjodohkan harus punya paling sedikit 2 pasangan."))
        if len(pairs) > MAX_OPTIONS:
            problems.append(_("Soal menjodohkan paling banyak punya %(max)d pasangan.", max=MAX_OPTIONS))
        lefts = [str(p.get("left", "")).strip() for p in pairs]
        rights = [str(p.get("right", "")).strip() for p in pairs]
        if any(not t for t in lefts + rights):
            problems.append(_("Setiap pasangan harus punya teks kiri (left) dan kanan (right)."))
        if len(set(lefts)) != len(lefts) or len(set(rights)) != len(rights):
            problems.append(_("Teks kiri dan teks kanan pada soal menjodohkan tidak boleh sama."))
        if definition.get("scoring", SCORING_PARTIAL) not in SCORINGS:
            problems.append(_("Cara penilaian harus all_or_nothing atau partial."))
        return problems

    def make_layout(self, definition, rng, shuffle):
        count = len(definition["pairs"])
        lefts, rights = list(range(count)), list(range(count))
        rng.shuffle(rights)  # right items are always shuffled, or the answer is the listed order
        if shuffle:
            rng.shuffle(lefts)
        return {"left": lefts, "right": rights, "values": self.BY_POSITION}

    @staticmethod
    def _rights(definition: dict, layout: dict | None) -> list[int]:
        """Pair indexes of the right items in the order shown (every index once)."""
        count = len(definition["pairs"])
        return [i for i in _ordered(range(count), (layout or {}).get("right", [])) if i < count]

    def _by_position(self, layout: dict | None) -> bool:
        return bool(layout) and layout.get("values") == self.BY_POSITION

    def render(self, definition, layout, response):
        pairs = definition["pairs"]
        indexes = range(len(pairs))
        lefts = [i for i in _ordered(indexes, layout.get("left", [])) if i < len(pairs)]
        rights = self._rights(definition, layout)
        positional = self._by_position(layout)
        chosen = list(response or [])
        rows = [{"index": i, "text": pairs[i]["left"], "chosen": chosen[i] if i < len(chosen) else None}
                for i in lefts]
        # ``index`` is the pair index (to mark the saved choice); ``value`` is what the form posts.
        options = [{"index": j, "value": position if positional else j, "text": pairs[j]["right"]}
                   for position, j in enumerate(rights)]
        return self.template, {"definition": definition, "rows": rows, "options": options}

    def parse_response(self, formdata, field, definition, layout=None):
        count = len(definition["pairs"])
        rights = self._rights(definition, layout) if self._by_position(layout) else None
        response: list[int | None] = [None] * count
        for index in range(count):
            values = formdata.getlist(f"{field}-{index}")
            if len(values) > 1:
                raise AnswerError(_("Jawaban menjodohkan tidak dapat dibaca. Muat ulang halaman kuis."))
            raw = values[0] if values else ""
            if raw == "":
                continue
            if not (raw.isascii() and raw.isdigit()) or int(raw) >= count:
                raise AnswerError(_("Jawaban menjodohkan tidak valid. Muat ulang halaman kuis lalu kirim kembali."))
            response[index] = rights[int(raw)] if rights is not None else int(raw)
        return response if any(v is not None for v in response) else None

    def score(self, definition, response):
        count = len(definition["pairs"])
        right = sum(1 for i, chosen in enumerate(response[:count]) if chosen == i)
        if definition.get("scoring", SCORING_PARTIAL) == SCORING_PARTIAL:
            return Fraction(right, count)
        return Fraction(1) if right == count else Fraction(0)

    def describe(self, definition, response):
        pairs = definition["pairs"]
        lines = []
        for i, chosen in enumerate(response or []):
            if chosen is not None and i < len(pairs) and chosen < len(pairs):
                lines.append(f"{pairs[i]['left']} → {pairs[chosen]['right']}")
        return lines

    def correct_answer(self, definition):
        return [f"{pair['left']} → {pair['right']}" for pair in definition["pairs"]]


REGISTRY: dict[str, QuestionType] = {t.name: t for t in (SingleChoice(), MultipleChoice(), TrueFalse(),
                                                         ShortAnswer(), Matching())}


def get_type(name: str) -> QuestionType:
    """The registered type ``name``; ``ValueError`` for an unknown type."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown question type {name!r}") from None


def type_labels() -> dict[str, str]:
    """``{type name: label in the reader's language}`` of every registered type (e.g. ``"matching"``: "Menjodohkan")."""
    return {name: str(kind.label) for name, kind in REGISTRY.items()}


def validate_definition(definition: dict) -> list[str]:
    """Problems of ``definition`` (translated, Indonesian msgids), including an unknown type."""
    kind = REGISTRY.get(definition.get("type", ""))
    if kind is None:
        return [_("Tipe pertanyaan tidak dikenal; pilih salah satu: %(types)s.", types=", ".join(REGISTRY))]
    return kind.validate_definition(definition)


def grade(definition: dict, response) -> Decimal:
    """Points awarded for ``response`` to the question ``definition`` (exact, see module docstring)."""
    return get_type(definition["type"]).grade(definition, response)
