"""Completion report: page, filters, and the CSV download (BOM, NIP as text, formula neutralising)."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from app.auth.models import User
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Enrolment
from app.reports import csv_export, exports
from tests.factories import make_opd
from tests.test_admin import add_certificate

URL = "/admin/laporan/penyelesaian"
CSV_URL = URL + ".csv"
BOM = "\ufeff"
HEADER = [c.header for c in exports.completion_columns("Asia/Makassar")]


def _utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def _complete(user, course, when, number=None):
    enrolment = learning.enrol(user, course)
    enrolment.enrolled_at = _utc(2026, 11, 1, 1, 0)
    enrolment.completed_at = when
    db.session.flush()
    if number:
        add_certificate(enrolment, number)
    db.session.commit()
    return enrolment


def _csv(client, **query):
    response = client.get(CSV_URL, query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    delimiter = ";" if query.get("delimiter") == "semicolon" else ","
    return list(csv.reader(io.StringIO(text[1:]), delimiter=delimiter)), response


def _page_total(client, **query):
    response = client.get(URL, query_string=query)
    assert response.status_code == 200
    return int(re.search(r"Total: ([\d.]+) penyelesaian", response.get_data(as_text=True)).group(1).replace(".", ""))


@pytest.fixture()
def admin(make_user, login):
    user = make_user("admin")
    login(user)
    return user


def test_csv_has_bom_header_and_the_completed_learners_row(client, admin, make_user, make_course):
    opd = make_opd()
    learner = make_user(full_name="Siti Aminah", gelar_depan="dr.", gelar_belakang="M.Kes.",
                        nip="196608011988031001", opd_id=opd.id, jabatan="Kepala Bidang", eselon="III.b",
                        golongan="III/d", email="siti@kaltimprov.go.id")
    course = make_course(title="Kepemimpinan Digital", jp=Decimal("19.5"))
    # 29 Nov 2026 16.30 UTC is 30 Nov 2026 00.30 WITA: the local date is printed.
    _complete(learner, course, _utc(2026, 11, 29, 16, 30), number="0001/BPSDM-KT/XI/2026")
    learning.enrol(make_user(full_name="Belum Selesai"), course)  # not completed: not reported
    db.session.commit()

    rows, response = _csv(client)
    assert response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="laporan-penyelesaian-\d{8}\.csv"',
                        response.headers["Content-Disposition"])
    assert rows[0] == HEADER
    assert rows[0][:5] == ["NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Nama Lengkap dengan Gelar"]
    assert rows[1:] == [[
        '="196608011988031001"', "Siti Aminah", "dr.", "M.Kes.", "dr. Siti Aminah, M.Kes.", "siti@kaltimprov.go.id",
        "Dinas Komunikasi dan Informatika", "Kepala Bidang", "III.b", "III/d", "Kepemimpinan Digital", "19,5",
        "2026-11-01", "2026-11-30", "0001/BPSDM-KT/XI/2026", "Berlaku", "", ""]]
    raw = response.get_data().decode("utf-8")
    assert '"=""196608011988031001"""' in raw   # the quoted form spreadsheets read as a text formula


def test_formula_cells_are_neutralised(client, admin, make_user, make_course):
    learner = make_user(full_name="=cmd|' /C calc'!A0", jabatan="+SUM(A1)", gelar_depan="@x")
    course = make_course(title="-2+3 Kursus")
    _complete(learner, course, _utc(2026, 11, 29, 3, 0))
    rows, _ = _csv(client)
    row = rows[1]
    assert row[0] == ""                               # no NIP: empty, no formula
    assert row[1] == "'=cmd|' /C calc'!A0"
    assert row[2] == "'@x"
    assert row[4] == "'@x =cmd|' /C calc'!A0"
    assert row[7] == "'+SUM(A1)"
    assert row[10] == "'-2+3 Kursus"
    assert sum(cell.startswith("=") for cell in row) == 0


def test_cell_helpers():
    assert csv_export.nip_cell("196608011988031001") == '="196608011988031001"'
    assert csv_export.nip_cell("19660801198803100") == "19660801198803100"      # not 18 digits: as text
    assert csv_export.nip_cell("=1+1") == "'=1+1"
    assert csv_export.nip_cell("１９６６０８０１１９８８０３１００１") != '="１９６６０８０１１９８８０３１００１"'  # not ASCII
    for bad in ("=A1", "+1", "-1", "@SUM", "\tx", "\rx"):
        assert csv_export.safe_cell(bad) == "'" + bad
    assert csv_export.safe_cell("Budi") == "Budi" and csv_export.safe_cell(None) == ""


def test_filters_by_course_and_opd(client, admin, make_user, make_course):
    kominfo = make_opd()
    bappeda = make_opd("BAPPEDA", "Badan Perencanaan Pembangunan Daerah")
    a = make_course(title="Kursus A")
    b = make_course(title="Kursus B")
    when = _utc(2026, 11, 10, 2, 0)
    _complete(make_user(full_name="Ani", opd_id=kominfo.id), a, when)
    _complete(make_user(full_name="Budi", opd_id=bappeda.id), a, when)
    _complete(make_user(full_name="Cici", opd_id=kominfo.id), b, when)
    _complete(make_user(full_name="Dedi"), b, when)   # public learner, no OPD

    def names(**query):
        rows, _ = _csv(client, **query)
        assert _page_total(client, **query) == len(rows) - 1
        return sorted(r[1] for r in rows[1:])

    assert names() == ["Ani", "Budi", "Cici", "Dedi"]
    assert names(course=a.id) == ["Ani", "Budi"]
    assert names(opd=kominfo.id) == ["Ani", "Cici"]
    assert names(course=b.id, opd=kominfo.id) == ["Cici"]
    assert names(course=b.id, opd=bappeda.id) == []


def test_date_range_is_local_and_inclusive_of_the_whole_last_day(client, admin, make_user, make_course):
    course = make_course()
    cases = {
        "sebelum": _utc(2026, 11, 9, 15, 59),   # 9 Nov 23.59 WITA: before "dari"
        "awal": _utc(2026, 11, 9, 16, 0),       # 10 Nov 00.00 WITA: first instant of "dari"
        "akhir": _utc(2026, 11, 29, 15, 30),    # 29 Nov 23.30 WITA: on "sampai", included
        "sesudah": _utc(2026, 11, 29, 16, 10),  # 30 Nov 00.10 WITA: the next day, excluded
    }
    for name, when in cases.items():
        _complete(make_user(full_name=name), course, when)
    query = {"dari": "2026-11-10", "sampai": "2026-11-29"}
    rows, _ = _csv(client, **query)
    assert [r[1] for r in rows[1:]] == ["awal", "akhir"]
    assert [r[13] for r in rows[1:]] == ["2026-11-10", "2026-11-29"]
    assert _page_total(client, **query) == 2
    one_day, _ = _csv(client, dari="2026-11-29", sampai="2026-11-29")
    assert [r[1] for r in one_day[1:]] == ["akhir"]
    open_end, _ = _csv(client, dari="2026-11-30")
    assert [r[1] for r in open_end[1:]] == ["sesudah"]


def test_page_shows_rows_and_total_equal_to_csv(client, admin, make_user, make_course):
    course = make_course(title="Kursus Data")
    users = [User(email=f"p{n}@example.go.id", full_name=f"Peserta {n:03d}", password_hash="x", role="learner")
             for n in range(105)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(Enrolment(user_id=u.id, course_id=course.id, completed_at=_utc(2026, 11, 1, 0, n % 60))
                       for n, u in enumerate(users))
    db.session.commit()
    body = client.get(URL).get_data(as_text=True)
    assert "Total: 105 penyelesaian" in body
    assert body.count('<th scope="row">') == 100 and "Halaman 1 dari 2" in body
    assert client.get(URL, query_string={"page": 2}).get_data(as_text=True).count('<th scope="row">') == 5
    rows, _ = _csv(client)
    assert len(rows) - 1 == 105
    assert f'href="{CSV_URL}?course={course.id}"' in client.get(URL, query_string={"course": course.id}).get_data(as_text=True)


def test_reversed_dates_and_bad_input_give_400_in_indonesian(client, admin):
    page = client.get(URL, query_string={"dari": "2026-11-30", "sampai": "2026-11-01"})
    assert page.status_code == 400
    assert "Tanggal &#39;sampai&#39; tidak boleh sebelum tanggal &#39;dari&#39;." in page.get_data(as_text=True)
    download = client.get(CSV_URL, query_string={"dari": "2026-11-30", "sampai": "2026-11-01"})
    assert download.status_code == 400
    assert "tidak boleh sebelum" in download.get_data(as_text=True)
    for query in ({"dari": "30-11-2026"}, {"sampai": "0001-01-01"}, {"course": "x"}, {"opd": "99999"},
                  {"delimiter": "tab"}):
        assert client.get(URL, query_string=query).status_code == 400, query
        assert client.get(CSV_URL, query_string=query).status_code == 400, query
    assert "Tanggal tidak valid" in client.get(URL, query_string={"dari": "kemarin"}).get_data(as_text=True)


def test_semicolon_delimiter_for_indonesian_excel(client, admin, make_user, make_course):
    _complete(make_user(full_name="Ani"), make_course(jp=Decimal("2.25")), _utc(2026, 11, 1, 0, 0))
    response = client.get(CSV_URL, query_string={"delimiter": "semicolon"})
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM + "NIP;Nama;Gelar Depan;")
    rows, _ = _csv(client, delimiter="semicolon")
    assert rows[1][11] == "2,25"


def test_csv_is_streamed(client, admin):
    response = client.get(CSV_URL)
    assert response.is_streamed
    assert response.get_data().decode("utf-8") == BOM + ",".join(HEADER) + "\r\n"


def test_csv_export_is_recorded_in_the_audit_log(client, admin, make_course):
    import json

    from app.admin.models import AuditEvent
    from app.extensions import db

    course = make_course()
    response = client.get(f"/admin/laporan/penyelesaian.csv?course={course.id}&dari=2026-01-01")
    assert response.status_code == 200
    response.get_data()
    event = db.session.query(AuditEvent).one()
    assert (event.actor_id, event.action, event.target_id) == (admin.id, "report.export", "completions")
    assert json.loads(event.detail) == {"format": "csv", "course_id": course.id, "date_from": "2026-01-01"}


# --- Filters added for issue 5: cohort, eselon, golongan -----------------------------------------

def test_filters_by_cohort_eselon_and_golongan(client, admin, make_user, make_course):
    from datetime import date

    from app.learning.models import Cohort

    course = make_course(title="Kursus")
    cohort = Cohort(course_id=course.id, name="Angkatan I", starts_on=date(2026, 10, 1), ends_on=date(2026, 12, 1))
    db.session.add(cohort)
    db.session.commit()
    a = make_user(full_name="Ani", eselon="III.b", golongan="III/d")
    b = make_user(full_name="Budi", eselon="IV.a", golongan="III/c")
    in_cohort = _complete(a, course, _utc(2026, 11, 2, 0, 0))
    in_cohort.cohort_id = cohort.id
    db.session.commit()
    _complete(b, make_course(title="Lain"), _utc(2026, 11, 3, 0, 0))

    def names(**query):
        rows, _ = _csv(client, **query)
        return [r[1] for r in rows[1:]]

    assert names() == ["Ani", "Budi"]
    assert names(cohort=cohort.id) == ["Ani"]
    assert names(eselon="IV.a") == ["Budi"]
    assert names(golongan="III/d") == ["Ani"]
    assert names(eselon="III.b", golongan="III/c") == []
    rows, _ = _csv(client, cohort=cohort.id)
    assert rows[1][HEADER.index("Angkatan")] == "Angkatan I"
    for bad in ({"eselon": "V.z"}, {"golongan": "III-d"}, {"cohort": "99999"}):
        assert client.get(URL, query_string=bad).status_code == 400, bad
        assert client.get(URL + ".xlsx", query_string=bad).status_code == 400, bad


# --- XLSX ---------------------------------------------------------------------------------------

def _xlsx(client, **query):
    from openpyxl import load_workbook

    response = client.get(URL + ".xlsx", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == exports.XLSX_MIMETYPE
    assert re.fullmatch(r'attachment; filename="laporan-penyelesaian-\d{8}\.xlsx"',
                        response.headers["Content-Disposition"])
    return load_workbook(io.BytesIO(response.get_data())).active


def test_xlsx_round_trips_nip_as_text_and_numbers_as_numbers(client, admin, make_user, make_course):
    from app.assessment.models import QuizAttempt

    opd = make_opd()
    learner = make_user(full_name="Siti Aminah", nip="196608011988031001", opd_id=opd.id)
    course = make_course(title="Kepemimpinan Digital", jp=Decimal("19.5"))
    enrolment = _complete(learner, course, _utc(2026, 11, 29, 16, 30), number="0001/BPSDM-KT/XI/2026")
    db.session.add(QuizAttempt(enrolment_id=enrolment.id, quiz_id=course.modules[0].quiz.id, number=1,
                               score=Decimal(3), max_score=Decimal(4), percent=Decimal("75.5"), passed=True,
                               state="submitted"))
    db.session.commit()
    sheet = _xlsx(client)
    header = [cell.value for cell in sheet[1]]
    assert header == HEADER
    row = {h: cell for h, cell in zip(header, sheet[2])}
    assert row["NIP"].value == "196608011988031001" and row["NIP"].data_type == "s"
    assert len(row["NIP"].value) == 18
    assert row["JP"].value == 19.5 and row["JP"].data_type == "n"
    assert row["Nilai Kuis Terbaik (%)"].value == 75.5 and row["Nilai Kuis Terbaik (%)"].data_type == "n"
    assert row["Tanggal Selesai"].value.date().isoformat() == "2026-11-30"   # local date, as in the CSV
    assert row["Nomor Sertifikat"].value == "0001/BPSDM-KT/XI/2026"
    assert sheet.max_row == 2


def test_xlsx_formula_cells_are_plain_text(client, admin, make_user, make_course):
    learner = make_user(full_name="=cmd|' /C calc'!A0", jabatan="+SUM(A1)", gelar_depan="@x")
    _complete(learner, make_course(title="-2+3 Kursus"), _utc(2026, 11, 29, 3, 0))
    sheet = _xlsx(client)
    cells = list(sheet[2])
    assert all(cell.data_type != "f" for cell in cells)
    header = [cell.value for cell in sheet[1]]
    row = {h: cell for h, cell in zip(header, cells)}
    assert row["Nama"].value == "=cmd|' /C calc'!A0" and row["Nama"].data_type == "s"
    assert row["Jabatan"].data_type == "s" and row["Kursus"].data_type == "s"


def test_xlsx_is_streamed_and_recorded(client, admin):
    from app.admin.models import AuditEvent

    response = client.get(URL + ".xlsx")
    assert response.is_streamed
    response.get_data()
    event = db.session.query(AuditEvent).one()
    assert (event.action, event.target_id) == ("report.export", "completions")
    assert '"format": "xlsx"' in event.detail


def test_screen_total_equals_csv_and_xlsx_totals(client, admin, make_user, make_course):
    opd = make_opd()
    course = make_course()
    for n in range(7):
        _complete(make_user(full_name=f"P{n}", opd_id=opd.id if n % 2 else None), course, _utc(2026, 11, 1, n, 0))
    for query in ({}, {"opd": opd.id}):
        total = _page_total(client, **query)
        rows, _ = _csv(client, **query)
        sheet = _xlsx(client, **query)
        assert total == len(rows) - 1 == sheet.max_row - 1
    assert _page_total(client, opd=opd.id) == 3


def test_export_writers_consume_rows_lazily_once(app, admin, make_user, make_course):
    """The XLSX writer keeps at most one row in memory (constant_memory): a lazy generator is consumed once."""
    consumed = []

    def rows():
        for n in range(3):
            consumed.append(n)
            yield n

    columns = [exports.Column("N", "int", lambda r: r), exports.Column("T", "text", lambda r: f"={r}")]
    chunks = exports.xlsx_chunks(columns, rows())
    data = b"".join(chunks)
    assert consumed == [0, 1, 2] and data.startswith(b"PK")
    csv_text = "".join(csv_export.stream_csv([c.header for c in columns], exports.csv_records(columns, iter([5]))))
    assert csv_text == BOM + "N,T\r\n5,'=5\r\n"


def test_revoked_certificate_is_marked_in_the_completion_report(client, admin, make_user, make_course):
    import csv as csv_module
    import io
    from datetime import datetime, timezone

    from app.certificates import services as certificates
    from app.extensions import db
    from app.learning import services as learning

    course = make_course()
    enrolment = learning.enrol(make_user(full_name="Rudi"), course)
    enrolment.completed_at = datetime(2026, 11, 2, 3, 0, tzinfo=timezone.utc)
    certificate = certificates.issue_certificate(enrolment)
    db.session.commit()
    certificates.revoke_certificate(certificate, admin, "Data tidak benar")
    db.session.commit()
    rows = list(csv_module.reader(io.StringIO(
        client.get("/admin/laporan/penyelesaian.csv").data.decode("utf-8-sig"))))
    row = dict(zip(rows[0], rows[1]))
    assert (row["Nomor Sertifikat"], row["Status Sertifikat"]) == (certificate.number, "Dicabut")
    assert "Dicabut" in client.get("/admin/laporan/penyelesaian").get_data(as_text=True)


def _tricky_report(make_user, make_course):
    """Three completions with every kind of awkward value the CSV has to carry (issue #8 byte pin)."""
    from datetime import date

    from app.assessment.models import QuizAttempt
    from app.learning.models import Cohort

    opd = make_opd("=OPD", "@Dinas \"Uji\", Kaltim")
    course = make_course(title='Kepemimpinan, "Digital"', jp=Decimal("12.5"))
    big = make_course(title="\tKursus Besar", jp=Decimal("1234.25"))
    whole = make_course(title="Kursus Utuh", jp=Decimal("20"))
    cohort = Cohort(course_id=course.id, name="-Angkatan 1", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    db.session.add(cohort)
    db.session.commit()
    first = make_user(full_name="=HYPERLINK(\"http://x\")", gelar_depan="Dr.", gelar_belakang="S.Kom., M.T.",
                      nip="196608011988031001", opd_id=opd.id, jabatan="+Kepala Bidang", eselon="III.b",
                      golongan="III/d", email="-satu@kaltimprov.go.id")
    second = make_user(full_name="Ñoño Ünal Ďuriš 山田", gelar_depan="\rdr.", gelar_belakang="@M.Kes.",
                       nip="12345", jabatan="Analis\r\nKebijakan", email="dua@example.go.id")
    third = make_user(full_name=" Ayu Lestari ", gelar_depan=" ", gelar_belakang=None, nip=None,
                      jabatan="-", eselon=None, golongan="IV/a", email="@tiga@example.go.id")
    one = _complete(first, course, _utc(2026, 11, 29, 16, 30), number="0001/BPSDM-KT/XI/2026")
    one.cohort_id = cohort.id
    quiz = course.modules[0].quiz
    db.session.add_all([
        QuizAttempt(enrolment_id=one.id, quiz_id=quiz.id, number=1, score=Decimal(1), max_score=Decimal(2),
                    percent=Decimal("87.5"), passed=True, state="submitted"),
        QuizAttempt(enrolment_id=one.id, quiz_id=quiz.id, number=2, score=Decimal(2), max_score=Decimal(2),
                    percent=Decimal(100), passed=True, state="in_progress"),   # not submitted: not counted
    ])
    two = _complete(second, big, _utc(2026, 11, 29, 15, 59))   # 23.59 WITA: still the 29th
    db.session.add(QuizAttempt(enrolment_id=two.id, quiz_id=big.modules[0].quiz.id, number=1, score=Decimal(0),
                               max_score=Decimal(2), percent=Decimal("0.25"), passed=False, state="submitted"))
    _complete(third, whole, _utc(2026, 11, 30, 0, 0), number="=0003")
    db.session.commit()


TRICKY_CSV = (
    "\ufeffNIP,Nama,Gelar Depan,Gelar Belakang,Nama Lengkap dengan Gelar,Email,OPD,Jabatan,Eselon,Golongan,"
    "Kursus,JP,Tanggal Mulai,Tanggal Selesai,Nomor Sertifikat,Status Sertifikat,Angkatan,"
    "Nilai Kuis Terbaik (%)\r\n"
    "12345,Ñoño Ünal Ďuriš 山田,\"'\rdr.\",'@M.Kes.,\"dr. Ñoño Ünal Ďuriš 山田, @M.Kes.\",dua@example.go.id,,"
    "\"Analis\r\nKebijakan\",,,'\tKursus Besar,\"1.234,25\",2026-11-01,2026-11-29,,,,\"0,25\"\r\n"
    "\"=\"\"196608011988031001\"\"\",\"'=HYPERLINK(\"\"http://x\"\")\",Dr.,\"S.Kom., M.T.\","
    "\"Dr. =HYPERLINK(\"\"http://x\"\"), S.Kom., M.T.\",'-satu@kaltimprov.go.id,\"'@Dinas \"\"Uji\"\", Kaltim\","
    "'+Kepala Bidang,III.b,III/d,\"Kepemimpinan, \"\"Digital\"\"\",\"12,5\",2026-11-01,2026-11-30,"
    "0001/BPSDM-KT/XI/2026,Berlaku,'-Angkatan 1,\"87,5\"\r\n"
    ", Ayu Lestari , ,,Ayu Lestari,'@tiga@example.go.id,,'-,,IV/a,Kursus Utuh,20,2026-11-01,2026-11-30,"
    "'=0003,Berlaku,,\r\n"
)
TRICKY_SEMICOLON_CSV = (
    "\ufeffNIP;Nama;Gelar Depan;Gelar Belakang;Nama Lengkap dengan Gelar;Email;OPD;Jabatan;Eselon;Golongan;"
    "Kursus;JP;Tanggal Mulai;Tanggal Selesai;Nomor Sertifikat;Status Sertifikat;Angkatan;"
    "Nilai Kuis Terbaik (%)\r\n"
    "12345;Ñoño Ünal Ďuriš 山田;\"'\rdr.\";'@M.Kes.;dr. Ñoño Ünal Ďuriš 山田, @M.Kes.;dua@example.go.id;;"
    "\"Analis\r\nKebijakan\";;;'\tKursus Besar;1.234,25;2026-11-01;2026-11-29;;;;0,25\r\n"
    "\"=\"\"196608011988031001\"\"\";\"'=HYPERLINK(\"\"http://x\"\")\";Dr.;S.Kom., M.T.;"
    "\"Dr. =HYPERLINK(\"\"http://x\"\"), S.Kom., M.T.\";'-satu@kaltimprov.go.id;\"'@Dinas \"\"Uji\"\", Kaltim\";"
    "'+Kepala Bidang;III.b;III/d;\"Kepemimpinan, \"\"Digital\"\"\";12,5;2026-11-01;2026-11-30;"
    "0001/BPSDM-KT/XI/2026;Berlaku;'-Angkatan 1;87,5\r\n"
    "; Ayu Lestari ; ;;Ayu Lestari;'@tiga@example.go.id;;'-;;IV/a;Kursus Utuh;20;2026-11-01;2026-11-30;"
    "'=0003;Berlaku;;\r\n"
)


def test_completion_csv_bytes_are_pinned(client, admin, make_user, make_course):
    """The exact bytes of the completion CSV with formula starts, gelar, NIP, decimals, CR/LF and non-ASCII
    (issue #8: speed work on the export must not change a byte)."""
    _tricky_report(make_user, make_course)
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response.get_data() == TRICKY_CSV.encode("utf-8")
    semicolon = client.get(CSV_URL, query_string={"delimiter": "semicolon"}).get_data().decode("utf-8")
    assert semicolon == TRICKY_SEMICOLON_CSV


def test_completion_csv_records_handle_missing_values():
    """A row with every optional value missing (NULL dates, JP and score included) gives empty cells."""
    from app.reports.services import CompletionRow

    row = CompletionRow(enrolment_id=1, nip=None, full_name="Budi", gelar_depan=None, gelar_belakang=None,
                        email="b@example.go.id", opd_name=None, jabatan=None, eselon=None, golongan=None,
                        course_title="K", jp=None, enrolled_at=None, completed_at=None, certificate_number=None,
                        certificate_status=None, cohort_name=None, best_percent=None)
    columns = exports.completion_columns("Asia/Makassar")
    text = "".join(csv_export.stream_csv([c.header for c in columns], exports.csv_records(columns, [row]), ";"))
    assert text.split("\r\n")[1:] == [";Budi;;;Budi;b@example.go.id;;;;;K;;;;;;;", ""]


def test_completion_rows_are_built_from_the_query_by_position(app, make_user):
    """CompletionRow is filled by position (issue #8): the query must select exactly its fields, in order."""
    from app.reports import services

    stmt = services.completions_query(services.CompletionFilter(), "Asia/Makassar", make_user("admin"))
    assert tuple(stmt.selected_columns.keys()) == services.CompletionRow._fields


def test_csv_records_match_the_per_cell_rule_across_batches():
    """The batched, column-wise csv_records gives exactly csv_cell(kind, value) of every cell, across
    batch boundaries, for every kind, with None, non-str values, formula starts and CR/LF."""
    import random
    from datetime import date, timedelta

    from app.reports.services import CompletionRow

    rng = random.Random(8)
    texts = [None, "", " ", "Budi", "=1+1", "+62", "-", "@x", "\tx", "\rx", "\nx", "'=x", "Ñoño 山田", "a,b", 'q"q',
             "196608011988031001", "１９６６０８０１１９８８０３１００１", "19660801198803100"]
    decimals = [None, Decimal(0), Decimal("-0"), Decimal("19.5"), Decimal("19.50"), Decimal(20), Decimal("2E+1"),
                Decimal("1234.25"), Decimal("-1.5"), Decimal("0.01"), Decimal("1000000")]
    instants = [None, _utc(2026, 11, 29, 15, 59), _utc(2026, 11, 29, 16, 0), datetime(2026, 11, 29, 16, 0),
                datetime(2026, 11, 29, 23, 0, tzinfo=timezone(timedelta(hours=-5)))]
    choices = {"enrolment_id": [1], "full_name": texts[1:], "email": texts[1:], "course_title": texts[1:],
               "jp": decimals, "best_percent": decimals, "enrolled_at": instants, "completed_at": instants,
               "certificate_status": [None, "valid", "revoked", "superseded"]}
    rows = [CompletionRow(**{f: rng.choice(choices.get(f, texts)) for f in CompletionRow._fields})
            for n in range(exports.CSV_BATCH * 2 + 7)]
    columns = exports.completion_columns("Asia/Makassar")
    expected = [[exports.csv_cell(c.kind, c.value(r)) for c in columns] for r in rows]
    assert [list(record) for record in exports.csv_records(columns, iter(rows))] == expected

    other = [exports.Column("I", "int", lambda r: r[0]), exports.Column("D", "date", lambda r: r[1]),
             exports.Column("T", "text", lambda r: r[0]), exports.Column("X", "other", lambda r: r[2]),
             exports.Column("N", "nip", lambda r: r[2])]
    values = [(n, rng.choice([None, date(2026, 1, n % 28 + 1)]), rng.choice(texts)) for n in range(-3, 600)]
    assert [list(r) for r in exports.csv_records(other, values)] == [
        [exports.csv_cell(c.kind, c.value(v)) for c in other] for v in values]
    assert [list(r) for r in exports.csv_records([], [1, 2])] == [[], []]
    assert list(exports.csv_records(columns, [])) == []


def test_decimal_cells_follow_format_decimal_id():
    from app.common.formatting import format_decimal_id

    for value in (Decimal("19.5"), Decimal("19.50"), Decimal(20), Decimal("-0"), Decimal("1234.5"), 1234, 0):
        assert exports.csv_cell("decimal", value) == format_decimal_id(value)
    with pytest.raises(TypeError):     # bools and floats are refused, cached or not
        exports.csv_cell("decimal", True)
    with pytest.raises(TypeError):
        exports.csv_cell("decimal", 19.5)
