"""Who sees what: the role × route matrix of the admin and report pages, and OPD admins' scope."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.admin import scope
from app.auth.models import User
from app.catalog.models import CourseTrainer
from app.extensions import db
from tests.factories import make_opd
from tests.test_admin import _complete

ANON, LEARNER, TRAINER, OPD_ADMIN, ADMIN = "anonymous", "learner", "trainer", "opd_admin", "admin"
ROLES = (ANON, LEARNER, TRAINER, OPD_ADMIN, ADMIN)
SIGN_IN = "sign-in"

ADMIN_PAGE = {ANON: SIGN_IN, LEARNER: 403, TRAINER: 403, OPD_ADMIN: 200, ADMIN: 200}
BPSDM_ONLY = {ANON: SIGN_IN, LEARNER: 403, TRAINER: 403, OPD_ADMIN: 403, ADMIN: 200}
TRAINER_PAGE = {ANON: SIGN_IN, LEARNER: 403, TRAINER: 200, OPD_ADMIN: 403, ADMIN: 200}
ANY_SIGNED_IN = {ANON: SIGN_IN, LEARNER: 200, TRAINER: 200, OPD_ADMIN: 200, ADMIN: 200}

# Every route of the admin and reports blueprints: (endpoint, method, url template, expected status per role).
MATRIX = [
    ("admin.index", "GET", "/admin", ADMIN_PAGE),
    ("admin.learners", "GET", "/admin/peserta", ADMIN_PAGE),
    ("admin.learner", "GET", "/admin/peserta/{staff}", ADMIN_PAGE),
    ("admin.change_role", "POST", "/admin/peserta/{staff}/peran",
     {ANON: SIGN_IN, LEARNER: 403, TRAINER: 403, OPD_ADMIN: 403, ADMIN: 302}),
    ("admin.audit", "GET", "/admin/audit", BPSDM_ONLY),
    ("admin.audit_export", "GET", "/admin/audit.csv", BPSDM_ONLY),
    ("admin.audit_export", "GET", "/admin/audit.xlsx", BPSDM_ONLY),
    ("admin.trainer_index", "GET", "/pengajar", TRAINER_PAGE),
    ("admin.trainer_course", "GET", "/pengajar/kursus/{course}", TRAINER_PAGE),
    ("reports.completions", "GET", "/admin/laporan/penyelesaian", ADMIN_PAGE),
    ("reports.completions_csv", "GET", "/admin/laporan/penyelesaian.csv", ADMIN_PAGE),
    ("reports.completions_xlsx", "GET", "/admin/laporan/penyelesaian.xlsx", ADMIN_PAGE),
    ("reports.jp", "GET", "/admin/laporan/jp", ADMIN_PAGE),
    ("reports.jp_csv", "GET", "/admin/laporan/jp.csv", ADMIN_PAGE),
    ("reports.jp_xlsx", "GET", "/admin/laporan/jp.xlsx", ADMIN_PAGE),
    ("reports.jp_opd_csv", "GET", "/admin/laporan/jp-opd.csv", ADMIN_PAGE),
    ("reports.jp_opd_xlsx", "GET", "/admin/laporan/jp-opd.xlsx", ADMIN_PAGE),
    ("reports.riwayat", "GET", "/admin/peserta/{staff}/riwayat-diklat.csv", ADMIN_PAGE),
    ("reports.riwayat", "GET", "/admin/peserta/{staff}/riwayat-diklat.xlsx", ADMIN_PAGE),
    ("reports.my_riwayat", "GET", "/saya/riwayat-diklat.csv", ANY_SIGNED_IN),
    ("reports.my_riwayat", "GET", "/saya/riwayat-diklat.xlsx", ANY_SIGNED_IN),
]


def test_matrix_covers_every_admin_and_report_route(app):
    routed = {rule.endpoint for rule in app.url_map.iter_rules()
              if rule.endpoint.split(".")[0] in ("admin", "reports")}
    assert routed == {endpoint for endpoint, *_ in MATRIX}


@pytest.fixture()
def world(make_user, make_course):
    """Two OPDs with one learner each, a course (with a trainer) both completed, and one user per role."""
    home = make_opd("DISKOMINFO", "Dinas Komunikasi dan Informatika")
    other = make_opd("DINKES", "Dinas Kesehatan")
    course = make_course(title="Kepemimpinan Digital", jp=Decimal("8"))
    staff = make_user(full_name="Ani Kominfo", nip="199003152014022001", opd_id=home.id, employment_type="PNS")
    stranger = make_user(full_name="Budi Dinkes", nip="198501012010011002", opd_id=other.id,
                         employment_type="PNS")
    _complete(staff, course, datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc), number="0001/BPSDM-KT/III/2026")
    _complete(stranger, course, datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc), number="0002/BPSDM-KT/III/2026")
    users = {
        LEARNER: make_user(opd_id=home.id),
        TRAINER: make_user("trainer"),
        OPD_ADMIN: make_user("opd_admin", opd_id=home.id),
        ADMIN: make_user("admin"),
    }
    db.session.add(CourseTrainer(course_id=course.id, user_id=users[TRAINER].id))
    db.session.commit()
    return {"home": home, "other": other, "course": course, "staff": staff, "stranger": stranger, "users": users}


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, client, login, world, role):
    if role != ANON:
        login(world["users"][role])
    ids = {"staff": world["staff"].id, "course": world["course"].id}
    for endpoint, method, template, expected in MATRIX:
        url = template.format(**ids)
        if method == "POST":
            response = client.post(url, data={"role": "trainer", "opd": ""})
        else:
            response = client.get(url)
        response.get_data()  # run a streamed body to its end (it holds the request context until then)
        want = expected[role]
        if want == SIGN_IN:
            assert response.status_code == 302 and response.headers["Location"].startswith("/masuk"), (url, role)
        else:
            assert response.status_code == want, (endpoint, url, role, response.status_code)


# --- OPD admin sees none of another OPD's staff --------------------------------------------------

def _csv_text(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data().decode("utf-8")


def _xlsx_text(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


def test_opd_admin_sees_only_own_opd_in_every_page_and_export(client, login, world):
    login(world["users"][OPD_ADMIN])
    own, foreign = world["staff"], world["stranger"]
    pages = ["/admin", "/admin/peserta", "/admin/peserta?peran=", "/admin/laporan/penyelesaian",
             "/admin/laporan/jp", f"/admin/peserta/{own.id}"]
    for url in pages:
        body = client.get(url).get_data(as_text=True)
        assert foreign.full_name not in body and "Dinas Kesehatan" not in body, url
    for url in ("/admin/peserta", "/admin/laporan/penyelesaian", "/admin/laporan/jp"):
        assert own.full_name in client.get(url).get_data(as_text=True), url
    for url in ("/admin/laporan/penyelesaian.csv", "/admin/laporan/jp.csv", "/admin/laporan/jp-opd.csv"):
        text = _csv_text(client.get(url))
        assert foreign.full_name not in text and foreign.nip not in text and "Dinas Kesehatan" not in text, url
    assert own.nip in _csv_text(client.get("/admin/laporan/penyelesaian.csv"))
    for url in ("/admin/laporan/penyelesaian.xlsx", "/admin/laporan/jp.xlsx", "/admin/laporan/jp-opd.xlsx"):
        text = _xlsx_text(client.get(url))
        assert foreign.full_name not in text and foreign.nip not in text and "Dinas Kesehatan" not in text, url
    assert own.nip in _xlsx_text(client.get("/admin/laporan/jp.xlsx"))
    # Another OPD's staff do not exist for this admin: 404, not 403.
    for url in (f"/admin/peserta/{foreign.id}", f"/admin/peserta/{foreign.id}/riwayat-diklat.csv",
                f"/admin/peserta/{foreign.id}/riwayat-diklat.xlsx"):
        assert client.get(url).status_code == 404, url
    # Asking for the other OPD in a filter is refused, not answered.
    other_id = world["other"].id
    for url in ("/admin/peserta", "/admin/laporan/penyelesaian", "/admin/laporan/penyelesaian.csv",
                "/admin/laporan/jp", "/admin/laporan/jp.csv"):
        assert client.get(url, query_string={"opd": other_id}).status_code == 400, url


def test_bpsdm_admin_sees_both_opds(client, login, world):
    login(world["users"][ADMIN])
    text = _csv_text(client.get("/admin/laporan/penyelesaian.csv"))
    assert world["staff"].full_name in text and world["stranger"].full_name in text
    assert client.get(f"/admin/peserta/{world['stranger'].id}").status_code == 200


def test_opd_admin_dashboard_counts_only_own_staff(client, login, world):
    login(world["users"][OPD_ADMIN])
    body = client.get("/admin").get_data(as_text=True)
    # One completion in the OPD (the other OPD's completion is not counted anywhere on the page).
    assert '<p class="stat">1</p><p class="muted">Kursus diselesaikan</p>' in body


def test_scope_functions(app, world):
    users = world["users"]
    names = lambda actor: set(db.session.scalars(select(User.full_name).where(scope.visible_users(actor))))
    assert "Budi Dinkes" in names(users[ADMIN]) and "Ani Kominfo" in names(users[ADMIN])
    assert "Ani Kominfo" in names(users[OPD_ADMIN]) and "Budi Dinkes" not in names(users[OPD_ADMIN])
    assert names(users[TRAINER]) == set() and names(users[LEARNER]) == set()
    orphan = User(role="opd_admin", opd_id=None)
    assert names(orphan) == set()
    assert scope.can_see_user(users[OPD_ADMIN], world["staff"])
    assert not scope.can_see_user(users[OPD_ADMIN], world["stranger"])
    assert not scope.can_see_user(orphan, world["stranger"])
    assert scope.is_bpsdm_admin(users[ADMIN]) and not scope.is_bpsdm_admin(users[OPD_ADMIN])


def test_learner_downloads_own_riwayat_only(client, login, world):
    login(world["staff"])
    rows = list(csv.reader(io.StringIO(_csv_text(client.get("/saya/riwayat-diklat.csv"))[1:])))
    assert len(rows) == 2 and rows[1][2] == "Kepemimpinan Digital"
    assert world["stranger"].nip not in "".join(sum(rows, []))
