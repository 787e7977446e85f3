"""Reports for BPSDM and OPD admins (completion, JP compliance) with CSV/XLSX downloads, and the
riwayat diklat export of one ASN (for admins, and for learners themselves).

Every query is scoped by :mod:`app.admin.scope`: an OPD admin gets only the
staff of their OPD, in pages and exports alike. Every export is recorded in
the audit log before its first byte leaves.
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (Blueprint, Response, abort, current_app, redirect, render_template, request, stream_with_context,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.audit import record_event
from app.admin.scope import ADMIN_ROLES, can_see_user
from app.admin.services import opd_choices_for
from app.auth.models import User
from app.common.access import login_required, roles_required
from app.common.web import page_number, user_error
from app.extensions import db
from app.jobs import tasks as jobs
from app.reports import csv_export, exports, ledger, services
from app.reports.forms import CompletionFilterForm, LedgerFilterForm

bp = Blueprint("reports", __name__, template_folder="templates")


def _tz() -> str:
    return current_app.config["LENTERA_TIMEZONE"]


def _today():
    return datetime.now(ZoneInfo(_tz())).date()


def _page_no() -> int:
    return page_number(request.args.get("page"))


def _args() -> dict:
    return {k: v for k, v in request.args.items() if k != "page"}


def download(columns, rows, fmt: str, stem: str, delimiter: str = ",", sheet: str = "Laporan") -> Response:
    """A streamed CSV or XLSX attachment of ``rows`` with ``columns`` (see :mod:`app.reports.exports`).

    File names, sheet names and column headers stay Indonesian whatever the reader's language:
    the files are a data format that other systems (SIASN, spreadsheets of BKD) read.
    """
    filename = csv_export.csv_filename(_today(), stem, fmt)
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "xlsx":
        body = exports.xlsx_chunks(columns, rows, sheet)
        return Response(stream_with_context(body), mimetype=exports.XLSX_MIMETYPE, headers=headers)
    body = csv_export.stream_csv([c.header for c in columns], exports.csv_records(columns, rows), delimiter)
    return Response(stream_with_context(body), mimetype="text/csv", headers=headers)


def _record_export(report: str, fmt: str, **detail) -> None:
    # Exports of personal data are logged (and committed) before the first byte leaves.
    record_event(current_user, "report.export", "report", report, format=fmt, **detail)
    db.session.commit()


# --- Completion report ----------------------------------------------------------------------

def _completion_form() -> CompletionFilterForm:
    form = CompletionFilterForm(formdata=request.args)
    form.course.choices = [("", _("Semua kursus"))] + services.course_choices()
    form.cohort.choices = [("", _("Semua angkatan"))] + services.cohort_choices()
    form.opd.choices = [("", _("Semua OPD"))] + opd_choices_for(current_user)
    return form


def _completion_filters(form: CompletionFilterForm) -> services.CompletionFilter:
    return services.CompletionFilter(course_id=form.course.data, cohort_id=form.cohort.data, opd_id=form.opd.data,
                                     eselon=form.eselon.data, golongan=form.golongan.data,
                                     date_from=form.dari.data, date_to=form.sampai.data)


@bp.route("/admin/laporan/penyelesaian")
@roles_required(*ADMIN_ROLES)
def completions():
    form = _completion_form()
    if not form.validate():
        return render_template("reports/completions.html", form=form, page=None, args={}), 400
    page_no = _page_no()
    page = services.completions_page(_completion_filters(form), _tz(), current_user, page_no)
    if page_no > page.pages:
        abort(404)
    return render_template("reports/completions.html", form=form, page=page, args=_args())


def _completion_export(fmt: str) -> Response:
    form = _completion_form()
    if not form.validate():
        raise user_error(400, form.first_error())  # abort(<exception>) is refused by werkzeug 3.1
    filters = _completion_filters(form)
    # Above LENTERA_EXPORT_JOB_THRESHOLD rows the file is built by a background job (app/jobs).
    job_id = jobs.submit_completion_export_if_large(current_user, filters, fmt, form.delimiter_char)
    _record_export("completions", fmt, **filters.audit_detail(), **({"job_id": job_id} if job_id else {}))
    if job_id is not None:
        return redirect(url_for("jobs.detail", job_id=job_id))
    rows = services.iter_completions(filters, _tz(), current_user)
    return download(exports.completion_columns(_tz()), rows, fmt, "laporan-penyelesaian", form.delimiter_char,
                    "Penyelesaian")


@bp.route("/admin/laporan/penyelesaian.csv")
@roles_required(*ADMIN_ROLES)
def completions_csv():
    return _completion_export("csv")


@bp.route("/admin/laporan/penyelesaian.xlsx")
@roles_required(*ADMIN_ROLES)
def completions_xlsx():
    return _completion_export("xlsx")


# --- JP ledger / compliance report -----------------------------------------------------------

def _ledger_form() -> LedgerFilterForm:
    form = LedgerFilterForm(formdata=request.args)
    form.tahun.choices = [("", _("Tahun ini"))] + [(y, str(y)) for y in ledger.year_choices(_today())]
    form.opd.choices = [("", _("Semua OPD"))] + opd_choices_for(current_user)
    return form


def _ledger_filters(form: LedgerFilterForm) -> ledger.LedgerFilter:
    return ledger.LedgerFilter(year=form.tahun.data or _today().year, opd_id=form.opd.data, eselon=form.eselon.data,
                               golongan=form.golongan.data, employment_type=form.jenis.data,
                               status=form.status.data)


def _targets() -> ledger.JpTargets:
    return ledger.JpTargets.from_config(current_app.config)


@bp.route("/admin/laporan/jp")
@roles_required(*ADMIN_ROLES)
def jp():
    form = _ledger_form()
    if not form.validate():
        return render_template("reports/jp.html", form=form, page=None, opds=[], filters=None, args={}), 400
    filters = _ledger_filters(form)
    page_no = _page_no()
    page = ledger.ledger_page(filters, _tz(), _targets(), current_user, page_no)
    if page_no > page.pages:
        abort(404)
    opds = ledger.opd_compliance(filters, _tz(), _targets(), current_user)
    return render_template("reports/jp.html", form=form, page=page, opds=opds, filters=filters, targets=_targets(),
                           args=_args())


def _ledger_export(fmt: str, per_opd: bool) -> Response:
    form = _ledger_form()
    if not form.validate():
        raise user_error(400, form.first_error())
    filters = _ledger_filters(form)
    _record_export("jp_opd" if per_opd else "jp", fmt, **filters.audit_detail())
    if per_opd:
        rows = ledger.opd_compliance(filters, _tz(), _targets(), current_user)
        return download(exports.opd_compliance_columns(filters.year), rows, fmt, f"kepatuhan-jp-opd-{filters.year}",
                        form.delimiter_char, "Kepatuhan JP per OPD")
    rows = ledger.iter_ledger(filters, _tz(), _targets(), current_user)
    return download(exports.ledger_columns(filters.year), rows, fmt, f"kepatuhan-jp-asn-{filters.year}",
                    form.delimiter_char, "Kepatuhan JP per ASN")


@bp.route("/admin/laporan/jp.csv")
@roles_required(*ADMIN_ROLES)
def jp_csv():
    return _ledger_export("csv", per_opd=False)


@bp.route("/admin/laporan/jp.xlsx")
@roles_required(*ADMIN_ROLES)
def jp_xlsx():
    return _ledger_export("xlsx", per_opd=False)


@bp.route("/admin/laporan/jp-opd.csv")
@roles_required(*ADMIN_ROLES)
def jp_opd_csv():
    return _ledger_export("csv", per_opd=True)


@bp.route("/admin/laporan/jp-opd.xlsx")
@roles_required(*ADMIN_ROLES)
def jp_opd_xlsx():
    return _ledger_export("xlsx", per_opd=True)


# --- Riwayat diklat of one ASN -------------------------------------------------------------------

def _riwayat(user: User, fmt: str) -> Response:
    year = request.args.get("tahun", type=int)
    if year is not None and not 1900 <= year <= 9998:
        raise user_error(400, _("Tahun tidak valid."))
    delimiter = ";" if request.args.get("delimiter") == "semicolon" else ","
    _record_export("riwayat_diklat", fmt, user_id=user.id, **({"year": year} if year else {}))
    rows = ledger.riwayat_rows(user.id, year, _tz())
    stem = f"riwayat-diklat-{user.nip or user.id}"
    columns = exports.riwayat_columns(_tz(), current_app.config["LENTERA_INSTITUTION"])
    return download(columns, rows, fmt, stem, delimiter, "Riwayat Diklat")


@bp.route("/admin/peserta/<int:user_id>/riwayat-diklat.<any(csv, xlsx):fmt>")
@roles_required(*ADMIN_ROLES)
def riwayat(user_id: int, fmt: str):
    user = db.get_or_404(User, user_id)
    if not can_see_user(current_user, user):
        abort(404)  # another OPD's staff: not revealed to exist
    return _riwayat(user, fmt)


@bp.route("/saya/riwayat-diklat.<any(csv, xlsx):fmt>")
@login_required
def my_riwayat(fmt: str):
    return _riwayat(current_user, fmt)
