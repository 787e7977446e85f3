"""Sign-in, sign-out and registration pages."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import LoginForm, RegisterForm
from app.common.access import login_required, public
from app.extensions import db

bp = Blueprint("auth", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in (no open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@bp.route("/masuk", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append("Email atau kata sandi salah.")
        else:
            session.clear()  # a fresh session at sign-in (no fixation)
            login_user(user, remember=form.remember.data)
            db.session.commit()
            flash(f"Selamat datang, {user.display_name}.", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("learning.dashboard"))
    return render_template("auth/login.html", form=form), (200 if not form.errors else 400)


@bp.route("/keluar", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/daftar", methods=["GET", "POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = RegisterForm()
    form.opd_id.choices = [("", "—")] + services.opd_choices()
    if form.validate_on_submit():
        is_asn = form.is_asn.data
        data = services.AccountData(
            email=form.email.data,
            full_name=form.full_name.data,
            password=form.password.data,
            gelar_depan=form.gelar_depan.data,
            gelar_belakang=form.gelar_belakang.data,
            nip=form.nip.data if is_asn else None,
            opd_id=form.opd_id.data if is_asn else None,
            jabatan=form.jabatan.data if is_asn else None,
            eselon=form.eselon.data if is_asn else None,
            golongan=form.golongan.data if is_asn else None,
            employment_type=form.employment_type.data if is_asn else None,
        )
        try:
            user = services.create_user(data)
        except services.AccountError as error:
            db.session.rollback()
            for name, message in error.field_errors.items():
                getattr(form, name, form.email).errors.append(message)
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash("Akun Anda sudah dibuat. Selamat belajar!", "success")
            return redirect(url_for("catalog.index"))
    return render_template("auth/register.html", form=form), (200 if not form.errors else 400)
