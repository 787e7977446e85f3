"""Access rules declared on every view.

Each view function carries ``access_rule``: ``"public"``, ``"authenticated"``
or a tuple of roles. ``tests/test_access_rules.py`` walks the URL map and
fails on any endpoint without one, so a new route cannot be added open by
accident.
"""
from __future__ import annotations

from functools import wraps

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import login_manager


def public(view):
    """Mark a view as open to everyone, signed in or not."""
    view.access_rule = "public"
    return view


def roles_required(*roles: str):
    """Allow only signed-in users whose role is one of ``roles``.

    Anonymous users are sent to the sign-in page; signed-in users with
    another role get 403. With ``LENTERA_REQUIRE_ADMIN_2FA`` on, admins
    without two-factor are sent to its set-up page first.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if request.method not in ("GET", "HEAD"):
                    return sign_in_then_back()
                return login_manager.unauthorized()
            if roles and current_user.role not in roles:
                abort(403)
            if roles and not current_user.totp_secret:
                from app.auth.totp import required_for

                if required_for(current_user):
                    # LENTERA_REQUIRE_ADMIN_2FA: admin pages wait until two-factor is on.
                    flash(_("Akun admin wajib memakai verifikasi dua langkah. Aktifkan dulu."), "info")
                    return redirect(url_for("auth.totp_setup"))
            return view(*args, **kwargs)

        wrapped.access_rule = tuple(roles) if roles else "authenticated"
        return wrapped

    return decorator


def sign_in_then_back():
    """A form posted after the session ended: sign in, then back to the page the form was on.

    Flask-Login would come back to the form's own address with GET, which a POST-only view
    answers with 405 (a quiz sent after 30 idle minutes ended on "method not allowed").
    Used too when the form's CSRF token went with the ended session (see app.common.web).
    """
    from flask import session

    from app.common.web import same_origin_path

    if not session.get("_flashes"):  # the session check may have said it ended already
        flash(_("Sesi Anda telah berakhir sebelum formulir terkirim, jadi isiannya belum tersimpan. "
                "Silakan masuk kembali lalu kirim ulang."), "info")
    back = same_origin_path(request.referrer, request.host_url)
    return redirect(url_for(login_manager.login_view, next=back) if back else url_for(login_manager.login_view))


def login_required(view):
    """Allow any signed-in user."""
    return roles_required()(view)
