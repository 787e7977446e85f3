"""Admin, roster, cohort, report and certificate pages follow the reader's language (issue #7).

Indonesian is the default; the ``lentera_bahasa=en`` cookie gives English. Each
page is checked for texts that only one of the two languages has, so a
string left out of a catalogue (or left hard-coded) shows up here.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import pytest

from app.certificates import services as certificates
from app.extensions import db
from app.learning.models import Cohort
from tests.factories import make_completed_enrolment, make_opd

BAD_ROSTER = (
    "NIP,Nama,Email,OPD,Jenis Kepegawaian\n"
    "196608011988031001,Budi Santoso,budi@example.go.id,DINAS ANTAH BERANTAH,PNS\n"
)

#: page -> (texts of the Indonesian page, texts of the English page)
EXPECTED = {
    # The month table covers the last 12 months, so August is always in it.
    "dashboard": (["Dasbor Lentera", "Ringkasan", "Kepatuhan JP per OPD tahun", "Semua OPD", "Agustus"],
                  ["Lentera dashboard", "Summary", "JP compliance by OPD", "All OPDs", "August"]),
    "roster": (["Impor roster ASN", "Periksa berkas", "Kolom wajib: NIP"],
               ["Import ASN roster", "Check file", "Required columns: NIP"]),
    "roster_error": (["Pratinjau impor roster", "OPD tidak dikenal: tulis kode OPD", "Kesalahan"],
                     ["Roster import preview", "Unknown OPD: enter the OPD code", "Errors"]),
    "roster_file_error": (["Jenis berkas tidak didukung"], ["Unsupported file type"]),
    "cohort": (["Laporan angkatan", "Daftarkan peserta", "Tepat waktu: selesai paling lambat"],
               ["Cohort report", "Enrol learners", "On time: completed by"]),
    "completions": (["Laporan penyelesaian kursus", "Semua kursus", "Pemisah kolom CSV",
                     "Total: 1 penyelesaian"],
                    ["Course completion report", "All courses", "CSV column separator",
                     "Completions in total: 1"]),
    "verify": (["Verifikasi sertifikat", "masih berlaku", "Tanggal selesai", "Penerbit"],
               ["Certificate verification", "is still valid", "Completion date", "Issuer"]),
    "verify_unknown": (["Sertifikat tidak valid", "Kode verifikasi ini tidak dikenali"],
                       ["Certificate not valid", "This verification code is not recognised"]),
}


@pytest.fixture()
def world(app, make_user, make_course):
    """An admin, a learner with a completed enrolment and certificate, and a cohort."""
    opd = make_opd("DISKOMINFO", "Dinas Komunikasi dan Informatika")
    admin = make_user("admin", email="admin@example.go.id")
    learner = make_user("learner", email="peserta@example.go.id", opd_id=opd.id, employment_type="PNS")
    course = make_course(slug="kepemimpinan-digital", title="Kepemimpinan Digital", modules=1,
                         lessons_per_module=1, questions_per_quiz=1)
    cohort = Cohort(course_id=course.id, name="Angkatan I 2026", starts_on=date(2026, 6, 1),
                    ends_on=date(2026, 6, 30))
    db.session.add(cohort)
    db.session.commit()
    enrolment = make_completed_enrolment(learner, course, datetime(2026, 6, 10, 3, 0, tzinfo=timezone.utc))
    certificate = certificates.issue_certificate(enrolment)
    db.session.commit()
    return {"admin": admin, "cohort_id": cohort.id, "code": certificate.code}


def _pages(client, world) -> dict[str, tuple[int, str]]:
    """``{page: (status, html)}`` of every page checked, fetched as the signed-in admin."""
    pages = {}

    def get(name, url, **kwargs):
        response = client.get(url, **kwargs)
        pages[name] = (response.status_code, response.get_data(as_text=True))

    get("dashboard", "/admin")
    get("roster", "/admin/roster")
    upload = client.post("/admin/roster", data={"file": (io.BytesIO(BAD_ROSTER.encode()), "roster.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302, upload.get_data(as_text=True)[:300]
    get("roster_error", upload.headers["Location"])
    response = client.post("/admin/roster", data={"file": (io.BytesIO(b"x"), "roster.txt")},
                           content_type="multipart/form-data")
    pages["roster_file_error"] = (response.status_code, response.get_data(as_text=True))
    get("cohort", f"/admin/angkatan/{world['cohort_id']}")
    get("completions", "/admin/laporan/penyelesaian")
    get("verify", f"/verify/{world['code']}")
    get("verify_unknown", "/verify/" + "x" * 32)
    return pages


@pytest.mark.parametrize("language", ["id", "en"])
def test_admin_pages_follow_the_language_cookie(client, login, world, language):
    if language == "en":
        client.set_cookie("lentera_bahasa", "en")
    login(world["admin"])
    pages = _pages(client, world)
    for name, (status, html) in pages.items():
        indonesian, english = EXPECTED[name]
        expected, other = (english, indonesian) if language == "en" else (indonesian, english)
        assert status == {"roster_file_error": 400, "verify_unknown": 404}.get(name, 200), name
        assert f'<html lang="{language}">' in html, name
        for text in expected:
            assert text in html, (name, text)
        for text in other:
            assert text not in html, (name, text)


def test_exports_keep_indonesian_headers_in_english(client, login, world):
    """CSV headers are a data format other systems read: Indonesian whatever the reader's language."""
    client.set_cookie("lentera_bahasa", "en")
    login(world["admin"])
    response = client.get("/admin/laporan/penyelesaian.csv")
    assert response.status_code == 200
    header = response.get_data(as_text=True).splitlines()[0]
    assert "Nama Lengkap dengan Gelar" in header


def test_verify_json_stays_as_it_is_in_english(client, world):
    client.set_cookie("lentera_bahasa", "en")
    data = client.get(f"/api/verify/{world['code']}").get_json()
    assert data["status"] == "valid" and data["certificate"]["status_label"] == "Valid"
    unknown = client.get("/api/verify/" + "x" * 32).get_json()
    assert unknown == {"status": "unknown", "message": "Sertifikat tidak dikenal."}
