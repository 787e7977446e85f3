"""Reading the audit log (BPSDM admins only): filter by action, actor and local date range.

Events are written by :func:`app.admin.audit.record_event`. Actions recorded
include ``report.export`` (every CSV/XLSX download), ``user.role_change``,
and those of imports, enrolments and certificate revocations. Services never
read ``request`` and never commit.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from app.admin.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.reports.services import local_range_utc

PER_PAGE = 50


@dataclass(frozen=True)
class AuditFilter:
    """``action`` exact, ``actor`` a substring of the actor's email (case-insensitive), local dates inclusive."""

    action: str | None = None
    actor: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def audit_detail(self) -> dict:
        """The filters that are set, JSON-ready, for the audit log's own export event.

        Keys are prefixed ``filter_`` (``action``/``actor`` are parameters of ``record_event``).
        """
        return {f"filter_{k}": (v.isoformat() if isinstance(v, date) else v)
                for k, v in vars(self).items() if v is not None}


def audit_query(filters: AuditFilter, tz_name: str) -> Select:
    """Events matching ``filters``, newest first, with the actor loaded in the same query."""
    stmt = select(AuditEvent).options(joinedload(AuditEvent.actor))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    if filters.actor:
        stmt = stmt.where(AuditEvent.actor_id.in_(
            select(User.id).where(func.lower(User.email).contains(filters.actor.lower(), autoescape=True))))
    start, end = local_range_utc(filters.date_from, filters.date_to, tz_name)
    if start is not None:
        stmt = stmt.where(AuditEvent.at >= start)
    if end is not None:
        stmt = stmt.where(AuditEvent.at < end)
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_page(filters: AuditFilter, tz_name: str, page: int, per_page: int = PER_PAGE):
    """A Flask-SQLAlchemy pagination of :func:`audit_query` (page out of range: no items); two queries."""
    return db.paginate(audit_query(filters, tz_name), page=page, per_page=per_page, max_per_page=per_page,
                       error_out=False)


def iter_audit(filters: AuditFilter, tz_name: str, batch_size: int = 500) -> Iterator[AuditEvent]:
    """Every event of :func:`audit_query`, fetched ``batch_size`` at a time (flat memory)."""
    result = db.session.scalars(audit_query(filters, tz_name).execution_options(yield_per=batch_size))
    try:
        yield from result
    finally:
        result.close()


def action_choices() -> list[str]:
    """The distinct actions recorded so far, sorted (choices of the action filter)."""
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
