"""A realistic demo data set at scale: ``flask seed-demo --users N`` and the benchmarks.

:func:`seed_demo` creates ``N`` ASN users of the OPD of Pemprov Kalimantan
Timur (names from Faker's ``id_ID`` locale, with and without gelar, many with
one name only; valid, unique NIP PNS and NI PPPK; eselon, golongan, jabatan),
a few public learners, trainers, OPD admins and admins, then enrolments in
the courses that exist (imported from ``courses/`` first when there are
none), cohorts (angkatan), lesson progress, submitted quiz attempts,
completions and a bounded sample of real certificates.

Built for volume: rows are written in batches of 2 000 users, without ORM
objects or per-row flushes: SQLAlchemy Core ``insert()`` executemany on
SQLite, ``COPY … FROM STDIN`` on PostgreSQL; and every demo user
shares **one** precomputed argon2id hash of :data:`DEMO_PASSWORD`, because
hashing 100 000 passwords would take hours. 100 000 users (about a million
lesson-progress rows) take minutes on SQLite and PostgreSQL.

Unlike other services this one commits, once per batch, so that memory and
the transaction stay small however large ``N`` is; it is meant for an empty
or demo database, never for production data.

Certificates: rendering and signing a PDF takes ~25 ms, so only a sample of
the completed enrolments (``certificates``, default 50) gets a real
certificate through :func:`app.certificates.services.issue_certificate`; the
other completed enrolments stay *eligible* (they show in "sertifikat belum
terbit" and can be issued later with ``flask certificates issue-missing``).

Deterministic: the same ``seed``, ``today`` and starting database give the
same rows on either engine (apart from certificate codes and files, which
are random and timestamped by design).
"""
from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from faker import Faker
from sqlalchemy import Table, TypeDecorator, func, insert, select

from app.admin.services import seed_opds
from app.assessment.models import KIND_PRETEST, STATE_SUBMITTED, Question, Quiz, QuizAttempt
from app.auth.models import ROLE_ADMIN, ROLE_LEARNER, ROLE_OPD_ADMIN, ROLE_TRAINER, Opd, User
from app.auth.passwords import hash_password
from app.catalog.models import Course, CourseTrainer, Lesson, Module
from app.common.nip import parse_nip
from app.extensions import db
from app.learning.models import ENROLMENT_ACTIVE, Cohort, Enrolment, LessonProgress

#: The password of every demo user (one shared hash; see the module docstring).
DEMO_PASSWORD = "lentera-demo-2026"
#: Demo users' email domain; ``.test`` is reserved (RFC 2606), so no mail ever leaves.
DEMO_DOMAIN = "demo.lentera.test"
BATCH_USERS = 2000
DEFAULT_CERTIFICATES = 50

Progress = Callable[[str], None]

# --- Reference lists ------------------------------------------------------------------------

# (gelar belakang, weight) of an ASN's education; "" = none (SMA, or gelar not used).
_GELAR_BELAKANG = (
    ("", 30), ("S.Kom.", 6), ("S.E.", 6), ("S.H.", 5), ("S.Sos.", 5), ("S.T.", 5), ("S.Pd.", 6),
    ("S.I.P.", 3), ("S.Ak.", 2), ("S.K.M.", 2), ("A.Md.", 6), ("A.Md.Kep.", 2), ("S.Tr.Kom.", 1),
    ("S.E., M.Si.", 3), ("S.T., M.T.", 3), ("S.Kom., M.Kom.", 2), ("S.H., M.H.", 2),
    ("S.Sos., M.A.P.", 2), ("S.I.P., M.Si.", 2), ("S.Pd., M.Pd.", 2), ("M.T.", 1), ("M.Si.", 1),
)
# Front titles: doctorate "Dr.", physician "dr.", engineer "Ir.", hajj "H."/"Hj.", old "Drs."/"Dra.".
_GELAR_DEPAN_MALE = (("", 84), ("H.", 5), ("Ir.", 3), ("Dr.", 2), ("dr.", 2), ("Drs.", 2), ("Dr. H.", 1),
                     ("Ir. H.", 1))
_GELAR_DEPAN_FEMALE = (("", 86), ("Hj.", 4), ("Ir.", 2), ("Dr.", 2), ("dr.", 3), ("Dra.", 2), ("Dr. Hj.", 1))
_AFTER_DOCTOR = ("", "M.Kes.", "Sp.PD", "Sp.A", "M.P.H.")
_AFTER_DR = ("M.Si.", "S.E., M.Si.", "M.Pd.", "S.T., M.T.", "M.A.P.")

# Eselon -> (golongan allowed, jabatan) at a provincial OPD (PP 13/2002; domain-facts §4).
_STRUCTURAL = {
    "II.a": (("IV/c", "IV/d"), ("Kepala Dinas", "Kepala Badan")),
    "II.b": (("IV/c", "IV/d"), ("Kepala Biro", "Staf Ahli Gubernur")),
    "III.a": (("IV/a", "IV/b"), ("Sekretaris Dinas", "Sekretaris Badan")),
    "III.b": (("III/d", "IV/a"), ("Kepala Bidang", "Kepala Bagian", "Kepala UPTD")),
    "IV.a": (("III/c", "III/d"), ("Kepala Seksi", "Kepala Subbagian Umum dan Kepegawaian")),
    "IV.b": (("III/b", "III/c"), ("Kepala Subbagian Tata Usaha UPTD",)),
}
_ESELON_WEIGHTS = (("II.a", 1), ("II.b", 1), ("III.a", 3), ("III.b", 10), ("IV.a", 25), ("IV.b", 4))
_GOLONGAN_STAFF = (("II/a", 4), ("II/b", 4), ("II/c", 5), ("II/d", 4), ("III/a", 12), ("III/b", 12),
                   ("III/c", 10), ("III/d", 8), ("IV/a", 4), ("IV/b", 1))
_JABATAN_FUNGSIONAL = (
    "Analis Kebijakan Ahli Muda", "Analis Kebijakan Ahli Pertama", "Pranata Komputer Ahli Pertama",
    "Pranata Komputer Ahli Muda", "Arsiparis Ahli Muda", "Perencana Ahli Muda", "Auditor Ahli Pertama",
    "Analis Sumber Daya Manusia Aparatur Ahli Pertama", "Pengelola Keuangan", "Pengadministrasi Perkantoran",
    "Penyuluh Kesehatan Masyarakat Ahli Muda", "Guru Ahli Madya", "Dokter Ahli Muda", "Perawat Terampil",
    "Statistisi Ahli Pertama", "Pranata Hubungan Masyarakat Ahli Muda",
)
_JABATAN_PPPK = ("Guru Ahli Pertama", "Perawat Ahli Pertama", "Pranata Komputer Ahli Pertama",
                 "Penata Layanan Operasional", "Operator Layanan Operasional", "Pengelola Umum Operasional",
                 "Penyuluh Pertanian Ahli Pertama")


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return ".".join("".join(ch for ch in part if ch.isalnum()) for part in plain.split()) or "asn"


# --- Course structure -----------------------------------------------------------------------

@dataclass(frozen=True)
class _QuizPlan:
    id: int
    position: int  # module position: the quiz follows that module's lessons
    pass_mark: Decimal
    max_score: Decimal
    max_attempts: int | None
    grading: str
    pretest: bool


@dataclass(frozen=True)
class _CoursePlan:
    id: int
    lessons: list[tuple[int, int, bool]]  # (lesson id, module position, required), in course order
    quizzes: list[_QuizPlan]
    cohorts: list[tuple[int, date, date]]  # (cohort id, starts_on, ends_on)


def _course_plans(today: date) -> list[_CoursePlan]:
    plans = []
    courses = db.session.execute(select(Course.id, Course.pass_mark).where(Course.is_published.is_(True))
                                 .order_by(Course.id)).all()
    for course_id, course_mark in courses:
        lessons = [(lid, mpos, req) for lid, mpos, req in db.session.execute(
            select(Lesson.id, Module.position, Lesson.is_required).join(Module, Module.id == Lesson.module_id)
            .where(Module.course_id == course_id).order_by(Module.position, Module.id, Lesson.position, Lesson.id))]
        quizzes = []
        for quiz, mpos in db.session.execute(
                select(Quiz, Module.position).join(Module, Module.id == Quiz.module_id)
                .where(Module.course_id == course_id).order_by(Module.position)):
            points = list(db.session.scalars(select(Question.points).where(Question.quiz_id == quiz.id)
                                              .order_by(Question.position, Question.id)))
            if quiz.draw_count:
                points = points[:quiz.draw_count]
            if not points:
                continue
            quizzes.append(_QuizPlan(quiz.id, mpos, quiz.pass_mark if quiz.pass_mark is not None else course_mark,
                                     sum(points, Decimal(0)), quiz.max_attempts, quiz.grading,
                                     quiz.kind == KIND_PRETEST))
        plans.append(_CoursePlan(course_id, lessons, quizzes, _ensure_cohorts(course_id, today)))
    return plans


_ROMAN = ("I", "II", "III", "IV", "V", "VI")


def _ensure_cohorts(course_id: int, today: date) -> list[tuple[int, date, date]]:
    """Four angkatan of 60 days over the last 18 months (reused when they exist)."""
    result = []
    for i in range(4):
        starts = today - timedelta(days=540 - i * 130)
        ends = starts + timedelta(days=60)
        name = f"Angkatan {_ROMAN[i]} {starts.year}"
        cohort = db.session.scalar(select(Cohort).where(Cohort.course_id == course_id, Cohort.name == name))
        if cohort is None:
            cohort = Cohort(course_id=course_id, name=name, starts_on=starts, ends_on=ends)
            db.session.add(cohort)
            db.session.flush()
        result.append((cohort.id, cohort.starts_on, cohort.ends_on))
    return result


# --- People -----------------------------------------------------------------------------------

class _People:
    """Generates user rows; keeps NIPs unique against the database and itself."""

    def __init__(self, rng: random.Random, fake: Faker, today: date, opd_ids: list[int], used_nips: set[str]):
        self.rng, self.fake, self.today, self.opd_ids, self.used = rng, fake, today, opd_ids, used_nips

    def name(self, female: bool) -> tuple[str, str | None, str | None]:
        rng, fake = self.rng, self.fake
        first = fake.first_name_female() if female else fake.first_name_male()
        # Many Indonesians have one name only (mononym), common in Java.
        if rng.random() < 0.25:
            full = first
        else:
            full = f"{first} {fake.last_name_female() if female else fake.last_name_male()}"
        depan = _pick(rng, _GELAR_DEPAN_FEMALE if female else _GELAR_DEPAN_MALE)
        if depan.startswith("dr."):
            belakang = rng.choice(_AFTER_DOCTOR)
        elif depan.startswith("Dr."):
            belakang = rng.choice(_AFTER_DR)
        elif depan.startswith("Ir."):
            belakang = rng.choice(("", "M.T.", "M.M."))
        else:
            belakang = _pick(rng, _GELAR_BELAKANG)
        return full, depan or None, belakang or None

    def _unique(self, make) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value

    def nip_pns(self, female: bool) -> str:
        """``YYYYMMDD`` birth + ``YYYYMM`` CPNS appointment + sex + sequence (Perka BKN 22/2007)."""
        rng, today = self.rng, self.today

        def make():
            birth = date(rng.randint(today.year - 57, today.year - 23), rng.randint(1, 12), rng.randint(1, 28))
            year = rng.randint(birth.year + 19, min(birth.year + 35, today.year - 1))
            return (f"{birth:%Y%m%d}{year:04d}{rng.randint(1, 12):02d}{2 if female else 1}"
                    f"{rng.randint(1, 999):03d}")
        return self._unique(make)

    def nip_pppk(self, female: bool) -> str:
        """Birth + year appointed (PPPK since 2019) + code ``21`` + sex + sequence (domain-facts §4)."""
        rng, today = self.rng, self.today

        def make():
            birth = date(rng.randint(today.year - 50, today.year - 22), rng.randint(1, 12), rng.randint(1, 28))
            year = rng.randint(max(2019, birth.year + 19), max(2019, birth.year + 19, today.year))
            return f"{birth:%Y%m%d}{year:04d}21{2 if female else 1}{rng.randint(1, 999):03d}"
        return self._unique(make)

    def row(self, number: int, role: str, password_hash: str, created_at: datetime) -> dict:
        rng = self.rng
        female = rng.random() < 0.48
        full, depan, belakang = self.name(female)
        row = {
            "email": f"{_ascii_slug(full)}.{number:06d}@{DEMO_DOMAIN}", "password_hash": password_hash,
            "role": role, "full_name": full, "gelar_depan": depan, "gelar_belakang": belakang,
            "nip": None, "opd_id": None, "jabatan": None, "eselon": None, "golongan": None,
            "employment_type": None, "active": rng.random() >= 0.02 or role != ROLE_LEARNER,
            "created_at": created_at, "locale": "en" if rng.random() < 0.05 else None,
        }
        kind = rng.random()
        if role == ROLE_LEARNER and kind < 0.08:
            return row  # a public learner (Digital Talent style): email and name only
        row["opd_id"] = rng.choice(self.opd_ids)
        if role == ROLE_LEARNER and kind < 0.30:
            row.update(employment_type="PPPK", nip=self.nip_pppk(female), jabatan=rng.choice(_JABATAN_PPPK))
            parse_nip(row["nip"], employment_type="PPPK", today=self.today)
            return row
        row.update(employment_type="PNS", nip=self.nip_pns(female))
        parse_nip(row["nip"], today=self.today)
        if role == ROLE_TRAINER:
            row.update(jabatan=rng.choice(("Widyaiswara Ahli Muda", "Widyaiswara Ahli Madya")),
                       golongan=rng.choice(("III/d", "IV/a", "IV/b", "IV/c")))
        elif rng.random() < 0.12:
            eselon = _pick(rng, _ESELON_WEIGHTS)
            golongan, jabatan = _STRUCTURAL[eselon]
            row.update(eselon=eselon, golongan=rng.choice(golongan), jabatan=rng.choice(jabatan))
        else:
            row.update(golongan=_pick(rng, _GOLONGAN_STAFF), jabatan=rng.choice(_JABATAN_FUNGSIONAL))
        return row


# --- Learning history --------------------------------------------------------------------------

def _score(rng: random.Random, quiz: _QuizPlan, passed: bool) -> tuple[Decimal, Decimal, bool]:
    """(score, percent, passed) of a submitted attempt; percent truncated to 2 places like grading does."""
    mark = float(quiz.pass_mark)
    wanted = rng.uniform(mark, 100) if passed else rng.uniform(max(0.0, mark - 45), max(0.0, mark - 5))
    score = (quiz.max_score * Decimal(str(round(wanted, 2))) / 100).quantize(Decimal("0.0001"), ROUND_DOWN)
    percent = (score * 100 / quiz.max_score).quantize(Decimal("0.01"), ROUND_DOWN)
    return score, percent, percent >= quiz.pass_mark


def _history(rng: random.Random, plan: _CoursePlan, enrolment_id, enrolled_at: datetime,
             deadline: datetime | None, now: datetime, progress_rows: list, attempt_rows: list) -> datetime | None:
    """Append the lesson progress and attempts of one enrolment; return its completion time or ``None``.

    40 % complete the course (every lesson, every counted quiz passed), 45 %
    stop part-way, 15 % have only enrolled.
    """
    roll = rng.random()
    if roll < 0.15:
        return None
    complete = roll < 0.55
    lessons = plan.lessons
    done = len(lessons) if complete else (rng.randint(1, len(lessons) - 1) if len(lessons) > 1 else 0)
    span = (deadline or enrolled_at + timedelta(days=45)) - enrolled_at
    if rng.random() < 0.2:
        span *= 1.5  # some finish after the angkatan ends (reported as late)
    clock = enrolled_at
    step = span / (len(lessons) + len(plan.quizzes) + 1)

    def tick() -> datetime:
        nonlocal clock
        clock = min(clock + step * rng.uniform(0.3, 1.2), now - timedelta(minutes=1))
        return clock

    finished_modules = {mpos for _lid, mpos, _req in lessons[:done]} - {mpos for _lid, mpos, _req in lessons[done:]}
    for quiz in plan.quizzes:
        if quiz.pretest:
            score, percent, passed = _score(rng, quiz, rng.random() < 0.3)
            attempt_rows.append(_attempt(enrolment_id, quiz, 1, score, percent, passed, tick()))
    for index, (lesson_id, mpos, _req) in enumerate(lessons[:done]):
        progress_rows.append({"enrolment_id": enrolment_id, "lesson_id": lesson_id, "completed_at": tick()})
        last_of_module = index + 1 == len(lessons) or lessons[index + 1][1] != mpos
        if not last_of_module:
            continue
        for quiz in plan.quizzes:
            if quiz.pretest or quiz.position != mpos or mpos not in finished_modules:
                continue
            must_pass = complete or rng.random() < 0.7
            # A failed first try, then a pass, only where the grade is the highest attempt.
            fail_first = (quiz.grading == "highest" and (quiz.max_attempts or 9) > 1 and rng.random() < 0.25)
            number = 1
            if fail_first or not must_pass:
                score, percent, passed = _score(rng, quiz, False)
                attempt_rows.append(_attempt(enrolment_id, quiz, number, score, percent, passed, tick()))
                number += 1
            if must_pass:
                score, percent, passed = _score(rng, quiz, True)
                attempt_rows.append(_attempt(enrolment_id, quiz, number, score, percent, passed, tick()))
    return tick() if complete else None


def _attempt(enrolment_id, quiz: _QuizPlan, number, score, percent, passed, at: datetime) -> dict:
    return {"enrolment_id": enrolment_id, "quiz_id": quiz.id, "number": number, "state": STATE_SUBMITTED,
            "started_at": at - timedelta(minutes=15), "deadline_at": None, "submitted_at": at,
            "layout": None, "saved_answers": None, "score": score, "max_score": quiz.max_score,
            "percent": percent, "passed": passed}


def _bulk_insert(table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table`` in the session's transaction.

    PostgreSQL: one ``COPY … FROM STDIN`` (several times faster than
    executemany, which psycopg sends row by row); values pass through the
    columns' own types first (UTC datetimes, scaled decimals). Other
    engines (SQLite): one Core ``executemany``.
    """
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    dialect = connection.dialect
    names = list(rows[0])
    converters = [table.c[name].type.process_bind_param if isinstance(table.c[name].type, TypeDecorator) else None
                  for name in names]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        with cursor.copy(f"COPY {dialect.identifier_preparer.quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([value if convert is None else convert(value, dialect)
                                for value, convert in zip((row[name] for name in names), converters)])
    finally:
        cursor.close()


def _max_id(model) -> int:
    return db.session.scalar(select(func.coalesce(func.max(model.id), 0)))


def _at(day: date, rng: random.Random) -> datetime:
    """A UTC instant during office hours (WITA, UTC+8) of ``day``."""
    return datetime.combine(day, time(rng.randint(0, 8), rng.randint(0, 59)), tzinfo=timezone.utc)


def _ensure_courses(say: Progress) -> int:
    """Import the courses of ``courses/`` when the database has none; returns how many were imported."""
    if db.session.scalar(select(func.count()).select_from(Course)):
        return 0
    from app.catalog.importer import iter_import, remove_obsolete

    imported = 0
    for result in iter_import(Path(__file__).resolve().parents[2] / "courses"):
        if result.ok:
            db.session.commit()
            remove_obsolete(result)
            imported += 1
        else:
            db.session.rollback()
        say(f"Kursus {result.label}: {result.status}")
    return imported


# --- Entry point -------------------------------------------------------------------------------

def seed_demo(users: int, *, seed: int = 2026, progress: Progress | None = None,
              certificates: int = DEFAULT_CERTIFICATES, today: date | None = None) -> dict[str, int]:
    """Add ``users`` demo users with their learning history; return the rows added per table.

    Keys: ``opds``, ``courses`` (imported because there were none), ``cohorts``
    (created), ``users``, ``course_trainers``, ``enrolments``,
    ``lesson_progress``, ``quiz_attempts``, ``certificates``, plus
    ``completed_enrolments`` (enrolments with ``completed_at``; each is
    eligible for a certificate) and ``certificate_failures``.

    All demo users share one precomputed password hash of
    :data:`DEMO_PASSWORD` (hashing each would take hours at this volume).
    Roles: about 1 admin per 50 000, 1 trainer per 500 (at least 2; two of
    them train each course), 1 OPD admin per 200 (at most one per OPD), the rest
    learners: 8 % public, 22 % PPPK, 70 % PNS (12 % of them structural, with
    eselon). Learners enrol in each course with probability 0.8 (at least
    one); 60 % of enrolments are in an angkatan. Dates lie in the 18 months
    before ``today`` (default: today's UTC date). ``certificates`` of the
    completed enrolments (a random sample) get real certificates through
    :func:`app.certificates.services.issue_certificate`. ``progress`` is
    called with one Indonesian line per step. Commits per batch (see the
    module docstring). Raises ``ValueError`` if ``users`` < 1.
    """
    if users < 1:
        raise ValueError("Jumlah pengguna minimal 1.")
    say = progress or (lambda _line: None)
    today = today or datetime.now(timezone.utc).date()
    # Nothing happens after the start of ``today`` (UTC): never in the future, and the same rows every run.
    now = datetime.combine(today, time(0), tzinfo=timezone.utc)
    rng = random.Random(seed)
    fake = Faker("id_ID")
    fake.seed_instance(seed)
    counts = dict.fromkeys(("opds", "courses", "cohorts", "users", "course_trainers", "enrolments",
                            "lesson_progress", "quiz_attempts", "certificates", "completed_enrolments",
                            "certificate_failures"), 0)

    counts["opds"] = seed_opds().added
    db.session.commit()
    counts["courses"] = _ensure_courses(say)
    cohorts_before = db.session.scalar(select(func.count()).select_from(Cohort))
    plans = _course_plans(today)
    counts["cohorts"] = db.session.scalar(select(func.count()).select_from(Cohort)) - cohorts_before
    db.session.commit()
    opd_ids = list(db.session.scalars(select(Opd.id).order_by(Opd.id)))
    say(f"{len(opd_ids)} OPD, {len(plans)} kursus. Membuat {users} pengguna …")

    password_hash = hash_password(DEMO_PASSWORD)
    first_number = db.session.scalar(select(func.count()).select_from(User)
                                     .where(User.email.like(f"%@{DEMO_DOMAIN}"))) + 1
    people = _People(rng, fake, today, opd_ids,
                     set(db.session.scalars(select(User.nip).where(User.nip.is_not(None)))))
    admins = 1 + users // 50_000 if users >= 10 else 0
    trainers = max(2, users // 500) if users >= 10 else 0
    opd_admins = min(len(opd_ids), users // 200)
    roles = [ROLE_ADMIN] * admins + [ROLE_TRAINER] * trainers + [ROLE_OPD_ADMIN] * opd_admins
    roles += [ROLE_LEARNER] * (users - len(roles))
    timeline_start = today - timedelta(days=560)
    trainer_ids: list[int] = []
    completed_ids: list[int] = []

    for offset in range(0, users, BATCH_USERS):
        batch_roles = roles[offset:offset + BATCH_USERS]
        rows = [people.row(first_number + offset + i, role, password_hash,
                           _at(timeline_start + timedelta(days=rng.randint(0, 20)), rng))
                for i, role in enumerate(batch_roles)]
        before = _max_id(User)
        _bulk_insert(User.__table__, rows)
        created = db.session.execute(select(User.id, User.role, User.active).where(User.id > before)
                                     .order_by(User.id)).all()
        trainer_ids += [uid for uid, role, _a in created if role == ROLE_TRAINER]

        # Enrolments of this batch's learners, with their history: rows refer to the
        # enrolment by (user, course) until the enrolment ids are known.
        enrol_rows: list[dict] = []
        progress_rows: list[dict] = []
        attempt_rows: list[dict] = []
        for uid, role, _active in created:
            if role != ROLE_LEARNER or not plans:
                continue
            chosen = [p for p in plans if rng.random() < 0.8] or [rng.choice(plans)]
            for plan in chosen:
                cohort = rng.choice(plan.cohorts) if rng.random() < 0.6 else None
                if cohort is not None:
                    enrolled_at = _at(cohort[1] + timedelta(days=rng.randint(0, 14)), rng)
                    deadline = datetime.combine(cohort[2], time(15, 59), tzinfo=timezone.utc)
                else:
                    enrolled_at = _at(timeline_start + timedelta(days=rng.randint(30, 540)), rng)
                    deadline = None
                enrolled_at = min(enrolled_at, now - timedelta(days=1))
                done_at = _history(rng, plan, (uid, plan.id), enrolled_at, deadline, now,
                                   progress_rows, attempt_rows)
                enrol_rows.append({"user_id": uid, "course_id": plan.id, "enrolled_at": enrolled_at,
                                   "completed_at": done_at, "status": ENROLMENT_ACTIVE,
                                   "cohort_id": cohort[0] if cohort else None})
        if enrol_rows:
            before = _max_id(Enrolment)
            _bulk_insert(Enrolment.__table__, enrol_rows)
            ids = {(uid, cid): eid for eid, uid, cid in db.session.execute(
                select(Enrolment.id, Enrolment.user_id, Enrolment.course_id).where(Enrolment.id > before))}
            completed_ids += sorted(ids[(r["user_id"], r["course_id"])] for r in enrol_rows if r["completed_at"])
            for row in progress_rows:
                row["enrolment_id"] = ids[row["enrolment_id"]]
            for row in attempt_rows:
                row["enrolment_id"] = ids[row["enrolment_id"]]
            _bulk_insert(LessonProgress.__table__, progress_rows)
            _bulk_insert(QuizAttempt.__table__, attempt_rows)
        db.session.commit()
        counts["users"] += len(created)
        counts["enrolments"] += len(enrol_rows)
        counts["lesson_progress"] += len(progress_rows)
        counts["quiz_attempts"] += len(attempt_rows)
        say(f"  {counts['users']}/{users} pengguna, {counts['enrolments']} pendaftaran, "
            f"{counts['lesson_progress']} progres pelajaran, {counts['quiz_attempts']} percobaan kuis")
    counts["completed_enrolments"] = len(completed_ids)

    if trainer_ids and plans:
        # Two trainers per course, taking turns.
        links = [{"course_id": plan.id, "user_id": tid} for i, plan in enumerate(plans)
                 for tid in {trainer_ids[(2 * i) % len(trainer_ids)], trainer_ids[(2 * i + 1) % len(trainer_ids)]}]
        _bulk_insert(CourseTrainer.__table__, links)
        db.session.commit()
        counts["course_trainers"] = len(links)

    issued, failed = _issue_sample(rng, completed_ids, certificates, say)
    counts["certificates"], counts["certificate_failures"] = issued, failed
    say("Selesai: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
    return counts


def _issue_sample(rng: random.Random, completed_ids: list[int], wanted: int, say: Progress) -> tuple[int, int]:
    """Issue real certificates for ``wanted`` random completed enrolments, oldest completion first."""
    from app.certificates.services import CertificateIssueError, certificate_for_enrolment, issue_certificate

    sample = sorted(rng.sample(completed_ids, min(wanted, len(completed_ids))))
    if not sample:
        return 0, 0
    say(f"Menerbitkan {len(sample)} sertifikat contoh (PDF bertanda tangan) …")
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.id.in_(sample))
                                    .order_by(Enrolment.completed_at, Enrolment.id)).all()
    issued = failed = 0
    for enrolment in enrolments:
        if certificate_for_enrolment(enrolment.id) is not None:
            continue
        try:
            issue_certificate(enrolment)
            issued += 1
        except CertificateIssueError:
            failed += 1  # logged by the service; the completion stays eligible
        if (issued + failed) % 25 == 0:
            db.session.commit()
    db.session.commit()
    return issued, failed

