"""The question-type registry and grading methods (pure functions, no database)."""
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from werkzeug.datastructures import MultiDict

from app.assessment import question_types as types
from app.assessment.grading import AttemptResult, quiz_grade
from app.assessment.question_types import AnswerError, fraction_to_points, grade, validate_definition


def _choice(points="1", scoring="all_or_nothing", kind="multiple"):
    return {"type": kind, "text": "Pilih", "points": points, "scoring": scoring,
            "choices": [{"id": 1, "text": "A", "correct": True}, {"id": 2, "text": "B", "correct": True},
                        {"id": 3, "text": "C", "correct": True}, {"id": 4, "text": "D", "correct": False}]}


def test_registry_holds_every_type_with_validate_render_grade():
    assert set(types.REGISTRY) == {"single", "multiple", "true_false", "short_answer", "matching"}
    for kind in types.REGISTRY.values():
        assert kind.template == f"assessment/types/{kind.name}.html"
        assert callable(kind.validate_definition) and callable(kind.render) and callable(kind.grade)
    with pytest.raises(ValueError):
        types.get_type("essay")
    assert validate_definition({"type": "essay"})[0].startswith("Tipe pertanyaan tidak dikenal")


def test_multiple_choice_partial_credit_is_correct_minus_wrong_over_correct_total():
    d = _choice(points="3", scoring="partial")
    assert grade(d, [1, 2, 3]) == Decimal("3")
    assert grade(d, [1, 2]) == Decimal("2")             # 2/3 of 3 points, exact
    assert grade(d, [1, 2, 4]) == Decimal("1")          # (2 - 1)/3 of 3
    assert grade(d, [1, 4]) == Decimal("0")             # (1 - 1)/3
    assert grade(d, [4]) == Decimal("0")                # never below zero
    assert grade(d, None) == Decimal("0")
    one_point = _choice(points="1", scoring="partial")
    assert grade(one_point, [1]) == Decimal("0.3333")   # 1/3 point: truncated at 4 places, never rounded up
    assert grade(one_point, [1, 2]) == Decimal("0.6666")


def test_multiple_choice_all_or_nothing():
    d = _choice()
    assert grade(d, [1, 2, 3]) == Decimal("1")
    assert grade(d, [1, 2]) == 0 and grade(d, [1, 2, 3, 4]) == 0


def test_fraction_to_points_is_exact_when_it_can_be():
    assert fraction_to_points(Fraction(1, 4)) == Decimal("0.25")
    assert fraction_to_points(Fraction(1, 8)) == Decimal("0.125")
    assert fraction_to_points(Fraction(2, 3)) == Decimal("0.6666")
    assert fraction_to_points(Fraction(3)) == Decimal("3")


def test_true_false():
    d = {"type": "true_false", "text": "Bumi bulat.", "points": "2", "answer": False}
    assert validate_definition(d) == []
    assert grade(d, False) == Decimal("2") and grade(d, True) == 0 and grade(d, None) == 0
    kind = types.get_type("true_false")
    assert kind.parse_response(MultiDict({"q": "salah"}), "q", d) is False
    assert kind.parse_response(MultiDict(), "q", d) is None
    with pytest.raises(AnswerError):
        kind.parse_response(MultiDict({"q": "mungkin"}), "q", d)
    assert validate_definition({**d, "answer": "ya"})


def test_short_answer_ignores_case_space_and_unicode_form():
    d = {"type": "short_answer", "text": "Ibu kota Kaltim?", "points": "1", "accepted": ["Samarinda", "Kota Samarinda"]}
    assert validate_definition(d) == []
    for typed in ("samarinda", "  SAMARINDA  ", "kota   samarinda", "Kota Samarinda"):
        assert grade(d, typed) == Decimal("1"), typed
    assert grade(d, "Balikpapan") == 0 and grade(d, None) == 0
    accented = {**d, "accepted": ["Café"]}
    assert grade(accented, "cafe\u0301") == Decimal("1")  # decomposed é equals composed é after NFC
    assert validate_definition({**d, "accepted": []})
    kind = types.get_type("short_answer")
    assert kind.parse_response(MultiDict({"q": "   "}), "q", d) is None
    with pytest.raises(AnswerError):
        kind.parse_response(MultiDict({"q": "x" * 501}), "q", d)


def _matching(scoring="partial"):
    return {"type": "matching", "text": "Pasangkan", "points": "2", "scoring": scoring,
            "pairs": [{"left": "SPBE", "right": "Perpres 95/2018"}, {"left": "SDI", "right": "Perpres 39/2019"},
                      {"left": "PDP", "right": "UU 27/2022"}, {"left": "ITE", "right": "UU 11/2008"}]}


def test_matching_partial_per_pair_and_all_or_nothing():
    d = _matching()
    assert validate_definition(d) == []
    assert grade(d, [0, 1, 2, 3]) == Decimal("2")
    assert grade(d, [0, 1, 3, 2]) == Decimal("1")        # two of four pairs
    assert grade(d, [0, None, None, None]) == Decimal("0.5")
    strict = _matching("all_or_nothing")
    assert grade(strict, [0, 1, 3, 2]) == 0 and grade(strict, [0, 1, 2, 3]) == Decimal("2")
    kind = types.get_type("matching")
    form = MultiDict({"q-0": "0", "q-1": "2", "q-2": "", "q-3": "3"})
    assert kind.parse_response(form, "q", d) == [0, 2, None, 3]
    with pytest.raises(AnswerError):
        kind.parse_response(MultiDict({"q-0": "9"}), "q", d)
    assert validate_definition({**d, "pairs": d["pairs"][:1]})
    layout = kind.make_layout(d, random.Random(3), shuffle=True)
    assert sorted(layout["left"]) == [0, 1, 2, 3] and sorted(layout["right"]) == [0, 1, 2, 3]


def test_single_choice_validation_and_two_choices_refused():
    d = _choice(kind="single")
    assert "tepat satu pilihan benar" in " ".join(validate_definition(d))
    kind = types.get_type("single")
    single = {**d, "choices": [{"id": 1, "text": "A", "correct": True}, {"id": 2, "text": "B", "correct": False}]}
    assert validate_definition(single) == []
    with pytest.raises(AnswerError):
        kind.parse_response(MultiDict([("q", "1"), ("q", "2")]), "q", single)
    with pytest.raises(AnswerError):
        kind.parse_response(MultiDict({"q": "7"}), "q", single)  # not a choice of this question


def _attempts(*percents_passed):
    return [AttemptResult(n, Decimal(p), Decimal(100), ok) for n, (p, ok) in enumerate(percents_passed, start=1)]


def test_highest_last_average_on_the_same_attempts():
    attempts = _attempts(("80", True), ("50", False), ("62", False))  # pass mark 70
    highest = quiz_grade("highest", attempts, Decimal("70"))
    last = quiz_grade("last", attempts, Decimal("70"))
    average = quiz_grade("average", attempts, Decimal("70"))
    assert (highest.percent, highest.passed) == (Decimal("80"), True)
    assert (last.percent, last.passed) == (Decimal("62"), False)
    assert average.percent_exact == Fraction(192, 3) and (average.percent, average.passed) == (Decimal("64"), False)
    assert quiz_grade("average", attempts, Decimal("64")).passed  # exactly at the mark passes
    assert quiz_grade("last", list(reversed(attempts)), Decimal("70")).percent == Decimal("62")  # by number
    assert quiz_grade("highest", [], Decimal("70")).percent is None
    with pytest.raises(ValueError):
        quiz_grade("median", attempts, Decimal("70"))


def test_average_is_truncated_never_rounded_up_across_the_pass_mark():
    attempts = _attempts(("70", True), ("69.99", False), ("69.99", False))
    grade_ = quiz_grade("average", attempts, Decimal("70"))
    assert grade_.percent == Decimal("69.99") and not grade_.passed   # 69.9933… shown as 69,99
