"""Migrations: one head, upgrade from empty, downgrade to empty, models equal the migrated schema."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db


@pytest.fixture()
def fresh_url(tmp_path):
    requested = os.environ.get("LENTERA_TEST_DATABASE_URL")
    if not (requested and requested.startswith("postgresql")):
        yield "sqlite:///" + str(tmp_path / "migrations.db")
        return
    name = f"lentera_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(requested, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield requested.rpartition("/")[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_single_head(app):
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1


def test_upgrade_matches_models_and_downgrade_empties(fresh_url, tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=fresh_url, LENTERA_DATA_DIR=str(tmp_path))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models differ from the migrated schema: {diff}"
        # Alembic's compare skips CHECK constraints; batch table rebuilds on SQLite could drop them.
        inspector = inspect(db.engine)
        for table in db.metadata.sorted_tables:
            declared = {c.name for c in table.constraints if c.__class__.__name__ == "CheckConstraint"}
            migrated = {c["name"] for c in inspector.get_check_constraints(table.name)}
            assert declared <= migrated, f"{table.name}: CHECK constraints missing: {declared - migrated}"
        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        upgrade()  # and back up again
        assert "certificates" in inspect(db.engine).get_table_names()
        db.engine.dispose()
