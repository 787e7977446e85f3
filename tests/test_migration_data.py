"""Migrations keep data: rows written at the first revision survive every upgrade to head and the way back.

ASVS 5.0 asks that deployments not lose data; a batch table rebuild on
SQLite (copy, drop, rename) or a data step in a migration is where rows get lost.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, Date, DateTime, Integer, MetaData, String, Text, func, insert, select

from app import create_app
from app.extensions import db
from tests.test_migrations import fresh_url  # noqa: F401  (fixture)

FIRST_REVISION = "e805e16d1437"
NOW = dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.timezone.utc)

# Rows as a deployment of the first release held them; exact decimals were
# stored scaled by 100 then (ScaledDecimal(2)): 1200 is 12 JP, 100 is 1 point. Columns left out are
# filled by _fill() from their type, so the seed keeps working as columns grow.
SEED: list[tuple[str, list[dict]]] = [
    ("opds", [{"id": 1, "code": "DISKOMINFO", "name": "Dinas Komunikasi dan Informatika"}]),
    ("users", [
        {"id": 1, "email": "sri@kaltimprov.go.id", "role": "learner", "full_name": "Sri Wahyuni",
         "gelar_depan": "dr.", "gelar_belakang": "M.Kes.", "nip": "198503152010012003", "opd_id": 1,
         "employment_type": "PNS", "active": True},
        {"id": 2, "email": "pelatih@kaltimprov.go.id", "role": "trainer", "full_name": "Sukarno", "active": True},
    ]),
    ("courses", [{"id": 1, "slug": "cgio", "title": "Kepemimpinan Digital", "summary": "Ringkas", "audience": "OPD",
                  "jp": 1200, "pass_mark": 7000, "version": 1, "is_published": True}]),
    ("course_trainers", [{"course_id": 1, "user_id": 2}]),
    ("modules", [{"id": 1, "course_id": 1, "slug": "m1", "title": "SPBE", "summary": "", "position": 1}]),
    ("lessons", [{"id": 1, "module_id": 1, "slug": "l1", "title": "Arsitektur SPBE", "body_md": "# SPBE",
                  "position": 1, "is_required": True}]),
    ("quizzes", [{"id": 1, "module_id": 1, "title": "Kuis SPBE"}]),
    ("questions", [{"id": 1, "quiz_id": 1, "key": "q1", "type": "single", "text": "Apa itu SPBE?",
                    "explanation": "", "points": 100, "position": 1}]),
    ("choices", [{"id": 1, "question_id": 1, "text": "Sistem Pemerintahan Berbasis Elektronik", "is_correct": True,
                  "position": 1},
                 {"id": 2, "question_id": 1, "text": "Lain", "is_correct": False, "position": 2}]),
    ("enrolments", [{"id": 1, "user_id": 1, "course_id": 1}]),
    ("lesson_progress", [{"id": 1, "enrolment_id": 1, "lesson_id": 1}]),
    ("quiz_attempts", [{"id": 1, "enrolment_id": 1, "quiz_id": 1, "number": 1, "score": 100, "max_score": 100,
                        "percent": 10000, "passed": True}]),
    ("attempt_answers", [{"id": 1, "attempt_id": 1, "question_id": 1, "selected": "[1]", "points_awarded": 100,
                          "is_correct": True}]),
    ("certificate_sequences", [{"year": 2026, "last_value": 1}]),
    ("certificates", [{"id": 1, "enrolment_id": 1, "code": "AbCdEf123456", "number": "0001/BPSDM-KT/III/2026",
                       "year": 2026, "sequence": 1, "holder_name": "dr. Sri Wahyuni, M.Kes.",
                       "course_title": "Kepemimpinan Digital", "jp": 1200, "completed_on": dt.date(2026, 3, 2),
                       "status": "valid", "sha256": "0" * 64}]),
    ("audit_events", [{"id": 1, "action": "certificate.issue", "detail": "{}"}]),
]


def _fill(table, row: dict) -> dict:
    """Give every required column without a default a value of its type."""
    filled = dict(row)
    for column in table.columns:
        if column.name in filled or column.nullable or column.server_default is not None or column.primary_key:
            continue
        if isinstance(column.type, DateTime):
            filled[column.name] = NOW
        elif isinstance(column.type, Date):
            filled[column.name] = NOW.date()
        elif isinstance(column.type, Boolean):
            filled[column.name] = False
        elif isinstance(column.type, Integer):
            filled[column.name] = 1
        elif isinstance(column.type, (String, Text)):
            filled[column.name] = f"{column.name}-{row.get('id', 1)}"
    return filled


def _counts(connection) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(connection)
    return {name: connection.execute(select(func.count()).select_from(meta.tables[name])).scalar_one()
            for name, _ in SEED}


def test_seeded_rows_survive_every_upgrade_and_downgrade(fresh_url, tmp_path):  # noqa: F811
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_url, LENTERA_DATA_DIR=str(tmp_path))
    with app.app_context():
        upgrade(revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            meta = MetaData()
            meta.reflect(connection)
            for name, rows in SEED:
                table = meta.tables[name]
                for row in rows:
                    connection.execute(insert(table).values(_fill(table, row)))
            seeded = _counts(connection)
        assert all(seeded.values())

        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
        assert revisions[0] == FIRST_REVISION
        for revision in revisions[1:]:
            upgrade(revision=revision)
            with db.engine.connect() as connection:
                assert _counts(connection) == seeded, f"rows lost upgrading to {revision}"

        # At head the ORM reads the old rows with their meaning intact.
        from app.assessment.models import QuizAttempt
        from app.auth.models import User
        from app.certificates.models import Certificate

        db.session.remove()
        sri = db.session.get(User, 1)
        assert (sri.nip, sri.display_name, sri.opd.code) == ("198503152010012003", "dr. Sri Wahyuni, M.Kes.",
                                                             "DISKOMINFO")
        attempt = db.session.get(QuizAttempt, 1)
        assert (attempt.score, attempt.max_score, attempt.percent, attempt.passed) == (
            Decimal(1), Decimal(1), Decimal(100), True)
        assert attempt.answers[0].points_awarded == Decimal(1)
        from app.catalog.models import Course

        assert (db.session.get(Course, 1).jp, db.session.get(Course, 1).pass_mark) == (Decimal(12), Decimal(70))
        certificate = db.session.get(Certificate, 1)
        assert (certificate.code, certificate.number, certificate.status, certificate.jp) == (
            "AbCdEf123456", "0001/BPSDM-KT/III/2026", "valid", Decimal(12))
        db.session.remove()

        for revision in reversed(revisions[:-1]):
            downgrade(revision=revision)
            with db.engine.connect() as connection:
                assert _counts(connection) == seeded, f"rows lost downgrading to {revision}"
        db.engine.dispose()
