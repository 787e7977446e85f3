"""Admin dashboard: SVG charts with tables, numbers equal to the exports, bounded query counts."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import insert

from app.admin.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from app.learning.models import Enrolment
from app.reports import dashboard as board_service
from tests.factories import make_opd
from tests.statements import recorded_statements
from tests.test_admin import _complete

TZ = "Asia/Makassar"


@pytest.fixture()
def admin(make_user, login):
    user = make_user("admin")
    login(user)
    return user


def _table(body: str, table_id: str) -> list[list[str]]:
    """Rows of the dashboard table ``table_id`` as lists of cell texts (tags stripped)."""
    block = re.search(rf'<table class="data" id="{table_id}">(.*?)</table>', body, re.S).group(1)
    body_rows = re.search(r"<tbody>(.*?)</tbody>", block, re.S).group(1)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body_rows, re.S)]


def _world(make_user, make_course):
    kominfo = make_opd("DISKOMINFO", "Dinas Komunikasi dan Informatika")
    dinkes = make_opd("DINKES", "Dinas Kesehatan")
    course_a = make_course(title="Kepemimpinan Digital", jp=Decimal("20"))
    course_b = make_course(title="Keamanan Siber", jp=Decimal("12"))
    now = datetime.now(timezone.utc)
    people = [make_user(full_name=f"K{n}", opd_id=kominfo.id, employment_type="PNS") for n in range(3)]
    people += [make_user(full_name=f"D{n}", opd_id=dinkes.id, employment_type="PPPK") for n in range(2)]
    _complete(people[0], course_a, now)
    _complete(people[1], course_b, now)
    _complete(people[3], course_a, now)
    from app.learning import services as learning

    learning.enrol(people[2], course_a)
    db.session.commit()
    return kominfo, dinkes


def test_dashboard_charts_are_svg_with_tables_and_no_inline_style_or_script(client, admin, make_user, make_course):
    _world(make_user, make_course)
    response = client.get("/admin")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 4
    assert body.count('role="img"') == 4
    assert "<title id=\"grafik-jp-t\">Kepatuhan JP per OPD tahun" in body
    assert "style=" not in body and "<script" not in body
    assert body.count("<h1>") == 1
    assert 'fill="#1f6f8b"' in body


def test_dashboard_jp_table_equals_the_per_opd_export(client, admin, make_user, make_course):
    _world(make_user, make_course)
    body = client.get("/admin").get_data(as_text=True)
    screen = _table(body, "tabel-jp")
    export = list(csv.reader(io.StringIO(client.get("/admin/laporan/jp-opd.csv").get_data().decode("utf-8")[1:])))
    assert export[0] == ["OPD", "Tahun", "Jumlah ASN", "Memenuhi", "Belum Memenuhi", "Persentase Memenuhi (%)"]
    as_export = [[r[0], r[2], r[3], r[4], r[5]] for r in export[1:]]
    as_screen = [[r[0], r[1], r[2], r[3], r[4].rstrip("%")] for r in screen]
    assert as_screen == as_export
    assert ["Dinas Komunikasi dan Informatika", "3", "1", "2", "33,3"] in as_screen
    assert ["Dinas Kesehatan", "2", "1", "1", "50"] in as_screen
    assert as_screen[-1] == ["Semua OPD", "5", "2", "3", "40"]


def test_dashboard_completion_numbers_equal_the_completion_report(client, admin, make_user, make_course):
    kominfo, _ = _world(make_user, make_course)
    body = client.get("/admin").get_data(as_text=True)
    by_opd = {row[0]: row for row in _table(body, "tabel-opd")}
    assert by_opd["Dinas Komunikasi dan Informatika"][1:] == ["3", "2", "66,6%"]
    assert by_opd["Dinas Kesehatan"][1:] == ["1", "1", "100%"]
    completed_on_screen = sum(int(row[2]) for row in by_opd.values())
    export = client.get("/admin/laporan/penyelesaian.csv").get_data().decode("utf-8")
    assert completed_on_screen == export.count("\r\n") - 1 == 3
    kominfo_export = client.get(f"/admin/laporan/penyelesaian.csv?opd={kominfo.id}").get_data().decode("utf-8")
    assert int(by_opd["Dinas Komunikasi dan Informatika"][2]) == kominfo_export.count("\r\n") - 1
    by_course = {row[0]: row for row in _table(body, "tabel-kursus")}
    assert by_course["Kepemimpinan Digital"][1:] == ["3", "2", "66,6%"]
    months = _table(body, "tabel-bulan")
    assert len(months) == 12 and months[-1][1] == "3"


def test_completions_by_month_use_local_month_edges(app, admin, make_user, make_course):
    course = make_course()
    # 31 Oct 2026 16.30 UTC is 1 Nov 2026 00.30 WITA: a November completion.
    _complete(make_user(), course, datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc))
    _complete(make_user(), course, datetime(2026, 10, 31, 15, 30, tzinfo=timezone.utc))
    months = board_service.completions_by_month(admin, TZ, date(2026, 11, 29))
    assert [(m.year, m.month) for m in months][0] == (2025, 12) and months[-1].label == "November 2026"
    assert (months[-2].completed, months[-1].completed) == (1, 1)
    assert [m.short_label for m in months][7:9] == ["Jul", "Agu"]


def _bulk(opd_id: int, course_id: int, count: int, start: int) -> None:
    now = datetime.now(timezone.utc)
    db.session.execute(insert(User), [
        {"email": f"bulk{n}@example.go.id", "full_name": f"Bulk {n:05d}", "password_hash": "x", "role": "learner",
         "opd_id": opd_id, "employment_type": "PNS", "nip": None} for n in range(start, start + count)])
    ids = [u.id for u in db.session.query(User.id).filter(User.email.like("bulk%")).filter(
        User.full_name.in_([f"Bulk {n:05d}" for n in range(start, start + count)]))]
    db.session.execute(insert(Enrolment), [
        {"user_id": uid, "course_id": course_id, "enrolled_at": now - timedelta(days=3), "completed_at": now,
         "status": "active"} for uid in ids])
    db.session.execute(insert(AuditEvent), [
        {"actor_id": None, "action": "report.export", "target_type": "report", "target_id": "x", "detail": "{}",
         "at": now} for _ in range(count)])
    db.session.commit()


@pytest.mark.parametrize("role", ["admin", "opd_admin"])
def test_main_admin_pages_use_a_bounded_number_of_queries(client, login, make_user, make_course, role):
    opd = make_opd()
    course = make_course()
    actor = make_user(role, opd_id=opd.id)
    login(actor)
    learner = make_user(full_name="Ani", opd_id=opd.id, employment_type="PNS")
    urls = ["/admin", "/admin/peserta", f"/admin/peserta/{learner.id}", "/admin/laporan/penyelesaian",
            "/admin/laporan/jp"] + (["/admin/audit"] if role == "admin" else [])

    def counts():
        result = []
        for url in urls:
            db.session.commit()
            db.session.expire_all()
            with recorded_statements(only=("SELECT",)) as statements:
                assert client.get(url).status_code == 200, url
            result.append(len(statements))
        return result

    _bulk(opd.id, course.id, 10, 0)
    small = counts()
    _bulk(opd.id, course.id, 1000, 10)
    assert counts() == small
