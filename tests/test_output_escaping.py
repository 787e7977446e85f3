"""Every user-supplied field is escaped where it appears: pages, PDFs, emails (ASVS 5.0 V1.2, V3.2).

Exports (CSV formula neutralising, XLSX string cells) are covered in
tests/test_reports.py; this module covers the other outputs with the same
hostile values, written straight into the database so that input
validation cannot hide an output bug.
"""
from __future__ import annotations

import email
import email.header
import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.certificates import services as certificates
from app.common.mail import build_message
from app.extensions import db
from tests.factories import make_completed_enrolment, make_opd

MARKUP_NAME = "<b>Budi</b> & \"Santoso\" <img src=x onerror=alert(1)>"
MARKUP_TITLE = "<script>alert('kursus')</script> & Tata Kelola"


def _page(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture()
def hostile(app, make_user, make_course):
    opd = make_opd("BIRO-X", "<i>Biro</i> & Organisasi")
    learner = make_user(full_name=MARKUP_NAME, gelar_depan="<u>dr.</u>", jabatan="<marquee>Kepala</marquee>",
                        opd_id=opd.id)
    course = make_course(title=MARKUP_TITLE, modules=1, lessons_per_module=1, questions_per_quiz=1)
    enrolment = make_completed_enrolment(learner, course, datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc))
    return learner, course, enrolment


def test_pages_escape_names_titles_and_opd(client, hostile, make_user, login):
    learner, course, enrolment = hostile
    admin = make_user("admin")
    login(admin)
    pages = [
        "/", f"/kursus/{course.slug}", "/admin/peserta", f"/admin/peserta/{learner.id}",
        "/admin/laporan/penyelesaian",
    ]
    for url in pages:
        html = _page(client, url)
        for raw in ("<b>Budi</b>", "<img src=x", "<script>alert('kursus')", "<i>Biro</i>", "<u>dr.</u>",
                    "<marquee>"):
            assert raw not in html, f"{url} shows {raw!r} unescaped"
    assert "&lt;b&gt;Budi&lt;/b&gt;" in _page(client, f"/admin/peserta/{learner.id}")
    assert "&lt;script&gt;" in _page(client, "/")


def test_certificate_pdf_prints_markup_characters_literally(app, hostile):
    learner, course, enrolment = hostile
    certificate = certificates.issue_certificate(enrolment)
    db.session.commit()
    data = (Path(app.config["LENTERA_DATA_DIR"]) / certificate.file_name).read_bytes()
    text = " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    # Drawn as text, never parsed as ReportLab paragraph markup: the tags are printed as typed.
    assert "<b>Budi</b>" in text and "&" in text and "<img src=x" in text
    assert "<script>alert('kursus')</script> & Tata Kelola" in text


def test_reset_mail_is_plain_text_with_the_name_as_typed(app, client, make_user, tmp_path):
    app.config["LENTERA_MAIL_OUTBOX"] = str(tmp_path / "outbox")
    user = make_user(full_name=MARKUP_NAME, gelar_depan="<u>dr.</u>")
    client.post("/lupa-sandi", data={"email": user.email})
    [path] = sorted((tmp_path / "outbox").glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes())
    assert not message.is_multipart() and message.get_content_type() == "text/plain"
    body = message.get_payload(decode=True).decode("utf-8")
    assert "<u>dr.</u> <b>Budi</b> & \"Santoso\"" in body  # plain text: nothing to interpret, nothing altered
    assert "&lt;" not in body and "&amp;" not in body


@pytest.mark.parametrize("field", ["to", "subject"])
def test_mail_headers_refuse_line_breaks(app, field):
    values = {"to": "a@example.go.id", "subject": "Atur ulang"}
    values[field] += "\r\nBcc: korban@example.com"
    with app.test_request_context(), pytest.raises(ValueError):
        bytes(build_message(values["to"], values["subject"], "isi"))


def test_reset_mail_speaks_the_account_language(app, client, make_user, tmp_path):
    app.config["LENTERA_MAIL_OUTBOX"] = str(tmp_path / "outbox")
    english, indonesian = make_user(locale="en"), make_user()
    client.set_cookie("lentera_bahasa", "en")  # the browser's choice does not decide the mail's language
    client.post("/lupa-sandi", data={"email": english.email})
    client.post("/lupa-sandi", data={"email": indonesian.email})
    mails = {}
    for path in (tmp_path / "outbox").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        mails[message["To"]] = (str(email.header.make_header(email.header.decode_header(message["Subject"]))),
                                message.get_payload(decode=True).decode("utf-8"))
    assert mails[english.email][0] == "Reset your Lentera password"
    assert "valid for 60 minutes, single use" in mails[english.email][1]
    assert mails[indonesian.email][0] == "Atur ulang kata sandi Lentera"
    assert "berlaku 60 menit, sekali pakai" in mails[indonesian.email][1]
