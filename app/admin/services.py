"""Rules of the admin and trainer area: OPD seeding, demo accounts, learner and course overviews.

Services never read ``request`` and never commit; routes and CLI commands
commit once. Every list function here runs a fixed number of queries,
whatever the number of rows (aggregates grouped by id, never a lazy load
per row).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import contains_eager

from app.common.i18n import N_
from app.admin.audit import record_event
from app.admin.opd_data import OPD_DATA
from app.admin.scope import visible_opds, visible_users
from app.assessment.models import STATE_SUBMITTED, QuizAttempt
from app.auth.models import ROLE_ADMIN, ROLE_LABELS, ROLE_LEARNER, ROLE_OPD_ADMIN, ROLE_TRAINER, ROLES, Opd, User
from app.auth.services import AccountData, create_user, find_user_by_email
from app.catalog.models import Course, CourseTrainer
from app.certificates.models import STATUS_SUPERSEDED, STATUS_VALID, Certificate
from app.common.nip import normalize_nip
from app.extensions import db
from app.learning.models import Enrolment
from app.learning.services import Progress, progress_for_enrolments, year_bounds_utc



# The role labels live in app.auth.models (Indonesian); marked here so the admin catalogue,
# whose pages show them (role filter, role form, flash), carries their English.
_ROLE_LABEL_MSGIDS = (N_("Peserta"), N_("Pengajar"), N_("Admin OPD"), N_("Admin BPSDM"))

LEARNERS_PER_PAGE = 50
COURSE_LEARNERS_PER_PAGE = 50


# --- OPD -------------------------------------------------------------------

@dataclass(frozen=True)
class SeedResult:
    """Outcome of :func:`seed_opds`: how many OPD were added and how many were already there."""

    added: int
    existing: int


def seed_opds(data: tuple[tuple[str, str], ...] = OPD_DATA) -> SeedResult:
    """Insert the OPD of ``data`` (``(code, name)`` pairs) that are not there yet.

    Idempotent: an OPD whose code *or* name already exists is left as it is
    (both columns are unique), so running it twice adds nothing.
    Source of the default list: :mod:`app.admin.opd_data`.
    """
    rows = db.session.execute(select(Opd.code, Opd.name)).all()
    codes = {code for code, _ in rows}
    names = {name for _, name in rows}
    added = 0
    for code, name in data:
        if code in codes or name in names:
            continue
        db.session.add(Opd(code=code, name=name))
        codes.add(code)
        names.add(name)
        added += 1
    db.session.flush()
    return SeedResult(added=added, existing=len(data) - added)


def find_opd_by_code(code: str) -> Opd | None:
    """The OPD with ``code``, compared without case and surrounding spaces; ``None`` if unknown."""
    wanted = (code or "").strip().upper()
    if not wanted:
        return None
    return db.session.scalar(select(Opd).where(func.upper(Opd.code) == wanted))


def _ensure_opd(code: str) -> Opd:
    """The OPD ``code`` from :data:`OPD_DATA`, created when ``flask opd seed`` has not run."""
    opd = find_opd_by_code(code)
    if opd is None:
        name = dict(OPD_DATA)[code]
        opd = db.session.scalar(select(Opd).where(Opd.name == name))
        if opd is None:
            opd = Opd(code=code, name=name)
            db.session.add(opd)
            db.session.flush()
    return opd


# --- Demo accounts -----------------------------------------------------------

@dataclass(frozen=True)
class DemoAccount:
    """One demo account. ``password`` is set only when the account was created just now."""

    role: str
    email: str
    display_name: str
    password: str | None

    @property
    def created(self) -> bool:
        return self.password is not None


@dataclass(frozen=True)
class DemoResult:
    """Outcome of :func:`ensure_demo_accounts`."""

    accounts: list[DemoAccount]
    trainer_links_added: int
    trainer_courses: int


# Peserta: a PNS whose NIP passes app.common.nip.parse_nip (born 15 Mar 1990,
# CPNS Feb 2014, female, sequence 001); eselon III.b with golongan III/d is a
# pairing PP 13/2002 allows (domain-facts §4).
DEMO_ACCOUNTS = (
    {"email": "admin@lentera.test", "role": ROLE_ADMIN, "full_name": "Admin Lentera", "opd": "BPSDM",
     "jabatan": "Pengelola Pembelajaran Digital"},
    {"email": "pengajar@lentera.test", "role": ROLE_TRAINER, "full_name": "Budi Santoso", "opd": "BPSDM",
     "gelar_depan": "Dr.", "gelar_belakang": "M.Si.", "jabatan": "Widyaiswara Ahli Madya"},
    {"email": "peserta@lentera.test", "role": ROLE_LEARNER, "full_name": "Nur Aisyah", "opd": "DISKOMINFO",
     "gelar_belakang": "S.Kom.", "nip": "199003152014022001", "employment_type": "PNS",
     "jabatan": "Kepala Bidang Aplikasi Informatika", "eselon": "III.b", "golongan": "III/d"},
)


def new_demo_password() -> str:
    """A random password: ``secrets.token_urlsafe(12)``, 16 characters, 96 random bits."""
    return secrets.token_urlsafe(12)


def link_trainer_to_all_courses(trainer: User) -> int:
    """Make ``trainer`` a trainer (:class:`CourseTrainer`) of every course; returns links added."""
    linked = set(db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == trainer.id)))
    added = 0
    for course_id in db.session.scalars(select(Course.id).order_by(Course.id)):
        if course_id not in linked:
            db.session.add(CourseTrainer(course_id=course_id, user_id=trainer.id))
            added += 1
    db.session.flush()
    return added


def ensure_demo_accounts() -> DemoResult:
    """Create the demo admin, trainer and learner unless they exist; link the trainer to every course.

    Idempotent: an existing account keeps its password (returned with
    ``password=None``); running again later links the trainer to courses
    imported since. Raises :class:`app.auth.services.AccountError` if the
    demo data is refused by :func:`app.auth.services.create_user`.
    """
    accounts: list[DemoAccount] = []
    trainer: User | None = None
    for spec in DEMO_ACCOUNTS:
        user = find_user_by_email(spec["email"])
        password = None
        if user is None:
            password = new_demo_password()
            user = create_user(AccountData(
                email=spec["email"], full_name=spec["full_name"], password=password, role=spec["role"],
                gelar_depan=spec.get("gelar_depan"), gelar_belakang=spec.get("gelar_belakang"),
                nip=spec.get("nip"), opd_id=_ensure_opd(spec["opd"]).id, jabatan=spec.get("jabatan"),
                eselon=spec.get("eselon"), golongan=spec.get("golongan"),
                employment_type=spec.get("employment_type"),
            ))
        if spec["role"] == ROLE_TRAINER:
            trainer = user
        accounts.append(DemoAccount(role=user.role_label, email=user.email, display_name=user.display_name,
                                    password=password))
    links = link_trainer_to_all_courses(trainer) if trainer is not None else 0
    total = db.session.scalar(select(func.count()).select_from(CourseTrainer)
                              .where(CourseTrainer.user_id == trainer.id)) if trainer is not None else 0
    return DemoResult(accounts=accounts, trainer_links_added=links, trainer_courses=total)


# --- Admin overview ------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    """Counts shown on the admin home page."""

    learners: int
    courses: int
    enrolments: int
    completions: int
    certificates: int


def summary(actor) -> Summary:
    """Totals in one query, within ``actor``'s OPD scope (:mod:`app.admin.scope`): learners (role
    learner), courses (all: courses are not per OPD), and the enrolments, completions and valid
    certificates of the users ``actor`` may see."""
    def count(model, *where):
        return select(func.count()).select_from(model).where(*where).scalar_subquery()

    def count_of_visible(model, *where):
        return (select(func.count()).select_from(model).join(User, User.id == Enrolment.user_id)
                .where(visible_users(actor), *where).scalar_subquery())

    row = db.session.execute(select(
        count(User, User.role == ROLE_LEARNER, visible_users(actor)),
        count(Course),
        count_of_visible(Enrolment),
        count_of_visible(Enrolment, Enrolment.completed_at.is_not(None)),
        select(func.count()).select_from(Certificate).join(Enrolment, Enrolment.id == Certificate.enrolment_id)
        .join(User, User.id == Enrolment.user_id)
        .where(visible_users(actor), Certificate.status == STATUS_VALID).scalar_subquery(),
    )).one()
    return Summary(*row)


def opd_choices_for(actor) -> list[tuple[int, str]]:
    """OPD options ``[(id, name), ...]`` by name that ``actor`` may filter on (an OPD admin: their own)."""
    return [(opd_id, name) for opd_id, name in
            db.session.execute(select(Opd.id, Opd.name).where(visible_opds(actor)).order_by(Opd.name))]


@dataclass(frozen=True)
class LearnerStats:
    """Per-learner totals: courses enrolled, courses completed, JP of completions this year."""

    courses: int = 0
    completed: int = 0
    jp_this_year: Decimal = Decimal(0)


def _learner_search(query: str):
    """WHERE clause for a free-text search on name, email or NIP (substring, case-insensitive)."""
    text = query.strip().lower()
    clauses = [func.lower(User.full_name).contains(text, autoescape=True),
               User.email.contains(text, autoescape=True)]
    digits = normalize_nip(query.strip())
    if digits.isdigit():
        clauses.append(User.nip.contains(digits, autoescape=True))
    return or_(*clauses)


def learner_page(actor, query: str | None, opd_id: int | None, page: int, tz_name: str, role: str | None = ROLE_LEARNER,
                 today: date | None = None, per_page: int = LEARNERS_PER_PAGE):
    """One page of the users ``actor`` may see (:func:`app.admin.scope.visible_users`), by name, with totals.

    ``role`` keeps one role (default learners; ``None`` = every role);
    ``query`` searches name, email and NIP (spaces in a typed NIP are
    ignored); ``opd_id`` keeps one OPD. Returns ``(pagination, stats)``
    where ``pagination`` is a Flask-SQLAlchemy pagination of :class:`User`
    (page out of range gives no items) and ``stats`` is
    ``{user_id: LearnerStats}``. "This year" is the calendar year of
    ``today`` (default: now in ``tz_name``). Four queries whatever the page size.
    """
    stmt = select(User).where(visible_users(actor))
    if role is not None:
        stmt = stmt.where(User.role == role)
    if query and query.strip():
        stmt = stmt.where(_learner_search(query))
    if opd_id is not None:
        stmt = stmt.where(User.opd_id == opd_id)
    stmt = stmt.order_by(func.lower(User.full_name), User.id)
    pagination = db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
    year = (today or datetime.now(ZoneInfo(tz_name)).date()).year
    return pagination, learner_stats([u.id for u in pagination.items], year, tz_name)


def learner_stats(user_ids: list[int], year: int, tz_name: str) -> dict[int, LearnerStats]:
    """Totals for many users in one query: ``{user_id: LearnerStats}`` (users without enrolments absent).

    JP follows :func:`app.learning.services.jp_earned`: the course JP of
    every course completed within calendar ``year`` in zone ``tz_name``.
    """
    if not user_ids:
        return {}
    start, end = year_bounds_utc(year, tz_name)
    in_year = and_(Enrolment.completed_at >= start, Enrolment.completed_at < end)
    rows = db.session.execute(
        select(Enrolment.user_id, func.count(Enrolment.id), func.count(Enrolment.completed_at),
               func.sum(case((in_year, Course.jp), else_=None)))
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.user_id.in_(user_ids))
        .group_by(Enrolment.user_id)
    ).all()
    return {uid: LearnerStats(courses, completed, jp if jp is not None else Decimal(0))
            for uid, courses, completed, jp in rows}


@dataclass(frozen=True)
class EnrolmentLine:
    """One enrolment as shown on a learner's page or a course's learner list."""

    enrolment: Enrolment
    progress: Progress
    certificate_number: str | None = None
    best_percent: Decimal | None = None


def _certificate_numbers(enrolment_ids: list[int]) -> dict[int, str]:
    if not enrolment_ids:
        return {}
    return dict(db.session.execute(
        select(Certificate.enrolment_id, Certificate.number).where(
            Certificate.enrolment_id.in_(enrolment_ids), Certificate.status != STATUS_SUPERSEDED)
    ).all())


def learner_enrolments(user: User) -> list[EnrolmentLine]:
    """Every enrolment of ``user``, newest first, with progress and certificate number (six queries)."""
    enrolments = list(db.session.scalars(
        select(Enrolment).join(Enrolment.course).options(contains_eager(Enrolment.course))
        .where(Enrolment.user_id == user.id).order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    ))
    progress = progress_for_enrolments(enrolments)
    numbers = _certificate_numbers([e.id for e in enrolments])
    return [EnrolmentLine(e, progress[e.id], numbers.get(e.id)) for e in enrolments]


# --- Roles ----------------------------------------------------------------------------------------

class RoleChangeError(ValueError):
    """A role change that is refused; the message is an Indonesian msgid, translated by the page that shows it."""


def change_role(actor: User, user: User, role: str, opd_id: int | None) -> bool:
    """Give ``user`` the role ``role`` (and, for ``opd_admin``, the OPD ``opd_id``), recorded in the audit log.

    Only BPSDM admins may call this (the route checks the role). Rules: an
    OPD admin needs an OPD (their scope, :mod:`app.admin.scope`); an admin
    cannot change their own role (no accidental lock-out). ``opd_id`` is
    applied only for ``opd_admin`` (other roles keep their OPD). Returns
    ``False`` when nothing changed. Raises :class:`RoleChangeError`.
    """
    if role not in ROLES:
        raise RoleChangeError(N_("Peran tidak dikenal."))
    if user.id == actor.id:
        raise RoleChangeError(N_("Anda tidak dapat mengubah peran akun Anda sendiri."))
    if role == ROLE_OPD_ADMIN:
        if opd_id is None:
            raise RoleChangeError(N_("Admin OPD harus ditetapkan pada satu OPD."))
        if db.session.get(Opd, opd_id) is None:
            raise RoleChangeError(N_("OPD tidak ditemukan."))
    new_opd = opd_id if role == ROLE_OPD_ADMIN else user.opd_id
    if user.role == role and user.opd_id == new_opd:
        return False
    old_role, old_opd = user.role, user.opd_id
    user.role = role
    user.opd_id = new_opd
    db.session.flush()
    record_event(actor, "user.role_change", "user", user.id, email=user.email, old_role=old_role, new_role=role,
                 old_opd_id=old_opd, new_opd_id=new_opd)
    return True


def role_choices() -> list[tuple[str, str]]:
    """``[(role, label), ...]`` in :data:`app.auth.models.ROLES` order, labels in the request's language."""
    from flask_babel import gettext

    return [(role, gettext(ROLE_LABELS[role])) for role in ROLES]


# --- Trainer area ---------------------------------------------------------------

@dataclass(frozen=True)
class CourseLine:
    """A course with how many learners enrolled and completed it."""

    course: Course
    enrolled: int
    completed: int


def can_view_course(user: User, course: Course) -> bool:
    """Admins see every course; a trainer only the courses they are a :class:`CourseTrainer` of."""
    if user.role == ROLE_ADMIN:
        return True
    if user.role != ROLE_TRAINER:
        return False
    return db.session.scalar(select(func.count()).select_from(CourseTrainer).where(
        CourseTrainer.course_id == course.id, CourseTrainer.user_id == user.id)) > 0


def trainer_courses(user: User) -> list[CourseLine]:
    """The courses ``user`` teaches (all courses for an admin), by title, with counts; one query."""
    enrolled = func.count(Enrolment.id)
    completed = func.count(Enrolment.completed_at)
    stmt = (select(Course, enrolled, completed)
            .outerjoin(Enrolment, Enrolment.course_id == Course.id)
            .group_by(Course.id)
            .order_by(func.lower(Course.title), Course.id))
    if user.role != ROLE_ADMIN:
        stmt = stmt.join(CourseTrainer, and_(CourseTrainer.course_id == Course.id,
                                             CourseTrainer.user_id == user.id))
    return [CourseLine(course, n_enrolled, n_completed)
            for course, n_enrolled, n_completed in db.session.execute(stmt).all()]


def course_learners(course: Course, page: int, per_page: int = COURSE_LEARNERS_PER_PAGE):
    """One page of the learners enrolled in ``course``, by name, with their progress.

    Returns ``(pagination, lines)``: ``pagination`` of :class:`Enrolment`
    (with ``user`` loaded) and ``lines`` a list of :class:`EnrolmentLine` in
    the same order, whose ``best_percent`` is the highest score (percent) of
    any submitted quiz attempt in the course, ``None`` before the first attempt.
    Eight queries whatever the page size.
    """
    stmt = (select(Enrolment).join(Enrolment.user).options(contains_eager(Enrolment.user))
            .where(Enrolment.course_id == course.id)
            .order_by(func.lower(User.full_name), Enrolment.id))
    pagination = db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
    enrolments = list(pagination.items)
    ids = [e.id for e in enrolments]
    progress = progress_for_enrolments(enrolments)
    best = dict(db.session.execute(
        select(QuizAttempt.enrolment_id, func.max(QuizAttempt.percent))
        .where(QuizAttempt.enrolment_id.in_(ids), QuizAttempt.state == STATE_SUBMITTED)
        .group_by(QuizAttempt.enrolment_id)
    ).all()) if ids else {}
    numbers = _certificate_numbers(ids)
    lines = [EnrolmentLine(e, progress[e.id], numbers.get(e.id), best.get(e.id)) for e in enrolments]
    return pagination, lines
