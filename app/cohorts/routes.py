"""Roster import pages (BPSDM admin) and cohort pages (BPSDM admin and OPD admin).

Thin routes: forms parse, :mod:`app.admin.roster` and :mod:`app.learning.cohorts`
hold the rules, one commit per state-changing request. OPD admins see and
enrol only the staff of their OPD (:mod:`app.admin.scope`).
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.admin import roster
from app.admin.audit import record_event
from app.admin.scope import visible_opds
from app.auth.models import ROLE_ADMIN, ROLE_OPD_ADMIN, Opd
from app.catalog.models import Course
from app.cohorts.forms import (
    CohortForm,
    ConfirmForm,
    EnrolListForm,
    EnrolmentModeForm,
    EnrolPickForm,
    EnrolRuleForm,
    UploadForm,
)
from app.certificates.layout import template_names
from app.certificates.services import template_root
from app.common.access import roles_required
from app.common.web import user_error
from app.extensions import db
from app.learning import cohorts as services
from app.learning.models import Cohort
from app.learning.services import ENROLMENT_MODES

bp = Blueprint("cohorts", __name__, template_folder="templates")

COHORT_ROLES = (ROLE_ADMIN, ROLE_OPD_ADMIN)
MSG_UPLOAD_GONE = _l("Berkas unggahan ini tidak ditemukan atau sudah diproses; unggah ulang berkasnya.")
MSG_PLAN_CHANGED = _l("Data pengguna berubah sejak pratinjau dibuat. Periksa pratinjau terbaru lalu konfirmasi lagi.")
MSG_HAS_ERRORS = _l("Masih ada kesalahan di berkas; perbaiki lalu unggah ulang. Tidak ada yang disimpan.")
MSG_FORM_INVALID = _l("Formulir tidak sah; muat ulang halaman lalu coba lagi.")


def _data_dir() -> str:
    return current_app.config["LENTERA_DATA_DIR"]


def _tz() -> str:
    return current_app.config["LENTERA_TIMEZONE"]


# --- Roster import ---------------------------------------------------------------------------------

@bp.route("/admin/roster", methods=["GET", "POST"])
@roles_required(ROLE_ADMIN)
def roster_upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("cohorts/roster_upload.html", form=form, columns=roster.COLUMN_LABELS,
                               required=[roster.COLUMN_LABELS[c] for c in roster.REQUIRED_COLUMNS]), \
            400 if form.is_submitted() else 200
    upload = form.file.data
    token = None
    try:
        token = roster.store_upload(_data_dir(), upload.stream, upload.filename)
        plan = roster.plan_file(roster.stored_upload(_data_dir(), token))
    except roster.RosterFileError as error:
        db.session.rollback()
        if token is not None:
            roster.discard_upload(_data_dir(), token)
        form.file.errors = [roster.translated(error.msgid, error.params)]
        return render_template("cohorts/roster_upload.html", form=form, columns=roster.COLUMN_LABELS,
                               required=[roster.COLUMN_LABELS[c] for c in roster.REQUIRED_COLUMNS]), 400
    roster.save_meta(_data_dir(), token, roster.plan_meta(plan, actor_id=current_user.id, filename=upload.filename))
    db.session.rollback()  # a dry run writes nothing
    return redirect(url_for("cohorts.roster_preview", token=token))


def _roster_meta(token: str) -> dict:
    meta = roster.load_meta(_data_dir(), token)
    if meta is None or meta.get("actor_id") != current_user.id:
        raise user_error(404, str(MSG_UPLOAD_GONE))
    return meta


@bp.route("/admin/roster/<token>")
@roles_required(ROLE_ADMIN)
def roster_preview(token: str):
    meta = _roster_meta(token)
    return render_template("cohorts/roster_preview.html", meta=meta, token=token, form=ConfirmForm(),
                           translate=roster.translated)


@bp.route("/admin/roster/<token>/konfirmasi", methods=["POST"])
@roles_required(ROLE_ADMIN)
def roster_confirm(token: str):
    meta = _roster_meta(token)
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise user_error(400, str(MSG_FORM_INVALID))
    try:
        plan = roster.plan_file(roster.stored_upload(_data_dir(), token))
    except roster.RosterFileError as error:
        raise user_error(400, roster.translated(error.msgid, error.params)) from None
    if not plan.ok:
        db.session.rollback()
        flash(str(MSG_HAS_ERRORS), "error")
        return redirect(url_for("cohorts.roster_preview", token=token))
    if plan.digest() != meta["digest"]:
        db.session.rollback()
        roster.save_meta(_data_dir(), token, roster.plan_meta(plan, actor_id=current_user.id,
                                                              filename=meta["filename"]))
        flash(str(MSG_PLAN_CHANGED), "error")
        return redirect(url_for("cohorts.roster_preview", token=token))
    try:
        result = roster.apply_import(plan)
        record_event(current_user, "roster.import", "roster", token, file=meta["filename"], rows=len(plan.rows),
                     created=result.created, updated=result.updated, unchanged=result.unchanged)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(str(MSG_PLAN_CHANGED), "error")
        return redirect(url_for("cohorts.roster_preview", token=token))
    roster.discard_upload(_data_dir(), token)
    flash(_("Impor selesai: %(created)s akun dibuat, %(updated)s diperbarui, %(unchanged)s tidak berubah.",
            created=result.created, updated=result.updated, unchanged=result.unchanged), "success")
    return redirect(url_for("cohorts.roster_upload"))


# --- Cohorts ---------------------------------------------------------------------------------------

def _template_choices() -> list[tuple[str, str]]:
    return [("", _("Ikuti templat kursus"))] + [(name, name) for name in template_names(template_root())]


def _course_choices() -> list[tuple[int, str]]:
    return [(c.id, c.title) for c in db.session.scalars(select(Course).order_by(Course.title, Course.id))]


def _cohort_data(form: CohortForm) -> services.CohortData:
    return services.CohortData(course_id=form.course_id.data, name=form.name.data, starts_on=form.starts_on.data,
                               ends_on=form.ends_on.data, certificate_template=form.certificate_template.data or None)


def _show_errors(form, error: services.CohortError) -> None:
    for name, message in error.field_errors.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]


@bp.route("/admin/angkatan")
@roles_required(*COHORT_ROLES)
def cohort_list():
    return render_template("cohorts/list.html", rows=services.cohort_rows(current_user),
                           pending=len(services.pending_requests(current_user)))


@bp.route("/admin/angkatan/baru", methods=["GET", "POST"])
@roles_required(*COHORT_ROLES)
def cohort_new():
    form = CohortForm()
    form.course_id.choices = _course_choices()
    form.certificate_template.choices = _template_choices()
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(_cohort_data(form), current_user)
        except services.CohortError as error:
            db.session.rollback()
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(_("Angkatan %(name)s dibuat.", name=cohort.name), "success")
            return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None), 400 if form.is_submitted() else 200


@bp.route("/admin/angkatan/<int:cohort_id>/ubah", methods=["GET", "POST"])
@roles_required(*COHORT_ROLES)
def cohort_edit(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = CohortForm(obj=cohort)
    form.course_id.choices = _course_choices()
    form.certificate_template.choices = _template_choices()
    if form.certificate_template.data is None:  # no template stored: the "follow the course" choice
        form.certificate_template.data = ""
    if form.validate_on_submit():
        try:
            services.update_cohort(cohort, _cohort_data(form), current_user)
        except services.CohortError as error:
            db.session.rollback()
            _show_errors(form, error)
        else:
            db.session.commit()
            flash(_("Angkatan %(name)s disimpan.", name=cohort.name), "success")
            return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort), 400 if form.is_submitted() else 200


@bp.route("/admin/angkatan/<int:cohort_id>")
@roles_required(*COHORT_ROLES)
def cohort_detail(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    report = services.cohort_report(cohort, current_user, _tz())
    return render_template("cohorts/detail.html", cohort=cohort, report=report, labels=services.OUTCOME_LABELS,
                           form=ConfirmForm())


def _rule_form() -> EnrolRuleForm:
    form = EnrolRuleForm()
    opds = db.session.scalars(select(Opd).where(visible_opds(current_user)).order_by(Opd.name))
    form.opd_id.choices = [("", _("Semua OPD"))] + [(o.id, o.name) for o in opds]
    return form


def _enrol_page(cohort, *, list_form=None, rule_form=None, upload_form=None, pick_form=None, found=None,
                query="", preview=None, status=200):
    return render_template(
        "cohorts/enrol.html", cohort=cohort, list_form=list_form or EnrolListForm(formdata=None),
        rule_form=rule_form or _rule_form(), upload_form=upload_form or UploadForm(formdata=None),
        pick_form=pick_form or EnrolPickForm(formdata=None), found=found, query=query,
        limit=services.SEARCH_LIMIT, preview=preview), status


def _preview(plan: services.EnrolPlan, method: str, *, token: str | None = None, problems=()) -> dict:
    named = services.users_by_ids(plan.new + plan.join)
    return {"plan": plan, "method": method, "token": token, "problems": list(problems),
            "people": [named[i] for i in (plan.new + plan.join)[:200] if i in named]}


@bp.route("/admin/angkatan/<int:cohort_id>/daftarkan")
@roles_required(*COHORT_ROLES)
def cohort_enrol(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    query = request.args.get("q", "", type=str)[:100]
    found = services.search_users(current_user, query) if query.strip() else None
    return _enrol_page(cohort, found=found, query=query)


@bp.route("/admin/angkatan/<int:cohort_id>/daftarkan/pilih", methods=["POST"])
@roles_required(*COHORT_ROLES)
def cohort_enrol_pick(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = EnrolPickForm()
    chosen = services.visible_users_by_ids(current_user, form.user_ids.data or [])
    form.user_ids.choices = [(u.id, u.display_name) for u in chosen]
    if not form.validate_on_submit():
        return _enrol_page(cohort, pick_form=form, found=chosen, status=400)
    plan = services.plan_enrolment(cohort, services.Selection(user_ids=[u.id for u in chosen]))
    if form.confirm.data:
        return _finish_enrol(cohort, plan, "pick")
    return _enrol_page(cohort, pick_form=form, found=chosen, preview=_preview(plan, "pick"))


def _finish_enrol(cohort, plan, method: str, **detail):
    count = services.apply_enrolment(cohort, plan, current_user, method, **detail)
    db.session.commit()
    flash(_("%(count)s peserta didaftarkan ke angkatan %(name)s.", count=count, name=cohort.name), "success")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))


@bp.route("/admin/angkatan/<int:cohort_id>/daftarkan/daftar", methods=["POST"])
@roles_required(*COHORT_ROLES)
def cohort_enrol_list(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = EnrolListForm()
    if not form.validate_on_submit():
        return _enrol_page(cohort, list_form=form, status=400)
    identifiers = services.split_identifiers(form.identifiers.data)
    plan = services.plan_enrolment(cohort, services.select_by_identifiers(identifiers, current_user))
    if form.confirm.data:
        return _finish_enrol(cohort, plan, "list", identifiers=len(identifiers))
    return _enrol_page(cohort, list_form=form, preview=_preview(plan, "list"))


@bp.route("/admin/angkatan/<int:cohort_id>/daftarkan/aturan", methods=["POST"])
@roles_required(*COHORT_ROLES)
def cohort_enrol_rule(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = _rule_form()
    if not form.validate_on_submit():
        return _enrol_page(cohort, rule_form=form, status=400)
    rule = services.EnrolRule(opd_id=form.opd_id.data, eselon=tuple(form.eselon.data or ()),
                              golongan=tuple(form.golongan.data or ()),
                              employment_type=form.employment_type.data or None)
    plan = services.plan_enrolment(cohort, services.select_by_rule(rule, current_user))
    if form.confirm.data:
        return _finish_enrol(cohort, plan, "rule", rule=rule.describe())
    return _enrol_page(cohort, rule_form=form, preview=_preview(plan, "rule"))


@bp.route("/admin/angkatan/<int:cohort_id>/daftarkan/unggah", methods=["POST"])
@roles_required(*COHORT_ROLES)
def cohort_enrol_upload(cohort_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _enrol_page(cohort, upload_form=form, status=400)
    token = None
    try:
        token = roster.store_upload(_data_dir(), form.file.data.stream, form.file.data.filename)
        identifiers, problems = services.identifiers_from_file(roster.stored_upload(_data_dir(), token))
    except roster.RosterFileError as error:
        if token is not None:
            roster.discard_upload(_data_dir(), token)
        form.file.errors = [roster.translated(error.msgid, error.params)]
        return _enrol_page(cohort, upload_form=form, status=400)
    roster.save_meta(_data_dir(), token, {"actor_id": current_user.id, "cohort_id": cohort.id,
                                          "filename": form.file.data.filename})
    plan = services.plan_enrolment(cohort, services.select_by_identifiers(identifiers, current_user))
    return _enrol_page(cohort, upload_form=form, preview=_preview(plan, "upload", token=token, problems=problems))


@bp.route("/admin/angkatan/<int:cohort_id>/daftarkan/unggah/<token>", methods=["POST"])
@roles_required(*COHORT_ROLES)
def cohort_enrol_upload_confirm(cohort_id: int, token: str):
    cohort = db.get_or_404(Cohort, cohort_id)
    meta = roster.load_meta(_data_dir(), token)
    if meta is None or meta.get("actor_id") != current_user.id or meta.get("cohort_id") != cohort.id:
        raise user_error(404, str(MSG_UPLOAD_GONE))
    if not ConfirmForm().validate_on_submit():
        raise user_error(400, str(MSG_FORM_INVALID))
    identifiers, _problems = services.identifiers_from_file(roster.stored_upload(_data_dir(), token))
    plan = services.plan_enrolment(cohort, services.select_by_identifiers(identifiers, current_user))
    response = _finish_enrol(cohort, plan, "upload", file=meta["filename"])
    roster.discard_upload(_data_dir(), token)
    return response


@bp.route("/admin/angkatan/<int:cohort_id>/peserta/<int:enrolment_id>/keluarkan", methods=["POST"])
@roles_required(*COHORT_ROLES)
def cohort_remove(cohort_id: int, enrolment_id: int):
    cohort = db.get_or_404(Cohort, cohort_id)
    enrolment = services.visible_member(cohort, enrolment_id, current_user)
    if enrolment is None:
        raise user_error(404, _("Peserta ini tidak ada di angkatan tersebut."))
    if not ConfirmForm().validate_on_submit():
        raise user_error(400, str(MSG_FORM_INVALID))
    services.remove_member(cohort, enrolment, current_user)
    db.session.commit()
    flash(_("%(name)s dikeluarkan dari angkatan %(cohort)s; kemajuannya tetap tersimpan.",
            name=enrolment.user.display_name, cohort=cohort.name), "success")
    return redirect(url_for("cohorts.cohort_detail", cohort_id=cohort.id))


# --- Self-enrolment requests and modes -------------------------------------------------------------

@bp.route("/admin/persetujuan")
@roles_required(*COHORT_ROLES)
def requests():
    return render_template("cohorts/requests.html", requests=services.pending_requests(current_user),
                           form=ConfirmForm())


@bp.route("/admin/persetujuan/<int:enrolment_id>/<any(setujui, tolak):decision>", methods=["POST"])
@roles_required(*COHORT_ROLES)
def decide(enrolment_id: int, decision: str):
    enrolment = services.visible_request(enrolment_id, current_user)
    if enrolment is None:
        raise user_error(404, _("Permintaan ini tidak ditemukan atau sudah diputuskan."))
    if not ConfirmForm().validate_on_submit():
        raise user_error(400, str(MSG_FORM_INVALID))
    approve = decision == "setujui"
    services.decide_request(enrolment, approve, current_user)
    db.session.commit()
    message = (_("Permintaan %(name)s untuk %(course)s disetujui.", name=enrolment.user.display_name,
                 course=enrolment.course.title) if approve else
               _("Permintaan %(name)s untuk %(course)s ditolak.", name=enrolment.user.display_name,
                 course=enrolment.course.title))
    flash(message, "success")
    return redirect(url_for("cohorts.requests"))


@bp.route("/admin/kursus/pendaftaran")
@roles_required(ROLE_ADMIN)
def enrolment_modes():
    courses = list(db.session.scalars(select(Course).order_by(Course.title, Course.id)))
    forms = {c.id: EnrolmentModeForm(formdata=None, enrolment_mode=c.enrolment_mode) for c in courses}
    return render_template("cohorts/modes.html", courses=courses, forms=forms, labels=ENROLMENT_MODES)


@bp.route("/admin/kursus/<int:course_id>/pendaftaran", methods=["POST"])
@roles_required(ROLE_ADMIN)
def set_enrolment_mode(course_id: int):
    course = db.get_or_404(Course, course_id)
    form = EnrolmentModeForm()
    if not form.validate_on_submit():
        raise user_error(400, _("Mode pendaftaran tidak dikenal."))
    services.set_enrolment_mode(course, form.enrolment_mode.data, current_user)
    db.session.commit()
    flash(_("Pendaftaran mandiri kursus %(title)s: %(mode)s.", title=course.title,
            mode=ENROLMENT_MODES[course.enrolment_mode]), "success")
    return redirect(url_for("cohorts.enrolment_modes"))
