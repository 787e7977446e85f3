"""Fixtures: a real database built by the Alembic migrations, per test run.

The engine is chosen by ``LENTERA_TEST_DATABASE_URL``: unset means a SQLite
file in a temporary folder; a ``postgresql+psycopg://…/postgres`` URL means a
fresh PostgreSQL database is created for the run (and dropped after).
Every test starts from empty tables.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app import create_app
from app.common.i18n import compile_catalogues
from app.extensions import db
from tests import factories

# English pages need compiled catalogues even when pytest runs without `make`.
compile_catalogues()


def _postgres_database(admin_url: str):
    name = f"lentera_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = admin_url.rpartition("/")
    return f"{base}/{name}", admin, name


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Create the test database and migrate it to head once per run."""
    requested = os.environ.get("LENTERA_TEST_DATABASE_URL")
    admin = name = None
    if requested and requested.startswith("postgresql"):
        url, admin, name = _postgres_database(requested)
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "lentera-test.db")
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url,
                     LENTERA_DATA_DIR=str(tmp_path_factory.mktemp("data")))
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.engine.dispose()
    yield url
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_tables() -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture()
def app(database_url, tmp_path):
    """A Flask app on the migrated test database; tables are empty at start."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url,
                     LENTERA_DATA_DIR=str(tmp_path / "data"),
                     LENTERA_BASE_URL="https://lentera.example.go.id")
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make_user(app):
    """``make_user(role="learner", **fields) -> User`` (committed; password ``rahasia-123``)."""
    return factories.make_user


@pytest.fixture()
def login(client):
    """``login(user)`` signs ``user`` in on the test client."""

    def _login(user, password: str = factories.PASSWORD):
        response = client.post("/masuk", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return _login


@pytest.fixture()
def make_course(app):
    """``make_course(**options) -> Course`` built directly in the database; see factories."""
    return factories.make_course


@pytest.fixture()
def question_editor(make_user, make_course, login):
    """A signed-in trainer of a one-module course whose quiz has one question; returns the course."""
    from app.catalog.models import CourseTrainer

    trainer = make_user("trainer")
    course = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1)
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    login(trainer)
    return course


@pytest.fixture()
def open_attempt(app, client, login):
    """A signed-in learner with an attempt in progress: ``(learner, quiz, quiz_url)``."""
    from app.learning.services import enrol

    course = factories.make_course(modules=1, lessons_per_module=1, questions_per_quiz=2)
    quiz = course.modules[0].quiz
    learner = factories.make_user("learner")
    enrol(learner, course)
    db.session.commit()
    login(learner)
    quiz_url = f"/kursus/{course.slug}/kuis/{quiz.id}"
    assert client.post(quiz_url + "/mulai").status_code == 302
    return learner, quiz, quiz_url


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent
