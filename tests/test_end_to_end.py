"""The whole learner path of the shipped CGIO course, through the test client.

Register as an ASN with gelar, enrol, read every lesson, fail a quiz, pass it,
pass the others, get the certificate, check its PDF text and its public
verification page, and find the row in the admin's completion CSV.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import select

from app.catalog.importer import import_path
from app.catalog.models import Course
from app.certificates.models import Certificate
from app.common.formatting import format_date_id
from app.extensions import db
from app.learning.models import Enrolment, LessonProgress
from tests.factories import make_opd

SLUG = "kepemimpinan-digital-cgio"
NIP = "198005122005012003"


def _answers(quiz, correct: bool) -> dict[str, list[str]]:
    data = {}
    for question in quiz.questions:
        right = [str(c.id) for c in question.choices if c.is_correct]
        wrong = [str(c.id) for c in question.choices if not c.is_correct][:1]
        data[f"q-{question.id}"] = right if correct else wrong
    return data


def test_learner_completes_cgio_course_and_admin_exports_it(app, client, make_user, login, repo_root):
    for result in import_path(repo_root / "courses"):
        assert result.status == "dibuat", result.problems
    db.session.commit()
    opd = make_opd("DISKOMINFO", "Dinas Komunikasi dan Informatika")

    response = client.post("/daftar", data={
        "email": "siti.aminah@kaltimprov.go.id", "full_name": "Siti Aminah", "password": "belajar-digital-2026",
        "password_confirm": "belajar-digital-2026", "is_asn": "y", "gelar_depan": "dr.", "gelar_belakang": "M.Kes.",
        "nip": "19800512 200501 2 003", "opd_id": str(opd.id), "employment_type": "PNS", "eselon": "III.a",
        "golongan": "IV/a"})
    assert response.status_code == 302

    catalogue = client.get("/").get_data(as_text=True)
    assert "Kepemimpinan Digital (CGIO) untuk Pimpinan Perangkat Daerah" in catalogue
    assert client.post(f"/kursus/{SLUG}/ikuti").status_code == 302
    enrolment = db.session.scalar(select(Enrolment))
    course = db.session.scalar(select(Course).where(Course.slug == SLUG))
    assert len(course.modules) >= 4

    first_quiz = course.modules[0].quiz
    for module in course.modules:
        for lesson in module.lessons:
            page = client.get(f"/kursus/{SLUG}/pelajaran/{lesson.id}")
            assert page.status_code == 200 and lesson.title in page.get_data(as_text=True)
            assert client.post(f"/kursus/{SLUG}/pelajaran/{lesson.id}/selesai").status_code == 302
        if module.quiz is first_quiz:
            failed = client.post(f"/kursus/{SLUG}/kuis/{first_quiz.id}", data=_answers(first_quiz, correct=False),
                                 follow_redirects=True)
            assert "TIDAK LULUS" in failed.get_data(as_text=True)
            assert db.session.scalar(select(Certificate)) is None
        passed = client.post(f"/kursus/{SLUG}/kuis/{module.quiz.id}", data=_answers(module.quiz, correct=True),
                             follow_redirects=True)
        body = passed.get_data(as_text=True)
        assert "LULUS" in body and "TIDAK LULUS" not in body

    db.session.expire_all()
    assert db.session.scalar(select(LessonProgress).limit(1)) is not None
    certificate = db.session.scalar(select(Certificate))
    assert certificate is not None and db.session.get(Enrolment, enrolment.id).completed_at is not None
    today = format_date_id(datetime.now(ZoneInfo(app.config["LENTERA_TIMEZONE"])).date())

    dashboard = client.get("/saya").get_data(as_text=True)
    assert "20 JP" in dashboard
    download = client.get(f"/sertifikat/{certificate.id}/unduh")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(download.data)).pages[0].extract_text().split())
    for expected in ("dr. Siti Aminah, M.Kes.", "19800512 200501 2 003",
                     "Kepemimpinan Digital (CGIO) untuk Pimpinan Perangkat Daerah", "20 JP", today,
                     certificate.number):
        assert expected in text, expected
    assert client.get(f"/sertifikat/{certificate.id}/unduh").data == download.data

    verify_path = re.search(r"/verify/[A-Za-z0-9_-]+", certificate.verify_url).group(0)
    verify = client.get(verify_path).get_data(as_text=True)
    assert "dr. Siti Aminah, M.Kes." in verify and "Valid" in verify and NIP not in verify

    client.post("/keluar")
    login(make_user("admin"))
    export = client.get(f"/admin/laporan/penyelesaian.csv?course={course.id}")
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    row = dict(zip(rows[0], rows[1]))
    assert row["NIP"] == f'="{NIP}"'
    assert row["Nomor Sertifikat"] == certificate.number
    assert "dr. Siti Aminah, M.Kes." in rows[1]
