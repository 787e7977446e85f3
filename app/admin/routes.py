"""Admin pages (dashboard, users, role changes, audit log) and trainer pages (own courses, learner progress).

BPSDM admins see everything; OPD admins see only the staff of their OPD
(:mod:`app.admin.scope`); role changes and the audit log are BPSDM-only.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _
from flask_login import current_user

from app.admin import audit_log, services
from app.admin.audit import record_event
from app.admin.forms import RoleForm, UserFilterForm
from app.admin.scope import ADMIN_ROLES, can_see_user, is_bpsdm_admin
from app.auth.models import ROLE_ADMIN, ROLE_LABELS, User
from app.catalog.models import Course
from app.common.access import roles_required
from app.common.web import page_number, user_error
from app.extensions import db
from app.reports import charts, exports, ledger
from app.reports.dashboard import dashboard
from app.reports.forms import AuditFilterForm
from app.reports.routes import download

bp = Blueprint("admin", __name__, template_folder="templates")


def _page_arg() -> int:
    return page_number(request.args.get("page"))


def _tz() -> str:
    return current_app.config["LENTERA_TIMEZONE"]


def _today():
    return datetime.now(ZoneInfo(_tz())).date()


def _locale() -> str:
    return str(get_locale() or "id")


@bp.route("/admin")
@roles_required(*ADMIN_ROLES)
def index():
    board = dashboard(current_user, _tz(), ledger.JpTargets.from_config(current_app.config), _today())
    jp_lines = [line for line in board.jp_by_opd if not line.is_total]
    svg = {
        "opd": charts.bar_chart("grafik-opd", _("Penyelesaian kursus per OPD"),
                                _("Persentase pendaftaran kursus yang sudah selesai, per OPD."),
                                charts.completion_bars(board.by_opd), scale=100),
        "course": charts.bar_chart("grafik-kursus", _("Penyelesaian per kursus"),
                                   _("Persentase pendaftaran yang sudah selesai, per kursus."),
                                   charts.completion_bars(board.by_course), scale=100),
        "month": charts.column_chart("grafik-bulan", _("Kursus diselesaikan per bulan"),
                                     _("Jumlah penyelesaian kursus dalam 12 bulan terakhir."),
                                     [m.label_in(_locale(), short=True) for m in board.by_month],
                                     [m.completed for m in board.by_month]),
        "jp": charts.bar_chart("grafik-jp", _("Kepatuhan JP per OPD tahun %(year)s", year=board.year),
                               _("Persentase ASN yang sudah memenuhi target JP tahunan, per OPD."),
                               charts.compliance_bars(jp_lines), scale=100, colour=charts.MET_COLOUR),
    }
    return render_template("admin/index.html", summary=services.summary(current_user), board=board, svg=svg,
                           bpsdm=is_bpsdm_admin(current_user))


@bp.route("/admin/peserta")
@roles_required(*ADMIN_ROLES)
def learners():
    form = UserFilterForm(formdata=request.args)
    form.opd.choices = [("", _("Semua OPD"))] + services.opd_choices_for(current_user)
    form.peran.choices = [("", _("Semua peran"))] + services.role_choices()
    if not form.validate():
        return render_template("admin/learners.html", form=form, pagination=None, stats={}, year=_today().year,
                               args={}), 400
    page = _page_arg()
    pagination, stats = services.learner_page(current_user, form.q.data, form.opd.data, page, _tz(),
                                              role=form.peran.data or None)
    if page > 1 and not pagination.items:
        abort(404)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/learners.html", form=form, pagination=pagination, stats=stats,
                           year=_today().year, args=args)


def _visible_user_or_404(user_id: int) -> User:
    user = db.get_or_404(User, user_id)
    if not can_see_user(current_user, user):
        abort(404)  # another OPD's staff: not revealed to exist
    return user


def _role_form(user: User, formdata=None) -> RoleForm:
    form = RoleForm(formdata=formdata, data={"role": user.role, "opd": user.opd_id})
    form.role.choices = services.role_choices()
    form.opd.choices = [("", _("Tidak berubah"))] + services.opd_choices_for(current_user)
    return form


def _learner_page(user: User, role_form: RoleForm | None, status: int = 200):
    year = _today().year
    rows = ledger.riwayat_rows(user.id, year, _tz())
    return render_template(
        "admin/learner.html", user=user, lines=services.learner_enrolments(user), year=year,
        jp_year=sum((r.jp for r in rows), start=Decimal(0)),
        jp_target=ledger.JpTargets.from_config(current_app.config).for_type(user.employment_type),
        role_form=role_form,
    ), status


@bp.route("/admin/peserta/<int:user_id>")
@roles_required(*ADMIN_ROLES)
def learner(user_id: int):
    user = _visible_user_or_404(user_id)
    role_form = _role_form(user) if is_bpsdm_admin(current_user) else None
    return _learner_page(user, role_form)


@bp.route("/admin/peserta/<int:user_id>/peran", methods=["POST"])
@roles_required(ROLE_ADMIN)
def change_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = _role_form(user, request.form)
    if not form.validate():
        return _learner_page(user, form, 400)
    try:
        changed = services.change_role(current_user, user, form.role.data, form.opd.data)
    except services.RoleChangeError as error:
        db.session.rollback()
        form.role.errors.append(_(str(error)))
        return _learner_page(user, form, 400)
    db.session.commit()
    if changed:
        flash(_("Peran %(name)s sekarang %(role)s.", name=user.display_name, role=_(ROLE_LABELS[user.role])), "success")
    else:
        flash(_("Tidak ada perubahan peran."), "info")
    return redirect(url_for("admin.learner", user_id=user.id))


# --- Audit log (BPSDM admins only) ------------------------------------------------------------

def _audit_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args)
    form.aksi.choices = [("", _("Semua aksi"))] + [(a, a) for a in audit_log.action_choices()]
    return form


def _audit_filters(form: AuditFilterForm) -> audit_log.AuditFilter:
    return audit_log.AuditFilter(action=form.aksi.data, actor=form.pelaku.data or None,
                                 date_from=form.dari.data, date_to=form.sampai.data)


@bp.route("/admin/audit")
@roles_required(ROLE_ADMIN)
def audit():
    form = _audit_form()
    if not form.validate():
        return render_template("admin/audit.html", form=form, pagination=None, args={}), 400
    page = _page_arg()
    pagination = audit_log.audit_page(_audit_filters(form), _tz(), page)
    if page > 1 and not pagination.items:
        abort(404)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/audit.html", form=form, pagination=pagination, args=args,
                           detail_text=exports.detail_text)


@bp.route("/admin/audit.<any(csv, xlsx):fmt>")
@roles_required(ROLE_ADMIN)
def audit_export(fmt: str):
    form = _audit_form()
    if not form.validate():
        raise user_error(400, form.first_error())
    filters = _audit_filters(form)
    record_event(current_user, "report.export", "report", "audit", format=fmt, **filters.audit_detail())
    db.session.commit()
    return download(exports.audit_columns(_tz()), audit_log.iter_audit(filters, _tz()), fmt, "log-audit",
                    form.delimiter_char, "Log Audit")  # sheet name: part of the export format, stays Indonesian


# --- Trainer area -----------------------------------------------------------------------------

@bp.route("/pengajar")
@roles_required("trainer", "admin")
def trainer_index():
    return render_template("admin/trainer_index.html", courses=services.trainer_courses(current_user))


@bp.route("/pengajar/kursus/<int:course_id>")
@roles_required("trainer", "admin")
def trainer_course(course_id: int):
    course = db.get_or_404(Course, course_id)
    if not services.can_view_course(current_user, course):
        abort(404)  # another trainer's course: not revealed to exist
    page = _page_arg()
    pagination, lines = services.course_learners(course, page)
    if page > 1 and not lines:
        abort(404)
    return render_template("admin/trainer_course.html", course=course, pagination=pagination, lines=lines)

