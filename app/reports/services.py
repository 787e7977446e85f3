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
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select

from app.auth.models import Opd, User, compose_display_name
from app.catalog.models import Course
from app.certificates.models import Certificate
from app.extensions import db
from app.learning.models import Enrolment

PER_PAGE = 100
YIELD_PER = 500


@dataclass(frozen=True)
class CompletionFilter:
    """What to report: one course and/or one OPD (``None`` = all) and a local date range (inclusive)."""

    course_id: int | None = None
    opd_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class CompletionRow:
    """One completed enrolment as reported. Datetimes are UTC-aware; ``jp`` is exact.

    ``jp`` is the JP printed on the certificate when one was issued (its
    snapshot), else the course's current JP.
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


def completions_query(filters: CompletionFilter, tz_name: str) -> Select:
    """The report query: completed enrolments matching ``filters``, by completion time.

    Columns are named as the fields of :class:`CompletionRow`. Page, count
    and CSV are all built on this statement, so they always agree.
    """
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
        )
        .select_from(Enrolment)
        .join(User, User.id == Enrolment.user_id)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(Opd, Opd.id == User.opd_id)
        .outerjoin(Certificate, Certificate.enrolment_id == Enrolment.id)
        .where(Enrolment.completed_at.is_not(None))
    )
    if filters.course_id is not None:
        stmt = stmt.where(Enrolment.course_id == filters.course_id)
    if filters.opd_id is not None:
        stmt = stmt.where(User.opd_id == filters.opd_id)
    start, end = local_range_utc(filters.date_from, filters.date_to, tz_name)
    if start is not None:
        stmt = stmt.where(Enrolment.completed_at >= start)
    if end is not None:
        stmt = stmt.where(Enrolment.completed_at < end)
    return stmt.order_by(Enrolment.completed_at, Enrolment.id)


def _to_row(row) -> CompletionRow:
    return CompletionRow(**row._asdict())


def count_completions(filters: CompletionFilter, tz_name: str) -> int:
    """How many rows :func:`completions_query` returns."""
    query = completions_query(filters, tz_name).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(query))


def completions_page(filters: CompletionFilter, tz_name: str, page: int, per_page: int = PER_PAGE) -> Page:
    """Page ``page`` (1-based) of :func:`completions_query` with the total count; two queries."""
    page = max(1, page)
    total = count_completions(filters, tz_name)
    result = db.session.execute(completions_query(filters, tz_name).limit(per_page).offset((page - 1) * per_page))
    return Page(items=[_to_row(r) for r in result], total=total, page=page, per_page=per_page)


def iter_completions(filters: CompletionFilter, tz_name: str, batch_size: int = YIELD_PER) -> Iterator[CompletionRow]:
    """Every row of :func:`completions_query`, fetched ``batch_size`` at a time (server-side cursor
    on PostgreSQL), so memory stays flat however large the report."""
    result = db.session.execute(completions_query(filters, tz_name).execution_options(yield_per=batch_size))
    try:
        for row in result:
            yield _to_row(row)
    finally:
        result.close()


def course_choices() -> list[tuple[int, str]]:
    """Course options for the filter, by title: ``[(id, title), ...]``."""
    return [(cid, title) for cid, title in
            db.session.execute(select(Course.id, Course.title).order_by(func.lower(Course.title), Course.id))]
