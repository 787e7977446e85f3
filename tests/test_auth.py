"""Registration, sign-in and sign-out."""
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
