"""Audit: role changes and exports are recorded; BPSDM admins view, filter and export the log."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from app.admin.audit import record_event
from app.admin.models import AuditEvent
from app.auth.models import User
from app.extensions import db
from tests.factories import make_opd


@pytest.fixture()
def admin(make_user, login):
    user = make_user("admin", email="kepala@bpsdm.kaltimprov.go.id")
    login(user)
    return user


def _events(action=None):
    query = db.session.query(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.filter_by(action=action)
    return query.all()


def test_admin_promotes_a_user_to_opd_admin_and_it_is_recorded(client, admin, make_user):
    opd = make_opd()
    user = make_user(full_name="Ani")
    page = client.get(f"/admin/peserta/{user.id}").get_data(as_text=True)
    assert "Ubah peran" in page and 'name="role"' in page
    response = client.post(f"/admin/peserta/{user.id}/peran", data={"role": "opd_admin", "opd": opd.id})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert (changed.role, changed.opd_id) == ("opd_admin", opd.id)
    [event] = _events("user.role_change")
    assert (event.actor_id, event.target_type, event.target_id) == (admin.id, "user", str(user.id))
    detail = json.loads(event.detail)
    assert (detail["old_role"], detail["new_role"], detail["new_opd_id"]) == ("learner", "opd_admin", opd.id)
    assert "sekarang Admin OPD" in client.get(f"/admin/peserta/{user.id}").get_data(as_text=True)


def test_role_change_refusals_are_400_in_indonesian(client, admin, make_user):
    user = make_user()
    response = client.post(f"/admin/peserta/{user.id}/peran", data={"role": "opd_admin", "opd": ""})
    assert response.status_code == 400
    assert "Admin OPD harus ditetapkan pada satu OPD." in response.get_data(as_text=True)
    response = client.post(f"/admin/peserta/{admin.id}/peran", data={"role": "learner"})
    assert response.status_code == 400
    assert "tidak dapat mengubah peran akun Anda sendiri" in response.get_data(as_text=True)
    assert client.post(f"/admin/peserta/{user.id}/peran", data={"role": "raja"}).status_code == 400
    assert client.post("/admin/peserta/999999/peran", data={"role": "trainer"}).status_code == 404
    assert _events("user.role_change") == []
    db.session.expire_all()
    assert db.session.get(User, user.id).role == "learner"


def test_unchanged_role_records_nothing(client, admin, make_user):
    user = make_user("trainer")
    assert client.post(f"/admin/peserta/{user.id}/peran", data={"role": "trainer"}).status_code == 302
    assert _events("user.role_change") == []


def test_opd_admin_sees_no_role_form_and_cannot_post_it(client, login, make_user):
    opd = make_opd()
    opd_admin = make_user("opd_admin", opd_id=opd.id)
    staff = make_user(opd_id=opd.id)
    login(opd_admin)
    page = client.get(f"/admin/peserta/{staff.id}").get_data(as_text=True)
    assert "Ubah peran" not in page
    assert client.post(f"/admin/peserta/{staff.id}/peran", data={"role": "admin"}).status_code == 403
    assert client.get("/admin/audit").status_code == 403


@pytest.mark.parametrize("url,target", [
    ("/admin/laporan/penyelesaian.csv", "completions"), ("/admin/laporan/penyelesaian.xlsx", "completions"),
    ("/admin/laporan/jp.csv?status=belum", "jp"), ("/admin/laporan/jp.xlsx", "jp"),
    ("/admin/laporan/jp-opd.csv", "jp_opd"), ("/admin/laporan/jp-opd.xlsx", "jp_opd"),
    ("/saya/riwayat-diklat.csv", "riwayat_diklat"), ("/admin/audit.csv", "audit"),
])
def test_every_export_is_recorded(client, admin, url, target):
    response = client.get(url)
    assert response.status_code == 200
    response.get_data()
    [event] = _events("report.export")
    assert (event.actor_id, event.target_id) == (admin.id, target)
    assert json.loads(event.detail)["format"] == url.split("?")[0].rsplit(".", 1)[1]


def _seed_events(admin, other):
    for at, actor, action in [
        (datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc), admin, "report.export"),
        (datetime(2026, 11, 10, 2, 0, tzinfo=timezone.utc), other, "user.role_change"),
        (datetime(2026, 11, 29, 15, 30, tzinfo=timezone.utc), None, "roster.import"),   # 23.30 WITA on the 29th
    ]:
        record_event(actor, action, "user", 7, note="=HYPERLINK(\"x\")").at = at
    db.session.commit()


def test_audit_page_filters_by_action_actor_and_local_date(client, admin, make_user):
    other = make_user("admin", email="operator@bpsdm.kaltimprov.go.id")
    _seed_events(admin, other)
    body = client.get("/admin/audit").get_data(as_text=True)
    assert "Total: 3 peristiwa" in body and "baris perintah" in body
    assert "29 November 2026 pukul 23.30 WITA" in body
    assert "Total: 1 peristiwa" in client.get("/admin/audit?aksi=user.role_change").get_data(as_text=True)
    assert "Total: 1 peristiwa" in client.get("/admin/audit?pelaku=OPERATOR@").get_data(as_text=True)
    one_day = client.get("/admin/audit?dari=2026-11-29&sampai=2026-11-29").get_data(as_text=True)
    assert "Total: 1 peristiwa" in one_day and "roster.import" in one_day
    assert client.get("/admin/audit?aksi=tidak.ada").status_code == 400
    assert client.get("/admin/audit?dari=2026-11-30&sampai=2026-11-01").status_code == 400


def test_audit_export_csv_and_xlsx(client, admin, make_user):
    other = make_user("admin", email="operator@bpsdm.kaltimprov.go.id")
    _seed_events(admin, other)
    text = client.get("/admin/audit.csv?aksi=user.role_change").get_data().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Waktu", "Waktu (UTC, ISO 8601)", "Email Pelaku", "Aksi", "Jenis Objek", "ID Objek", "Rincian"]
    assert len(rows) == 2
    assert rows[1][2:6] == ["operator@bpsdm.kaltimprov.go.id", "user.role_change", "user", "7"]
    assert rows[1][0] == "10 November 2026 pukul 10.00 WITA"
    assert json.loads(rows[1][6]) == {"note": '=HYPERLINK("x")'}     # JSON text: starts with "{", never a formula
    book = load_workbook(io.BytesIO(client.get("/admin/audit.xlsx").get_data()))
    sheet = book.active
    # Newest first; both exports above are themselves in the log now (the XLSX one logged before it ran).
    assert [c.value for c in sheet["D"]][1:] == ["report.export", "report.export", "roster.import",
                                                  "user.role_change", "report.export"]
