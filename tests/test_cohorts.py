"""Cohorts (angkatan): self-enrolment modes, approval, enrolment by list/rule/upload, OPD scope, deadlines, report."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, timezone

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.admin.models import AuditEvent
from app.extensions import db
from app.learning import cohorts, services
from app.learning.models import Cohort, Enrolment
from tests.factories import make_opd


def _events(action: str) -> list[dict]:
    return [json.loads(e.detail) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))]


def _enrolment(user, course) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id))


@pytest.fixture()
def opds(app):
    return make_opd("DISKOMINFO", "Dinas Komunikasi dan Informatika"), make_opd("DINKES", "Dinas Kesehatan")


@pytest.fixture()
def cohort(app, make_course):
    course = make_course(slug="kepemimpinan-digital", title="Kepemimpinan Digital")
    c = Cohort(course_id=course.id, name="Angkatan I 2026", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 30))
    db.session.add(c)
    db.session.commit()
    return c


# --- Self-enrolment modes ------------------------------------------------------------------------------

def test_open_course_enrols_at_once(client, login, make_user, make_course):
    course = make_course(slug="terbuka")
    user = make_user()
    login(user)
    response = client.post("/kursus/terbuka/ikuti", follow_redirects=True)
    assert "Anda terdaftar di kursus" in response.get_data(as_text=True)
    assert _enrolment(user, course).status == "active"


def test_approval_course_waits_for_an_admin(client, login, make_user, make_course):
    course = make_course(slug="persetujuan")
    course.enrolment_mode = "approval"
    db.session.commit()
    learner = make_user(full_name="Rina Peserta")
    login(learner)
    page = client.get("/kursus/persetujuan").get_data(as_text=True)
    assert "Ajukan pendaftaran" in page and "memerlukan persetujuan admin" in page
    response = client.post("/kursus/persetujuan/ikuti", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "terkirim dan menunggu persetujuan admin" in text
    assert "Menunggu persetujuan" in text and "Ajukan pendaftaran" not in text
    enrolment = _enrolment(learner, course)
    assert enrolment.status == "pending"
    assert services.get_enrolment(learner, course) is None  # not an enrolment for learning

    lesson = course.modules[0].lessons[0]
    quiz = course.modules[0].quiz
    response = client.get(f"/kursus/persetujuan/pelajaran/{lesson.id}", follow_redirects=True)
    assert "Permintaan pendaftaran Anda menunggu persetujuan admin." in response.get_data(as_text=True)
    client.post(f"/kursus/persetujuan/pelajaran/{lesson.id}/selesai")
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.completed_at.is_not(None))) == 0
    assert client.get(f"/kursus/persetujuan/kuis/{quiz.id}").status_code in (302, 403, 404)
    with pytest.raises(ValueError):
        services.mark_lesson_complete(enrolment, lesson)
    assert services.evaluate_completion(enrolment) is None
    assert "Menunggu persetujuan" in client.get("/saya").get_data(as_text=True)
    again = client.post("/kursus/persetujuan/ikuti", follow_redirects=True)
    assert "menunggu persetujuan admin" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1

    client.post("/keluar")
    admin = make_user("admin")
    login(admin)
    page = client.get("/admin/persetujuan").get_data(as_text=True)
    assert "Rina Peserta" in page
    response = client.post(f"/admin/persetujuan/{enrolment.id}/setujui", follow_redirects=True)
    assert "disetujui" in response.get_data(as_text=True)
    db.session.refresh(enrolment)
    assert enrolment.status == "active"
    assert _events("enrolment.approve") == [{"course_id": course.id, "user_id": learner.id}]
    assert client.post(f"/admin/persetujuan/{enrolment.id}/setujui").status_code == 404  # decided already

    client.post("/keluar")
    login(learner)
    assert client.get(f"/kursus/persetujuan/pelajaran/{lesson.id}").status_code == 200


def test_rejected_request_stays_rejected(client, login, make_user, make_course):
    course = make_course(slug="seleksi")
    course.enrolment_mode = "approval"
    db.session.commit()
    learner = make_user()
    enrolment = services.enrol(learner, course)
    db.session.commit()
    admin = make_user("admin")
    login(admin)
    client.post(f"/admin/persetujuan/{enrolment.id}/tolak")
    db.session.refresh(enrolment)
    assert enrolment.status == "rejected"
    assert len(_events("enrolment.reject")) == 1
    client.post("/keluar")
    login(learner)
    page = client.get("/kursus/seleksi").get_data(as_text=True)
    assert "Permintaan pendaftaran Anda ditolak" in page and "Ajukan pendaftaran" not in page
    response = client.post("/kursus/seleksi/ikuti", follow_redirects=True)
    assert "Permintaan pendaftaran Anda ditolak." in response.get_data(as_text=True)
    assert _enrolment(learner, course).status == "rejected"


def test_closed_course_has_no_button_and_refuses_with_403(client, login, make_user, make_course):
    course = make_course(slug="tertutup")
    course.enrolment_mode = "closed"
    db.session.commit()
    login(make_user())
    page = client.get("/kursus/tertutup").get_data(as_text=True)
    assert "Ikuti kursus" not in page and "Pendaftaran mandiri untuk kursus ini ditutup" in page
    response = client.post("/kursus/tertutup/ikuti")
    assert response.status_code == 403
    assert "Pendaftaran mandiri untuk kursus ini ditutup; peserta didaftarkan oleh admin BPSDM atau admin OPD." \
        in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_admin_sets_the_enrolment_mode(client, login, make_user, make_course):
    course = make_course(title="Etika Digital")
    login(make_user("admin"))
    assert "Etika Digital" in client.get("/admin/kursus/pendaftaran").get_data(as_text=True)
    response = client.post(f"/admin/kursus/{course.id}/pendaftaran", data={"enrolment_mode": "closed"},
                           follow_redirects=True)
    assert "Pendaftaran mandiri kursus Etika Digital: Tertutup." in response.get_data(as_text=True)
    assert db.session.get(type(course), course.id).enrolment_mode == "closed"
    assert _events("course.enrolment_mode") == [{"new": "closed", "old": "open"}]
    assert client.post(f"/admin/kursus/{course.id}/pendaftaran", data={"enrolment_mode": "x"}).status_code == 400


# --- Cohort pages ---------------------------------------------------------------------------------------

def test_create_and_edit_cohort_with_indonesian_errors(client, login, make_user, make_course):
    course = make_course(title="Kepemimpinan Digital")
    login(make_user("admin"))
    assert client.get("/admin/angkatan/baru").status_code == 200
    form = {"course_id": course.id, "name": "Angkatan I", "starts_on": "2026-06-30", "ends_on": "2026-06-01"}
    response = client.post("/admin/angkatan/baru", data=form)
    assert response.status_code == 400
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in response.get_data(as_text=True)
    response = client.post("/admin/angkatan/baru", data={**form, "ends_on": "31-06-2026"})
    assert response.status_code == 400
    assert "Tanggal tidak valid; gunakan format tahun-bulan-tanggal." in response.get_data(as_text=True)
    response = client.post("/admin/angkatan/baru", data={**form, "course_id": "999"})
    assert response.status_code == 400 and "Pilihan tidak valid." in response.get_data(as_text=True)

    # Only templates that exist under certificates/ can be chosen: a misspelt one would stop certificates.
    response = client.post("/admin/angkatan/baru", data={**form, "ends_on": "2026-07-31",
                                                          "certificate_template": "templat-tidak-ada"})
    assert response.status_code == 400 and "Pilihan tidak valid." in response.get_data(as_text=True)
    response = client.post("/admin/angkatan/baru", data={**form, "ends_on": "2026-07-31",
                                                          "certificate_template": "default"})
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort))
    assert (cohort.name, cohort.ends_on, cohort.certificate_template) == ("Angkatan I", date(2026, 7, 31),
                                                                         "default")
    duplicate = client.post("/admin/angkatan/baru", data={**form, "name": "angkatan i", "ends_on": "2026-07-31"})
    assert duplicate.status_code == 400
    assert "Nama angkatan ini sudah dipakai untuk kursus yang sama." in duplicate.get_data(as_text=True)

    response = client.post(f"/admin/angkatan/{cohort.id}/ubah", data={
        "course_id": course.id, "name": "Angkatan I", "starts_on": "2026-06-30", "ends_on": "2026-08-15",
        "certificate_template": "default"})
    assert response.status_code == 302
    assert db.session.get(Cohort, cohort.id).ends_on == date(2026, 8, 15)
    assert _events("cohort.update") == [{"changes": {"ends_on": ["2026-07-31", "2026-08-15"]}}]
    assert len(_events("cohort.create")) == 1
    listing = client.get("/admin/angkatan").get_data(as_text=True)
    assert "Angkatan I" in listing and "15 Agustus 2026" in listing
    assert client.get("/admin/angkatan/999").status_code == 404


@pytest.mark.parametrize("role", ["learner", "trainer"])
def test_cohort_pages_are_for_admins(client, login, make_user, cohort, role):
    login(make_user(role))
    for url in ("/admin/angkatan", f"/admin/angkatan/{cohort.id}", "/admin/persetujuan", "/admin/angkatan/baru"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar",
                       data={"identifiers": "x@example.go.id", "confirm": "1"}).status_code == 403


# --- Enrolling --------------------------------------------------------------------------------------------

def test_enrol_by_list_previews_then_enrols(client, login, make_user, make_course, cohort, opds):
    course = cohort.course
    budi = make_user(nip="196608011988031001", full_name="Budi")
    siti = make_user(email="siti@example.go.id", full_name="Siti")
    already_in_course = make_user(full_name="Sudah Ikut")
    services.enrol(already_in_course, course)
    other = Cohort(course_id=course.id, name="Angkatan II", starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 31))
    db.session.add(other)
    db.session.flush()
    elsewhere = make_user(full_name="Angkatan Lain")
    db.session.add(Enrolment(user_id=elsewhere.id, course_id=course.id, cohort_id=other.id))
    db.session.commit()
    login(make_user("admin"))
    text = (f"19660801 198803 1 001\nSITI@example.go.id, {already_in_course.email}; {elsewhere.email}\n"
            "tidak.ada@example.go.id\n199901012020011001")
    response = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar",
                           data={"identifiers": text, "preview": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 peserta akan didaftarkan" in page
    assert "2 NIP/email tidak dikenal" in page and "tidak.ada@example.go.id" in page
    assert "1 sudah ada di angkatan lain kursus ini" in page
    assert db.session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort.id)) == 0

    response = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar",
                           data={"identifiers": text, "confirm": "1"}, follow_redirects=True)
    assert "3 peserta didaftarkan ke angkatan Angkatan I 2026." in response.get_data(as_text=True)
    members = {e.user_id: e for e in db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id))}
    assert set(members) == {budi.id, siti.id, already_in_course.id}
    assert all(e.status == "active" for e in members.values())
    assert _enrolment(elsewhere, course).cohort_id == other.id  # left where it was
    event_ = _events("cohort.enrol")[0]
    assert (event_["method"], event_["enrolled"], event_["joined"], event_["unknown"]) == ("list", 2, 1, 2)

    again = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar",
                        data={"identifiers": text, "preview": "1"}).get_data(as_text=True)
    assert "0 peserta akan didaftarkan" in again and "3 sudah ada di angkatan ini" in again
    empty = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar", data={"identifiers": "", "preview": "1"})
    assert empty.status_code == 400 and "Wajib diisi." in empty.get_data(as_text=True)


def test_course_of_a_cohort_with_members_cannot_change(client, login, make_user, make_course, cohort):
    other = make_course()
    db.session.add(Enrolment(user_id=make_user().id, course_id=cohort.course_id, cohort_id=cohort.id))
    db.session.commit()
    login(make_user("admin"))
    response = client.post(f"/admin/angkatan/{cohort.id}/ubah", data={
        "course_id": other.id, "name": cohort.name, "starts_on": "2026-06-01", "ends_on": "2026-06-30"})
    assert response.status_code == 400
    assert "Kursus tidak dapat diganti karena angkatan ini sudah memiliki peserta." in response.get_data(as_text=True)


def test_admin_enrolment_activates_a_pending_request_even_in_a_closed_course(client, login, make_user, cohort):
    course = cohort.course
    course.enrolment_mode = "approval"
    learner = make_user(email="tunggu@example.go.id")
    db.session.commit()
    services.enrol(learner, course)
    course.enrolment_mode = "closed"
    db.session.commit()
    login(make_user("admin"))
    client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar",
                data={"identifiers": "tunggu@example.go.id", "confirm": "1"})
    enrolment = _enrolment(learner, course)
    assert (enrolment.status, enrolment.cohort_id) == ("active", cohort.id)


def test_enrol_by_rule_eselon_iii_of_an_opd(client, login, make_user, cohort, opds):
    diskominfo, dinkes = opds
    a = make_user(opd_id=diskominfo.id, eselon="III.a", employment_type="PNS")
    b = make_user(opd_id=diskominfo.id, eselon="III.b", employment_type="PNS")
    make_user(opd_id=diskominfo.id, eselon="IV.a", employment_type="PNS")
    make_user(opd_id=dinkes.id, eselon="III.a", employment_type="PNS")
    make_user(opd_id=diskominfo.id, eselon="III.a", employment_type="PNS", active=False)
    login(make_user("admin"))
    rule = {"opd_id": str(diskominfo.id), "eselon": ["III.a", "III.b"], "employment_type": ""}
    page = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/aturan", data={**rule, "preview": "1"})
    assert page.status_code == 200 and "2 peserta akan didaftarkan" in page.get_data(as_text=True)
    client.post(f"/admin/angkatan/{cohort.id}/daftarkan/aturan", data={**rule, "confirm": "1"})
    members = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id)))
    assert members == {a.id, b.id}
    event_ = _events("cohort.enrol")[0]
    assert event_["method"] == "rule" and event_["rule"]["eselon"] == ["III.a", "III.b"]
    bad = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/aturan", data={"eselon": ["V.z"], "preview": "1"})
    assert bad.status_code == 400 and "Pilihan tidak valid." in bad.get_data(as_text=True)
    by_golongan = cohorts.select_by_rule(cohorts.EnrolRule(golongan=("III/a",)), make_user("admin"))
    assert by_golongan.user_ids == []


def test_enrol_by_upload_csv_and_xlsx(app, client, login, make_user, cohort, tmp_path):
    budi = make_user(nip="196608011988031001")
    siti = make_user(email="siti@example.go.id")
    login(make_user("admin"))
    csv_bytes = "NIP;Nama\n196608011988031001;Budi\n".encode("utf-8-sig")
    response = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/unggah",
                           data={"file": (io.BytesIO(csv_bytes), "peserta.csv")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 peserta akan didaftarkan" in page
    token = page.split("/daftarkan/unggah/")[1].split('"')[0]
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
    response = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/unggah/{token}", follow_redirects=True)
    assert "1 peserta didaftarkan" in response.get_data(as_text=True)
    assert client.post(f"/admin/angkatan/{cohort.id}/daftarkan/unggah/{token}").status_code == 404

    workbook = Workbook()
    workbook.active.append(["Email", "NIP"])
    workbook.active.append(["siti@example.go.id", None])
    workbook.active.append([None, 196608011988031001])
    path = tmp_path / "peserta.xlsx"
    workbook.save(path)
    response = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/unggah",
                           data={"file": (io.BytesIO(path.read_bytes()), "peserta.xlsx")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "1 peserta akan didaftarkan" in page
    assert "Baris 3: NIP tersimpan sebagai angka; format kolom NIP sebagai teks." in page
    token = page.split("/daftarkan/unggah/")[1].split('"')[0]
    client.post(f"/admin/angkatan/{cohort.id}/daftarkan/unggah/{token}")
    members = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id)))
    assert members == {budi.id, siti.id}
    assert [e["method"] for e in _events("cohort.enrol")] == ["upload", "upload"]

    no_column = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/unggah",
                            data={"file": (io.BytesIO(b"Nama\nBudi\n"), "x.csv")}, content_type="multipart/form-data")
    assert no_column.status_code == 400
    assert "Berkas harus memiliki kolom NIP atau Email di baris judul." in no_column.get_data(as_text=True)


def test_opd_admin_sees_and_enrols_only_own_staff(client, login, make_user, make_course, cohort, opds):
    diskominfo, dinkes = opds
    mine = make_user(opd_id=diskominfo.id, nip="196608011988031001", full_name="Staf Kominfo", eselon="III.a")
    theirs = make_user(opd_id=dinkes.id, nip="198502142010012003", full_name="Staf Dinkes", eselon="III.a")
    approval = make_course(slug="perlu-izin")
    approval.enrolment_mode = "approval"
    db.session.commit()
    their_request = services.enrol(theirs, approval)
    db.session.add(Enrolment(user_id=theirs.id, course_id=cohort.course_id, cohort_id=cohort.id))
    db.session.commit()
    login(make_user("opd_admin", opd_id=diskominfo.id))

    page = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar",
                       data={"identifiers": "196608011988031001\n198502142010012003", "preview": "1"})
    text = page.get_data(as_text=True)
    assert "1 peserta akan didaftarkan" in text and "1 NIP/email tidak dikenal atau bukan ASN OPD Anda" in text
    client.post(f"/admin/angkatan/{cohort.id}/daftarkan/aturan", data={"eselon": ["III.a"], "confirm": "1"})
    assert _enrolment(mine, cohort.course).cohort_id == cohort.id

    report = client.get(f"/admin/angkatan/{cohort.id}").get_data(as_text=True)
    assert "Staf Kominfo" in report and "Staf Dinkes" not in report
    assert "Staf Dinkes" not in client.get("/admin/persetujuan").get_data(as_text=True)
    assert client.post(f"/admin/persetujuan/{their_request.id}/setujui").status_code == 404
    their_member = _enrolment(theirs, cohort.course)
    assert client.post(f"/admin/angkatan/{cohort.id}/peserta/{their_member.id}/keluarkan").status_code == 404
    assert client.get("/admin/kursus/pendaftaran").status_code == 403
    rule_form = client.get(f"/admin/angkatan/{cohort.id}/daftarkan").get_data(as_text=True)
    assert "Dinas Komunikasi dan Informatika" in rule_form and "Dinas Kesehatan" not in rule_form


# --- Deadlines and the cohort report -------------------------------------------------------------------

def test_report_classifies_by_local_completion_date(app, client, login, make_user, cohort):
    # ends_on 30 June 2026; Asia/Makassar is UTC+8.
    on_time = make_user(full_name="A Tepat")
    late = make_user(full_name="B Terlambat")
    open_ = make_user(full_name="C Belum")
    for user, completed in ((on_time, datetime(2026, 6, 30, 15, 30, tzinfo=timezone.utc)),   # 23.30 WITA 30 Juni
                            (late, datetime(2026, 6, 30, 16, 30, tzinfo=timezone.utc)),      # 00.30 WITA 1 Juli
                            (open_, None)):
        db.session.add(Enrolment(user_id=user.id, course_id=cohort.course_id, cohort_id=cohort.id,
                                 completed_at=completed))
    db.session.commit()
    report = cohorts.cohort_report(cohort, make_user("admin"), "Asia/Makassar")
    assert [(line.user.full_name, line.outcome) for line in report.lines] == [
        ("A Tepat", "on_time"), ("B Terlambat", "late"), ("C Belum", "not_completed")]
    assert report.counts == {"on_time": 1, "late": 1, "not_completed": 1}
    assert report.lines[1].completed_on == date(2026, 7, 1)

    login(make_user("admin"))
    page = client.get(f"/admin/angkatan/{cohort.id}").get_data(as_text=True)
    assert "Tepat waktu" in page and "Terlambat" in page and "Belum selesai" in page
    assert "1 Juli 2026" in page and "30 Juni 2026" in page


def test_learner_sees_the_deadline_on_dashboard_and_course_page(client, login, make_user, cohort):
    learner = make_user()
    db.session.add(Enrolment(user_id=learner.id, course_id=cohort.course_id, cohort_id=cohort.id))
    db.session.commit()
    login(learner)
    course_page = client.get("/kursus/kepemimpinan-digital").get_data(as_text=True)
    assert "Batas waktu penyelesaian: <strong>30 Juni 2026</strong>" in course_page
    assert "Angkatan <strong>Angkatan I 2026</strong>" in course_page
    dashboard = client.get("/saya").get_data(as_text=True)
    assert "Batas waktu" in dashboard and "30 Juni 2026" in dashboard and "Angkatan I 2026" in dashboard


def test_remove_member_keeps_the_enrolment(client, login, make_user, cohort):
    learner = make_user(full_name="Keluar Dulu")
    enrolment = Enrolment(user_id=learner.id, course_id=cohort.course_id, cohort_id=cohort.id)
    db.session.add(enrolment)
    db.session.commit()
    login(make_user("admin"))
    response = client.post(f"/admin/angkatan/{cohort.id}/peserta/{enrolment.id}/keluarkan", follow_redirects=True)
    assert "Keluar Dulu dikeluarkan dari angkatan" in response.get_data(as_text=True)
    db.session.refresh(enrolment)
    assert enrolment.cohort_id is None and enrolment.status == "active"
    assert _events("cohort.remove") == [{"cohort_id": cohort.id, "user_id": learner.id}]


def test_selection_runs_in_batched_queries(app, make_user, cohort):
    from tests.statements import recorded_statements

    users = [make_user(nip=f"1980{1 + i % 12:02d}{1 + (i // 12) % 28:02d}2005011{1 + i // 336:03d}")
             for i in range(30)]
    admin = make_user("admin")
    identifiers = [u.nip for u in users] + [u.email for u in users]
    assert cohort.course_id  # loaded before counting
    with recorded_statements() as statements:
        selection = cohorts.select_by_identifiers(identifiers, admin)
        plan = cohorts.plan_enrolment(cohort, selection)
    assert len(selection.user_ids) == 30 and plan.to_enrol == 30
    assert len(statements) <= 4


def test_enrol_by_picking_search_results(client, login, make_user, cohort, opds):
    diskominfo, dinkes = opds
    budi = make_user(full_name="Budi Pilihan", nip="196608011988031001", opd_id=diskominfo.id)
    other = make_user(full_name="Budi Dinkes", opd_id=dinkes.id)
    login(make_user("opd_admin", opd_id=diskominfo.id))
    page = client.get(f"/admin/angkatan/{cohort.id}/daftarkan?q=budi").get_data(as_text=True)
    assert "Budi Pilihan" in page and "Budi Dinkes" not in page
    assert "Budi Pilihan" in client.get(f"/admin/angkatan/{cohort.id}/daftarkan?q=19660801").get_data(as_text=True)
    assert "Tidak ada peserta yang cocok" in client.get(
        f"/admin/angkatan/{cohort.id}/daftarkan?q=zzz").get_data(as_text=True)

    url = f"/admin/angkatan/{cohort.id}/daftarkan/pilih"
    preview = client.post(url, data={"user_ids": [str(budi.id)], "preview": "1"}).get_data(as_text=True)
    assert "1 peserta akan didaftarkan" in preview and "Daftarkan 1 peserta" in preview
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
    forged = client.post(url, data={"user_ids": [str(budi.id), str(other.id)], "confirm": "1"})
    assert forged.status_code == 400 and "Pilihan tidak valid." in forged.get_data(as_text=True)
    empty = client.post(url, data={"preview": "1"})
    assert empty.status_code == 400 and "Pilih paling sedikit satu peserta." in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
    client.post(url, data={"user_ids": [str(budi.id)], "confirm": "1"})
    assert _enrolment(budi, cohort.course).cohort_id == cohort.id
    assert _events("cohort.enrol")[0]["method"] == "pick"


def test_list_and_rule_forms_offer_enrolling_only_after_a_preview(client, login, make_user, cohort):
    make_user(email="ada@example.go.id")
    login(make_user("admin"))
    page = client.get(f"/admin/angkatan/{cohort.id}/daftarkan").get_data(as_text=True)
    assert "Hitung peserta" in page and "Daftarkan 1 peserta" not in page
    preview = client.post(f"/admin/angkatan/{cohort.id}/daftarkan/daftar",
                          data={"identifiers": "ada@example.go.id", "preview": "1"}).get_data(as_text=True)
    assert 'value="Daftarkan 1 peserta"' in preview


def test_unknown_and_huge_ids_are_404(client, login, make_user):
    login(make_user("admin"))
    huge = 2**63
    for path in (f"/admin/angkatan/{huge}", f"/admin/angkatan/{huge}/ubah", f"/admin/angkatan/{huge}/daftarkan",
                 "/admin/angkatan/999"):
        assert client.get(path).status_code == 404, path
    for path in (f"/admin/persetujuan/{huge}/setujui", f"/admin/kursus/{huge}/pendaftaran",
                 f"/admin/angkatan/{huge}/peserta/1/keluarkan", "/admin/persetujuan/999/tolak"):
        assert client.post(path).status_code == 404, path
