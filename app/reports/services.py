"""The completion report: one query, used by both the page and the CSV download.

Dates in a filter are local calendar dates in ``LENTERA_TIMEZONE`` (WITA for
Kalimantan Timur, domain-facts §7); both ends are inclusive, so ``date_to``
covers its whole local day up to 23.59.59. Services never read ``request``
and never commit.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from math import ceil
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, select

from app.admin.scope import visible_users
from app.assessment.models import STATE_SUBMITTED, QuizAttempt
from app.auth.models import Opd, User, compose_display_name
from app.catalog.models import Course
from app.certificates.models import STATUS_SUPERSEDED, Certificate
from app.extensions import db
from app.learning.models import Cohort, Enrolment

PER_PAGE = 100
YIELD_PER = 500


@dataclass(frozen=True)
class CompletionFilter:
    """What to report; every ``None`` means "all".

    ``course_id``/``cohort_id``/``opd_id`` are ids; ``eselon`` and
    ``golongan`` are the exact codes of :mod:`app.common.asn` ("III.b",
    "III/d"); ``date_from``/``date_to`` a local date range of completion
    (inclusive). The actor's OPD scope is applied on top of these.
    """

    course_id: int | None = None
    cohort_id: int | None = None
    opd_id: int | None = None
    eselon: str | None = None
    golongan: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def audit_detail(self) -> dict:
        """The filters that are set, JSON-ready (dates as ISO text), for the audit log."""
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(self).items() if v is not None}


class CompletionRow(NamedTuple):
    """One completed enrolment as reported. Datetimes are UTC-aware; ``jp`` is exact.

    ``jp`` is the JP printed on the certificate when one was issued (its
    snapshot), else the course's current JP. Immutable; a named tuple rather
    than a dataclass because an export builds one per row (200,000 rows and
    more) and a tuple is built from the query's row in one C call (issue #8).
    The field order is the column order of :func:`completions_query`.
    """

    enrolment_id: int
    nip: str | None
    full_name: str
    gelar_depan: str | None
    gelar_belakang: str | None
    email: str
    opd_name: str | None
    jabatan: str | None
    eselon: str | None
    golongan: str | None
    course_title: str
    jp: Decimal
    enrolled_at: datetime
    completed_at: datetime
    certificate_number: str | None
    certificate_status: str | None  # "valid" or "revoked" (a revoked certificate credits no JP)
    cohort_name: str | None
    best_percent: Decimal | None

    @property
    def display_name(self) -> str:
        return compose_display_name(self.gelar_depan, self.full_name, self.gelar_belakang)


@dataclass(frozen=True)
class Page:
    """One page of rows with what the pager needs (same attribute names as Flask-SQLAlchemy's)."""

    items: list[CompletionRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def local_range_utc(date_from: date | None, date_to: date | None,
                    tz_name: str) -> tuple[datetime | None, datetime | None]:
    """UTC instants ``[start, end)`` covering local days ``date_from`` … ``date_to`` inclusive.

    ``end`` is local midnight at the start of the day after ``date_to``.
    Either end may be ``None`` (open).
    """
    tz = ZoneInfo(tz_name)
    start = end = None
    if date_from is not None:
        start = datetime.combine(date_from, time(0), tzinfo=tz).astimezone(timezone.utc)
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)
    return start, end


def completions_query(filters: CompletionFilter, tz_name: str, actor) -> Select:
    """The report query: completed enrolments matching ``filters`` that ``actor`` may see, by completion time.

    Columns are named as the fields of :class:`CompletionRow`; ``best_percent``
    is the highest score (percent) of a submitted quiz attempt of the enrolment. The OPD scope of
    ``actor`` (:func:`app.admin.scope.visible_users`) is always applied.
    Page, count, CSV and XLSX are all built on this statement, so they
    always agree.
    """
    best = (select(QuizAttempt.enrolment_id, func.max(QuizAttempt.percent).label("best_percent"))
            .where(QuizAttempt.state == STATE_SUBMITTED).group_by(QuizAttempt.enrolment_id).subquery())
    stmt = (
        select(
            Enrolment.id.label("enrolment_id"),
            User.nip, User.full_name, User.gelar_depan, User.gelar_belakang, User.email,
            Opd.name.label("opd_name"),
            User.jabatan, User.eselon, User.golongan,
            Course.title.label("course_title"),
            func.coalesce(Certificate.jp, Course.jp).label("jp"),
            Enrolment.enrolled_at, Enrolment.completed_at,
            Certificate.number.label("certificate_number"),
            Certificate.status.label("certificate_status"),
            Cohort.name.label("cohort_name"),
            best.c.best_percent,
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(Opd, Opd.id == User.opd_id)
        .outerjoin(Certificate, current_certificate())
        .outerjoin(Cohort, Cohort.id == Enrolment.cohort_id)
        .outerjoin(best, best.c.enrolment_id == Enrolment.id)
        .where(Enrolment.completed_at.is_not(None), visible_users(actor))
    )
    if filters.course_id is not None:
        stmt = stmt.where(Enrolment.course_id == filters.course_id)
    if filters.cohort_id is not None:
        stmt = stmt.where(Enrolment.cohort_id == filters.cohort_id)
    if filters.opd_id is not None:
        stmt = stmt.where(User.opd_id == filters.opd_id)
    if filters.eselon is not None:
        stmt = stmt.where(User.eselon == filters.eselon)
    if filters.golongan is not None:
        stmt = stmt.where(User.golongan == filters.golongan)
    start, end = local_range_utc(filters.date_from, filters.date_to, tz_name)
    if start is not None:
        stmt = stmt.where(Enrolment.completed_at >= start)
    if end is not None:
        stmt = stmt.where(Enrolment.completed_at < end)
    return stmt.order_by(Enrolment.completed_at, Enrolment.id)


def current_certificate():
    """Join condition of an enrolment's current certificate (a reissue leaves the old row ``superseded``)."""
    return and_(Certificate.enrolment_id == Enrolment.id, Certificate.status != STATUS_SUPERSEDED)


def _to_row(row) -> CompletionRow:
    # Positional: completions_query selects exactly the fields of CompletionRow, in order
    # (_make checks the count; tests compare the names).
    return CompletionRow._make(row)


def count_completions(filters: CompletionFilter, tz_name: str, actor) -> int:
    """How many rows :func:`completions_query` returns."""
    query = completions_query(filters, tz_name, actor).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def completions_page(filters: CompletionFilter, tz_name: str, actor, page: int, per_page: int = PER_PAGE) -> Page:
    """Page ``page`` (1-based) of :func:`completions_query` with the total count; two queries."""
    page = max(1, page)
    total = count_completions(filters, tz_name, actor)
    result = db.session.execute(
        completions_query(filters, tz_name, actor).limit(per_page).offset((page - 1) * per_page))
    return Page(items=[_to_row(r) for r in result], total=total, page=page, per_page=per_page)


def iter_rows(stmt: Select, make_row, batch_size: int = YIELD_PER) -> Iterator:
    """Run ``stmt`` fetching ``batch_size`` rows at a time (a server-side cursor on PostgreSQL) and
    yield ``make_row(row)`` for each, so memory stays flat however large the result."""
    result = db.session.execute(stmt.execution_options(yield_per=batch_size))
    try:
        for row in result:
            yield make_row(row)
    finally:
        result.close()


def iter_completions(filters: CompletionFilter, tz_name: str, actor,
                     batch_size: int = YIELD_PER) -> Iterator[CompletionRow]:
    """Every row of :func:`completions_query`, streamed (see :func:`iter_rows`).

    :raises RuntimeError: if the query's columns no longer match the fields of :class:`CompletionRow`
        (rows are built by position, so a reordered query must not silently mislabel a column).
    """
    stmt = completions_query(filters, tz_name, actor)
    if tuple(stmt.selected_columns.keys()) != CompletionRow._fields:
        raise RuntimeError("completions_query columns differ from CompletionRow fields")
    return iter_rows(stmt, _to_row, batch_size)


def course_choices() -> list[tuple[int, str]]:
    """Course options for the filter, by title: ``[(id, title), ...]``."""
    return [(cid, title) for cid, title in
            db.session.execute(select(Course.id, Course.title).order_by(func.lower(Course.title), Course.id))]


def cohort_choices() -> list[tuple[int, str]]:
    """Cohort (angkatan) options for the filter: ``[(id, "Course title: cohort name"), ...]`` by course, start."""
    rows = db.session.execute(
        select(Cohort.id, Course.title, Cohort.name).join(Course, Course.id == Cohort.course_id)
        .order_by(func.lower(Course.title), Cohort.starts_on, Cohort.id))
    return [(cid, f"{title}: {name}") for cid, title, name in rows]
