"""Trainer pages for authoring courses (under /pengajar/susun) and the files they serve.

Every page loads the course first and answers 404 when the signed-in user
may not edit it (another trainer's course is not revealed to exist). Routes
parse forms, call :mod:`app.authoring.services`, commit once, redirect.
Stored files are removed only after the commit that stops referring to them.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user

from app.assessment import question_types
from app.assessment.models import Question
from app.auth.models import User
from app.authoring import files, services
from app.authoring.forms import (AttachmentForm, CourseForm, LessonForm, ModuleForm, MoveForm, PreviewForm,
                                 QuizForm, TrainerForm)
from app.authoring.question_forms import ADD_ROWS_BUTTON, EDITABLE_TYPES, QuestionForm
from app.authoring.video import VideoError, parse_video_url, video_of
from app.catalog.importer import IMPORT_ACTION, IMPORT_LABEL
from app.jobs.models import KIND_CERTIFICATE_ISSUE, KIND_CERTIFICATE_REGENERATE, KIND_LABELS
from app.catalog.models import Attachment, Course, Lesson, Module
from app.certificates.layout import template_names
from app.certificates.services import template_root
from app.common.access import login_required, public, roles_required
from app.common.markdown import render_markdown
from app.common.web import user_error
from app.extensions import db

bp = Blueprint("authoring", __name__, template_folder="templates")

STAFF = ("trainer", "admin")
INVALID = _l("Periksa kembali isian yang ditandai.")
# Lazy: the history page shows them in the reader's language.
ACTION_LABELS = {
    "course.create": _l("Kursus dibuat"), "course.update": _l("Data kursus diubah"),
    "course.publish": _l("Kursus diterbitkan"), "course.unpublish": _l("Kursus dikembalikan ke draf"),
    "course.cover": _l("Gambar sampul diubah"), "course.trainer_add": _l("Pengajar ditambahkan"),
    "course.trainer_remove": _l("Pengajar dihapus"), "course.export": _l("Kursus diekspor"),
    "module.create": _l("Modul ditambahkan"), "module.update": _l("Modul diubah"),
    "module.delete": _l("Modul dihapus"), "module.move": _l("Urutan modul diubah"),
    "lesson.create": _l("Pelajaran ditambahkan"), "lesson.update": _l("Pelajaran diubah"),
    "lesson.delete": _l("Pelajaran dihapus"), "lesson.move": _l("Urutan pelajaran diubah"),
    "attachment.add": _l("Lampiran ditambahkan"), "attachment.delete": _l("Lampiran dihapus"),
    "quiz.create": _l("Kuis dibuat"), "quiz.update": _l("Kuis diubah"), "quiz.delete": _l("Kuis dihapus"),
    "question.create": _l("Pertanyaan ditambahkan"), "question.update": _l("Pertanyaan diubah"),
    "question.delete": _l("Pertanyaan dihapus"), "question.move": _l("Urutan pertanyaan diubah"),
    IMPORT_ACTION: IMPORT_LABEL,  # `flask courses import`; translated in the catalog area's catalogue
    # Recorded on the course by other areas: bulk certificate jobs, the ZIP download, cohort settings.
    "certificate.bulk_issue": KIND_LABELS[KIND_CERTIFICATE_ISSUE],
    "certificate.bulk_regenerate": KIND_LABELS[KIND_CERTIFICATE_REGENERATE],
    "certificate.zip": _l("Sertifikat diunduh dalam satu berkas ZIP"),
    "course.enrolment_mode": _l("Cara pendaftaran diubah"),
}

#: Names of the changed fields on the history page (the audit log stores the column names).
FIELD_LABELS = {
    "title": _l("judul"), "summary": _l("ringkasan"), "audience": _l("sasaran peserta"), "jp": _l("kredit JP"),
    "pass_mark": _l("nilai lulus"), "version": _l("versi"), "enrolment_mode": _l("pendaftaran"),
    "certificate_template": _l("templat sertifikat kursus"), "certificate_validity_months": _l("masa berlaku sertifikat"),
    "body_md": _l("isi"), "minutes": _l("durasi"), "is_required": _l("wajib"), "video_url": _l("video"),
    "type": _l("jenis"), "text": _l("teks"), "explanation": _l("penjelasan"), "points": _l("poin"),
    "settings": _l("pengaturan jenis soal"), "choices": _l("pilihan"),
}


# ---------------------------------------------------------------------------
# Loading with access checks


def _course(course_id: int) -> Course:
    course = db.get_or_404(Course, course_id)
    if not services.can_edit(current_user, course):
        abort(404)
    return course


def _module(course: Course, module_id: int) -> Module:
    module = db.get_or_404(Module, module_id)
    if module.course_id != course.id:
        abort(404)
    return module


def _lesson(course: Course, lesson_id: int) -> Lesson:
    lesson = db.get_or_404(Lesson, lesson_id)
    if lesson.module.course_id != course.id:
        abort(404)
    return lesson


def _question(course: Course, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.quiz.module.course_id != course.id:
        abort(404)
    return question


def _data_dir() -> str:
    return current_app.config["LENTERA_DATA_DIR"]


def _max_bytes() -> int:
    return int(current_app.config.get("LENTERA_ATTACHMENT_MAX_BYTES") or files.DEFAULT_MAX_BYTES)


def _commit_then_remove(stored_names) -> None:
    db.session.commit()
    for name in stored_names:
        files.remove_stored(_data_dir(), name)


def _field_error(form, error: services.AuthoringError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = list(target.errors) + [str(error)]
    else:
        flash(str(error), "error")


def _direction() -> str:
    form = MoveForm()
    if not form.validate() or form.direction.data not in (services.UP, services.DOWN):
        abort(400)
    return form.direction.data


# ---------------------------------------------------------------------------
# Courses


@bp.route("/pengajar/susun")
@roles_required(*STAFF)
def index():
    return render_template("authoring/index.html", courses=services.editable_courses(current_user))


def _course_data(form: CourseForm) -> services.CourseData:
    return services.CourseData(title=form.title.data, summary=form.summary.data or "",
                               audience=form.audience.data or "", jp=form.jp.number,
                               pass_mark=form.pass_mark.number, version=form.version.data,
                               slug=form.slug.data or "", enrolment_mode=form.enrolment_mode.data,
                               certificate_template=form.certificate_template.data or None,
                               certificate_validity_months=form.certificate_validity_months.data)


def _course_form(**kwargs) -> CourseForm:
    form = CourseForm(**kwargs)
    form.certificate_template.choices = [("", _("Bawaan (default)"))] + [
        (name, name) for name in template_names(template_root()) if name != "default"]
    return form


def _store_cover(form: CourseForm):
    """The stored cover from the form, ``None`` when none was sent; sets a field error and returns False if refused."""
    upload = form.cover.data
    if not upload or not getattr(upload, "filename", ""):
        return None
    try:
        return files.store_upload(upload.stream, _data_dir(), allowed=files.IMAGE_TYPES, max_bytes=_max_bytes())
    except files.UploadError as error:
        form.cover.errors = [str(error)]
        return False


@bp.route("/pengajar/susun/baru", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_course():
    form = _course_form()
    if request.method == "GET":
        form.version.data = 1
    if form.validate_on_submit():
        stored = _store_cover(form)
        if stored is not False:
            try:
                course = services.create_course(current_user, _course_data(form))
            except services.AuthoringError as error:
                db.session.rollback()
                files.remove_stored(_data_dir(), stored.stored_name if stored else None)
                _field_error(form, error)
            else:
                if stored:
                    services.set_cover(current_user, course, stored.stored_name)
                db.session.commit()
                flash(_("Kursus \u201c%(title)s\u201d dibuat sebagai draf.", title=course.title), "success")
                return redirect(url_for("authoring.edit_course", course_id=course.id))
    if request.method == "POST":
        flash(INVALID, "error")
        return render_template("authoring/course_new.html", form=form), 400
    return render_template("authoring/course_new.html", form=form)


@bp.route("/pengajar/susun/<int:course_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_course(course_id: int):
    course = _course(course_id)
    form = _course_form(obj=course if request.method == "GET" else None)
    if request.method == "GET":
        form.slug.data = course.slug
    if request.method == "POST":
        form.slug.data = course.slug  # the slug is fixed once created
        if form.validate_on_submit():
            stored = _store_cover(form)
            if stored is not False:
                changed = services.update_course(current_user, course, _course_data(form))
                old_cover = None
                if stored:
                    old_cover = services.set_cover(current_user, course, stored.stored_name)
                elif form.remove_cover.data and course.cover_image:
                    old_cover = services.set_cover(current_user, course, None)
                _commit_then_remove([old_cover] if old_cover else [])
                flash(_("Perubahan kursus disimpan.") if changed or stored or old_cover else _("Tidak ada perubahan."),
                      "success")
                return redirect(url_for("authoring.edit_course", course_id=course.id))
        flash(INVALID, "error")
        return render_template("authoring/course_edit.html", course=course, form=form,
                               counts=services.enrolment_counts(course)), 400
    return render_template("authoring/course_edit.html", course=course, form=form, counts=services.enrolment_counts(course))


@bp.route("/pengajar/susun/<int:course_id>/terbit", methods=["POST"])
@roles_required(*STAFF)
def publish(course_id: int):
    course = _course(course_id)
    want = request.form.get("publish")
    if want not in ("1", "0"):
        abort(400)
    try:
        services.set_published(current_user, course, want == "1")
    except services.AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.edit_course", course_id=course.id))
    db.session.commit()
    flash(_("Kursus diterbitkan.") if course.is_published else _("Kursus dikembalikan ke draf."), "success")
    return redirect(url_for("authoring.edit_course", course_id=course.id))


@bp.route("/pengajar/susun/<int:course_id>/pengajar", methods=["GET", "POST"])
@roles_required(*STAFF)
def trainers(course_id: int):
    course = _course(course_id)
    form = TrainerForm()
    if form.validate_on_submit():
        try:
            user = services.add_trainer(current_user, course, form.email.data)
        except services.AuthoringError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s ditambahkan sebagai pengajar.", name=user.display_name), "success")
            return redirect(url_for("authoring.trainers", course_id=course.id))
    if request.method == "POST":
        return render_template("authoring/trainers.html", course=course, form=form), 400
    return render_template("authoring/trainers.html", course=course, form=form)


@bp.route("/pengajar/susun/<int:course_id>/pengajar/<int:user_id>/hapus", methods=["POST"])
@roles_required(*STAFF)
def remove_trainer(course_id: int, user_id: int):
    course = _course(course_id)
    user = db.get_or_404(User, user_id)
    try:
        services.remove_trainer(current_user, course, user)
    except services.AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.trainers", course_id=course.id))
    db.session.commit()
    flash(_("%(name)s tidak lagi menjadi pengajar kursus ini.", name=user.display_name), "success")
    if not services.can_edit(current_user, course):
        return redirect(url_for("authoring.index"))
    return redirect(url_for("authoring.trainers", course_id=course.id))


@bp.route("/pengajar/susun/<int:course_id>/riwayat")
@roles_required(*STAFF)
def history(course_id: int):
    course = _course(course_id)
    import json

    events = [(event, json.loads(event.detail or "{}")) for event in services.course_history(course)]
    return render_template("authoring/history.html", course=course, events=events, labels=ACTION_LABELS,
                           field_labels=FIELD_LABELS)


@bp.route("/pengajar/susun/<int:course_id>/ekspor.zip")
@roles_required(*STAFF)
def export_zip(course_id: int):
    course = _course(course_id)
    from io import BytesIO

    from app.catalog.exporter import ExportError, export_zip_bytes

    # A GET changes nothing, so the download is not written to the audit log.
    try:
        data = export_zip_bytes(course, _data_dir())
    except ExportError as error:
        raise user_error(400, _("Kursus tidak dapat diekspor: %(reason)s.", reason=error)) from None
    return send_file(BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"{course.slug}.zip", max_age=0)


# ---------------------------------------------------------------------------
# Modules


@bp.route("/pengajar/susun/<int:course_id>/modul/baru", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_module(course_id: int):
    course = _course(course_id)
    form = ModuleForm()
    if form.validate_on_submit():
        module = services.add_module(current_user, course, form.title.data, form.summary.data or "")
        db.session.commit()
        flash(_("Modul \u201c%(title)s\u201d ditambahkan.", title=module.title), "success")
        return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{module.id}")
    if request.method == "POST":
        return render_template("authoring/module_form.html", course=course, module=None, form=form), 400
    return render_template("authoring/module_form.html", course=course, module=None, form=form)


@bp.route("/pengajar/susun/<int:course_id>/modul/<int:module_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_module(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    form = ModuleForm(obj=module if request.method == "GET" else None)
    if form.validate_on_submit():
        changed = services.update_module(current_user, module, form.title.data, form.summary.data or "")
        db.session.commit()
        flash(_("Modul disimpan.") if changed else _("Tidak ada perubahan."), "success")
        return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{module.id}")
    if request.method == "POST":
        return render_template("authoring/module_form.html", course=course, module=module, form=form), 400
    return render_template("authoring/module_form.html", course=course, module=module, form=form)


@bp.route("/pengajar/susun/<int:course_id>/modul/<int:module_id>/hapus", methods=["GET", "POST"])
@roles_required(*STAFF)
def delete_module(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    if request.method == "POST":
        try:
            stored = services.delete_module(current_user, module)
        except services.AuthoringError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{module.id}")
        services.settle_completions(course)
        _commit_then_remove(stored)
        flash(_("Modul \u201c%(title)s\u201d dihapus.", title=module.title), "success")
        return redirect(url_for("authoring.edit_course", course_id=course.id))
    lesson_count = len(module.lessons)
    done = services.learners_with_progress_in_module(module)
    if module.quiz:
        detail = ngettext("%(num)d pelajaran dan kuisnya ikut terhapus; %(done)d peserta sudah mengerjakan "
                          "pelajaran di modul ini.",
                          "%(num)d pelajaran dan kuisnya ikut terhapus; %(done)d peserta sudah mengerjakan "
                          "pelajaran di modul ini.", lesson_count, done=done)
    else:
        detail = ngettext("%(num)d pelajaran ikut terhapus; %(done)d peserta sudah mengerjakan pelajaran di modul ini.",
                          "%(num)d pelajaran ikut terhapus; %(done)d peserta sudah mengerjakan pelajaran di modul ini.",
                          lesson_count, done=done)
    return render_template("authoring/confirm_delete.html", course=course,
                           what=_("modul \u201c%(title)s\u201d", title=module.title), detail=detail,
                           action=url_for("authoring.delete_module", course_id=course.id, module_id=module.id))


@bp.route("/pengajar/susun/<int:course_id>/modul/<int:module_id>/pindah", methods=["POST"])
@roles_required(*STAFF)
def move_module(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    if services.move_module(current_user, module, _direction()):
        db.session.commit()
        flash(_("Modul \u201c%(title)s\u201d dipindahkan.", title=module.title), "success")
    return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{module.id}")


# ---------------------------------------------------------------------------
# Lessons


def _lesson_data(form: LessonForm) -> services.LessonData | None:
    video_url = None
    if form.video_url.data:
        try:
            video_url = parse_video_url(form.video_url.data).canonical_url
        except VideoError as error:
            form.video_url.errors = [str(error)]
            return None
    return services.LessonData(title=form.title.data, body_md=form.body_md.data, minutes=form.minutes.data,
                               is_required=bool(form.is_required.data), video_url=video_url)


def _render_lesson_form(course, module, lesson, form, status=200, preview_html=None):
    return render_template("authoring/lesson_form.html", course=course, module=module, lesson=lesson, form=form,
                           preview_html=preview_html, attachment_form=AttachmentForm(),
                           video=video_of(lesson) if lesson else None), status


@bp.route("/pengajar/susun/<int:course_id>/modul/<int:module_id>/pelajaran/baru", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_lesson(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    form = LessonForm()
    if request.method == "POST" and request.form.get("action") == "preview":
        return _render_lesson_form(course, module, None, form, preview_html=render_markdown(form.body_md.data or ""))
    if form.validate_on_submit():
        data = _lesson_data(form)
        if data is not None:
            lesson = services.add_lesson(current_user, module, data)
            db.session.commit()
            flash(_("Pelajaran \u201c%(title)s\u201d ditambahkan.", title=lesson.title), "success")
            return redirect(url_for("authoring.edit_lesson", course_id=course.id, lesson_id=lesson.id))
    if request.method == "POST":
        flash(INVALID, "error")
        return _render_lesson_form(course, module, None, form, 400)
    return _render_lesson_form(course, module, None, form)


@bp.route("/pengajar/susun/<int:course_id>/pelajaran/<int:lesson_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_lesson(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    form = LessonForm(obj=lesson if request.method == "GET" else None)
    if request.method == "POST" and request.form.get("action") == "preview":
        return _render_lesson_form(course, lesson.module, lesson, form,
                                   preview_html=render_markdown(form.body_md.data or ""))
    if form.validate_on_submit():
        data = _lesson_data(form)
        if data is not None:
            changed = services.update_lesson(current_user, lesson, data)
            if "is_required" in changed:
                services.settle_completions(course)
            db.session.commit()
            flash(_("Pelajaran disimpan.") if changed else _("Tidak ada perubahan."), "success")
            return redirect(url_for("authoring.edit_lesson", course_id=course.id, lesson_id=lesson.id))
    if request.method == "POST":
        flash(INVALID, "error")
        return _render_lesson_form(course, lesson.module, lesson, form, 400)
    return _render_lesson_form(course, lesson.module, lesson, form)


@bp.route("/pengajar/susun/pratinjau", methods=["POST"])
@roles_required(*STAFF)
def preview():
    """The live preview: the server renders and sanitises; the script only inserts the result."""
    form = PreviewForm()
    if not form.validate_on_submit():
        return _("Pratinjau tidak dapat dibuat."), 400, {"Content-Type": "text/plain; charset=utf-8"}
    return render_markdown(form.body_md.data or ""), 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.route("/pengajar/susun/<int:course_id>/pelajaran/<int:lesson_id>/hapus", methods=["GET", "POST"])
@roles_required(*STAFF)
def delete_lesson(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if request.method == "POST":
        stored = services.delete_lesson(current_user, lesson)
        services.settle_completions(course)
        _commit_then_remove(stored)
        flash(_("Pelajaran \u201c%(title)s\u201d dihapus.", title=lesson.title), "success")
        return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{lesson.module_id}")
    done = services.lesson_completion_count(lesson)
    return render_template("authoring/confirm_delete.html", course=course,
                           what=_("pelajaran \u201c%(title)s\u201d", title=lesson.title),
                           detail=_("%(done)d peserta sudah menyelesaikan pelajaran ini; catatan itu ikut terhapus, "
                                    "peserta yang sudah lulus kursus tetap lulus.", done=done),
                           action=url_for("authoring.delete_lesson", course_id=course.id, lesson_id=lesson.id))


@bp.route("/pengajar/susun/<int:course_id>/pelajaran/<int:lesson_id>/pindah", methods=["POST"])
@roles_required(*STAFF)
def move_lesson(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if services.move_lesson(current_user, lesson, _direction()):
        db.session.commit()
        flash(_("Pelajaran \u201c%(title)s\u201d dipindahkan.", title=lesson.title), "success")
    return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{lesson.module_id}")


@bp.route("/pengajar/susun/<int:course_id>/pelajaran/<int:lesson_id>/lampiran", methods=["POST"])
@roles_required(*STAFF)
def upload_attachment(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    form = AttachmentForm()
    valid = form.validate_on_submit()
    upload = form.file.data
    error = None
    if not upload or not getattr(upload, "filename", ""):
        error = _("Pilih berkas yang akan diunggah.")
    elif valid:  # a bad title is reported on its own field; the file is stored only with a valid form
        try:
            stored = files.store_upload(upload.stream, _data_dir(), allowed=files.ATTACHMENT_TYPES,
                                        max_bytes=_max_bytes())
        except files.UploadError as exc:
            error = str(exc)
    if error or not valid:
        # Shown once, at the field (no flash as well).
        if error:
            form.file.errors = list(form.file.errors) + [error]
        lesson_form = LessonForm(obj=lesson)
        return render_template("authoring/lesson_form.html", course=course, module=lesson.module, lesson=lesson,
                               form=lesson_form, preview_html=None, attachment_form=form,
                               video=video_of(lesson)), 400
    name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:255] or stored.stored_name
    try:
        services.add_attachment(current_user, lesson, form.title.data or "", name, stored)
        db.session.commit()
    except Exception:
        db.session.rollback()
        files.remove_stored(_data_dir(), stored.stored_name)
        raise
    flash(_("Lampiran diunggah."), "success")
    return redirect(url_for("authoring.edit_lesson", course_id=course.id, lesson_id=lesson.id) + "#lampiran")


@bp.route("/pengajar/susun/<int:course_id>/lampiran/<int:attachment_id>/hapus", methods=["POST"])
@roles_required(*STAFF)
def delete_attachment(course_id: int, attachment_id: int):
    course = _course(course_id)
    attachment = db.get_or_404(Attachment, attachment_id)
    if attachment.lesson.module.course_id != course.id:
        abort(404)
    lesson_id = attachment.lesson_id
    stored = services.delete_attachment(current_user, attachment)
    _commit_then_remove([stored])
    flash(_("Lampiran dihapus."), "success")
    return redirect(url_for("authoring.edit_lesson", course_id=course.id, lesson_id=lesson_id) + "#lampiran")


# ---------------------------------------------------------------------------
# Quizzes and questions


@bp.route("/pengajar/susun/<int:course_id>/modul/<int:module_id>/kuis", methods=["GET", "POST"])
@roles_required(*STAFF)
def quiz(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    form = QuizForm(obj=module.quiz if request.method == "GET" and module.quiz else None)
    if request.method == "GET" and module.quiz is None:
        form.title.data = _("Kuis %(module)s", module=module.title)[:200]
    if form.validate_on_submit():
        created = module.quiz is None
        services.save_quiz(current_user, module, form.title.data, form.pass_mark.number)
        db.session.commit()
        flash(_("Kuis dibuat; tambahkan pertanyaannya.") if created else _("Kuis disimpan."), "success")
        return redirect(url_for("authoring.quiz", course_id=course.id, module_id=module.id))
    status = 400 if request.method == "POST" else 200
    return render_template("authoring/quiz.html", course=course, module=module, form=form,
                           editable_types=EDITABLE_TYPES, type_labels=question_types.type_labels()), status


@bp.route("/pengajar/susun/<int:course_id>/modul/<int:module_id>/kuis/hapus", methods=["GET", "POST"])
@roles_required(*STAFF)
def delete_quiz(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    if module.quiz is None:
        abort(404)
    if request.method == "POST":
        try:
            services.delete_quiz(current_user, module)
        except services.AuthoringError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{module.id}")
        services.settle_completions(course)
        db.session.commit()
        flash(_("Kuis dihapus."), "success")
        return redirect(url_for("authoring.edit_course", course_id=course.id) + f"#modul-{module.id}")
    return render_template("authoring/confirm_delete.html", course=course,
                           what=_("kuis \u201c%(title)s\u201d", title=module.quiz.title),
                           detail=_("Semua pertanyaan dan percobaan peserta pada kuis ini ikut terhapus; peserta yang "
                                    "sudah lulus kursus tetap lulus dengan sertifikatnya."),
                           action=url_for("authoring.delete_quiz", course_id=course.id, module_id=module.id))


def _adding_choice_rows(form: QuestionForm) -> bool:
    """True when the author pressed *Tambah baris pilihan*: more empty rows, nothing saved (works without JS).

    The page is shown again with what was typed; it changes nothing, so it needs no CSRF check.
    """
    if request.method != "POST" or ADD_ROWS_BUTTON not in request.form:
        return False
    form.add_choice_rows()
    return True


@bp.route("/pengajar/susun/<int:course_id>/modul/<int:module_id>/kuis/pertanyaan/baru", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_question(course_id: int, module_id: int):
    course = _course(course_id)
    module = _module(course, module_id)
    if module.quiz is None:
        abort(404)
    form = QuestionForm()
    if _adding_choice_rows(form):
        return render_template("authoring/question_form.html", course=course, module=module, question=None,
                               form=form)
    if form.validate_on_submit():
        try:
            question = services.add_question(current_user, module.quiz, form.to_data())
        except services.AuthoringError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Pertanyaan %(key)s ditambahkan.", key=question.key), "success")
            return redirect(url_for("authoring.quiz", course_id=course.id, module_id=module.id) + f"#q-{question.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("authoring/question_form.html", course=course, module=module, question=None,
                           form=form), status


@bp.route("/pengajar/susun/<int:course_id>/pertanyaan/<int:question_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def edit_question(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    module = question.quiz.module
    if question.type not in EDITABLE_TYPES:
        flash(_("Tipe pertanyaan ini belum dapat diubah di formulir ini."), "error")
        return redirect(url_for("authoring.quiz", course_id=course.id, module_id=module.id))
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif _adding_choice_rows(form):
        return render_template("authoring/question_form.html", course=course, module=module, question=question,
                               form=form)
    elif form.validate_on_submit():
        try:
            changed = services.update_question(current_user, question, form.to_data())
        except services.AuthoringError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Pertanyaan disimpan.") if changed else _("Tidak ada perubahan."), "success")
            return redirect(url_for("authoring.quiz", course_id=course.id, module_id=module.id) + f"#q-{question.id}")
    status = 400 if request.method == "POST" else 200
    return render_template("authoring/question_form.html", course=course, module=module, question=question,
                           form=form), status


@bp.route("/pengajar/susun/<int:course_id>/pertanyaan/<int:question_id>/hapus", methods=["POST"])
@roles_required(*STAFF)
def delete_question(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    module = question.quiz.module
    try:
        services.delete_question(current_user, question)
    except services.AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.quiz", course_id=course.id, module_id=module.id) + f"#q-{question.id}")
    db.session.commit()
    flash(_("Pertanyaan %(key)s dihapus.", key=question.key), "success")
    return redirect(url_for("authoring.quiz", course_id=course.id, module_id=module.id))


@bp.route("/pengajar/susun/<int:course_id>/pertanyaan/<int:question_id>/pindah", methods=["POST"])
@roles_required(*STAFF)
def move_question(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    module = question.quiz.module
    if services.move_question(current_user, question, _direction()):
        db.session.commit()
        flash(_("Pertanyaan %(key)s dipindahkan.", key=question.key), "success")
    else:
        flash(_("Pertanyaan %(key)s sudah di ujung urutan.", key=question.key), "info")
    return redirect(url_for("authoring.quiz", course_id=course.id, module_id=module.id) + f"#q-{question.id}")


# ---------------------------------------------------------------------------
# Serving stored files


def _send_stored(stored_name: str, mimetype: str, download_name: str, as_attachment: bool):
    try:
        path = files.path_of(_data_dir(), stored_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=mimetype, as_attachment=as_attachment, download_name=download_name,
                         max_age=0, conditional=True)
    # The file is shown on its own: no scripts, no plugins, even if a browser mis-sniffs it.
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@bp.route("/kursus/<slug>/sampul")
@public
def cover(slug: str):
    from app.catalog import services as catalog

    view = catalog.open_course(slug, current_user)
    if view is None or not view.course.cover_image:
        abort(404)
    course = view.course
    try:
        with open(files.path_of(_data_dir(), course.cover_image), "rb") as handle:
            mimetype = files.sniff(handle.read(16))
    except (OSError, ValueError):
        abort(404)
    if mimetype not in files.IMAGE_TYPES:
        abort(404)
    return _send_stored(course.cover_image, mimetype, f"{course.slug}-sampul.{files.EXTENSIONS[mimetype]}", False)


def can_open_attachment(user, attachment: Attachment) -> bool:
    """Editors, trainers and admins, and learners enrolled in the course (any course state)."""
    from app.learning import services as learning

    course = attachment.lesson.module.course
    if learning.is_staff(user) or services.can_edit(user, course):
        return True
    return learning.get_enrolment(user, course) is not None


@bp.route("/lampiran/<int:attachment_id>/<path:name>")
@login_required
def attachment(attachment_id: int, name: str):
    item = db.get_or_404(Attachment, attachment_id)
    if not can_open_attachment(current_user, item):
        abort(404)
    # PDFs download; images show inline so lessons may embed them (![…](/lampiran/…)).
    return _send_stored(item.stored_name, item.content_type, item.original_name,
                        as_attachment=item.content_type == files.PDF)
