"""Roster import: dry run with exact Indonesian errors, one-transaction import, idempotence, CLI, web, scale."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.admin import roster
from app.admin.models import AuditEvent
from app.admin.roster_cli import roster_cli
from app.auth.models import Opd, User
from app.auth.services import authenticate
from app.extensions import db
from tests.factories import make_opd
from tests.statements import recorded_statements

DATA = Path(__file__).parent / "data" / "roster"
HEADER = ["NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Email", "OPD", "Jabatan", "Eselon", "Golongan",
          "Jenis Kepegawaian"]


@pytest.fixture()
def opds(app):
    return make_opd("DISKOMINFO", "Dinas Komunikasi dan Informatika"), make_opd(
        "BPSDM", "Badan Pengembangan Sumber Daya Manusia")


@pytest.fixture()
def runner(app):
    if "roster" not in app.cli.commands:
        app.cli.add_command(roster_cli)
    return app.test_cli_runner()


def _users_snapshot():
    rows = db.session.execute(select(User).order_by(User.id)).scalars().all()
    return [(u.id, u.nip, u.email, u.password_hash, u.full_name, u.gelar_depan, u.gelar_belakang, u.opd_id,
             u.jabatan, u.eselon, u.golongan, u.employment_type, u.role) for u in rows]


def _write_csv(path: Path, rows: list[list[str]], delimiter=",") -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _nip(i: int) -> str:
    """A distinct valid NIP for each i < 336_000: birth 1980-MM-DD, appointed 2005-01, male."""
    return f"1980{1 + i % 12:02d}{1 + (i // 12) % 28:02d}2005011{1 + i // 336:03d}"


# --- Dry run messages ---------------------------------------------------------------------------------

def test_every_error_has_row_column_and_exact_indonesian_message(opds):
    plan = roster.plan_file(DATA / "kesalahan.csv")
    errors = [(e.row, e.column, e.message) for e in plan.errors]
    assert errors == [
        (3, "NIP", "NIP harus 18 digit (tertulis 17 digit)."),
        (4, "NIP", "Tanggal lahir pada NIP (31-02-1966) tidak ada di kalender."),
        (5, "NIP", "NIP tertulis dalam notasi ilmiah (mis. 1,96608E+17); simpan kolom NIP sebagai teks."),
        (6, "NIP", "NIP ini muncul lebih dari sekali dalam berkas (pertama di baris 2)."),
        (7, "OPD", "OPD tidak dikenal: tulis kode OPD (mis. DISKOMINFO) atau nama OPD persis seperti terdaftar."),
        (8, "Email", "Alamat email tidak valid."),
        (9, "Eselon", "Eselon tidak dikenal; gunakan I.a, I.b, II.a, II.b, III.a, III.b, IV.a, IV.b, "
                      "atau kosongkan untuk non-eselon."),
        (10, "Golongan", "Golongan tidak dikenal; tulis seperti III/a (I/a sampai IV/e)."),
        (11, "Jenis Kepegawaian", "Jenis kepegawaian harus PNS atau PPPK."),
        (12, "Email", "Email wajib diisi."),
    ]
    values = {e.row: e.value for e in plan.errors}
    assert values[5] == "1.96608E+17" and values[7] == "DINAS ANTAH BERANTAH" and values[8] == "bukan-email"
    assert [r.action for r in plan.rows] == ["create"] + ["error"] * 10
    assert plan.summary() == {"rows": 11, "create": 1, "update": 0, "unchanged": 0, "error": 10, "errors": 10}
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    with pytest.raises(ValueError):
        roster.apply_import(plan)  # a plan with errors writes nothing


def test_xlsx_numeric_nip_cell_is_refused_and_text_cell_accepted(opds, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([196608011988031001, "Angka Bulat", None, None, "a@example.go.id", "DISKOMINFO", None, None,
                  None, "PNS"])
    sheet.append([1.96608011988031e17, "Angka Pecahan", None, None, "b@example.go.id", "DISKOMINFO", None, None,
                  None, "PNS"])
    sheet.append(["198502142010012003", "Teks", None, None, "c@example.go.id", "BPSDM", None, "III.b", "III/d",
                  "PPPK"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    plan = roster.plan_file(path)
    numeric = ("NIP tersimpan sebagai angka di lembar kerja sehingga digit terakhirnya bisa hilang; "
               "format kolom NIP sebagai teks lalu ketik ulang NIP-nya.")
    assert [(e.row, e.column, e.message) for e in plan.errors] == [(2, "NIP", numeric), (3, "NIP", numeric)]
    assert plan.rows[2].action == "create"
    assert plan.rows[2].values["eselon"] == "III.b" and plan.rows[2].values["golongan"] == "III/d"


def test_email_used_by_another_account_is_an_error(opds, make_user):
    make_user(email="budi.santoso@example.go.id", nip="197001012000011001")
    plan = roster.plan_file(DATA / "valid.csv")
    assert [(e.row, e.column, e.message) for e in plan.errors] == [
        (2, "Email", "Email ini sudah dipakai akun lain (NIP berbeda atau tanpa NIP yang cocok).")]


@pytest.mark.parametrize("content, message", [
    ("Nama,Email\nBudi,b@example.go.id\n", "Kolom wajib tidak ada di baris judul: NIP, OPD, Jenis Kepegawaian."),
    ("NIP,Nama,Email,OPD,Jenis Kepegawaian\n", "Berkas tidak berisi baris data."),
    ("NIP,NIP,Nama,Email,OPD,Jenis Kepegawaian\n1,2,3,4,5,6\n", "Kolom NIP muncul dua kali di baris judul."),
])
def test_file_level_errors(opds, tmp_path, content, message):
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(roster.RosterFileError) as caught:
        roster.plan_file(path)
    assert str(caught.value) == message


def test_non_utf8_csv_and_other_suffix_and_broken_xlsx(opds, tmp_path):
    latin = tmp_path / "roster.csv"
    latin.write_bytes("NIP,Nama,Email,OPD,Jenis Kepegawaian\n1,Sí,a@b.id,X,PNS\n".encode("latin-1"))
    with pytest.raises(roster.RosterFileError, match="enkode UTF-8"):
        roster.plan_file(latin)
    other = tmp_path / "roster.txt"
    other.write_text("x")
    with pytest.raises(roster.RosterFileError, match=r"unggah berkas \.csv atau \.xlsx"):
        roster.plan_file(other)
    broken = tmp_path / "roster.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(roster.RosterFileError, match="Berkas XLSX tidak dapat dibaca"):
        roster.plan_file(broken)


# --- Import ---------------------------------------------------------------------------------------------

def test_import_creates_then_the_same_file_changes_nothing(opds):
    diskominfo, bpsdm = opds
    plan = roster.plan_file(DATA / "valid.csv")
    assert plan.ok and [r.action for r in plan.rows] == ["create", "create", "create"]
    assert db.session.scalar(select(func.count()).select_from(User)) == 0  # a dry run writes nothing
    result = roster.apply_import(plan)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)

    budi = db.session.scalar(select(User).where(User.nip == "196608011988031001"))
    assert budi.email == "budi.santoso@example.go.id"
    assert budi.display_name == "Dr. Ir. Budi Santoso, M.T."
    assert (budi.opd_id, budi.eselon, budi.golongan, budi.employment_type, budi.role) == (
        diskominfo.id, "II.a", "IV/c", "PNS", "learner")
    siti = db.session.scalar(select(User).where(User.nip == "198502142010012003"))
    assert (siti.opd_id, siti.eselon, siti.golongan) == (diskominfo.id, "IV.a", "III/c")  # matched by name
    andi = db.session.scalar(select(User).where(User.nip == "199001012015031004"))
    assert (andi.opd_id, andi.eselon, andi.employment_type) == (bpsdm.id, None, "PPPK")
    # New accounts have an unusable random password until a reset.
    assert budi.password_hash.startswith("!roster-") and budi.password_hash != siti.password_hash
    assert authenticate(budi.email, budi.password_hash) is None
    assert authenticate(budi.email, "") is None

    before = _users_snapshot()
    again = roster.plan_file(DATA / "valid.csv")
    assert [r.action for r in again.rows] == ["unchanged"] * 3
    result = roster.apply_import(again)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert _users_snapshot() == before


def test_update_changes_only_what_differs_and_links_self_registered_account(opds, make_user, tmp_path):
    diskominfo, _ = opds
    existing = make_user(nip="196608011988031001", email="budi.santoso@example.go.id", full_name="Budi Santoso",
                         gelar_depan="Dr. Ir.", gelar_belakang="M.T.", opd_id=diskominfo.id, jabatan="Kepala Bidang",
                         eselon="III.a", golongan="IV/c", employment_type="PNS")
    self_registered = make_user(email="siti@example.go.id", full_name="Siti R.")
    password_hash = existing.password_hash
    plan = roster.plan_file(DATA / "valid.csv")
    by_row = {r.row: r for r in plan.rows}
    assert by_row[2].action == "update" and by_row[2].changes == ["Jabatan", "Eselon"]
    assert by_row[3].action == "update" and by_row[3].user_id == self_registered.id
    assert by_row[3].changes[0] == "NIP"
    roster.apply_import(plan)
    db.session.commit()
    db.session.refresh(existing)
    db.session.refresh(self_registered)
    assert (existing.jabatan, existing.eselon, existing.password_hash) == ("Kepala Dinas", "II.a", password_hash)
    assert (self_registered.nip, self_registered.full_name) == ("198502142010012003", "Siti Rahayu")
    assert self_registered.password_hash == password_hash  # their own password still works
    assert db.session.scalar(select(func.count()).select_from(User)) == 3


def test_absent_optional_columns_are_left_alone(opds, make_user, tmp_path):
    diskominfo, _ = opds
    user = make_user(nip="196608011988031001", email="budi@example.go.id", full_name="Budi", jabatan="Kepala Dinas",
                     opd_id=diskominfo.id, employment_type="PNS")
    path = tmp_path / "short.csv"
    path.write_text("NIP,Nama,Email,OPD,Jenis Kepegawaian\n196608011988031001,Budi,budi@example.go.id,DISKOMINFO,PNS\n",
                    encoding="utf-8")
    plan = roster.plan_file(path)
    assert plan.rows[0].action == "unchanged"
    roster.apply_import(plan)
    db.session.commit()
    db.session.refresh(user)
    assert user.jabatan == "Kepala Dinas"


def test_two_thousand_rows_in_a_bounded_number_of_queries(opds, tmp_path):
    rows = [[_nip(i), f"Pegawai {i}", "", "S.Kom.", f"pegawai{i}@example.go.id", "DISKOMINFO", "Analis", "",
             "III/a", "PNS"] for i in range(2000)]
    path = _write_csv(tmp_path / "besar.csv", rows)
    with recorded_statements() as statements:
        plan = roster.plan_file(path)
        roster.apply_import(plan)
        db.session.commit()
    assert plan.summary()["create"] == 2000
    # OPD list, users by NIP (4 chunks) and by email (4 chunks), 4 insert batches, commit-time: no per-row query.
    assert len(statements) <= 20, statements[:30]
    assert db.session.scalar(select(func.count()).select_from(User)) == 2000

    rows[5][6] = "Kepala Seksi"  # one change
    _write_csv(path, rows)
    with recorded_statements() as statements:
        plan = roster.plan_file(path)
        roster.apply_import(plan)
        db.session.commit()
    assert plan.summary() == {"rows": 2000, "create": 0, "update": 1, "unchanged": 1999, "error": 0, "errors": 0}
    assert len(statements) <= 20


# --- Command line ----------------------------------------------------------------------------------------

def test_cli_dry_run_writes_nothing_and_import_is_recorded(opds, runner):
    dry = runner.invoke(args=["roster", "import", str(DATA / "valid.csv"), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 baris: 3 dibuat, 0 diperbarui, 0 tidak berubah, 0 baris bermasalah." in dry.output
    assert "Uji coba (--dry-run): tidak ada yang disimpan." in dry.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    done = runner.invoke(args=["roster", "import", str(DATA / "valid.csv")])
    assert done.exit_code == 0, done.output
    assert "Impor selesai: 3 dibuat, 0 diperbarui, 0 tidak berubah." in done.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 3
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import"))
    assert event_.actor_id is None and json.loads(event_.detail)["created"] == 3

    again = runner.invoke(args=["roster", "import", str(DATA / "valid.csv")])
    assert "Impor selesai: 0 dibuat, 0 diperbarui, 3 tidak berubah." in again.output


def test_cli_errors_exit_1_and_write_nothing(opds, runner):
    result = runner.invoke(args=["roster", "import", str(DATA / "kesalahan.csv")])
    assert result.exit_code == 1
    assert "Baris 3, kolom NIP: NIP harus 18 digit (tertulis 17 digit). (nilai: 19660801198803100)" in result.output
    assert "Tidak ada yang disimpan" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_cli_reads_xlsx(opds, runner, tmp_path):
    workbook = Workbook()
    workbook.active.append(HEADER)
    for i in range(3):
        workbook.active.append([_nip(i), f"Pegawai {i}", None, None, f"p{i}@example.go.id", "BPSDM", None, "IV.a",
                                "III/b", "PNS"])
    path = tmp_path / "roster.xlsx"
    workbook.save(path)
    result = runner.invoke(args=["roster", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "Impor selesai: 3 dibuat, 0 diperbarui, 0 tidak berubah." in result.output


def test_stale_uploads_are_purged(tmp_path):
    import os
    import time

    folder = roster.imports_dir(tmp_path)
    old, fresh = folder / "lama.csv", folder / "baru.csv"
    old.write_text("x")
    fresh.write_text("x")
    past = time.time() - roster.STALE_AFTER - 60
    os.utime(old, (past, past))
    assert roster.purge_stale_uploads(tmp_path) == 1
    assert [p.name for p in folder.iterdir()] == ["baru.csv"]


# --- Web ---------------------------------------------------------------------------------------------------

def _upload(client, path: Path, name: str | None = None):
    return client.post("/admin/roster", data={"file": (io.BytesIO(path.read_bytes()), name or path.name)},
                       content_type="multipart/form-data")


def test_web_dry_run_then_confirm_in_one_transaction(app, opds, client, login, make_user):
    admin = make_user("admin")
    login(admin)
    assert client.get("/admin/roster").status_code == 200
    response = _upload(client, DATA / "valid.csv")
    assert response.status_code == 302
    token = response.headers["Location"].rsplit("/", 1)[1]
    stored = list((Path(app.config["LENTERA_DATA_DIR"]) / "imports").glob(f"{token}.*"))
    assert sorted(p.suffix for p in stored) == [".csv", ".json"]
    page = client.get(f"/admin/roster/{token}").get_data(as_text=True)
    assert "Pratinjau impor roster" in page and "Konfirmasi impor" in page and "Budi Santoso" in page
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # only the admin

    response = client.post(f"/admin/roster/{token}/konfirmasi", follow_redirects=True)
    assert "Impor selesai: 3 akun dibuat, 0 diperbarui, 0 tidak berubah." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 4
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import"))
    assert event_.actor_id == admin.id and json.loads(event_.detail)["file"] == "valid.csv"
    assert client.post(f"/admin/roster/{token}/konfirmasi").status_code == 404  # used up
    assert not list((Path(app.config["LENTERA_DATA_DIR"]) / "imports").glob(f"{token}.*"))


def test_web_preview_lists_errors_and_confirm_refuses(app, opds, client, login, make_user):
    login(make_user("admin"))
    token = _upload(client, DATA / "kesalahan.csv").headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/admin/roster/{token}").get_data(as_text=True)
    assert "Tanggal lahir pada NIP (31-02-1966) tidak ada di kalender." in page
    assert "Konfirmasi impor" not in page
    response = client.post(f"/admin/roster/{token}/konfirmasi", follow_redirects=True)
    assert "Masih ada kesalahan di berkas" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_web_confirm_revalidates_against_current_data(app, opds, client, login, make_user):
    login(make_user("admin"))
    token = _upload(client, DATA / "valid.csv").headers["Location"].rsplit("/", 1)[1]
    make_user(email="andi@example.go.id", nip="197001012000011001")  # takes an email meanwhile
    response = client.post(f"/admin/roster/{token}/konfirmasi", follow_redirects=True)
    assert "Masih ada kesalahan di berkas" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_web_upload_errors_and_access(app, opds, client, login, make_user, tmp_path):
    login(make_user("admin"))
    bad = tmp_path / "roster.txt"
    bad.write_text("x")
    response = _upload(client, bad)
    assert response.status_code == 400
    assert "Jenis berkas tidak didukung; unggah berkas .csv atau .xlsx." in response.get_data(as_text=True)
    missing = tmp_path / "kolom.csv"
    missing.write_text("Nama\nBudi\n", encoding="utf-8")
    response = _upload(client, missing)
    assert response.status_code == 400
    assert "Kolom wajib tidak ada di baris judul: NIP, Email, OPD, Jenis Kepegawaian." in response.get_data(as_text=True)
    assert list((Path(app.config["LENTERA_DATA_DIR"]) / "imports").iterdir()) == []  # a refused file is not kept
    assert client.get("/admin/roster/../../etc").status_code == 404
    assert client.get("/admin/roster/" + "a" * 32).status_code == 404


@pytest.mark.parametrize("role", ["learner", "trainer", "opd_admin"])
def test_roster_pages_are_for_bpsdm_admins_only(app, opds, client, login, make_user, role):
    login(make_user(role, opd_id=opds[0].id))
    assert client.get("/admin/roster").status_code == 403
    assert _upload(client, DATA / "valid.csv").status_code == 403


def test_another_admin_cannot_confirm_my_upload(app, opds, client, login, make_user):
    login(make_user("admin"))
    token = _upload(client, DATA / "valid.csv").headers["Location"].rsplit("/", 1)[1]
    client.post("/keluar")
    login(make_user("admin"))
    assert client.get(f"/admin/roster/{token}").status_code == 404
    assert client.post(f"/admin/roster/{token}/konfirmasi").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_opd_seeded_rows_match_by_code_case_insensitively(opds):
    assert db.session.scalar(select(func.count()).select_from(Opd)) == 2
    plan = roster.plan_rows([(1, HEADER), (2, ["198502142010012003", "Siti", "", "", "s@example.go.id", "bpsdm",
                                                "", "", "", "PNS"])])
    assert plan.rows[0].values["opd_id"] == opds[1].id


def test_pppk_row_with_ni_pppk_is_accepted(opds, tmp_path):
    path = tmp_path / "pppk.csv"
    path.write_text("NIP,Nama,Email,OPD,Jenis Kepegawaian\n"
                    "19931228 2025 21 2 001,Rina,rina@example.go.id,DISKOMINFO,PPPK\n"
                    "199312282025212001,Rina PNS,rina2@example.go.id,DISKOMINFO,PNS\n", encoding="utf-8")
    plan = roster.plan_file(path)
    assert plan.rows[0].action == "create"
    assert [e.message for e in plan.rows[1].errors] == ["Bulan pengangkatan CPNS pada NIP (21) harus 01–12."]
