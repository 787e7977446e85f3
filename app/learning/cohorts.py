"""Cohorts (angkatan): creating them, enrolling people, approving requests, reporting.

A cohort is one run of a course with start and end dates; ``ends_on`` is the
deadline learners see. People are enrolled by admins by list (NIP or email),
by uploaded file (a NIP or email column) or by rule (OPD, eselon, golongan,
employment type). Every enrolment path first *plans* (how many will be
enrolled, moved in, skipped, unknown) and then *applies* the same plan, so the
admin sees the count before confirming.

Who may act: a BPSDM admin on everyone; an OPD admin only on the staff of
their OPD (:func:`app.admin.scope.visible_users`); people outside the actor's
scope are reported as unknown, so their existence is not revealed.

Every admin action is recorded with :func:`app.admin.audit.record_event`.
Services never read ``request`` and never commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.admin.audit import record_event
from app.admin.roster import RosterFileError, chunks, cell_text, iter_table, map_headers
from app.admin.scope import visible_users
from app.auth.models import User
from app.auth.services import normalize_email
from app.catalog.models import Course
from app.common.db import utcnow
from app.common.formatting import to_local
from app.common.nip import normalize_nip
from app.extensions import db
from app.learning.models import ENROLMENT_ACTIVE, ENROLMENT_PENDING, ENROLMENT_REJECTED, Cohort, Enrolment
from app.learning.services import ENROLMENT_MODES

# Lazy; services store str(MSG_…) so the text is fixed in the language of the request.
MSG_NAME_REQUIRED = _l("Nama angkatan wajib diisi.")
MSG_NAME_TAKEN = _l("Nama angkatan ini sudah dipakai untuk kursus yang sama.")
MSG_DATES = _l("Tanggal selesai tidak boleh sebelum tanggal mulai.")
MSG_COURSE_UNKNOWN = _l("Kursus tidak dikenal.")
MSG_UPLOAD_COLUMNS = _l("Berkas harus memiliki kolom NIP atau Email di baris judul.")
MSG_MODE_UNKNOWN = _l("Mode pendaftaran tidak dikenal.")
MSG_COURSE_LOCKED = _l("Kursus tidak dapat diganti karena angkatan ini sudah memiliki peserta.")


class CohortError(ValueError):
    """Bad cohort data; ``field_errors`` maps form field names to messages (plain str, current language)."""

    def __init__(self, field_errors: dict[str, str]):
        field_errors = {name: str(message) for name, message in field_errors.items()}
        super().__init__("; ".join(field_errors.values()))
        self.field_errors = field_errors


def local_today(tz_name: str) -> date:
    """Today's date in zone ``tz_name`` (deadlines are calendar dates there)."""
    return to_local(utcnow(), tz_name).date()


# --- Cohorts --------------------------------------------------------------------------------------

@dataclass
class CohortData:
    """Fields of a cohort as given by a form: dates are local calendar dates."""

    course_id: int
    name: str
    starts_on: date
    ends_on: date
    certificate_template: str | None = None


def _validate(data: CohortData, cohort_id: int | None) -> dict:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = MSG_NAME_REQUIRED
    if db.session.get(Course, data.course_id) is None:
        errors["course_id"] = MSG_COURSE_UNKNOWN
    elif name:
        clash = select(Cohort.id).where(Cohort.course_id == data.course_id, func.lower(Cohort.name) == name.lower())
        if cohort_id is not None:
            clash = clash.where(Cohort.id != cohort_id)
        if db.session.scalar(clash) is not None:
            errors["name"] = MSG_NAME_TAKEN
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = MSG_DATES
    if errors:
        raise CohortError(errors)
    return {"course_id": data.course_id, "name": name, "starts_on": data.starts_on, "ends_on": data.ends_on,
            "certificate_template": (data.certificate_template or "").strip() or None}


def create_cohort(data: CohortData, actor) -> Cohort:
    """Add a cohort (flushed). Raises :class:`CohortError` (name empty or taken in the course, dates reversed)."""
    values = _validate(data, None)
    cohort = Cohort(**values)
    db.session.add(cohort)
    db.session.flush()
    record_event(actor, "cohort.create", "cohort", cohort.id, **{k: str(v) if v is not None else None
                                                                for k, v in values.items()})
    return cohort


def update_cohort(cohort: Cohort, data: CohortData, actor) -> Cohort:
    """Change a cohort; the audit event keeps old and new values of what changed.

    The course cannot change once the cohort has members (their enrolments
    belong to the course): raises :class:`CohortError` then.
    """
    values = _validate(data, cohort.id)
    if values["course_id"] != cohort.course_id and db.session.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort.id)):
        raise CohortError({"course_id": MSG_COURSE_LOCKED})
    changes = {}
    for key, value in values.items():
        old = getattr(cohort, key)
        if old != value:
            changes[key] = [None if old is None else str(old), None if value is None else str(value)]
            setattr(cohort, key, value)
    db.session.flush()
    record_event(actor, "cohort.update", "cohort", cohort.id, changes=changes)
    return cohort


@dataclass(frozen=True)
class CohortRow:
    """A cohort in the list with its member counts (members visible to the actor only)."""

    cohort: Cohort
    members: int
    completed: int


def cohort_rows(actor) -> list[CohortRow]:
    """Every cohort, newest start first, with counts in two queries."""
    cohorts = list(db.session.scalars(select(Cohort).options(joinedload(Cohort.course))
                                      .order_by(Cohort.starts_on.desc(), Cohort.id.desc())))
    counts = {cid: (members, completed) for cid, members, completed in db.session.execute(
        select(Enrolment.cohort_id, func.count(Enrolment.id), func.count(Enrolment.completed_at))
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.cohort_id.is_not(None), Enrolment.status == ENROLMENT_ACTIVE, visible_users(actor))
        .group_by(Enrolment.cohort_id))}
    return [CohortRow(c, *counts.get(c.id, (0, 0))) for c in cohorts]


# --- Choosing people --------------------------------------------------------------------------------

@dataclass
class Selection:
    """People chosen to enrol: ``user_ids`` found (in the actor's scope), ``unknown`` identifiers as typed."""

    user_ids: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def split_identifiers(text: str) -> list[str]:
    """NIPs or emails pasted one per line (commas and semicolons also separate); blanks dropped."""
    items = []
    for line in (text or "").replace(";", "\n").replace(",", "\n").splitlines():
        item = line.strip().strip("'\"")
        if item:
            items.append(item)
    return items


def select_by_identifiers(identifiers: Iterable[str], actor) -> Selection:
    """Resolve NIPs (spaces allowed) and emails to users the actor may see.

    Queries are batched (``IN`` chunks), never one per identifier. Identifiers
    matching nobody, or someone outside the actor's scope, are ``unknown``.
    """
    wanted: list[tuple[str, str, str]] = []  # (as typed, kind, key)
    for raw in identifiers:
        if "@" in raw:
            wanted.append((raw, "email", normalize_email(raw)))
        else:
            wanted.append((raw, "nip", normalize_nip(raw)))
    by_nip: dict[str, int] = {}
    by_email: dict[str, int] = {}
    for kind, column, target in (("nip", User.nip, by_nip), ("email", User.email, by_email)):
        keys = sorted({key for _, k, key in wanted if k == kind and key})
        for chunk in chunks(keys):
            for user_id, key in db.session.execute(
                    select(User.id, column).where(column.in_(chunk), visible_users(actor))):
                target[key] = user_id
    selection = Selection()
    seen: set[int] = set()
    for raw, kind, key in wanted:
        user_id = (by_nip if kind == "nip" else by_email).get(key)
        if user_id is None:
            selection.unknown.append(raw)
        elif user_id not in seen:
            seen.add(user_id)
            selection.user_ids.append(user_id)
    return selection


def identifiers_from_file(path: Path) -> tuple[list[str], list[str]]:
    """``(identifiers, problems)`` from a CSV/XLSX with a NIP or Email column.

    A NIP stored as a number is reported as a problem (its last digits may be
    lost), never guessed. Raises :class:`RosterFileError` for an unreadable
    file or one with neither column.
    """
    rows = iter_table(path)
    try:
        _row_number, headers = next(rows)
    except StopIteration:
        raise RosterFileError(str(MSG_UPLOAD_COLUMNS)) from None
    aliases = {"nip": "nip", "nip/ni pppk": "nip", "email": "email", "e-mail": "email", "surel": "email"}
    columns = map_headers(headers, aliases)
    if not columns:
        raise RosterFileError(str(MSG_UPLOAD_COLUMNS))
    identifiers: list[str] = []
    problems: list[str] = []
    for number, cells in rows:
        nip_cell = cells[columns["nip"]] if "nip" in columns and columns["nip"] < len(cells) else None
        email_cell = cells[columns["email"]] if "email" in columns and columns["email"] < len(cells) else None
        if isinstance(nip_cell, (int, float)) and not isinstance(nip_cell, bool):
            problems.append(_("Baris %(row)s: NIP tersimpan sebagai angka; format kolom NIP sebagai teks.", row=number))
            continue
        nip, email = cell_text(nip_cell), cell_text(email_cell)
        if nip:
            identifiers.append(nip)
        elif email:
            identifiers.append(email)
    return identifiers, problems


SEARCH_LIMIT = 50


def search_users(actor, query: str, limit: int = SEARCH_LIMIT) -> list[User]:
    """Active users the actor may see whose name or email contains ``query`` or whose NIP starts with it.

    At most ``limit`` users, by name; an empty query finds nobody.
    """
    text = (query or "").strip()
    if not text:
        return []
    pattern = f"%{text.lower()}%"
    nip = normalize_nip(text)
    condition = or_(func.lower(User.full_name).like(pattern), func.lower(User.email).like(pattern))
    if nip.isdigit():
        condition = or_(condition, User.nip.like(f"{nip}%"))
    return list(db.session.scalars(select(User).where(User.active.is_(True), visible_users(actor), condition)
                                   .order_by(User.full_name, User.id).limit(limit)))


def visible_users_by_ids(actor, user_ids: Iterable[int]) -> list[User]:
    """The users among ``user_ids`` the actor may see (``IN`` chunks), by name."""
    found: list[User] = []
    for chunk in chunks(sorted(set(user_ids))):
        found.extend(db.session.scalars(select(User).where(User.id.in_(chunk), visible_users(actor))))
    return sorted(found, key=lambda u: (u.full_name, u.id))


@dataclass(frozen=True)
class EnrolRule:
    """Who a rule enrols: every filled field must match; lists match any of their values."""

    opd_id: int | None = None
    eselon: tuple[str, ...] = ()
    golongan: tuple[str, ...] = ()
    employment_type: str | None = None

    def describe(self) -> dict:
        return {"opd_id": self.opd_id, "eselon": list(self.eselon), "golongan": list(self.golongan),
                "employment_type": self.employment_type}


def select_by_rule(rule: EnrolRule, actor) -> Selection:
    """Active users the actor may see who match ``rule`` (one query)."""
    query = select(User.id).where(User.active.is_(True), visible_users(actor))
    if rule.opd_id is not None:
        query = query.where(User.opd_id == rule.opd_id)
    if rule.eselon:
        query = query.where(User.eselon.in_(rule.eselon))
    if rule.golongan:
        query = query.where(User.golongan.in_(rule.golongan))
    if rule.employment_type:
        query = query.where(User.employment_type == rule.employment_type)
    return Selection(user_ids=list(db.session.scalars(query.order_by(User.id))))


# --- Enrolling into a cohort ------------------------------------------------------------------------

@dataclass
class EnrolPlan:
    """What enrolling a selection into a cohort does, per user id.

    ``new``: no enrolment in the course yet, one is created (active).
    ``join``: enrolled in the course without a cohort, or a pending/rejected
    request: made active and placed in this cohort.
    ``already``: already in this cohort. ``elsewhere``: in another cohort of
    the same course, left there. ``unknown``: identifiers matching nobody.
    """

    new: list[int] = field(default_factory=list)
    join: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    elsewhere: list[int] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    @property
    def to_enrol(self) -> int:
        """How many people the confirmation adds to the cohort."""
        return len(self.new) + len(self.join)


def plan_enrolment(cohort: Cohort, selection: Selection) -> EnrolPlan:
    """Sort ``selection`` into the groups of :class:`EnrolPlan` (``IN`` chunks, no query per user)."""
    existing: dict[int, Enrolment] = {}
    for chunk in chunks(selection.user_ids):
        for enrolment in db.session.scalars(select(Enrolment).where(
                Enrolment.course_id == cohort.course_id, Enrolment.user_id.in_(chunk))):
            existing[enrolment.user_id] = enrolment
    plan = EnrolPlan(unknown=list(selection.unknown))
    for user_id in selection.user_ids:
        enrolment = existing.get(user_id)
        if enrolment is None:
            plan.new.append(user_id)
        elif enrolment.cohort_id == cohort.id and enrolment.status == ENROLMENT_ACTIVE:
            plan.already.append(user_id)
        elif enrolment.cohort_id is not None and enrolment.cohort_id != cohort.id:
            plan.elsewhere.append(user_id)
        else:
            plan.join.append(user_id)
    return plan


def apply_enrolment(cohort: Cohort, plan: EnrolPlan, actor, method: str, **detail) -> int:
    """Enrol the ``new`` and ``join`` users of ``plan`` into ``cohort`` (active); returns how many.

    Admin enrolment ignores the course's self-enrolment mode. ``method`` is
    ``list``, ``upload`` or ``rule`` and goes into the audit event with ``detail``.
    """
    now = utcnow()
    for user_id in plan.new:
        db.session.add(Enrolment(user_id=user_id, course_id=cohort.course_id, cohort_id=cohort.id,
                                 status=ENROLMENT_ACTIVE, enrolled_at=now))
    for chunk in chunks(plan.join):
        for enrolment in db.session.scalars(select(Enrolment).where(
                Enrolment.course_id == cohort.course_id, Enrolment.user_id.in_(chunk))):
            enrolment.cohort_id = cohort.id
            enrolment.status = ENROLMENT_ACTIVE
    db.session.flush()
    record_event(actor, "cohort.enrol", "cohort", cohort.id, method=method, enrolled=len(plan.new),
                 joined=len(plan.join), already=len(plan.already), elsewhere=len(plan.elsewhere),
                 unknown=len(plan.unknown), **detail)
    return plan.to_enrol


def remove_member(cohort: Cohort, enrolment: Enrolment, actor) -> None:
    """Take ``enrolment`` out of ``cohort``; the enrolment and its progress stay."""
    if enrolment.cohort_id != cohort.id:
        raise ValueError("enrolment is not in this cohort")
    enrolment.cohort_id = None
    db.session.flush()
    record_event(actor, "cohort.remove", "enrolment", enrolment.id, cohort_id=cohort.id, user_id=enrolment.user_id)


# --- Approval of self-enrolment requests ----------------------------------------------------------

def pending_requests(actor) -> list[Enrolment]:
    """Pending self-enrolment requests of users the actor may see, oldest first."""
    return list(db.session.scalars(
        select(Enrolment).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.status == ENROLMENT_PENDING, visible_users(actor))
        .options(joinedload(Enrolment.user), joinedload(Enrolment.course))
        .order_by(Enrolment.enrolled_at, Enrolment.id)))


def visible_request(enrolment_id: int, actor) -> Enrolment | None:
    """The pending request ``enrolment_id`` if the actor may decide it, else ``None`` (routes answer 404)."""
    return db.session.scalar(
        select(Enrolment).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.id == enrolment_id, Enrolment.status == ENROLMENT_PENDING, visible_users(actor)))


def decide_request(enrolment: Enrolment, approve: bool, actor) -> None:
    """Approve (active) or reject a pending request; recorded as ``enrolment.approve``/``enrolment.reject``."""
    if enrolment.status != ENROLMENT_PENDING:
        raise ValueError("only pending requests can be decided")
    enrolment.status = ENROLMENT_ACTIVE if approve else ENROLMENT_REJECTED
    if approve:
        enrolment.enrolled_at = utcnow()  # the learning starts now, not when it was asked for
    db.session.flush()
    record_event(actor, "enrolment.approve" if approve else "enrolment.reject", "enrolment", enrolment.id,
                 user_id=enrolment.user_id, course_id=enrolment.course_id)


def set_enrolment_mode(course: Course, mode: str, actor) -> None:
    """Set how learners self-enrol in ``course``: ``open``, ``approval`` or ``closed``."""
    if mode not in ENROLMENT_MODES:
        raise CohortError({"enrolment_mode": MSG_MODE_UNKNOWN})
    old = course.enrolment_mode
    if old != mode:
        course.enrolment_mode = mode
        db.session.flush()
        record_event(actor, "course.enrolment_mode", "course", course.id, old=old, new=mode)


# --- Report ---------------------------------------------------------------------------------------

ON_TIME = "on_time"
LATE = "late"
NOT_COMPLETED = "not_completed"
OUTCOME_LABELS = {ON_TIME: _l("Tepat waktu"), LATE: _l("Terlambat"), NOT_COMPLETED: _l("Belum selesai")}


@dataclass(frozen=True)
class ReportLine:
    """One member: ``completed_on`` is the local completion date, ``outcome`` a key of :data:`OUTCOME_LABELS`."""

    enrolment: Enrolment
    user: User
    completed_on: date | None
    outcome: str


@dataclass
class CohortReport:
    """Members of a cohort visible to the actor, classified against ``ends_on``."""

    cohort: Cohort
    lines: list[ReportLine]

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {key: self.count(key) for key in OUTCOME_LABELS}


def outcome(completed_on: date | None, ends_on: date) -> str:
    """On time when the local completion date is on or before ``ends_on`` (inclusive); else late or not completed."""
    if completed_on is None:
        return NOT_COMPLETED
    return ON_TIME if completed_on <= ends_on else LATE


def cohort_report(cohort: Cohort, actor, tz_name: str) -> CohortReport:
    """Active members of ``cohort`` the actor may see, by name, with their outcome (one query).

    Completion instants are stored in UTC and converted to ``tz_name`` before
    their date is compared with ``ends_on``: a completion at 23.30 WITA on the
    deadline is on time although it is the same day 15.30 UTC.
    """
    rows = db.session.execute(
        select(Enrolment, User).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status == ENROLMENT_ACTIVE, visible_users(actor))
        .order_by(User.full_name, User.id)).all()
    lines = []
    for enrolment, user in rows:
        completed_on = to_local(enrolment.completed_at, tz_name).date() if enrolment.completed_at else None
        lines.append(ReportLine(enrolment, user, completed_on, outcome(completed_on, cohort.ends_on)))
    return CohortReport(cohort, lines)


def visible_member(cohort: Cohort, enrolment_id: int, actor) -> Enrolment | None:
    """The enrolment ``enrolment_id`` of ``cohort`` if its user is visible to the actor."""
    return db.session.scalar(
        select(Enrolment).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.id == enrolment_id, Enrolment.cohort_id == cohort.id, visible_users(actor)))


def users_by_ids(user_ids: list[int]) -> dict[int, User]:
    """``{id: User}`` in ``IN`` chunks (for previews listing names)."""
    found: dict[int, User] = {}
    for chunk in chunks(sorted(set(user_ids))):
        for user in db.session.scalars(select(User).where(User.id.in_(chunk))):
            found[user.id] = user
    return found
