"""Who sees whom: the one place that scopes admin pages and exports by OPD.

Roles (app/auth/models.py):

* ``admin`` -- BPSDM admin: every user of every OPD.
* ``opd_admin`` -- admin of one OPD (``User.opd_id``): only the users whose
  ``opd_id`` is theirs, in every page, report, chart and export. An OPD admin
  without an OPD sees nobody (a misconfigured account must not see everyone).
* ``trainer`` / ``learner`` -- no admin view of other users here (trainers see
  the learners of their own courses through the trainer pages).

Every admin query over users adds ``where(visible_users(actor))``; every view
of one user checks :func:`can_see_user` and answers 404 when it is false, so
the existence of another OPD's staff is not revealed.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, false, true

from app.auth.models import ROLE_ADMIN, ROLE_OPD_ADMIN, Opd, User

#: Roles that open the admin pages (dashboard, users, reports, JP ledger).
ADMIN_ROLES = (ROLE_ADMIN, ROLE_OPD_ADMIN)


def is_bpsdm_admin(actor) -> bool:
    """True for a signed-in BPSDM admin (role ``admin``), who sees every OPD."""
    return bool(getattr(actor, "is_authenticated", False)) and actor.role == ROLE_ADMIN


def visible_users(actor) -> ColumnElement[bool]:
    """SQL condition on :class:`User` rows ``actor`` may see in admin pages and exports.

    ``true()`` for a BPSDM admin, ``User.opd_id == actor.opd_id`` for an OPD
    admin, ``false()`` for everyone else (including an OPD admin without an
    OPD). Use it in every admin query that joins ``users``.
    """
    if is_bpsdm_admin(actor):
        return true()
    if getattr(actor, "role", None) == ROLE_OPD_ADMIN and actor.opd_id is not None:
        return User.opd_id == actor.opd_id
    return false()


def visible_opds(actor) -> ColumnElement[bool]:
    """SQL condition on :class:`Opd` rows ``actor`` may see (filters, per-OPD tables and charts)."""
    if is_bpsdm_admin(actor):
        return true()
    if getattr(actor, "role", None) == ROLE_OPD_ADMIN and actor.opd_id is not None:
        return Opd.id == actor.opd_id
    return false()


def can_see_user(actor, user: User) -> bool:
    """Whether ``actor`` may open ``user``'s admin page (same rule as :func:`visible_users`)."""
    if is_bpsdm_admin(actor):
        return True
    return (getattr(actor, "role", None) == ROLE_OPD_ADMIN and actor.opd_id is not None
            and user.opd_id == actor.opd_id)
