"""Numbers of the admin dashboard: completion by OPD, by course, per month, and JP compliance by OPD.

All within the actor's OPD scope (:mod:`app.admin.scope`). The charts and
their tables on the dashboard are drawn from these functions, and the JP
compliance by OPD comes from :func:`app.reports.ledger.opd_compliance`, the
same function as the per-OPD export, so screen and export agree. Only active
enrolments count (pending or rejected requests are not enrolments yet).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, literal, select

from app.common.i18n import N_
from app.admin.scope import visible_users
from app.auth.models import Opd, User
from app.catalog.models import Course
from app.common.formatting import MONTHS_ID
from app.extensions import db
from app.learning.models import ENROLMENT_ACTIVE, Enrolment
from app.reports import ledger


MONTHS_SHOWN = 12


@dataclass(frozen=True)
class CompletionLine:
    """Enrolled and completed counts of one OPD or course."""

    key: int | None
    label: str
    enrolled: int
    completed: int

    @property
    def percent(self) -> Decimal:
        """Completed / enrolled in percent, truncated to 1 decimal (0 when nobody enrolled)."""
        if not self.enrolled:
            return Decimal(0)
        return (Decimal(self.completed) * 100 / Decimal(self.enrolled)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


@dataclass(frozen=True)
class MonthCount:
    """Completions in one local calendar month."""

    year: int
    month: int
    completed: int

    @property
    def label(self) -> str:
        return f"{MONTHS_ID[self.month - 1]} {self.year}"

    @property
    def short_label(self) -> str:
        # The first three letters give the abbreviations of domain-facts §8 ("Agu", never "Agt").
        return MONTHS_ID[self.month - 1][:3]

    def label_in(self, locale: str | None, short: bool = False) -> str:
        """:attr:`label` (``short``: :attr:`short_label`) in ``locale``: Indonesian unless it is English.

        English names come from Babel's CLDR data ("June 2026", "Jun").
        """
        if not locale or not str(locale).lower().startswith("en"):
            return self.short_label if short else self.label
        from babel.dates import get_month_names

        name = get_month_names("abbreviated" if short else "wide", locale="en")[self.month]
        return name if short else f"{name} {self.year}"


@dataclass(frozen=True)
class Dashboard:
    """Everything the dashboard shows for one actor and year."""

    year: int
    by_opd: list[CompletionLine]
    by_course: list[CompletionLine]
    by_month: list[MonthCount]
    jp_by_opd: list[ledger.OpdCompliance]

    @property
    def total_completed(self) -> int:
        return sum(line.completed for line in self.by_opd)


def _counts():
    return (func.count(Enrolment.id),
            func.sum(case((Enrolment.completed_at.is_not(None), 1), else_=0)))


def completion_by_opd(actor) -> list[CompletionLine]:
    """Per OPD of the visible users: active enrolments and completions, by OPD name (one query)."""
    enrolled, completed = _counts()
    rows = db.session.execute(
        select(User.opd_id, Opd.name, enrolled, completed)
        .select_from(Enrolment).join(User, User.id == Enrolment.user_id).outerjoin(Opd, Opd.id == User.opd_id)
        .where(visible_users(actor), Enrolment.status == ENROLMENT_ACTIVE)
        .group_by(User.opd_id, Opd.name).order_by(Opd.name)
    ).all()
    return [CompletionLine(opd_id, name or N_("Tanpa OPD"), n, int(done or 0)) for opd_id, name, n, done in rows]


def completion_by_course(actor) -> list[CompletionLine]:
    """Per course: active enrolments and completions of the visible users, by title (one query)."""
    enrolled, completed = _counts()
    rows = db.session.execute(
        select(Course.id, Course.title, enrolled, completed)
        .select_from(Enrolment).join(User, User.id == Enrolment.user_id).join(Course, Course.id == Enrolment.course_id)
        .where(visible_users(actor), Enrolment.status == ENROLMENT_ACTIVE)
        .group_by(Course.id, Course.title).order_by(func.lower(Course.title), Course.id)
    ).all()
    return [CompletionLine(cid, title, n, int(done or 0)) for cid, title, n, done in rows]


def _month_starts(today: date, months: int) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    out = []
    for _ in range(months):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(out))


def completions_by_month(actor, tz_name: str, today: date, months: int = MONTHS_SHOWN) -> list[MonthCount]:
    """Completions of visible users in each of the last ``months`` local calendar months up to ``today``'s.

    One query with a conditional count per month; month edges are local
    midnight (``tz_name``) converted to UTC, so it works alike on SQLite and
    PostgreSQL.
    """
    tz = ZoneInfo(tz_name)
    starts = _month_starts(today, months)
    edges = [datetime(y, m, 1, tzinfo=tz) for y, m in starts]
    last_y, last_m = starts[-1]
    edges.append(datetime(last_y + (last_m == 12), last_m % 12 + 1, 1, tzinfo=tz))
    columns = [func.sum(case((and_(Enrolment.completed_at >= lo, Enrolment.completed_at < hi), 1), else_=0))
               for lo, hi in zip(edges, edges[1:])]
    row = db.session.execute(
        select(literal(1), *columns).select_from(Enrolment).join(User, User.id == Enrolment.user_id)
        .where(visible_users(actor), Enrolment.completed_at >= edges[0], Enrolment.completed_at < edges[-1])
    ).one()
    return [MonthCount(y, m, int(n or 0)) for (y, m), n in zip(starts, row[1:])]


def dashboard(actor, tz_name: str, targets: ledger.JpTargets, today: date) -> Dashboard:
    """The dashboard of ``actor`` for the year of ``today`` (five queries, whatever the data size)."""
    year = today.year
    return Dashboard(
        year=year,
        by_opd=completion_by_opd(actor),
        by_course=completion_by_course(actor),
        by_month=completions_by_month(actor, tz_name, today),
        jp_by_opd=ledger.opd_compliance(ledger.LedgerFilter(year=year), tz_name, targets, actor),
    )
