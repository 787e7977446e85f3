"""The yearly JP ledger: sums per local calendar year, targets per employment type, riwayat diklat."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.reports import ledger
from tests.factories import make_opd
from tests.test_admin import _complete

TZ = "Asia/Makassar"
TARGETS = ledger.JpTargets(pns=Decimal(20), pppk=Decimal(20))


def _utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture()
def admin(make_user, login):
    user = make_user("admin")
    login(user)
    return user


def _rows(actor, **filters):
    return {r.full_name: r for r in ledger.iter_ledger(ledger.LedgerFilter(year=2026, **filters), TZ, TARGETS, actor)}


def test_8_plus_12_is_20_memenuhi_and_19_5_is_not(app, admin, make_user, make_course):
    a = make_user(full_name="Ani", employment_type="PNS")
    b = make_user(full_name="Budi", employment_type="PNS")
    c = make_user(full_name="Citra", employment_type="PNS")
    eight, twelve = make_course(jp=Decimal("8")), make_course(jp=Decimal("12"))
    nineteen_half = make_course(jp=Decimal("19.5"))
    _complete(a, eight, _utc(2026, 2, 1))
    _complete(a, twelve, _utc(2026, 5, 1))
    _complete(b, nineteen_half, _utc(2026, 5, 1))
    rows = _rows(admin)
    assert rows["Ani"].jp == Decimal(20) and rows["Ani"].met and rows["Ani"].courses == 2
    assert rows["Budi"].jp == Decimal("19.5") and not rows["Budi"].met
    assert rows["Budi"].shortfall == Decimal("0.5")
    assert rows["Citra"].jp == Decimal(0) and not rows["Citra"].met and rows["Citra"].courses == 0
    assert set(_rows(admin, status=ledger.MET)) == {"Ani"}
    assert set(_rows(admin, status=ledger.NOT_MET)) == {"Budi", "Citra"}


def test_page_shows_decimal_comma_never_rounded_up(client, admin, make_user, make_course):
    budi = make_user(full_name="Budi", employment_type="PNS")
    year = datetime.now(timezone.utc).year - 1   # last year: offered in the year filter
    _complete(budi, make_course(jp=Decimal("19.99")), _utc(year, 5, 1))
    body = client.get("/admin/laporan/jp", query_string={"tahun": year}).get_data(as_text=True)
    assert "19,99 JP" in body and "Belum memenuhi" in body and "kurang 0,01 JP" in body
    assert "20 JP" in body  # the target
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/laporan/jp.csv?tahun={year}").get_data().decode()[1:])))
    header = rows[0]
    line = dict(zip(header, rows[1]))
    assert (line["JP"], line["Target JP"], line["Status"]) == ("19,99", "20", "Belum memenuhi")
    assert line["Tahun"] == str(year)
    assert client.get("/admin/laporan/jp", query_string={"tahun": year - 50}).status_code == 400


def test_year_follows_local_time(app, admin, make_user, make_course):
    ani = make_user(full_name="Ani", employment_type="PNS")
    # 31 Dec 2025 16.30 UTC is 1 Jan 2026 00.30 WITA: credited to 2026.
    _complete(ani, make_course(jp=Decimal("8")), _utc(2025, 12, 31, 16, 30))
    # 31 Dec 2026 15.59 UTC is 23.59 WITA: still 2026; 16.00 UTC would be 2027.
    _complete(ani, make_course(jp=Decimal("4")), _utc(2026, 12, 31, 15, 59))
    _complete(ani, make_course(jp=Decimal("2")), _utc(2026, 12, 31, 16, 0))
    assert _rows(admin)["Ani"].jp == Decimal(12)
    assert ledger.LedgerFilter(year=2027).year == 2027
    next_year = {r.full_name: r for r in ledger.iter_ledger(ledger.LedgerFilter(year=2027), TZ, TARGETS, admin)}
    assert next_year["Ani"].jp == Decimal(2)


def test_target_per_employment_type_is_a_setting(app, admin, make_user, make_course):
    pns = make_user(full_name="Pns", employment_type="PNS")
    pppk = make_user(full_name="Pppk", employment_type="PPPK")
    make_user(full_name="Umum")  # public learner: no employment type, not in the ledger
    course = make_course(jp=Decimal("12"))
    _complete(pns, course, _utc(2026, 5, 1))
    _complete(pppk, course, _utc(2026, 5, 1))
    targets = ledger.JpTargets(pns=Decimal(20), pppk=Decimal(12))
    rows = {r.full_name: r for r in ledger.iter_ledger(ledger.LedgerFilter(year=2026), TZ, targets, admin)}
    assert set(rows) == {"Pns", "Pppk"}
    assert (rows["Pns"].target, rows["Pns"].met) == (Decimal(20), False)
    assert (rows["Pppk"].target, rows["Pppk"].met) == (Decimal(12), True)
    assert ledger.JpTargets.from_config(app.config).pppk == Decimal(20)
    assert ledger.JpTargets.from_config({"LENTERA_JP_TARGET_PNS": "20", "LENTERA_JP_TARGET_PPPK": "15"}).pppk == 15


def test_revoked_certificate_credits_no_jp(app, admin, make_user, make_course):
    ani = make_user(full_name="Ani", employment_type="PNS")
    enrolment = _complete(ani, make_course(jp=Decimal("20")), _utc(2026, 5, 1), number="0001/BPSDM-KT/V/2026")
    assert _rows(admin)["Ani"].jp == Decimal(20)
    from app.certificates.models import Certificate

    cert = db.session.query(Certificate).filter_by(enrolment_id=enrolment.id).one()
    cert.status = "revoked"
    db.session.commit()
    assert _rows(admin)["Ani"].jp == Decimal(0)
    assert ledger.riwayat_rows(ani.id, None, TZ) == []


def test_per_opd_share_is_truncated_and_sums_match_the_asn_rows(app, admin, make_user, make_course):
    opd = make_opd()
    course = make_course(jp=Decimal("20"))
    people = [make_user(full_name=f"P{n}", employment_type="PNS", opd_id=opd.id) for n in range(3)]
    _complete(people[0], course, _utc(2026, 5, 1))
    _complete(people[1], course, _utc(2026, 5, 1))
    make_user(full_name="Tanpa", employment_type="PPPK")
    lines = ledger.opd_compliance(ledger.LedgerFilter(year=2026), TZ, TARGETS, admin)
    by_name = {line.opd_name: line for line in lines}
    kominfo = by_name["Dinas Komunikasi dan Informatika"]
    assert (kominfo.staff, kominfo.met, kominfo.share) == (3, 2, Decimal("66.6"))   # 66,66… never 66,7
    assert (by_name["Tanpa OPD"].staff, by_name["Tanpa OPD"].met) == (1, 0)
    total = lines[-1]
    assert total.is_total and (total.staff, total.met) == (4, 2) and total.share == Decimal("50.0")
    rows = list(ledger.iter_ledger(ledger.LedgerFilter(year=2026), TZ, TARGETS, admin))
    assert len(rows) == total.staff and sum(r.met for r in rows) == total.met


def test_riwayat_diklat_csv_and_xlsx(client, admin, app, make_user, make_course):
    ani = make_user(full_name="Ani", employment_type="PNS", nip="199003152014022001")
    course = make_course(title="Kepemimpinan Digital", jp=Decimal("19.5"))
    _complete(ani, course, _utc(2026, 11, 29, 16, 30), number="0001/BPSDM-KT/XI/2026")
    response = client.get(f"/admin/peserta/{ani.id}/riwayat-diklat.csv")
    assert response.status_code == 200
    assert 'filename="riwayat-diklat-199003152014022001-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8")[1:])))
    assert rows[0] == ["Jenis Diklat", "Penyelenggara", "Nama Diklat", "Tanggal Mulai", "Tanggal Selesai", "JP",
                       "Nomor Sertifikat"]
    enrolled_local = rows[1][3]
    assert rows[1][0] == ledger.JENIS_DIKLAT and "nonklasikal" in rows[1][0]
    assert rows[1][1] == app.config["LENTERA_INSTITUTION"]
    assert rows[1][2:] == ["Kepemimpinan Digital", enrolled_local, "2026-11-30", "19,5", "0001/BPSDM-KT/XI/2026"]

    book = load_workbook(io.BytesIO(client.get(f"/admin/peserta/{ani.id}/riwayat-diklat.xlsx").get_data()))
    sheet = book.active
    assert sheet["C2"].value == "Kepemimpinan Digital"
    assert sheet["E2"].value.date() == date(2026, 11, 30)
    assert sheet["F2"].value == 19.5 and sheet["F2"].data_type == "n"
    only_2025 = client.get(f"/admin/peserta/{ani.id}/riwayat-diklat.csv?tahun=2025").get_data().decode()
    assert only_2025.count("\r\n") == 1     # header only
    assert client.get(f"/admin/peserta/{ani.id}/riwayat-diklat.csv?tahun=99999").status_code == 400


def test_learner_detail_shows_year_jp_against_target(client, admin, make_user, make_course):
    ani = make_user(full_name="Ani", employment_type="PPPK")
    _complete(ani, make_course(jp=Decimal("8")), datetime.now(timezone.utc))
    _complete(ani, make_course(jp=Decimal("12")), datetime.now(timezone.utc))
    body = client.get(f"/admin/peserta/{ani.id}").get_data(as_text=True)
    assert "20 JP dari target 20 JP (PPPK)" in body and "memenuhi</span>" in body
