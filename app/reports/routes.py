"""The completion report page and its CSV download (admins only)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context

from flask_login import current_user

from app.admin.audit import record_event
from app.auth.services import opd_choices
from app.common.access import roles_required
from app.common.web import user_error
from app.extensions import db
from app.reports import csv_export, services
from app.reports.forms import CompletionFilterForm

bp = Blueprint("reports", __name__, template_folder="templates")


def _filter_form() -> CompletionFilterForm:
    form = CompletionFilterForm(formdata=request.args)
    form.course.choices = [("", "Semua kursus")] + services.course_choices()
    form.opd.choices = [("", "Semua OPD")] + opd_choices()
    return form


def _filters(form: CompletionFilterForm) -> services.CompletionFilter:
    return services.CompletionFilter(course_id=form.course.data, opd_id=form.opd.data,
                                     date_from=form.dari.data, date_to=form.sampai.data)


@bp.route("/admin/laporan/penyelesaian")
@roles_required("admin")
def completions():
    form = _filter_form()
    if not form.validate():
        return render_template("reports/completions.html", form=form, page=None, args={}), 400
    page_no = request.args.get("page", 1, type=int) or 1
    page = services.completions_page(_filters(form), current_app.config["LENTERA_TIMEZONE"], page_no)
    if page_no > page.pages:
        abort(404)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("reports/completions.html", form=form, page=page, args=args)


@bp.route("/admin/laporan/penyelesaian.csv")
@roles_required("admin")
def completions_csv():
    form = _filter_form()
    if not form.validate():
        raise user_error(400, form.first_error())  # abort(<exception>) is refused by werkzeug 3.1
    tz_name = current_app.config["LENTERA_TIMEZONE"]
    filters = _filters(form)
    # Exports of personal data are logged before the first byte leaves.
    record_event(current_user, "report.export", "report", "completions",
                 format="csv", **{k: v for k, v in vars(filters).items() if v is not None})
    db.session.commit()
    rows = services.iter_completions(filters, tz_name)
    body = csv_export.generate_csv(rows, tz_name, form.delimiter_char)
    filename = csv_export.csv_filename(datetime.now(ZoneInfo(tz_name)).date())
    return Response(stream_with_context(body), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
