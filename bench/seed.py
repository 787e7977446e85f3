"""Benchmark database set-up: a fresh database, the sample courses, a dataset, and signed-in learners.

Used by ``bench/run.py`` and ``bench/loadtest.py``; not a test.

* :func:`fresh_database` makes an empty database (a SQLite file in a work
  folder, or a PostgreSQL database dropped and created anew) and returns its URL.
* :func:`prepare` runs the migrations, ``flask opd seed``, ``flask courses import
  courses/`` and the dataset: ``flask seed-demo --users N`` when
  ``app/admin/demo_data.py`` exists, else :func:`seed_fallback` (Core inserts:
  N learners, each enrolled in every published course, with the first lessons
  complete, about 5 progress rows per enrolment).
* :func:`mint_sessions` signs users in without the password step (argon2id
  would dominate a run and sign-in is not what is measured): it creates the
  server-side session record exactly as ``/masuk`` does
  (:func:`app.auth.sessions.start`) and returns the signed cookie value and a
  CSRF token for each user.
"""
from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: User-Agent every benchmark client sends; sessions are minted with it (Flask-Login's
#: session identifier hashes address and agent, so a different agent would mark the session non-fresh).
USER_AGENT = "lentera-bench/1"
SECRET_KEY = "bench-secret-not-for-production"
BATCH = 5_000


def env_for(url: str, workdir: Path) -> dict[str, str]:
    """Environment for the app (CLI and gunicorn) on database ``url``; data kept in ``workdir``."""
    env = dict(os.environ)
    env.update({
        "FLASK_APP": "app",
        "DATABASE_URL": url,
        "LENTERA_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "LENTERA_SECURE_COOKIES": "0",  # plain HTTP on 127.0.0.1
        "LENTERA_INSTANCE_DIR": str(workdir / "instance"),
        "LENTERA_DATA_DIR": str(workdir / "data"),
        "LENTERA_LOG_LEVEL": "WARNING",
        # A full run lasts longer than the 30-minute idle timeout of a minted session.
        "LENTERA_SESSION_IDLE_MINUTES": "600",
    })
    return env


def fresh_database(kind: str, workdir: Path, pg_url: str, pg_name: str) -> str:
    """An empty database: ``kind`` "sqlite" (file in ``workdir``) or "postgresql" (``pg_name`` recreated)."""
    if kind == "sqlite":
        path = workdir / "bench.db"
        if path.exists():
            path.unlink()
        return f"sqlite:///{path}"
    import psycopg

    with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{pg_name}"')
    base = pg_url.rsplit("/", 1)[0]
    return f"{base}/{pg_name}"


def existing_database(kind: str, pg_url: str, pg_name: str) -> str | None:
    """URL of PostgreSQL database ``pg_name`` when it exists and has users (for ``--reuse``), else ``None``."""
    if kind != "postgresql":
        return None
    import psycopg

    base = pg_url.rsplit("/", 1)[0]
    try:
        with psycopg.connect(f"{base}/{pg_name}".replace("postgresql+psycopg://", "postgresql://")) as conn:
            if conn.execute("SELECT count(*) FROM users").fetchone()[0] > 0:
                return f"{base}/{pg_name}"
    except psycopg.Error:
        return None
    return None


def _flask(env: dict, *args: str) -> str:
    done = subprocess.run([str(ROOT / ".venv/bin/flask"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} gagal:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def demo_data_available() -> bool:
    """True when the shared dataset generator (app/admin/demo_data.py) is in the tree."""
    return (ROOT / "app" / "admin" / "demo_data.py").exists()


def prepare(url: str, workdir: Path, users: int, log=print) -> dict:
    """Migrate, seed OPD and courses, then the dataset of ``users`` learners; returns row counts and timings."""
    env = env_for(url, workdir)
    started = time.perf_counter()
    _flask(env, "db", "upgrade")
    _flask(env, "opd", "seed")
    _flask(env, "courses", "import", "courses/")
    log(f"  skema + OPD + kursus: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    if demo_data_available():
        out = _flask(env, "seed-demo", "--users", str(users))
        generator = "app.admin.demo_data.seed_demo"
        log(out.strip()[-400:])
    else:
        generator = "bench.seed.seed_fallback"
        app = make_app(url, workdir)
        with app.app_context():
            seed_fallback(users)
    seconds = time.perf_counter() - started
    app = make_app(url, workdir)
    with app.app_context():
        counts = table_counts()
    log(f"  data ({generator}): {seconds:.1f} s, {counts}")
    return {"generator": generator, "seconds": round(seconds, 1), "counts": counts}


def make_app(url: str, workdir: Path):
    """The Flask app configured like the served one (production config, bench secret)."""
    for key, value in env_for(url, workdir).items():
        if key.startswith(("LENTERA_", "SECRET_KEY", "DATABASE_URL")):
            os.environ[key] = value
    from app import create_app

    return create_app("production", SQLALCHEMY_DATABASE_URI=url)


def table_counts() -> dict[str, int]:
    """Rows in the tables the workloads read."""
    from sqlalchemy import text

    from app.extensions import db

    return {name: db.session.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("users", "enrolments", "lesson_progress", "quiz_attempts", "certificates")}


def seed_fallback(users: int, seed: int = 2026) -> None:
    """Stand-in dataset until app/admin/demo_data.py exists: ``users`` learners, ~10 progress rows each.

    Core inserts in batches of 5,000; one password hash shared by all (argon2id
    per user would take minutes and is not what the benchmarks measure).
    """
    from sqlalchemy import insert, select

    from app.auth.models import Opd, User
    from app.auth.passwords import hash_password
    from app.catalog.models import Course, Lesson, Module
    from app.common.db import utcnow
    from app.extensions import db
    from app.learning.models import Enrolment, LessonProgress

    rng = random.Random(seed)
    now = utcnow()
    password = hash_password("rahasia-123")
    opds = db.session.scalars(select(Opd.id)).all()
    courses = db.session.scalars(select(Course).where(Course.is_published.is_(True)).order_by(Course.id)).all()
    lessons = {c.id: db.session.scalars(select(Lesson.id).join(Module).where(Module.course_id == c.id)
                                        .order_by(Module.position, Lesson.position)).all() for c in courses}
    start_user = (db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) or 0) + 1
    for first in range(0, users, BATCH):
        rows = []
        for i in range(first, min(users, first + BATCH)):
            rows.append({"id": start_user + i, "email": f"asn{i:06d}@bench.example.go.id",
                         "password_hash": password, "role": "learner", "full_name": f"Pegawai Uji {i:06d}",
                         "nip": f"1980{1 + i % 12:02d}{1 + (i // 12) % 28:02d}2005011{i // 336:03d}",
                         "opd_id": rng.choice(opds), "active": True, "created_at": now,
                         "employment_type": "PNS" if i % 7 else "PPPK"})
        db.session.execute(insert(User), rows)
        enrol_rows, progress_rows = [], []
        for row in rows:
            for course in courses:
                enrol_rows.append({"user_id": row["id"], "course_id": course.id, "enrolled_at": now,
                                   "status": "active"})
        db.session.execute(insert(Enrolment), enrol_rows)
        ids = db.session.execute(select(Enrolment.id, Enrolment.course_id)
                                 .where(Enrolment.user_id.between(rows[0]["id"], rows[-1]["id"]))).all()
        for enrolment_id, course_id in ids:
            course_lessons = lessons[course_id]
            for lesson_id in course_lessons[:rng.randint(0, min(10, len(course_lessons)))]:
                progress_rows.append({"enrolment_id": enrolment_id, "lesson_id": lesson_id, "completed_at": now})
        if progress_rows:
            db.session.execute(insert(LessonProgress), progress_rows)
        db.session.commit()
    _fix_sequences()


def _fix_sequences() -> None:
    """PostgreSQL: move the users id sequence past the explicit ids inserted."""
    from sqlalchemy import text

    from app.extensions import db

    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"))
        db.session.commit()


def bench_learners(count: int, course_slug: str, prefix: str = "bench") -> list[int]:
    """``count`` fresh learners enrolled (active) in ``course_slug``, created with Core inserts; their ids."""
    from sqlalchemy import insert, select

    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.catalog.models import Course
    from app.common.db import utcnow
    from app.extensions import db
    from app.learning.models import Enrolment

    now = utcnow()
    password = hash_password("rahasia-123")
    course = db.session.scalar(select(Course).where(Course.slug == course_slug))
    tag = f"{prefix}{int(time.time())}"
    emails = [f"{tag}-{i:05d}@bench.example.go.id" for i in range(count)]
    for first in range(0, count, BATCH):
        db.session.execute(insert(User), [{"email": e, "password_hash": password, "role": "learner",
                                          "full_name": f"Peserta Beban {e[:18]}", "active": True,
                                          "created_at": now, "employment_type": "PNS"}
                                         for e in emails[first:first + BATCH]])
    ids = db.session.scalars(select(User.id).where(User.email.like(f"{tag}-%")).order_by(User.id)).all()
    for first in range(0, count, BATCH):
        db.session.execute(insert(Enrolment), [{"user_id": uid, "course_id": course.id, "enrolled_at": now,
                                                "status": "active"} for uid in ids[first:first + BATCH]])
    db.session.commit()
    return list(ids)


def mint_sessions(app, user_ids: list[int]) -> list[dict]:
    """Sign each user in as ``/masuk`` would; ``[{"user_id", "cookie", "csrf"}]`` (cookie: the signed value)."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from app.auth import sessions
    from app.auth.models import User
    from app.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)
    minted = []
    for user_id in user_ids:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": "127.0.0.1"},
                                      headers={"User-Agent": USER_AGENT}):
            user = db.session.get(User, user_id)
            sessions.start(user)
            token = generate_csrf()
            minted.append({"user_id": user_id, "cookie": serializer.dumps(dict(session)), "csrf": token})
            db.session.commit()
    return minted


def cookie_name(app) -> str:
    """Name of the session cookie."""
    return app.config.get("SESSION_COOKIE_NAME", "session")
