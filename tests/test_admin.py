"""Admin pages (overview, learners) and trainer pages (own courses, learner progress)."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from app.assessment.models import QuizAttempt
from app.catalog.models import CourseTrainer
from app.certificates.models import Certificate
from app.extensions import db
from app.learning import services as learning
from tests.factories import make_opd
from tests.statements import recorded_statements


def add_certificate(enrolment, number):
    """Insert a Certificate row for a completed enrolment directly (not through the issuing service)."""
    user, course = enrolment.user, enrolment.course
    db.session.add(Certificate(
        enrolment_id=enrolment.id, code=f"kode-{enrolment.id}", number=number, year=enrolment.completed_at.year,
        sequence=enrolment.id, holder_name=user.display_name, nip=user.nip, course_title=course.title,
        jp=course.jp, completed_on=enrolment.completed_at.date(), opd_name=user.opd.name if user.opd else None,
        institution="BPSDM Provinsi Kalimantan Timur", place="Samarinda", signatory_name="Kepala BPSDM",
        signatory_title="Kepala Badan", verify_url=f"https://lentera.example.go.id/v/kode-{enrolment.id}",
        file_name=f"{enrolment.id}.pdf", sha256="0" * 64))


def _complete(user, course, when=None, number=None):
    """Enrol ``user`` and mark the enrolment completed at ``when`` (UTC), with an optional certificate."""
    enrolment = learning.enrol(user, course)
    enrolment.completed_at = when or datetime.now(timezone.utc)
    db.session.flush()
    if number:
        add_certificate(enrolment, number)
    db.session.commit()
    return enrolment


def _urls(app, user_id, course_id):
    """Every GET URL of the admin and reports blueprints, with real ids filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if (rule.endpoint.split(".")[0] in ("admin", "reports") and "GET" in rule.methods
                and rule.endpoint != "reports.my_riwayat"):
            values = {"user_id": user_id, "course_id": course_id, "fmt": "csv"}
            urls.append(rule.build({k: v for k, v in values.items() if k in rule.arguments})[1])
    return urls


def test_admin_and_report_urls_cover_every_page(app, make_user, make_course):
    urls = _urls(app, 1, 1)
    for expected in ("/admin", "/admin/peserta", "/admin/peserta/1", "/pengajar", "/pengajar/kursus/1",
                     "/admin/laporan/penyelesaian", "/admin/laporan/penyelesaian.csv"):
        assert expected in urls


def test_learner_gets_403_everywhere(app, client, login, make_user, make_course):
    learner = make_user()
    course = make_course()
    login(learner)
    for url in _urls(app, learner.id, course.id):
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(app, client, make_user, make_course):
    learner = make_user()
    course = make_course()
    for url in _urls(app, learner.id, course.id):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/masuk"), url


def test_trainer_gets_403_on_admin_pages_but_not_on_trainer_pages(client, login, make_user, make_course):
    trainer = make_user("trainer")
    login(trainer)
    for url in ("/admin", "/admin/peserta", f"/admin/peserta/{trainer.id}", "/admin/laporan/penyelesaian",
                "/admin/laporan/penyelesaian.csv"):
        assert client.get(url).status_code == 403, url
    assert client.get("/pengajar").status_code == 200


def test_admin_home_shows_counts(client, login, make_user, make_course):
    admin = make_user("admin")
    a, b = make_user(), make_user()
    course = make_course()
    _complete(a, course, number="0001/BPSDM-KT/XI/2026")
    learning.enrol(b, course)
    db.session.commit()
    login(admin)
    body = client.get("/admin").get_data(as_text=True)
    stats = re.findall(r'<p class="stat">(\d+)</p><p class="muted">([^<]+)</p>', body)
    assert stats == [("2", "Peserta terdaftar"), ("1", "Kursus"), ("2", "Pendaftaran kursus"),
                     ("1", "Kursus diselesaikan"), ("1", "Sertifikat terbit")]
    assert "/admin/laporan/penyelesaian" in body and "/admin/peserta" in body


def test_trainer_sees_only_own_courses_and_404_on_others(client, login, make_user, make_course):
    trainer = make_user("trainer")
    own = make_course(title="Kepemimpinan Digital")
    other = make_course(title="Keamanan Siber")
    db.session.add(CourseTrainer(course_id=own.id, user_id=trainer.id))
    learner = make_user(full_name="Siti Aminah", gelar_belakang="S.E.")
    enrolment = learning.enrol(learner, own)
    lessons = [lesson for module in own.modules for lesson in module.lessons]
    learning.mark_lesson_complete(enrolment, lessons[0])
    quiz = own.modules[0].quiz
    db.session.add_all([
        QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=1, score=Decimal(1), max_score=Decimal(2),
                    percent=Decimal(50), passed=False, state="submitted"),
        QuizAttempt(enrolment_id=enrolment.id, quiz_id=quiz.id, number=2, score=Decimal(3), max_score=Decimal(4),
                    percent=Decimal("75.5"), passed=True, state="submitted"),
    ])
    db.session.commit()
    own_id, other_id = own.id, other.id
    login(trainer)

    index = client.get("/pengajar").get_data(as_text=True)
    assert "Kepemimpinan Digital" in index and "Keamanan Siber" not in index

    page = client.get(f"/pengajar/kursus/{own_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Siti Aminah, S.E." in body
    assert "<td>1/4</td>" in body            # lessons done / required lessons
    assert "<td>1/2</td>" in body            # quizzes passed / quizzes
    assert "75,5%" in body                   # best attempt, decimal comma
    assert 'value="33"' in body              # (1 lesson + 1 quiz) of 6 steps, floored

    assert client.get(f"/pengajar/kursus/{other_id}").status_code == 404
    assert client.get("/pengajar/kursus/999999").status_code == 404


def test_admin_sees_every_course_on_trainer_pages(client, login, make_user, make_course):
    admin = make_user("admin")
    a = make_course(title="Kursus A")
    b = make_course(title="Kursus B")
    _complete(make_user(), a)
    learning.enrol(make_user(), a)
    db.session.commit()
    a_id, b_id = a.id, b.id
    login(admin)
    body = client.get("/pengajar").get_data(as_text=True)
    assert "Kursus A" in body and "Kursus B" in body
    row = re.search(r"Kursus A</a></th>.*?</tr>", body, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "1"]   # enrolled, completed
    assert client.get(f"/pengajar/kursus/{a_id}").status_code == 200
    assert client.get(f"/pengajar/kursus/{b_id}").status_code == 200


def test_admin_learner_list_search_and_opd_filter(client, login, make_user, make_course):
    admin = make_user("admin")
    kominfo = make_opd()
    bappeda = make_opd("BAPPEDA", "Badan Perencanaan Pembangunan Daerah")
    siti = make_user(full_name="Siti Aminah", gelar_depan="dr.", gelar_belakang="M.Kes.", nip="198005122005012003",
                     opd_id=kominfo.id, email="siti@kaltimprov.go.id")
    make_user(full_name="Budi Hartono", opd_id=bappeda.id, email="budi@kaltimprov.go.id")
    make_user("trainer", full_name="Pengajar Tidak Tampil")
    this_year = datetime.now(timezone.utc).replace(month=6, day=15, hour=4)
    _complete(siti, make_course(jp=Decimal("19.5")), when=this_year)
    _complete(siti, make_course(jp=Decimal("8")), when=this_year.replace(year=this_year.year - 1))
    learning.enrol(siti, make_course())
    db.session.commit()
    login(admin)

    body = client.get("/admin/peserta").get_data(as_text=True)
    assert "dr. Siti Aminah, M.Kes." in body and "Budi Hartono" in body
    assert "Pengajar Tidak Tampil" not in body
    row = re.search(r"dr\. Siti Aminah, M\.Kes\.</a>.*?</tr>", body, re.S).group(0)
    assert re.findall(r"<td>([^<]*)</td>", row) == [
        "198005122005012003", "Dinas Komunikasi dan Informatika", "3", "2", "19,5 JP"]

    for query in ("aminah", "19800512 200501 2 003", "SITI@KALTIMPROV", "siti@"):
        found = client.get("/admin/peserta", query_string={"q": query}).get_data(as_text=True)
        assert "Siti Aminah" in found and "Budi Hartono" not in found, query
    none = client.get("/admin/peserta", query_string={"q": "100%_"}).get_data(as_text=True)
    assert "Tidak ada peserta yang cocok." in none

    by_opd = client.get("/admin/peserta", query_string={"opd": bappeda.id}).get_data(as_text=True)
    assert "Budi Hartono" in by_opd and "Siti Aminah" not in by_opd

    bad = client.get("/admin/peserta", query_string={"opd": "abc"})
    assert bad.status_code == 400 and "Pilihan tidak valid." in bad.get_data(as_text=True)
    assert client.get("/admin/peserta", query_string={"opd": 999999}).status_code == 400


def test_learner_list_is_paginated_by_50(client, login, make_user):
    admin = make_user("admin")
    for n in range(51):
        make_user(full_name=f"Peserta {n:03d}")
    login(admin)
    first = client.get("/admin/peserta").get_data(as_text=True)
    assert "51 peserta" in first and "Peserta 049" in first and "Peserta 050" not in first
    assert "Halaman 1 dari 2" in first
    second = client.get("/admin/peserta?page=2").get_data(as_text=True)
    assert "Peserta 050" in second and "Peserta 000" not in second
    assert client.get("/admin/peserta?page=3").status_code == 404


def _populate(make_user, make_course, course, n):
    """``n`` learners, each of their own OPD (so a lazy load per row would show), completing
    ``course`` with a certificate and enrolled in a second course."""
    other = make_course(modules=1)
    for _ in range(n):
        user = make_user()
        user.opd_id = make_opd(f"OPD-{user.id}", f"OPD Uji {user.id}").id
        _complete(user, course, number=f"{user.id:04d}/BPSDM-KT/XI/2026")
        learning.enrol(user, other)
    db.session.commit()


def test_learner_list_and_course_page_use_a_fixed_number_of_queries(client, login, make_user, make_course):
    admin = make_user("admin")
    course = make_course()
    course_id = course.id
    _populate(make_user, make_course, course, 2)
    login(admin)

    def queries(url):
        db.session.commit()
        db.session.expire_all()
        with recorded_statements(only=("SELECT",)) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    small = (queries("/admin/peserta"), queries(f"/pengajar/kursus/{course_id}"))
    _populate(make_user, make_course, course, 12)
    large = (queries("/admin/peserta"), queries(f"/pengajar/kursus/{course_id}"))
    assert small == large


def test_admin_learner_detail(client, login, make_user, make_course):
    admin = make_user("admin")
    learner = make_user(full_name="Siti Aminah", employment_type="PNS")
    done = make_course(title="Kursus Selesai", jp=Decimal("12"))
    open_course = make_course(title="Kursus Berjalan")
    # 29 Nov 2026 23.30 WITA is 15.30 UTC; the page shows the local date.
    _complete(learner, done, when=datetime(2026, 11, 29, 15, 30, tzinfo=timezone.utc), number="0007/BPSDM-KT/XI/2026")
    enrolment = learning.enrol(learner, open_course)
    learning.mark_lesson_complete(enrolment, open_course.modules[0].lessons[0])
    db.session.commit()
    login(admin)
    response = client.get(f"/admin/peserta/{learner.id}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Siti Aminah</h1>" in body
    assert "Kursus Selesai" in body and "29 November 2026" in body and "0007/BPSDM-KT/XI/2026" in body
    assert "Kursus Berjalan" in body and 'value="16"' in body   # 1 of 6 steps
    assert "1/4 pelajaran, 0/2 kuis lulus" in body
    assert client.get("/admin/peserta/999999").status_code == 404


@pytest.mark.parametrize("url", ["/admin/peserta?page=abc", "/admin/peserta?page=-1"])
def test_odd_page_numbers_fall_back_to_the_first_page(client, login, make_user, url):
    login(make_user("admin"))
    assert client.get(url).status_code == 200
