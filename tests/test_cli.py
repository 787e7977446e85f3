"""Operator commands: ``flask opd seed``, ``flask users create``, ``flask demo accounts``."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.admin.opd_data import OPD_DATA
from app.auth.models import Opd, User
from app.auth.services import authenticate
from app.catalog.models import CourseTrainer
from app.common.nip import parse_nip
from app.extensions import db
from tests.factories import make_opd

PASSWORD = "kata-sandi-uji-123"


@pytest.fixture()
def runner(app):
    return app.test_cli_runner()


def test_opd_seed_is_idempotent(runner):
    first = runner.invoke(args=["opd", "seed"])
    assert first.exit_code == 0, first.output
    assert f"{len(OPD_DATA)} OPD ditambahkan (0 sudah ada)." in first.output
    second = runner.invoke(args=["opd", "seed"])
    assert f"0 OPD ditambahkan ({len(OPD_DATA)} sudah ada)." in second.output
    assert db.session.query(Opd).count() == len(OPD_DATA)
    codes = dict(db.session.execute(select(Opd.code, Opd.name)).all())
    assert codes["DISKOMINFO"] == "Dinas Komunikasi dan Informatika"
    assert codes["BPSDM"] == "Badan Pengembangan Sumber Daya Manusia"
    assert codes["BAPPEDA"] == "Badan Perencanaan Pembangunan Daerah"
    assert codes["BIRO-ADPIM"] == "Biro Administrasi Pimpinan"
    assert "Biro Organisasi" not in codes.values()   # unverified in domain-facts §5


def test_opd_seed_keeps_existing_rows(runner):
    make_opd()  # DISKOMINFO, as the factories create it
    result = runner.invoke(args=["opd", "seed"])
    assert f"{len(OPD_DATA) - 1} OPD ditambahkan (1 sudah ada)." in result.output


def test_users_create_with_password_from_environment(runner):
    make_opd()
    result = runner.invoke(args=[
        "users", "create", "--email", "Siti@KaltimProv.go.id", "--name", "Siti Aminah", "--role", "trainer",
        "--nip", "19800512 200501 2 003", "--opd", "diskominfo", "--gelar-depan", "dr.", "--gelar-belakang",
        "M.Kes.", "--employment-type", "PNS"], env={"LENTERA_USER_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    user = db.session.scalar(select(User).where(User.email == "siti@kaltimprov.go.id"))
    assert (user.role, user.nip, user.opd.code, user.employment_type) == ("trainer", "198005122005012003",
                                                                          "DISKOMINFO", "PNS")
    assert user.display_name == "dr. Siti Aminah, M.Kes."
    assert authenticate("siti@kaltimprov.go.id", PASSWORD) == user


def test_users_create_prompts_for_the_password_when_not_in_environment(runner):
    result = runner.invoke(args=["users", "create", "--email", "ani@example.com", "--name", "Ani"],
                           input=f"{PASSWORD}\n{PASSWORD}\n", env={"LENTERA_USER_PASSWORD": None})
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output          # hidden input is not echoed
    assert authenticate("ani@example.com", PASSWORD).role == "learner"


def test_users_create_bad_nip_exits_1_with_indonesian_message(runner):
    result = runner.invoke(args=["users", "create", "--email", "budi@example.com", "--name", "Budi",
                                 "--nip", "1980051220050120"], env={"LENTERA_USER_PASSWORD": PASSWORD})
    assert result.exit_code == 1
    assert "NIP harus 18 digit (tertulis 16 digit)." in result.stderr
    assert db.session.query(User).count() == 0


def test_users_create_reports_every_error_and_unknown_opd(runner):
    result = runner.invoke(args=["users", "create", "--email", "bukan-email", "--name", "Budi", "--role", "raja",
                                 "--employment-type", "honorer"], env={"LENTERA_USER_PASSWORD": "pendek"})
    assert result.exit_code == 1
    for message in ("Alamat email tidak valid.", "Peran tidak dikenal: raja.", "Kata sandi 8–128 karakter.",
                    "Jenis kepegawaian harus PNS atau PPPK."):
        assert message in result.stderr
    unknown = runner.invoke(args=["users", "create", "--email", "budi@example.com", "--name", "Budi",
                                  "--opd", "TIDAKADA"], env={"LENTERA_USER_PASSWORD": PASSWORD})
    assert unknown.exit_code == 1
    assert "OPD dengan kode 'TIDAKADA' tidak dikenal." in unknown.stderr
    assert db.session.query(User).count() == 0


def _passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"\| [^|]+\| (\S+@lentera\.test)\s+\| (.+?)\s+\|", output))


def test_demo_accounts_are_created_once_and_passwords_shown_once(runner, make_course):
    first_course = make_course()
    first = runner.invoke(args=["demo", "accounts"])
    assert first.exit_code == 0, first.output
    assert "https://lentera.example.go.id/masuk" in first.output   # LENTERA_BASE_URL of the test app
    passwords = _passwords(first.output)
    assert set(passwords) == {"admin@lentera.test", "pengajar@lentera.test", "peserta@lentera.test"}
    for email, password in passwords.items():
        assert len(password) == 16
        assert authenticate(email, password) is not None

    admin = db.session.scalar(select(User).where(User.email == "admin@lentera.test"))
    assert (admin.role, admin.opd.code) == ("admin", "BPSDM")
    learner = db.session.scalar(select(User).where(User.email == "peserta@lentera.test"))
    assert learner.role == "learner" and learner.employment_type == "PNS"
    assert parse_nip(learner.nip).value == learner.nip
    assert (learner.opd.code, learner.eselon, learner.golongan) == ("DISKOMINFO", "III.b", "III/d")
    assert learner.gelar_belakang == "S.Kom."
    trainer = db.session.scalar(select(User).where(User.email == "pengajar@lentera.test"))
    assert trainer.role == "trainer"
    hashes = {u.email: u.password_hash for u in db.session.scalars(select(User))}

    later_course = make_course()   # imported after the first run
    second = runner.invoke(args=["demo", "accounts"])
    assert second.exit_code == 0, second.output
    assert second.output.count("sudah ada (kata sandi tidak diubah)") == 3
    assert not any(password in second.output for password in passwords.values())
    assert {u.email: u.password_hash for u in db.session.scalars(select(User))} == hashes
    assert db.session.query(User).count() == 3
    linked = set(db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == trainer.id)))
    assert linked == {first_course.id, later_course.id}
    assert "mengampu 2 kursus (1 baru ditautkan)" in second.output
