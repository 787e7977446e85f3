"""A course chooses its certificate template and validity in the browser (issue 4 with authoring)."""
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import select

from app.catalog.models import Course
from app.certificates import services as certificates
from app.extensions import db
from app.learning import services as learning

TEMPLATES = Path(__file__).parent / "data" / "cert_templates"
FORM = {"title": "Literasi Data", "summary": "", "audience": "", "jp": "8", "pass_mark": "70", "version": "1",
        "enrolment_mode": "open", "slug": "literasi-data"}


def test_course_form_sets_template_and_validity_and_certificates_follow(app, client, make_user, login):
    app.config["LENTERA_CERT_TEMPLATE_DIR"] = str(TEMPLATES)
    login(make_user("admin"))
    form_page = client.get("/pengajar/susun/baru").get_data(as_text=True)
    assert 'value="angkatan-khusus"' in form_page
    response = client.post("/pengajar/susun/baru", data={**FORM, "certificate_template": "angkatan-khusus",
                                                          "certificate_validity_months": "24"})
    assert response.status_code == 302
    course = db.session.scalar(select(Course).where(Course.slug == "literasi-data"))
    assert (course.certificate_template, course.certificate_validity_months) == ("angkatan-khusus", 24)
    course.is_published = True

    enrolment = learning.enrol(make_user(full_name="Siti"), course)
    enrolment.completed_at = datetime(2026, 11, 29, 3, 0, tzinfo=timezone.utc)
    certificate = certificates.issue_certificate(enrolment)
    db.session.commit()
    assert certificate.template == "angkatan-khusus"
    assert certificate.valid_until == date(2028, 11, 29)


def test_unknown_template_and_bad_validity_are_refused_in_indonesian(app, client, make_user, login):
    app.config["LENTERA_CERT_TEMPLATE_DIR"] = str(TEMPLATES)
    login(make_user("admin"))
    response = client.post("/pengajar/susun/baru", data={**FORM, "certificate_template": "../../etc",
                                                          "certificate_validity_months": "0"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Pilihan tidak valid." in body and "Masa berlaku 1 sampai 600 bulan." in body
    assert db.session.scalar(select(Course.id)) is None
    assert "Literasi Data" in body  # the form keeps what was typed
