"""Registration, sign-in and sign-out."""
import html

import pytest

from app.auth.models import User
from app.extensions import db
from tests.factories import make_opd


def test_public_learner_registers_with_email_and_one_word_name(client):
    response = client.post("/daftar", data={"email": "Sukarno@Example.com", "full_name": "Sukarno",
                                             "password": "panjang-sekali", "password_confirm": "panjang-sekali"})
    assert response.status_code == 302
    user = db.session.query(User).one()
    assert user.email == "sukarno@example.com"
    assert user.full_name == "Sukarno" and user.nip is None
    assert user.password_hash.startswith("$argon2id$")


def test_asn_registers_with_nip_and_gelar_kept_as_written(client):
    opd = make_opd()
    response = client.post("/daftar", data={
        "email": "siti@kaltimprov.go.id", "full_name": "Siti Aminah", "password": "panjang-sekali",
        "password_confirm": "panjang-sekali", "is_asn": "y", "gelar_depan": "dr.", "gelar_belakang": "M.Kes.",
        "nip": "19800512 200501 2 003", "opd_id": str(opd.id), "employment_type": "PNS", "eselon": "III.a",
        "golongan": "IV/a"})
    assert response.status_code == 302, response.get_data(as_text=True)
    user = db.session.query(User).one()
    assert user.nip == "198005122005012003"
    assert user.display_name == "dr. Siti Aminah, M.Kes."


def test_bad_fields_get_indonesian_messages_and_400(client):
    response = client.post("/daftar", data={"email": "bukan-email", "full_name": "", "password": "pendek",
                                             "password_confirm": "lain", "is_asn": "y", "nip": "1980051220050120"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Alamat email tidak valid." in body
    assert "Wajib diisi." in body
    assert "Kata sandi 8–128 karakter." in body
    assert "NIP harus 18 digit (tertulis 16 digit)." in body
    assert db.session.query(User).count() == 0


def test_duplicate_email_is_refused_case_insensitively(client, make_user):
    make_user(email="ani@example.com")
    response = client.post("/daftar", data={"email": "ANI@example.com", "full_name": "Ani",
                                             "password": "panjang-sekali", "password_confirm": "panjang-sekali"})
    assert response.status_code == 400
    assert "Email ini sudah terdaftar" in response.get_data(as_text=True)


def test_login_wrong_password_and_unknown_user_answer_alike(client, make_user):
    user = make_user()
    wrong = client.post("/masuk", data={"email": user.email, "password": "salah-sekali"})
    unknown = client.post("/masuk", data={"email": "tidak-ada@example.com", "password": "salah-sekali"})
    assert wrong.status_code == unknown.status_code == 400
    assert "Email atau kata sandi salah." in wrong.get_data(as_text=True)
    assert "Email atau kata sandi salah." in unknown.get_data(as_text=True)


def test_login_and_logout(client, make_user, login):
    user = make_user()
    login(user)
    assert client.get("/saya").status_code == 200
    assert client.post("/keluar").status_code == 302
    assert client.get("/saya").status_code == 302


def test_open_redirect_after_login_is_ignored(client, make_user):
    user = make_user()
    response = client.post("/masuk?next=//evil.example/x", data={"email": user.email, "password": "rahasia-123"})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("name, message", [
    ("Budi 😀 Santoso", "Karakter '😀' (U+1F600) pada nama tidak dapat dicetak pada sertifikat."),
    ("林 美玲", "Karakter '林' (U+6797) pada nama tidak dapat dicetak pada sertifikat."),
    ("\u200b\u200b", "Nama berisi karakter tersembunyi atau karakter kendali (U+200B)"),
    ("Budi \u202eosotnaS", "Nama berisi karakter tersembunyi atau karakter kendali (U+202E)"),
    ("Budi\x00Santoso", "Nama berisi karakter tersembunyi atau karakter kendali (U+0000)"),
    ("A" * 121, "Nama paling banyak 120 karakter."),
    ("...", "Nama harus memuat setidaknya satu huruf."),
])
def test_names_a_certificate_cannot_print_are_refused_at_registration(client, name, message):
    response = client.post("/daftar", data={"email": "x@example.com", "full_name": name,
                                             "password": "belajar-digital-2026",
                                             "password_confirm": "belajar-digital-2026"})
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.session.query(User).count() == 0


def test_vietnamese_and_spanish_letters_are_printable_and_spaces_folded(client):
    response = client.post("/daftar", data={"email": "x@example.com", "full_name": "  Nguyễn   Thị Ñoño ",
                                             "password": "belajar-digital-2026",
                                             "password_confirm": "belajar-digital-2026"})
    assert response.status_code == 302
    assert db.session.query(User).one().full_name == "Nguyễn Thị Ñoño"


def test_pppk_registers_with_ni_pppk(client):
    opd = make_opd()
    response = client.post("/daftar", data={
        "email": "pppk@kaltimprov.go.id", "full_name": "Rahmat", "password": "belajar-digital-2026",
        "password_confirm": "belajar-digital-2026", "is_asn": "y", "nip": "19950510 2024 21 1 001",
        "opd_id": str(opd.id), "employment_type": "PPPK"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.query(User).one().nip == "199505102024211001"


def test_nip_without_ticking_asn_is_not_dropped(client):
    response = client.post("/daftar", data={"email": "x@example.com", "full_name": "Ani",
                                             "password": "belajar-digital-2026",
                                             "password_confirm": "belajar-digital-2026",
                                             "nip": "199003152014022001"})
    assert response.status_code == 400
    assert "Pilih OPD Anda." in response.get_data(as_text=True)
