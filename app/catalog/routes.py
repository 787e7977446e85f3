"""Catalogue pages: the list of published courses and a course's page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user

from app.catalog import services
from app.common.access import public
from app.common.markdown import render_markdown
from app.learning import services as learning

bp = Blueprint("catalog", __name__, template_folder="templates")

CERTIFICATE_ENDPOINT = "certificates.download"


def certificate_links_enabled() -> bool:
    """Whether the certificate download page exists, so templates may link to it."""
    return CERTIFICATE_ENDPOINT in current_app.view_functions


@bp.route("/")
@public
def index():
    return render_template("catalog/index.html", entries=services.catalog_entries(current_user),
                           markdown=render_markdown)


@bp.route("/kursus/<slug>")
@public
def course(slug: str):
    view = services.open_course(slug, current_user)
    if view is None:
        abort(404)
    course, enrolment = view.course, view.enrolment
    outline = services.course_outline(view.outline, enrolment)
    progress = services.outline_progress(outline) if enrolment else None
    certificate = learning.certificate_for(enrolment) if enrolment and enrolment.completed_at else None
    return render_template(
        "catalog/course.html",
        course=course,
        enrolment=enrolment,
        outline=outline,
        progress=progress,
        resume=services.resume_target(outline) if enrolment else None,
        certificate=certificate,
        certificate_links=certificate_links_enabled(),
        is_staff=learning.is_staff(current_user),
        markdown=render_markdown,
    )
