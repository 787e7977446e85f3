"""The job handlers: completion report export, bulk certificate issue and regenerate.

Each handler takes a :class:`app.jobs.services.JobContext`, reports
progress as it goes, and ends with ``context.finish(...)``; it raises
:class:`app.jobs.services.JobError` with an Indonesian msgid when the job
cannot be done. Handlers run without a request (RQ worker or thread).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from app.admin.audit import record_event
from app.extensions import db
from app.jobs.models import KIND_CERTIFICATE_ISSUE, KIND_CERTIFICATE_REGENERATE, KIND_COMPLETION_EXPORT
from app.jobs.services import N_, JobContext, JobError

#: Rows fetched per transaction by the export; progress is reported after each batch.
EXPORT_BATCH = 2000
#: Certificate failures kept in the summary (the rest are only counted).
MAX_LISTED_FAILURES = 50

SCOPE_GONE = N_("Kursus atau angkatan yang dipilih sudah tidak ada.")
BAD_PARAMETERS = N_("Parameter tugas tidak valid.")


# --------------------------------------------------------------------------
# Completion report export
# --------------------------------------------------------------------------


def completion_export_parameters(filters, fmt: str, delimiter: str) -> dict:
    """The JSON parameters of a completion export job from a
    :class:`app.reports.services.CompletionFilter`, ``"csv"``/``"xlsx"`` and the CSV delimiter."""
    return {"filters": filters.audit_detail(), "format": fmt, "delimiter": delimiter}


def _completion_filter(data: dict):
    from app.reports.services import CompletionFilter

    values = dict(data)
    for key in ("date_from", "date_to"):
        if values.get(key):
            values[key] = date.fromisoformat(values[key])
    try:
        return CompletionFilter(**values)
    except TypeError as error:
        raise JobError(BAD_PARAMETERS) from error


def export_completions(context: JobContext) -> None:
    """Write the completion report the owner asked for (their OPD scope applies) to a CSV or XLSX file.

    The matching enrolment ids are read first (in report order); the rows are
    then fetched :data:`EXPORT_BATCH` at a time, each batch in its own short
    transaction, so the progress is visible and SQLite writers are never
    locked out for the whole export.
    """
    from app.learning.models import Enrolment
    from app.reports import csv_export, exports, services as reports

    params = context.params
    fmt, delimiter = params.get("format"), params.get("delimiter", ",")
    if fmt not in ("csv", "xlsx") or delimiter not in (",", ";"):
        raise JobError(BAD_PARAMETERS)
    tz = current_app.config["LENTERA_TIMEZONE"]
    filters = _completion_filter(params.get("filters") or {})
    actor = context.owner
    statement = reports.completions_query(filters, tz, actor)
    ids = list(db.session.scalars(statement.with_only_columns(Enrolment.id)))
    context.progress(0, len(ids))

    def rows() -> Iterator:
        done = 0
        for start in range(0, len(ids), EXPORT_BATCH):
            batch = ids[start:start + EXPORT_BATCH]
            for row in db.session.execute(statement.where(Enrolment.id.in_(batch))):
                yield reports.CompletionRow(**row._asdict())
            done += len(batch)
            context.progress(done)  # commits: ends this batch's transaction

    columns = exports.completion_columns(tz)
    target = context.result_target(fmt)
    if fmt == "xlsx":
        exports.write_xlsx(str(target), columns, rows(), "Penyelesaian", tmpdir=str(target.parent))
    else:
        with open(target, "w", encoding="utf-8", newline="") as handle:
            for chunk in csv_export.stream_csv([c.header for c in columns], exports.csv_records(columns, rows()),
                                               delimiter):
                handle.write(chunk)
    today = datetime.now(ZoneInfo(tz)).date()
    context.finish(download_name=csv_export.csv_filename(today, "laporan-penyelesaian", fmt),
                   summary={"rows": len(ids)})


# --------------------------------------------------------------------------
# Certificates of a course or cohort
# --------------------------------------------------------------------------


def certificate_parameters(course_id: int | None, cohort_id: int | None) -> dict:
    """The JSON parameters of a bulk certificate job."""
    return {"course_id": course_id, "cohort_id": cohort_id}


def _scope(context: JobContext) -> tuple[int | None, int | None]:
    from app.catalog.models import Course
    from app.learning.models import Cohort

    course_id, cohort_id = context.params.get("course_id"), context.params.get("cohort_id")
    if course_id is None and cohort_id is None:
        raise JobError(BAD_PARAMETERS)
    if course_id is not None and db.session.get(Course, course_id) is None:
        raise JobError(SCOPE_GONE)
    if cohort_id is not None and db.session.get(Cohort, cohort_id) is None:
        raise JobError(SCOPE_GONE)
    return course_id, cohort_id


def issue_certificates(context: JobContext) -> None:
    """Issue the missing certificates of a course or cohort, one commit per certificate
    (like ``flask certificates issue``); a certificate that cannot be made is
    counted and listed, and the rest go on."""
    from app.certificates import services as certificates
    from app.learning.models import Enrolment

    course_id, cohort_id = _scope(context)
    ids = [e.id for e in certificates.missing_certificates(course_id, cohort_id)]
    owner_id = context.owner.id
    context.progress(0, len(ids))
    issued, failures = 0, []
    for done, enrolment_id in enumerate(ids, start=1):
        enrolment = db.session.get(Enrolment, enrolment_id)
        try:
            if enrolment is not None:
                certificates.issue_certificate(enrolment)
                issued += 1
        except certificates.CertificateIssueError as error:
            db.session.rollback()
            failures.append({"enrolment_id": enrolment_id, "detail": error.detail})
        context.progress(done)  # commits the certificate with the progress
    owner = db.session.get(type(context.owner), owner_id)
    record_event(owner, "certificate.bulk_issue", "cohort" if cohort_id else "course", cohort_id or course_id,
                 issued=issued, failed=len(failures), job_id=context.job_id)
    context.finish(summary={"issued": issued, "failed": len(failures),
                            "failures": failures[:MAX_LISTED_FAILURES]})


def regenerate_certificates(context: JobContext) -> None:
    """Render and re-sign the current certificates of a course or cohort (like
    ``flask certificates regenerate``), one commit per certificate."""
    from app.certificates import services as certificates
    from app.certificates.models import Certificate

    course_id, cohort_id = _scope(context)
    ids = [c.id for c in certificates.current_certificates(course_id, cohort_id)]
    owner_id = context.owner.id
    context.progress(0, len(ids))
    regenerated, changed, failures = 0, 0, []
    for done, certificate_id in enumerate(ids, start=1):
        certificate = db.session.get(Certificate, certificate_id)
        if certificate is not None:
            number = certificate.number
            try:
                loaded = certificates.resign(certificate, why="regenerate")
                db.session.flush()
                regenerated += 1
                changed += 0 if loaded.matches else 1
            except Exception as error:  # one bad row must not stop the rest (as in the CLI)
                db.session.rollback()
                failures.append({"number": number, "detail": str(error)})
        context.progress(done)
    owner = db.session.get(type(context.owner), owner_id)
    record_event(owner, "certificate.bulk_regenerate", "cohort" if cohort_id else "course",
                 cohort_id or course_id, regenerated=regenerated, failed=len(failures), job_id=context.job_id)
    context.finish(summary={"regenerated": regenerated, "changed": changed, "failed": len(failures),
                            "failures": failures[:MAX_LISTED_FAILURES]})


#: kind -> handler; the kinds are stored in ``background_jobs.kind``.
HANDLERS = {
    KIND_COMPLETION_EXPORT: export_completions,
    KIND_CERTIFICATE_ISSUE: issue_certificates,
    KIND_CERTIFICATE_REGENERATE: regenerate_certificates,
}


def submit_completion_export_if_large(actor, filters, fmt: str, delimiter: str) -> int | None:
    """Submit a completion export job when the report has more rows than
    ``LENTERA_EXPORT_JOB_THRESHOLD``; returns the job id, or ``None`` when the
    export is small enough to stream in the request. Does not commit (the
    job is dispatched when the caller commits).
    """
    from app.jobs import services
    from app.reports import services as reports

    total = reports.count_completions(filters, current_app.config["LENTERA_TIMEZONE"], actor)
    if total <= current_app.config["LENTERA_EXPORT_JOB_THRESHOLD"]:
        return None
    return services.submit(KIND_COMPLETION_EXPORT, actor, completion_export_parameters(filters, fmt, delimiter),
                           total=total).id
