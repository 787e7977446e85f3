"""A bad course or cohort filter on /sertifikat/kelola is refused, not ignored (retest leftover).

``?kursus=abc`` (or an unknown id) silently showed every course's certificates, as if no filter
had been chosen. Now it is answered like a bad filter on the reports pages: 400, the filter form
with the field marked invalid and an Indonesian message, and no list.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.certificates import services
from app.extensions import db
from app.learning.models import Cohort
from tests.factories import make_completed_enrolment

NOV_2026 = datetime(2026, 11, 15, 2, 0, tzinfo=timezone.utc)


@pytest.fixture()
def issued(app, make_user, make_course, login):
    """Two courses, each with a certificate: ``(course_a, cert_a, cert_b)``; an admin is signed in."""
    course_a = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1, title="Kursus A")
    course_b = make_course(modules=1, lessons_per_module=1, questions_per_quiz=1, title="Kursus B")
    certificates = []
    for course in (course_a, course_b):
        certificates.append(services.issue_certificate(make_completed_enrolment(make_user(), course, NOV_2026)))
        db.session.commit()
    login(make_user(role="admin"))
    return course_a, certificates[0], certificates[1]


@pytest.mark.parametrize("value", ["abc", "999999", "-5", "0", "\u0663", "1e3", "99999999999999999999"])
@pytest.mark.parametrize("name", ["kursus", "angkatan"])
def test_a_bad_course_or_cohort_filter_is_refused_with_a_message(client, issued, name, value):
    _course_a, cert_a, cert_b = issued
    response = client.get("/sertifikat/kelola", query_string={name: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "tidak ditemukan" in page and 'aria-invalid="true"' in page
    assert cert_a.number not in page and cert_b.number not in page


def test_a_good_filter_still_filters_and_no_filter_shows_all(client, issued):
    course_a, cert_a, cert_b = issued
    cohort = Cohort(course_id=course_a.id, name="Angkatan I", starts_on=datetime(2026, 11, 1).date(),
                    ends_on=datetime(2026, 11, 30).date())
    db.session.add(cohort)
    db.session.commit()
    page = client.get(f"/sertifikat/kelola?kursus={course_a.id}").get_data(as_text=True)
    assert cert_a.number in page and cert_b.number not in page
    everything = client.get("/sertifikat/kelola?kursus=&angkatan=")
    assert everything.status_code == 200
    assert cert_a.number in everything.get_data(as_text=True) and cert_b.number in everything.get_data(as_text=True)
    assert client.get(f"/sertifikat/kelola?angkatan={cohort.id}").status_code == 200


def test_the_message_is_in_english_for_an_english_reader(client, issued):
    client.set_cookie("lentera_bahasa", "en")
    response = client.get("/sertifikat/kelola?kursus=abc")
    assert response.status_code == 400 and "not found" in response.get_data(as_text=True)
