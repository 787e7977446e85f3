"""Sign-in (with throttle and optional TOTP), sign-out, registration, password reset, account security."""
from __future__ import annotations

from urllib.parse import urlsplit

import logging
import time
from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale, gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user

from app.auth import reset, services, sessions, throttle, totp
from app.auth.forms import (ChangePasswordForm, LoginForm, RegisterForm, ResetPasswordForm, ResetRequestForm,
                            TotpDisableForm, TotpEnableForm, TotpForm)
from app.auth.models import User
from app.auth.passwords import verify_password
from app.common.access import login_required, public
from app.common.i18n import DEFAULT_LOCALE
from app.common.formatting import format_datetime
from app.common.mail import MailError, send_mail
from app.common.web import same_origin_path, safe_next
from app.extensions import db

bp = Blueprint("auth", __name__, template_folder="templates")
log = logging.getLogger("lentera.auth")

GENERIC_LOGIN_ERROR = _l("Email atau kata sandi salah.")
PENDING_2FA_KEY = "lentera_pending_2fa"
PENDING_TOTP_SECRET_KEY = "lentera_totp_setup"
PENDING_2FA_SECONDS = 300


def _throttled(template: str, form, until: datetime):
    """The 429 answer: the same form, with a note (in the reader's language) of when to try again."""
    db.session.commit()
    seconds = max(1, int((until - datetime.now(until.tzinfo)).total_seconds()))
    minutes = max(1, -(-seconds // 60))
    message = ngettext(
        "Terlalu banyak percobaan yang gagal. Demi keamanan akun, coba lagi setelah %(time)s "
        "(sekitar %(num)d menit lagi).",
        "Terlalu banyak percobaan yang gagal. Demi keamanan akun, coba lagi setelah %(time)s "
        "(sekitar %(num)d menit lagi).",
        minutes, time=format_datetime(until, current_app.config["LENTERA_TIMEZONE"], str(get_locale())))
    log.warning("throttled action=%s until=%s", request.endpoint, until.isoformat())
    response = current_app.make_response((render_template(template, form=form, throttle_message=message), 429))
    response.headers["Retry-After"] = str(seconds)
    return response


def home_url(user: User) -> str:
    """Where a user lands after signing in: operators on their pages, learners on "Kursus saya"."""
    if user.role in ("admin", "opd_admin"):
        return url_for("admin.index")
    if user.role == "trainer":
        return url_for("admin.trainer_index")
    return url_for("learning.dashboard")


def _finish_sign_in(user: User, remember: bool, next_url: str | None):
    sessions.start(user, remember=remember)
    db.session.commit()
    log.info("sign-in user=%s", user.id)
    # No full stop after the name: a name ending in a gelar ("S.Kom.") already has one.
    flash(_("Selamat datang, %(name)s", name=user.display_name), "success")
    if totp.required_for(user) and not user.totp_secret:
        flash(_("Akun admin wajib memakai verifikasi dua langkah. Aktifkan sekarang."), "info")
        return redirect(url_for("auth.totp_setup"))
    return redirect(_page_to_return_to(next_url) or home_url(user))


def _page_to_return_to(next_url: str | None) -> str | None:
    """``next_url`` when it is a same-site page that answers GET (a form's POST-only address would give 405)."""
    from werkzeug.exceptions import HTTPException

    target = safe_next(next_url)
    if target is None:
        return None
    try:
        current_app.url_map.bind("").match(urlsplit(target).path, method="GET")
    except HTTPException:
        return None
    return target


@bp.route("/masuk", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        keys = throttle.keys_for(form.email.data, request.remote_addr)
        until = throttle.blocked_until(keys)
        if until is not None:
            return _throttled("auth/login.html", form, until)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            throttle.record_failure(keys)
            db.session.commit()
            log.info("sign-in failed")
            form.password.errors.append(str(GENERIC_LOGIN_ERROR))
        else:
            throttle.reset(keys[0])
            if user.totp_secret:
                db.session.commit()
                session.clear()
                session[PENDING_2FA_KEY] = {"uid": user.id, "at": int(time.time()),
                                            "remember": bool(form.remember.data),
                                            "next": safe_next(request.args.get("next"))}
                return redirect(url_for("auth.login_code"))
            return _finish_sign_in(user, bool(form.remember.data), request.args.get("next"))
    return render_template("auth/login.html", form=form), (200 if not form.errors else 400)


@bp.route("/masuk/kode", methods=["GET", "POST"])
@public
def login_code():
    """Second step for accounts with TOTP: the password was right, the code is asked."""
    pending = session.get(PENDING_2FA_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_2FA_SECONDS:
        session.pop(PENDING_2FA_KEY, None)
        flash(_("Silakan masuk kembali."), "info")
        return redirect(url_for("auth.login"))
    user = db.session.get(User, pending.get("uid"))
    if user is None or not user.active or not user.totp_secret:
        session.pop(PENDING_2FA_KEY, None)
        return redirect(url_for("auth.login"))
    form = TotpForm()
    if form.validate_on_submit():
        keys = throttle.keys_for(user.email, request.remote_addr)
        until = throttle.blocked_until(keys)
        if until is not None:
            return _throttled("auth/login_code.html", form, until)
        if totp.verify(user, form.code.data):
            throttle.reset(keys[0])
            return _finish_sign_in(user, bool(pending.get("remember")), pending.get("next"))
        throttle.record_failure(keys)
        db.session.commit()
        log.info("second factor failed user=%s", user.id)
        form.code.errors.append(_("Kode verifikasi salah atau sudah dipakai."))
    return render_template("auth/login_code.html", form=form), (200 if not form.errors else 400)


@bp.route("/keluar", methods=["POST"])
@login_required
def logout():
    user_id = current_user.id
    sessions.end()
    db.session.commit()
    log.info("sign-out user=%s", user_id)
    flash(_("Anda telah keluar."), "info")
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
            sessions.start(user)
            db.session.commit()
            log.info("registered user=%s", user.id)
            flash(_("Akun Anda sudah dibuat. Selamat belajar!"), "success")
            return redirect(url_for("catalog.index"))
    return render_template("auth/register.html", form=form), (200 if not form.errors else 400)


RESET_SENT = _l("Jika email tersebut terdaftar, kami telah mengirim tautan untuk mengatur ulang kata sandi. "
                "Tautan berlaku 60 menit dan hanya dapat dipakai sekali.")


@bp.route("/lupa-sandi", methods=["GET", "POST"])
@public
def reset_request():
    """Ask for a reset link; the answer is the same whether or not the email exists."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        keys = throttle.keys_for(form.email.data, request.remote_addr)
        until = throttle.blocked_until(keys)
        if until is not None:
            return _throttled("auth/reset_request.html", form, until)
        # Every request counts, so the form cannot be used to flood a mailbox.
        throttle.record_failure(keys)
        user = services.find_user_by_email(form.email.data)
        raw = reset.create_token(user) if user is not None and user.active else None
        db.session.commit()
        if raw is not None:
            link = current_app.config["LENTERA_BASE_URL"].rstrip("/") + url_for("auth.reset_password", token=raw)
            minutes = current_app.config["LENTERA_RESET_TOKEN_MINUTES"]
            # In the account's language, whoever's browser asked.
            with force_locale(user.locale or DEFAULT_LOCALE):
                subject = _("Atur ulang kata sandi Lentera")
                body = render_template("auth/reset_mail.txt", user=user, link=link, minutes=minutes)
            try:
                send_mail(user.email, subject, body)
            except MailError:
                log.error("reset mail not sent user=%s", user.id)
            log.info("reset requested user=%s", user.id)
        flash(str(RESET_SENT), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_request.html", form=form), (200 if not form.errors else 400)


@bp.route("/atur-ulang-sandi/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password through a reset link."""
    form = ResetPasswordForm()
    keys = throttle.keys_for(None, request.remote_addr)
    until = throttle.blocked_until(keys)
    if until is not None:
        return _throttled("auth/reset_password.html", form, until)
    if reset.find_valid(token) is None:
        throttle.record_failure(keys)
        db.session.commit()
        log.info("reset link refused")
        return render_template("auth/reset_invalid.html"), 404
    if form.validate_on_submit():
        try:
            user = reset.reset_password(token, form.password.data)
        except services.AccountError as error:
            db.session.rollback()
            form.password.errors.append(error.field_errors["password"])
        else:
            db.session.commit()
            log.info("password reset user=%s", user.id)
            flash(_("Kata sandi sudah diganti. Silakan masuk dengan kata sandi baru."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), (200 if not form.errors else 400)


@bp.route("/akun/keamanan", methods=["GET"])
@login_required
def security():
    """Password change and two-factor status."""
    return render_template("auth/security.html", password_form=ChangePasswordForm(),
                           disable_form=TotpDisableForm(), required=totp.required_for(current_user))


@bp.route("/akun/sandi", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("Kata sandi saat ini salah."))
        else:
            user = current_user._get_current_object()
            try:
                services.set_password(user, form.password.data)
            except services.AccountError as error:
                db.session.rollback()
                form.password.errors.append(error.field_errors["password"])
            else:
                sessions.start(user)  # every other session was ended; this one continues anew
                db.session.commit()
                log.info("password changed user=%s", user.id)
                flash(_("Kata sandi sudah diganti. Sesi di perangkat lain telah diakhiri."), "success")
                return redirect(url_for("auth.security"))
    return render_template("auth/security.html", password_form=form, disable_form=TotpDisableForm(),
                           required=totp.required_for(current_user)), 400


@bp.route("/akun/2fa", methods=["GET", "POST"])
@login_required
def totp_setup():
    """Turn on TOTP: show a QR code of a new secret, confirm with one code."""
    if current_user.totp_secret:
        return redirect(url_for("auth.security"))
    secret = session.get(PENDING_TOTP_SECRET_KEY)
    if not isinstance(secret, str) or len(secret) != 32:
        secret = totp.new_secret()
        session[PENDING_TOTP_SECRET_KEY] = secret
    form = TotpEnableForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if totp.enable(user, secret, form.code.data):
            session.pop(PENDING_TOTP_SECRET_KEY, None)
            db.session.commit()
            log.info("two-factor enabled user=%s", user.id)
            flash(_("Verifikasi dua langkah sudah aktif."), "success")
            return redirect(url_for("auth.security"))
        form.code.errors.append(_("Kode tidak cocok. Periksa jam ponsel Anda lalu coba lagi."))
    uri = totp.provisioning_uri(current_user, secret)
    return render_template("auth/totp_setup.html", form=form, secret=secret, qr=totp.qr_data_uri(uri)), (
        200 if not form.errors else 400)


@bp.route("/akun/2fa/nonaktifkan", methods=["POST"])
@login_required
def totp_disable():
    form = TotpDisableForm()
    user = current_user._get_current_object()
    if totp.required_for(user):
        flash(_("Verifikasi dua langkah wajib untuk akun admin dan tidak dapat dimatikan."), "error")
        return redirect(url_for("auth.security"))
    if form.validate_on_submit() and verify_password(user.password_hash, form.current_password.data):
        totp.disable(user)
        db.session.commit()
        log.info("two-factor disabled user=%s", user.id)
        flash(_("Verifikasi dua langkah dimatikan."), "info")
        return redirect(url_for("auth.security"))
    form.current_password.errors.append(_("Kata sandi saat ini salah."))
    return render_template("auth/security.html", password_form=ChangePasswordForm(), disable_form=form,
                           required=False), 400


@bp.route("/bahasa", methods=["POST"])
@public
def set_language():
    """Switch the interface language: stored on the account, or in a cookie for visitors."""
    from app.common.i18n import LANGUAGES, LOCALE_COOKIE
    from app.common.web import user_error

    code = request.form.get("bahasa", "")
    if code not in LANGUAGES:
        raise user_error(400, _("Bahasa tidak dikenal."))
    if current_user.is_authenticated:
        services.set_locale(current_user, code)
        db.session.commit()
    # Back to the page the form was on. It comes from the Referer (sent for
    # same-origin requests under our Referrer-Policy) rather than a hidden
    # field, so a page's HTML never carries its own URL.
    response = redirect(same_origin_path(request.referrer, request.host_url) or url_for("catalog.index"), 303)
    response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response
