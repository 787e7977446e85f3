"""The yearly JP ledger: every ASN's JP per calendar year against the target of their employment type.

Rules:

* JP of a year = the JP of every course the ASN completed within that
  calendar year in ``LENTERA_TIMEZONE`` (1 January 00.00 to 31 December
  24.00 local time). A course's JP is the one printed on its certificate
  when one was issued (the snapshot), else the course's current JP: the
  same value the completion report and the riwayat diklat export show.
* Target: at least 20 JP a year for PNS (PP 11/2017 as amended by PP 17/2020,
  shared/domain-facts.md §4) = ``LENTERA_JP_TARGET_PNS``; PPPK entitlements
  differ, so theirs is the separate setting ``LENTERA_JP_TARGET_PPPK``.
* A completion whose certificate was revoked credits no JP (a revoked
  certificate no longer proves the training); it leaves the riwayat too.
* "Memenuhi" when JP >= target, compared exactly (19,5 JP does not meet
  20 JP); JP is shown with a decimal comma and never rounded up.
* The ledger lists ASN (employment type PNS or PPPK) whose account is active,
  within the actor's OPD scope (:mod:`app.admin.scope`).

Page, per-OPD table, dashboard chart, CSV and XLSX are all built from
:func:`ledger_query`, so their numbers agree. Services never read
``request`` and never commit.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Mapping

from sqlalchemy import Select, and_, case, func, literal, or_, select

from app.admin.scope import visible_users
from app.auth.models import Opd, User, compose_display_name
from app.catalog.models import Course
from app.certificates.models import STATUS_REVOKED, Certificate
from app.common.db import ScaledDecimal
from app.extensions import db
from app.learning.models import Enrolment
from app.learning.services import year_bounds_utc
from app.reports.services import PER_PAGE, Page, current_certificate, iter_rows

MET = "memenuhi"
NOT_MET = "belum"
STATUS_LABELS = {MET: "Memenuhi", NOT_MET: "Belum memenuhi"}

#: Wording of the training type for the riwayat diklat: Perlan 10/2018 splits
#: competency development into klasikal and nonklasikal; e-learning is nonklasikal.
JENIS_DIKLAT = "E-learning (pengembangan kompetensi nonklasikal)"

_JP_TYPE = ScaledDecimal(2)


@dataclass(frozen=True)
class JpTargets:
    """Yearly JP targets per employment type (Decimal JP)."""

    pns: Decimal
    pppk: Decimal

    @classmethod
    def from_config(cls, config: Mapping) -> JpTargets:
        """``LENTERA_JP_TARGET_PNS`` and ``LENTERA_JP_TARGET_PPPK`` of a Flask config."""
        return cls(pns=Decimal(config["LENTERA_JP_TARGET_PNS"]), pppk=Decimal(config["LENTERA_JP_TARGET_PPPK"]))

    def for_type(self, employment_type: str | None) -> Decimal | None:
        """The target of ``"PNS"`` / ``"PPPK"``; ``None`` for anyone else (no yearly target)."""
        return {"PNS": self.pns, "PPPK": self.pppk}.get(employment_type or "")


@dataclass(frozen=True)
class LedgerFilter:
    """Which ASN to list: a calendar ``year`` (required) and optional OPD, eselon, golongan,
    employment type and status (:data:`MET` / :data:`NOT_MET`); ``None`` = all."""

    year: int
    opd_id: int | None = None
    eselon: str | None = None
    golongan: str | None = None
    employment_type: str | None = None
    status: str | None = None

    def audit_detail(self) -> dict:
        """The filters that are set, for the audit log."""
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True)
class LedgerRow:
    """One ASN in the ledger: JP earned in the year (exact Decimal) and their target."""

    user_id: int
    nip: str | None
    full_name: str
    gelar_depan: str | None
    gelar_belakang: str | None
    email: str
    opd_name: str | None
    jabatan: str | None
    eselon: str | None
    golongan: str | None
    employment_type: str
    courses: int
    jp: Decimal
    target: Decimal

    @property
    def display_name(self) -> str:
        return compose_display_name(self.gelar_depan, self.full_name, self.gelar_belakang)

    @property
    def met(self) -> bool:
        return self.jp >= self.target

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[MET if self.met else NOT_MET]

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal(0), self.target - self.jp)


@dataclass(frozen=True)
class OpdCompliance:
    """JP compliance of one OPD (or of everyone visible, when ``opd_id`` is ``None`` and ``is_total``)."""

    opd_id: int | None
    opd_name: str
    staff: int
    met: int
    is_total: bool = False

    @property
    def not_met(self) -> int:
        return self.staff - self.met

    @property
    def share(self) -> Decimal:
        """Percent of staff at or above target, truncated to 1 decimal (never rounded up); 0 with no staff."""
        if not self.staff:
            return Decimal(0)
        return (Decimal(self.met) * 100 / Decimal(self.staff)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def jp_value():
    """SQL expression: the JP one completed enrolment credits (certificate snapshot, else course JP)."""
    return func.coalesce(Certificate.jp, Course.jp)


def not_revoked():
    """Condition: the completion has no certificate, or its current certificate is not revoked.

    A revoked certificate (app.certificates.services.revoke_certificate) no
    longer proves the training, so its JP are not credited.
    """
    return or_(Certificate.id.is_(None), Certificate.status != STATUS_REVOKED)


def _year_sums(year: int, tz_name: str):
    """Subquery ``(user_id, jp, courses)``: JP and number of courses completed in local calendar ``year``."""
    start, end = year_bounds_utc(year, tz_name)
    return (
        select(Enrolment.user_id.label("user_id"), func.sum(jp_value()).label("jp"),
               func.count(Enrolment.id).label("courses"))
        .select_from(Enrolment)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(Certificate, current_certificate())
        .where(Enrolment.completed_at >= start, Enrolment.completed_at < end, not_revoked())
        .group_by(Enrolment.user_id)
        .subquery("year_sums")
    )


def _ledger_parts(filters: LedgerFilter, tz_name: str, targets: JpTargets, actor):
    """``(sums, jp, target, met, where)``: the SQL pieces shared by the row query and the OPD table."""
    sums = _year_sums(filters.year, tz_name)
    jp = func.coalesce(sums.c.jp, literal(Decimal(0), _JP_TYPE), type_=_JP_TYPE)
    target = case((User.employment_type == "PNS", literal(targets.pns, _JP_TYPE)),
                  else_=literal(targets.pppk, _JP_TYPE))
    met = jp >= target
    where = [visible_users(actor), User.active.is_(True), User.employment_type.in_(("PNS", "PPPK"))]
    if filters.opd_id is not None:
        where.append(User.opd_id == filters.opd_id)
    if filters.eselon is not None:
        where.append(User.eselon == filters.eselon)
    if filters.golongan is not None:
        where.append(User.golongan == filters.golongan)
    if filters.employment_type is not None:
        where.append(User.employment_type == filters.employment_type)
    if filters.status == MET:
        where.append(met)
    elif filters.status == NOT_MET:
        where.append(~met)
    return sums, jp, target, met, where


def ledger_query(filters: LedgerFilter, tz_name: str, targets: JpTargets, actor) -> Select:
    """ASN rows of the ledger (columns named as :class:`LedgerRow` fields), by OPD, name and id."""
    sums, jp, target, _, where = _ledger_parts(filters, tz_name, targets, actor)
    return (
        select(
            User.id.label("user_id"), User.nip, User.full_name, User.gelar_depan, User.gelar_belakang, User.email,
            Opd.name.label("opd_name"), User.jabatan, User.eselon, User.golongan, User.employment_type,
            func.coalesce(sums.c.courses, 0).label("courses"), jp.label("jp"), target.label("target"),
        )
        .select_from(User)
        .outerjoin(Opd, Opd.id == User.opd_id)
        .outerjoin(sums, sums.c.user_id == User.id)
        .where(*where)
        .order_by(Opd.name, func.lower(User.full_name), User.id)
    )


def _to_row(row) -> LedgerRow:
    return LedgerRow(**row._asdict())


def ledger_page(filters: LedgerFilter, tz_name: str, targets: JpTargets, actor, page: int,
                per_page: int = PER_PAGE) -> Page:
    """Page ``page`` (1-based) of :func:`ledger_query` with the total count; two queries."""
    page = max(1, page)
    stmt = ledger_query(filters, tz_name, targets, actor)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    return Page(items=[_to_row(r) for r in rows], total=total, page=page, per_page=per_page)


def iter_ledger(filters: LedgerFilter, tz_name: str, targets: JpTargets, actor) -> Iterator[LedgerRow]:
    """Every row of :func:`ledger_query`, streamed with flat memory."""
    return iter_rows(ledger_query(filters, tz_name, targets, actor), _to_row)


def opd_compliance(filters: LedgerFilter, tz_name: str, targets: JpTargets, actor) -> list[OpdCompliance]:
    """Per OPD: ASN counted and how many meet their target, by OPD name; the last item is the total.

    ASN without an OPD are grouped as "Tanpa OPD". One query; the per-ASN
    ledger with the same filters sums to exactly these counts.
    """
    sums, _, _, met, where = _ledger_parts(filters, tz_name, targets, actor)
    rows = db.session.execute(
        select(User.opd_id, Opd.name, func.count(User.id), func.sum(case((met, 1), else_=0)))
        .select_from(User)
        .outerjoin(Opd, Opd.id == User.opd_id)
        .outerjoin(sums, sums.c.user_id == User.id)
        .where(*where)
        .group_by(User.opd_id, Opd.name)
        .order_by(Opd.name)
    ).all()
    # "Tanpa OPD" / "Semua OPD" stay Indonesian here (the CSV/XLSX exports carry them);
    # pages translate them where they show them (msgids in the reports catalogue).
    lines = [OpdCompliance(opd_id, name or "Tanpa OPD", staff, int(n_met or 0))
             for opd_id, name, staff, n_met in rows]
    lines.append(OpdCompliance(None, "Semua OPD", sum(x.staff for x in lines), sum(x.met for x in lines),
                               is_total=True))
    return lines


# --- Riwayat diklat (one ASN's training record) ------------------------------------------

@dataclass(frozen=True)
class RiwayatRow:
    """One completed course in an ASN's training record (riwayat diklat)."""

    course_title: str
    enrolled_at: datetime
    completed_at: datetime
    jp: Decimal
    certificate_number: str | None


def riwayat_query(user_id: int, year: int | None, tz_name: str) -> Select:
    """Completed enrolments of one user, oldest first; ``year`` keeps one local calendar year."""
    stmt = (
        select(Course.title.label("course_title"), Enrolment.enrolled_at, Enrolment.completed_at,
               jp_value().label("jp"), Certificate.number.label("certificate_number"))
        .select_from(Enrolment)
        .join(Course, Course.id == Enrolment.course_id)
        .outerjoin(Certificate, current_certificate())
        .where(Enrolment.user_id == user_id, Enrolment.completed_at.is_not(None), not_revoked())
        .order_by(Enrolment.completed_at, Enrolment.id)
    )
    if year is not None:
        start, end = year_bounds_utc(year, tz_name)
        stmt = stmt.where(and_(Enrolment.completed_at >= start, Enrolment.completed_at < end))
    return stmt


def riwayat_rows(user_id: int, year: int | None, tz_name: str) -> list[RiwayatRow]:
    """The rows of :func:`riwayat_query` (one person's record is small: a list)."""
    return [RiwayatRow(**r._asdict()) for r in db.session.execute(riwayat_query(user_id, year, tz_name))]


def year_choices(today: date, back: int = 5) -> list[int]:
    """Years offered in the ledger filter: this year and ``back`` years before, newest first."""
    return list(range(today.year, today.year - back - 1, -1))
