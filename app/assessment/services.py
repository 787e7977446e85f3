"""Quiz attempts: start, save, submit (by the learner or at the deadline), review and regrade.

Rules (issue 3 §2, courses/FORMAT.md):

* A learner starts an attempt explicitly (POST); the attempt row is created
  ``in_progress`` with its *layout*: the questions drawn from the quiz's bank
  (``draw_count`` at random, or all), their order and their choice order
  (shuffled when ``Quiz.shuffle``), each tied to an immutable
  :class:`QuestionVersion`. Reloading resumes the same attempt.
* ``max_attempts`` limits attempts (in-progress ones included); ``wait_minutes``
  must pass after the last submitted attempt before the next starts.
* ``time_limit_minutes`` sets ``deadline_at`` on the server clock. Answers
  posted up to :data:`GRACE` after the deadline are accepted (network delay);
  later, the attempt is submitted with its *saved* answers by the next request
  that touches it, and no extra attempt is used.
* Submitting is claimed with one conditional UPDATE (``state`` from
  ``in_progress`` to ``submitted``), so a double submit grades once.
* Grading is exact (see :mod:`app.assessment.question_types`); ``passed``
  compares the exact percent with the effective pass mark, inclusive.

Services never read ``request`` and never commit; the caller commits once.
Every function that depends on the time takes ``now`` so tests never sleep.
"""
from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app.assessment import question_types as types
from app.assessment.grading import AttemptResult, QuizGrade, quiz_grade, truncate_percent
from app.assessment.models import (QUESTION_MULTIPLE, QUESTION_SINGLE, SHOW_ALWAYS, SHOW_AFTER_PASS,
                                   STATE_IN_PROGRESS, STATE_SUBMITTED, AttemptAnswer, Question, QuestionVersion,
                                   Quiz, QuizAttempt)
from app.assessment.question_types import AnswerError
from app.catalog.outline import course_outline
from app.common.db import utcnow
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrolment

__all__ = [
    "AnswerError", "AttemptNotAllowed", "AttemptConflict", "QuestionGrade", "AttemptGrade", "grade_question",
    "grade_attempt", "truncate_percent", "GRACE", "question_definition", "current_version", "load_quiz",
    "question_in_use",
    "quiz_status", "start_attempt", "save_answers", "submit_attempt", "expire_if_due", "load_attempt",
    "attempt_review", "can_see_attempt", "regrade_quiz",
]

#: Answers posted this long after the deadline are still accepted (the request was on its way).
GRACE = timedelta(seconds=30)


class AttemptNotAllowed(RuntimeError):
    """A new attempt cannot start now (limit reached or waiting time); message translated (Indonesian msgid)."""


class AttemptConflict(RuntimeError):
    """Two starts of the same quiz collided twice in a row; message translated (Indonesian msgid)."""


# --- Pure grading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionGrade:
    """The grade of one answer: points possible and awarded (exact Decimals)."""

    points_possible: Decimal
    points_awarded: Decimal

    @property
    def is_correct(self) -> bool:
        return self.points_awarded == self.points_possible


@dataclass(frozen=True)
class AttemptGrade:
    """The grade of a whole attempt.

    ``percent_exact`` is a :class:`~fractions.Fraction` (what the pass decision
    uses); ``percent`` is the same value truncated to 2 decimal places (what is
    stored and shown).
    """

    score: Decimal
    max_score: Decimal
    percent_exact: Fraction
    percent: Decimal
    passed: bool


def grade_question(question_type: str, points: Decimal, correct_ids: Collection[int],
                   selected_ids: Collection[int], scoring: str = types.SCORING_ALL_OR_NOTHING) -> QuestionGrade:
    """Grade one single- or multiple-choice answer through the type registry.

    :param question_type: ``"single"`` or ``"multiple"``.
    :param correct_ids: ids of the question's correct choices; ``selected_ids``
        the ids chosen (empty when unanswered).
    :param scoring: for multiple choice, ``all_or_nothing`` or ``partial``.
    :raises ValueError: for any other question type.
    """
    if question_type not in (QUESTION_SINGLE, QUESTION_MULTIPLE):
        raise ValueError(f"unknown choice question type {question_type!r}")
    everything = set(correct_ids) | set(selected_ids)
    definition = {"type": question_type, "points": str(points), "scoring": scoring,
                  "choices": [{"id": i, "text": str(i), "correct": i in set(correct_ids)} for i in everything]}
    response = sorted(set(selected_ids)) or None
    return QuestionGrade(points, types.grade(definition, response))


def grade_attempt(grades: Sequence[QuestionGrade], pass_mark: Decimal) -> AttemptGrade:
    """Sum question grades and decide pass or fail.

    :param grades: one :class:`QuestionGrade` per question shown (unanswered included, 0 points).
    :param pass_mark: percent needed, inclusive (Decimal, e.g. ``Decimal("70")``).
    :returns: :class:`AttemptGrade`; ``passed`` compares the exact fraction
        ``score * 100 / max_score`` with ``pass_mark``, never a rounded value.
    :raises ValueError: when there are no points at all (no questions).
    """
    score = sum((g.points_awarded for g in grades), Decimal(0))
    max_score = sum((g.points_possible for g in grades), Decimal(0))
    if max_score <= 0:
        raise ValueError("a quiz without questions cannot be graded")
    percent_exact = Fraction(score) * 100 / Fraction(max_score)
    return AttemptGrade(score=score, max_score=max_score, percent_exact=percent_exact,
                        percent=truncate_percent(percent_exact), passed=percent_exact >= Fraction(pass_mark))


# --- Question definitions and versions -------------------------------------------------------------

def question_definition(question: Question) -> dict:
    """The current content of ``question`` as a definition dict (see :mod:`question_types`)."""
    settings = json.loads(question.settings or "{}")
    definition = {"type": question.type, "text": question.text, "explanation": question.explanation or "",
                  "points": str(question.points)}
    kind = types.get_type(question.type)
    if kind.has_choices:
        definition["choices"] = [{"id": c.id, "text": c.text, "correct": bool(c.is_correct)}
                                 for c in sorted(question.choices, key=lambda c: c.position)]
    if question.type == QUESTION_MULTIPLE:
        definition["scoring"] = settings.get("scoring", types.SCORING_ALL_OR_NOTHING)
    elif question.type == types.QUESTION_TRUE_FALSE:
        definition["answer"] = settings.get("answer")
    elif question.type == types.QUESTION_SHORT_ANSWER:
        definition["accepted"] = list(settings.get("accepted", []))
    elif question.type == types.QUESTION_MATCHING:
        definition["pairs"] = list(settings.get("pairs", []))
        definition["scoring"] = settings.get("scoring", types.SCORING_PARTIAL)
    return definition


def _canonical(definition: dict) -> str:
    return json.dumps(definition, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _digest_of(question: Question) -> tuple[str, str]:
    text = _canonical(question_definition(question))
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), text


def current_version(question: Question) -> QuestionVersion:
    """The :class:`QuestionVersion` matching the question's current content, created when it changed.

    Versions are never modified; an unchanged question reuses its version
    (matched by the SHA-256 of the canonical definition). Concurrent creation
    is settled by the unique (question_id, digest) constraint.
    """
    return current_versions([question])[question.id]


def current_versions(questions: Sequence[Question]) -> dict[int, QuestionVersion]:
    """:func:`current_version` of each question, ``{question id: version}``, in one query when none changed.

    Starting an attempt needs the version of every drawn question; one lookup per
    question made the start of a 20-question quiz cost 20 queries (issue #8).
    """
    if any(question.id is None for question in questions):
        db.session.flush()
    wanted = {question.id: _digest_of(question) for question in questions}
    if not wanted:
        return {}
    found = {(v.question_id, v.digest): v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.question_id.in_(list(wanted)),
                                      QuestionVersion.digest.in_({digest for digest, _text in wanted.values()})))}
    missing = {qid: wanted[qid] for qid in wanted if (qid, wanted[qid][0]) not in found}
    if missing:
        found.update(_new_versions(missing))
    return {qid: found[(qid, digest)] for qid, (digest, _text) in wanted.items()}


def _new_versions(missing: dict[int, tuple[str, str]]) -> dict[tuple[int, str], QuestionVersion]:
    """Create the versions ``{question id: (digest, definition text)}`` numbered after each question's last.

    All in one savepoint: when a concurrent request created any of them first (unique
    question_id + digest), this one rolls back to the savepoint and reads what is there.
    """
    last = dict(db.session.execute(
        select(QuestionVersion.question_id, func.max(QuestionVersion.number))
        .where(QuestionVersion.question_id.in_(list(missing))).group_by(QuestionVersion.question_id)).all())
    try:
        with db.session.begin_nested():
            # One multi-row INSERT, then one SELECT for the ids (SQLite returns ids one INSERT at a time).
            db.session.execute(insert(QuestionVersion), [
                {"question_id": qid, "number": (last.get(qid) or 0) + 1, "digest": digest, "definition": text,
                 "created_at": utcnow()} for qid, (digest, text) in missing.items()])
    except IntegrityError:
        pass  # created meanwhile by a concurrent request: read below
    return {(v.question_id, v.digest): v for v in db.session.scalars(
        select(QuestionVersion).where(QuestionVersion.question_id.in_(list(missing)),
                                      QuestionVersion.digest.in_({d for d, _t in missing.values()})))}


def _definition(version: QuestionVersion) -> dict:
    return json.loads(version.definition)


# --- Attempts --------------------------------------------------------------------------------------

# The quiz path's statements, built once: SQLAlchemy memoises a statement's cache key, so reusing
# the object skips building and traversing it on every request of a cohort's quiz (issue #8).
_QUIZ = select(Quiz).where(Quiz.id == bindparam("quiz_id")).options(joinedload(Quiz.module))
_QUIZ_WITH_BANK = _QUIZ.options(selectinload(Quiz.questions).selectinload(Question.choices))
_BANK_SIZE = select(func.count()).select_from(Question).where(Question.quiz_id == bindparam("quiz_id"))
_ATTEMPTS = (select(QuizAttempt).where(QuizAttempt.enrolment_id == bindparam("enrolment_id"),
                                       QuizAttempt.quiz_id == bindparam("quiz_id"))
             .order_by(QuizAttempt.number))


def load_quiz(quiz_id: int, *, bank: bool = True) -> Quiz | None:
    """The quiz with its module, and (``bank=True``) its question bank and choices: one query, or three.

    Pages that only show the quiz or an attempt already drawn do not need the bank
    (:func:`bank_size` counts it); starting an attempt does.
    """
    return db.session.scalar(_QUIZ_WITH_BANK if bank else _QUIZ, {"quiz_id": quiz_id})


def bank_size(quiz: Quiz) -> int:
    """How many questions the quiz's bank holds (one COUNT query)."""
    return db.session.scalar(_BANK_SIZE, {"quiz_id": quiz.id}) or 0


def _attempts(enrolment: Enrolment, quiz: Quiz) -> list[QuizAttempt]:
    return list(db.session.scalars(_ATTEMPTS, {"enrolment_id": enrolment.id, "quiz_id": quiz.id}))


def _result(attempt: QuizAttempt) -> AttemptResult:
    return AttemptResult(attempt.number, attempt.score, attempt.max_score, attempt.passed)


@dataclass(frozen=True)
class QuizStatus:
    """Where a learner stands on one quiz at ``now``.

    ``grade`` combines the submitted attempts by the quiz's grading method;
    ``in_progress`` is the open attempt, if any; ``can_start`` says whether a
    new attempt may begin now, else ``blocked`` gives the Indonesian reason
    and ``next_start_at`` when waiting ends (``None`` when never).
    """

    submitted: list[QuizAttempt]
    in_progress: QuizAttempt | None
    grade: QuizGrade
    can_start: bool
    blocked: str | None = None
    next_start_at: datetime | None = None

    @property
    def attempts_used(self) -> int:
        return len(self.submitted) + (1 if self.in_progress else 0)


def quiz_status(enrolment: Enrolment, quiz: Quiz, now: datetime | None = None) -> QuizStatus:
    """The learner's :class:`QuizStatus`; submits an attempt whose time ran out first (see :func:`expire_if_due`)."""
    now = now or utcnow()
    attempts = _attempts(enrolment, quiz)
    for attempt in attempts:
        expire_if_due(attempt, now)
    submitted = [a for a in attempts if a.state == STATE_SUBMITTED]
    in_progress = next((a for a in attempts if a.state == STATE_IN_PROGRESS), None)
    grade = quiz_grade(quiz.grading, [_result(a) for a in submitted], quiz.effective_pass_mark)
    blocked = next_start = None
    if in_progress is None:
        if quiz.max_attempts is not None and len(attempts) >= quiz.max_attempts:
            blocked = ngettext("Batas %(num)d kali percobaan untuk kuis ini sudah tercapai.",
                               "Batas %(num)d kali percobaan untuk kuis ini sudah tercapai.", quiz.max_attempts)
        elif quiz.wait_minutes and submitted:
            ready = max(a.submitted_at for a in submitted) + timedelta(minutes=quiz.wait_minutes)
            if now < ready:
                blocked = ngettext("Percobaan berikutnya dapat dimulai setelah jeda %(num)d menit.",
                                   "Percobaan berikutnya dapat dimulai setelah jeda %(num)d menit.",
                                   quiz.wait_minutes)
                next_start = ready
    return QuizStatus(submitted=submitted, in_progress=in_progress, grade=grade,
                      can_start=in_progress is None and blocked is None, blocked=blocked, next_start_at=next_start)


def _draw(quiz: Quiz, rng: random.Random) -> list[Question]:
    bank = sorted(quiz.questions, key=lambda q: q.position)
    if quiz.draw_count is not None and quiz.draw_count < len(bank):
        chosen = set(q.id for q in rng.sample(bank, quiz.draw_count))
        bank = [q for q in bank if q.id in chosen]
    if quiz.shuffle:
        rng.shuffle(bank)
    return bank


def start_attempt(enrolment: Enrolment, quiz: Quiz, now: datetime | None = None,
                  rng: random.Random | None = None) -> QuizAttempt:
    """Begin (or resume) the enrolment's attempt at ``quiz``.

    Returns the in-progress attempt, created with its layout, ``max_score``
    and ``deadline_at`` when none is open.
    :raises AttemptNotAllowed: when the limit is reached or the wait is not over.
    :raises AnswerError: when the quiz has no questions.
    :raises AttemptConflict: when concurrent starts keep colliding.
    :raises ValueError: when the quiz is not in the enrolment's course.
    """
    now = now or utcnow()
    if quiz.module.course_id != enrolment.course_id:
        raise ValueError("quiz does not belong to the enrolment's course")
    status = quiz_status(enrolment, quiz, now)
    if status.in_progress is not None:
        return status.in_progress
    if not status.can_start:
        raise AttemptNotAllowed(status.blocked)
    if not quiz.questions:
        raise AnswerError(_("Kuis ini belum memiliki pertanyaan."))
    rng = rng or random.SystemRandom()
    layout, max_score = [], Decimal(0)
    drawn = _draw(quiz, rng)
    versions = current_versions(drawn)
    for question in drawn:
        version = versions[question.id]
        definition = _definition(version)
        entry = {"q": question.id, "v": version.id}
        entry.update(types.get_type(definition["type"]).make_layout(definition, rng, quiz.shuffle))
        layout.append(entry)
        max_score += Decimal(definition["points"])
    deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
    # quiz_status loaded every attempt of this enrolment at this quiz (none is in progress here).
    number = max((a.number for a in status.submitted), default=0) + 1
    for _try in range(2):  # a second try after losing the race for the attempt number
        if _try:
            number = (db.session.scalar(select(func.max(QuizAttempt.number)).where(
                QuizAttempt.enrolment_id == enrolment.id, QuizAttempt.quiz_id == quiz.id)) or 0) + 1
        try:
            with db.session.begin_nested():
                attempt = QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=number,
                                      state=STATE_IN_PROGRESS, started_at=now, deadline_at=deadline,
                                      submitted_at=None,
                                      layout=json.dumps(layout), saved_answers="{}", score=Decimal(0),
                                      max_score=max_score, percent=Decimal(0), passed=False)
                db.session.add(attempt)
            return attempt
        except IntegrityError:
            opened = quiz_status(enrolment, quiz, now).in_progress
            if opened is not None:
                return opened  # another request of the same learner started it
    raise AttemptConflict(_("Kuis ini sedang dibuka dari permintaan lain. Muat ulang halaman."))


def layout_of(attempt: QuizAttempt) -> list[dict]:
    """The attempt's layout entries ``{"q": question id, "v": version id, ...}`` in the order shown."""
    return json.loads(attempt.layout or "[]")


def _versions(layout: list[dict]) -> dict[int, QuestionVersion]:
    """The layout's versions by id; a question deleted since the attempt began (its versions cascade,
    e.g. removed by a course re-import) is simply absent: callers treat it as removed, not graded."""
    ids = [entry["v"] for entry in layout]
    # Versions never change once written: those this request already loaded (parsing the form,
    # then grading it) are taken from the session instead of being selected again.
    loaded = {}
    for version_id in ids:
        version = db.session.identity_map.get(db.session.identity_key(QuestionVersion, version_id))
        if version is not None:
            loaded[version_id] = version
    missing = [version_id for version_id in ids if version_id not in loaded]
    if missing:
        loaded.update((v.id, v) for v in db.session.scalars(
            select(QuestionVersion).where(QuestionVersion.id.in_(missing))))
    return loaded


def quiz_has_open_attempt(quiz) -> bool:
    """True when a learner is taking ``quiz`` now (an in-progress attempt): deleting it would lose their answers."""
    return db.session.scalar(select(QuizAttempt.id).where(
        QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == STATE_IN_PROGRESS).limit(1)) is not None


def question_in_use(question: Question) -> bool:
    """True when an attempt answered ``question`` or an in-progress attempt shows it (its layout).

    Such a question must not be deleted: its answers would cascade away and an
    open attempt would lose it (Moodle keeps questions in use for the same reason).
    Two queries; the layouts read are those of the quiz's open attempts only.
    """
    if question.id is None:
        return False
    answered = db.session.scalar(select(AttemptAnswer.id).where(AttemptAnswer.question_id == question.id).limit(1))
    if answered is not None:
        return True
    layouts = db.session.scalars(select(QuizAttempt.layout).where(
        QuizAttempt.quiz_id == question.quiz_id, QuizAttempt.state == STATE_IN_PROGRESS))
    return any(entry.get("q") == question.id for layout in layouts for entry in json.loads(layout or "[]"))


def field_name(question_id: int) -> str:
    """The form field name of a question in an attempt (matching items add ``-<n>``)."""
    return f"q-{question_id}"


def parse_form(attempt: QuizAttempt, formdata) -> dict[str, object]:
    """``{str(question id): response}`` read from a submitted attempt form; raises :class:`AnswerError`."""
    layout = layout_of(attempt)
    versions = _versions(layout)
    responses = {}
    number = 0  # as numbered on the page (removed questions are not shown)
    for entry in layout:
        if entry["v"] not in versions:
            continue  # removed by the trainer: nothing to read
        number += 1
        definition = _definition(versions[entry["v"]])
        try:
            response = types.get_type(definition["type"]).parse_response(formdata, field_name(entry["q"]),
                                                                          definition, entry)
        except AnswerError as error:
            raise AnswerError(_("Pertanyaan nomor %(number)d: %(error)s", number=number, error=error)) from None
        if response is not None:
            responses[str(entry["q"])] = response
    return responses


def is_expired(attempt: QuizAttempt, now: datetime) -> bool:
    """True when an in-progress attempt is past its deadline and the grace period."""
    return attempt.deadline_at is not None and now > attempt.deadline_at + GRACE


def seconds_left(attempt: QuizAttempt, now: datetime) -> int | None:
    """Whole seconds until the deadline (0 when passed), ``None`` without a time limit."""
    if attempt.deadline_at is None:
        return None
    return max(0, int((attempt.deadline_at - now).total_seconds()))


def saved_responses(attempt: QuizAttempt) -> dict[str, object]:
    return json.loads(attempt.saved_answers or "{}")


def save_answers(attempt: QuizAttempt, responses: dict[str, object], now: datetime | None = None) -> bool:
    """Keep ``responses`` (from :func:`parse_form`) on the in-progress attempt.

    Returns False, saving nothing, when the attempt is no longer in progress
    or its time is over (it is then submitted with what was saved before).
    """
    now = now or utcnow()
    if expire_if_due(attempt, now) or attempt.state != STATE_IN_PROGRESS:
        return False
    attempt.saved_answers = json.dumps(responses, ensure_ascii=False)
    return True


def expire_if_due(attempt: QuizAttempt, now: datetime | None = None) -> bool:
    """Submit an in-progress attempt whose time is over, with its saved answers; True if it did now."""
    now = now or utcnow()
    if attempt.state != STATE_IN_PROGRESS or not is_expired(attempt, now):
        return False
    return _finish(attempt, saved_responses(attempt), attempt.deadline_at)


def submit_attempt(attempt: QuizAttempt, responses: dict[str, object] | None,
                   now: datetime | None = None) -> bool:
    """Submit and grade ``attempt`` once.

    :param responses: from :func:`parse_form`; ``None`` to submit the saved
        answers. Past the deadline (plus :data:`GRACE`) the saved answers are
        graded whatever was posted.
    :returns: True when this call graded the attempt; False when it was
        already submitted (a double submit: nothing changes).
    """
    now = now or utcnow()
    if attempt.state != STATE_IN_PROGRESS:
        return False
    if is_expired(attempt, now):
        return _finish(attempt, saved_responses(attempt), attempt.deadline_at)
    return _finish(attempt, saved_responses(attempt) if responses is None else responses, now)


def _grade_layout(layout: list[dict], responses: dict[str, object], pass_mark: Decimal):
    versions = _versions(layout)
    answers, grades = [], []
    for entry in layout:
        version = versions.get(entry["v"])
        if version is None:
            continue  # removed by the trainer: not graded, not in the maximum
        definition = _definition(version)
        response = responses.get(str(entry["q"]))
        points = Decimal(definition["points"])
        awarded = types.grade(definition, response)
        grades.append(QuestionGrade(points, awarded))
        answers.append(dict(
            question_id=entry["q"], question_version_id=version.id,
            selected=",".join(str(i) for i in response) if isinstance(response, list) and
            types.get_type(definition["type"]).has_choices else "",
            response=json.dumps(response, ensure_ascii=False), points_awarded=awarded,
            is_correct=awarded == points))
    if not grades:  # every question was removed: nothing to grade, and nothing passed
        return answers, AttemptGrade(score=Decimal(0), max_score=Decimal(0), percent_exact=Fraction(0),
                                     percent=Decimal(0), passed=False)
    return answers, grade_attempt(grades, pass_mark)


def _finish(attempt: QuizAttempt, responses: dict[str, object], submitted_at: datetime) -> bool:
    # The conditional UPDATE is the claim: of two concurrent submits only one changes the row.
    claimed = db.session.execute(
        update(QuizAttempt).where(QuizAttempt.id == attempt.id, QuizAttempt.state == STATE_IN_PROGRESS)
        .values(state=STATE_SUBMITTED, submitted_at=submitted_at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(attempt)  # another request submitted it: show what that one stored
        return False
    # The row now holds exactly these two values; a full refresh would also re-run the
    # attempt's eager loads (seven queries on the submit path).
    set_committed_value(attempt, "state", STATE_SUBMITTED)
    set_committed_value(attempt, "submitted_at", submitted_at)
    layout = layout_of(attempt)
    answers, result = _grade_layout(layout, responses, attempt.quiz.effective_pass_mark)
    # One multi-row INSERT on either engine (ORM objects would need their ids back, which SQLite
    # can only return one INSERT at a time); the collection reloads from the rows if read.
    if answers:
        db.session.execute(insert(AttemptAnswer), [dict(row, attempt_id=attempt.id) for row in answers])
    db.session.expire(attempt, ["answers"])
    attempt.saved_answers = json.dumps(responses, ensure_ascii=False)
    attempt.score, attempt.max_score = result.score, result.max_score
    attempt.percent, attempt.passed = result.percent, result.passed
    db.session.flush()
    # The course structure from the outline the quiz pages keep (two queries fewer per submit).
    enrolment = attempt.enrolment
    learning.evaluate_completion(enrolment, outline=course_outline(enrolment.course))
    return True


# --- Review ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AnswerReview:
    """One question of a submitted attempt as the result page shows it (the version answered).

    ``correct_answer`` is empty unless the answers may be shown; the
    explanation (which usually names the answer) is shown with them, or for a
    question answered correctly.
    """

    number: int
    text: str
    type_label: str
    points: Decimal
    points_awarded: Decimal
    is_correct: bool
    answered: list[str]
    correct_answer: list[str]
    explanation: str
    removed: bool = False


_ATTEMPT = select(QuizAttempt).where(QuizAttempt.id == bindparam("attempt_id")).options(
    joinedload(QuizAttempt.quiz).joinedload(Quiz.module),
    joinedload(QuizAttempt.enrolment).joinedload(Enrolment.course))
_ATTEMPT_WITH_ANSWERS = _ATTEMPT.options(
    selectinload(QuizAttempt.answers).selectinload(AttemptAnswer.question_version))


def load_attempt(attempt_id: int, *, answers: bool = True) -> QuizAttempt | None:
    """The attempt with its quiz (and module) and enrolment (and course), and with ``answers``
    its answers and the versions they answered; ``None`` if unknown.

    The four many-to-one rows come in the attempt's own query (joined). Submitting
    needs no answers (it writes them); an answer's question and choices load only
    for attempts from before question versions (see :func:`attempt_review`).
    """
    return db.session.scalar(_ATTEMPT_WITH_ANSWERS if answers else _ATTEMPT, {"attempt_id": attempt_id})


def answers_visible(quiz: Quiz, quiz_passed: bool, staff: bool) -> bool:
    """Whether the review may show correct answers: staff always; learners per ``Quiz.show_answers``."""
    if staff:
        return True
    if quiz.show_answers == SHOW_ALWAYS:
        return True
    return quiz.show_answers == SHOW_AFTER_PASS and quiz_passed


def _answer_response(answer: AttemptAnswer):
    if answer.response is not None:
        return json.loads(answer.response)
    ids = [int(p) for p in answer.selected.split(",") if p.strip().isdigit()]
    return ids or None


def attempt_review(attempt: QuizAttempt, show_answers: bool) -> list[AnswerReview]:
    """Question by question review of a submitted ``attempt``, in the order the learner saw.

    Each row uses the :class:`QuestionVersion` answered; attempts from before
    versions existed fall back to the question's current content. A question
    deleted since (its answer went with it) gives a row with ``removed`` set.
    """
    by_question = {answer.question_id: answer for answer in attempt.answers}
    order = [entry["q"] for entry in layout_of(attempt)] or [a.question_id for a in attempt.answers]
    rows = []
    for question_id in order:
        answer = by_question.get(question_id)
        if answer is None:
            rows.append(AnswerReview(number=len(rows) + 1, text=_("Pertanyaan ini telah dihapus oleh pengajar."),
                                     type_label="", points=Decimal(0), points_awarded=Decimal(0), is_correct=False,
                                     answered=[], correct_answer=[], explanation="", removed=True))
            continue
        if answer.question_version is not None:
            definition = _definition(answer.question_version)
        else:
            definition = question_definition(answer.question)
        kind = types.get_type(definition["type"])
        response = _answer_response(answer)
        rows.append(AnswerReview(
            number=len(rows) + 1, text=definition["text"], type_label=kind.label,
            points=Decimal(definition["points"]), points_awarded=answer.points_awarded,
            is_correct=answer.is_correct, answered=kind.describe(definition, response),
            correct_answer=kind.correct_answer(definition) if show_answers else [],
            explanation=definition.get("explanation", "") if (show_answers or answer.is_correct) else "",
        ))
    return rows


def can_see_attempt(attempt: QuizAttempt, user) -> bool:
    """The learner who made the attempt, admins, and trainers of the course may see it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if attempt.enrolment.user_id == user.id or user.role == "admin":
        return True
    from app.admin.services import can_view_course  # admin imports learning; import late
    return user.role == "trainer" and can_view_course(user, attempt.enrolment.course)


# --- Regrade ---------------------------------------------------------------------------------------

@dataclass
class RegradeSummary:
    """What a regrade changed: counts, and certified learners whose quiz grade is now a fail.

    Certificates are never revoked by a regrade: ``certified_now_failing``
    lists the learners (display names) for the operator to review.
    """

    attempts: int = 0
    changed: int = 0
    newly_passed: int = 0
    newly_failed: int = 0
    certified_now_failing: list[str] = field(default_factory=list)


def regrade_quiz(quiz: Quiz, actor, now: datetime | None = None) -> RegradeSummary:
    """Grade every submitted attempt at ``quiz`` again against the questions' current versions.

    Each answer is re-graded with the current version of its question (same
    stored response) and re-tied to that version; questions whose type changed
    keep their old grade. Completion is re-evaluated (a learner may complete
    now); completion and certificates already given are never taken back.
    Logged with ``record_event(actor, "quiz.regrade", "quiz", quiz.id, ...)``.
    """
    from app.admin.audit import record_event
    from app.certificates.models import STATUS_VALID, Certificate

    now = now or utcnow()
    summary = RegradeSummary()
    questions = {q.id: q for q in quiz.questions}
    current = current_versions(list(questions.values()))
    attempts = list(db.session.scalars(
        select(QuizAttempt).where(QuizAttempt.quiz_id == quiz.id, QuizAttempt.state == STATE_SUBMITTED)
        .options(selectinload(QuizAttempt.answers).selectinload(AttemptAnswer.question_version))
        .order_by(QuizAttempt.id)))
    before: dict[int, bool] = {}
    enrolments: dict[int, Enrolment] = {}
    for attempt in attempts:
        enrolments[attempt.enrolment_id] = attempt.enrolment
    for enrolment in enrolments.values():
        before[enrolment.id] = quiz.id in learning.passed_quiz_ids(enrolment)
    for attempt in attempts:
        summary.attempts += 1
        grades = []
        for answer in attempt.answers:
            old = _definition(answer.question_version) if answer.question_version else None
            version = current.get(answer.question_id)
            definition = _definition(version) if version is not None else None
            if definition is None or (old is not None and old["type"] != definition["type"]):
                # The question left the bank or changed type: the stored grade stands.
                points = Decimal((old or definition or {"points": answer.points_awarded})["points"])
                grades.append(QuestionGrade(points, answer.points_awarded))
                continue
            awarded = types.grade(definition, _answer_response(answer))
            points = Decimal(definition["points"])
            answer.question_version_id = version.id
            answer.points_awarded, answer.is_correct = awarded, awarded == points
            grades.append(QuestionGrade(points, awarded))
        if not grades:
            continue
        result = grade_attempt(grades, quiz.effective_pass_mark)
        if (result.score, result.max_score, result.passed) != (attempt.score, attempt.max_score, attempt.passed):
            summary.changed += 1
        attempt.score, attempt.max_score = result.score, result.max_score
        attempt.percent, attempt.passed = result.percent, result.passed
    db.session.flush()
    certified = set(db.session.scalars(select(Certificate.enrolment_id).where(
        Certificate.enrolment_id.in_(list(enrolments)), Certificate.status == STATUS_VALID))) if enrolments else set()
    for enrolment in enrolments.values():
        after = quiz.id in learning.passed_quiz_ids(enrolment)
        if after and not before[enrolment.id]:
            summary.newly_passed += 1
            learning.evaluate_completion(enrolment)
        elif before[enrolment.id] and not after:
            summary.newly_failed += 1
            if enrolment.id in certified:
                summary.certified_now_failing.append(enrolment.user.display_name)
    record_event(actor, "quiz.regrade", "quiz", quiz.id, at=now.isoformat(), attempts=summary.attempts,
                 changed=summary.changed, newly_passed=summary.newly_passed, newly_failed=summary.newly_failed,
                 certified_now_failing=summary.certified_now_failing)
    return summary


# --- Taking an attempt -----------------------------------------------------------------------------

@dataclass(frozen=True)
class QuestionView:
    """One question of an in-progress attempt, ready for its type's template.

    ``template`` and ``context`` come from the type's ``render``; ``field`` is
    the form field name (see :func:`field_name`).
    """

    number: int
    question_id: int
    field: str
    type_name: str
    hint: str
    text: str
    points: Decimal
    template: str
    context: dict


def attempt_view(attempt: QuizAttempt) -> list[QuestionView]:
    """The questions of ``attempt`` in the order drawn, with the saved answers filled in."""
    layout = layout_of(attempt)
    versions = _versions(layout)
    saved = saved_responses(attempt)
    views = []
    for entry in layout:
        if entry["v"] not in versions:
            continue  # removed by the trainer since the attempt began: no longer shown
        number = len(views) + 1
        definition = _definition(versions[entry["v"]])
        kind = types.get_type(definition["type"])
        template, context = kind.render(definition, entry, saved.get(str(entry["q"])))
        views.append(QuestionView(number=number, question_id=entry["q"], field=field_name(entry["q"]),
                                  type_name=kind.name, hint=kind.hint, text=definition["text"],
                                  points=Decimal(definition["points"]), template=template, context=context))
    return views
