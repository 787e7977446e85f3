"""Admin pages (learners, overview) and trainer pages (own courses, learner progress)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from app.admin import services
from app.admin.forms import LearnerFilterForm
from app.auth.models import User
from app.auth.services import opd_choices
from app.catalog.models import Course
from app.common.access import roles_required
from app.extensions import db
from app.learning.services import jp_earned

bp = Blueprint("admin", __name__, template_folder="templates")


def _page_arg() -> int:
    page = request.args.get("page", 1, type=int)
    return page if page and page > 0 else 1


def _this_year() -> int:
    return datetime.now(ZoneInfo(current_app.config["LENTERA_TIMEZONE"])).year


@bp.route("/admin")
@roles_required("admin")
def index():
    return render_template("admin/index.html", summary=services.summary())


@bp.route("/admin/peserta")
@roles_required("admin")
def learners():
    form = LearnerFilterForm(formdata=request.args)
    form.opd.choices = [("", "Semua OPD")] + opd_choices()
    if not form.validate():
        return render_template("admin/learners.html", form=form, pagination=None, stats={}, year=_this_year(),
                               args={}), 400
    page = _page_arg()
    pagination, stats = services.learner_page(form.q.data, form.opd.data, page,
                                              current_app.config["LENTERA_TIMEZONE"])
    if page > 1 and not pagination.items:
        abort(404)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("admin/learners.html", form=form, pagination=pagination, stats=stats,
                           year=_this_year(), args=args)


@bp.route("/admin/peserta/<int:user_id>")
@roles_required("admin")
def learner(user_id: int):
    user = db.get_or_404(User, user_id)
    year = _this_year()
    return render_template("admin/learner.html", user=user, lines=services.learner_enrolments(user), year=year,
                           jp_year=jp_earned(user, year, current_app.config["LENTERA_TIMEZONE"]),
                           jp_target=current_app.config["LENTERA_JP_TARGET_PNS"])


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
