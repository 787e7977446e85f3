"""Signing, verification (page, JSON, upload), revocation, reissue, expiry,
templates, rate limiting, bulk commands and the ZIP download (real database, real files)."""
from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import threading
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from app.admin.models import AuditEvent
from app.certificates import services, signing
from app.certificates.layout import TemplateError, load_template
from app.certificates.models import Certificate
from app.common.ratelimit import RateLimitCounter, RateLimiter
from app.extensions import db
from app.learning import services as learning
from app.learning.models import Cohort, Enrolment
from tests.factories import make_completed_enrolment

NOV_2026 = datetime(2026, 11, 15, 2, 0, tzinfo=timezone.utc)
PDFSIG = shutil.which("pdfsig")
needs_pdfsig = pytest.mark.skipif(
    PDFSIG is None, reason="pdfsig (poppler-utils) is not installed: apt-get install poppler-utils")


def pdf_text(data: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def completed(make_user, course, when=NOV_2026, **user_fields) -> Enrolment:
    return make_completed_enrolment(make_user(**user_fields), course, when)


def small_course(make_course, **options):
    options.setdefault("modules", 1)
    options.setdefault("lessons_per_module", 1)
    options.setdefault("questions_per_quiz", 1)
    return make_course(**options)


def issue(enrolment) -> Certificate:
    certificate = services.issue_certificate(enrolment)
    db.session.commit()
    return certificate


def stored(app, certificate) -> bytes:
    return (Path(app.config["LENTERA_DATA_DIR"]) / certificate.file_name).read_bytes()


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture()
def course(make_course):
    return small_course(make_course, title="Transformasi Digital Pemerintahan", jp=Decimal("19.5"))


@pytest.fixture()
def issued(app, make_user, course):
    return issue(completed(make_user, course, full_name="Ani Lestari", gelar_belakang="S.E.",
                           nip="198005122005012003", email="ani@kaltimprov.go.id"))


@pytest.fixture()
def admin(make_user, login):
    user = make_user(role="admin", full_name="Admin BPSDM", email="admin@bpsdm.example.go.id")
    login(user)
    return user


# --------------------------------------------------------------------------
# signature
# --------------------------------------------------------------------------


def test_issued_pdf_is_signed_with_a_visible_development_notice(app, issued):
    data = stored(app, issued)
    assert hashlib.sha256(data).hexdigest() == issued.sha256
    assert issued.content_sha256 and issued.content_sha256 != issued.sha256
    assert issued.dev_signature is True and issued.signed_at is not None
    assert "pengembangan" in issued.signer
    check = signing.check_signature(data, signing.load_signing_key())
    assert check.genuine, check.reason
    text = pdf_text(data)
    assert "TANDA TANGAN ELEKTRONIK PENGEMBANGAN" in text and "TANDA TANGAN PENGEMBANGAN" in text
    assert "Keaslian sertifikat ini dapat diperiksa" in text

    key_file = Path(app.config["LENTERA_DATA_DIR"]) / "signing" / signing.DEV_KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("where", [0.25, 0.5, 0.9])
def test_one_changed_byte_breaks_the_signature(app, issued, where):
    data = bytearray(stored(app, issued))
    data[int(len(data) * where)] ^= 0x01
    assert not signing.check_signature(bytes(data), signing.load_signing_key()).genuine


def test_appended_update_is_reported(app, issued):
    data = stored(app, issued) + b"\n% appended\n"
    check = signing.check_signature(data, signing.load_signing_key())
    assert not check.genuine and "setelah ditandatangani" in check.reason


@needs_pdfsig
def test_pdfsig_verifies_the_signature_and_rejects_a_changed_byte(app, issued, tmp_path):
    good = tmp_path / "asli.pdf"
    good.write_bytes(stored(app, issued))
    out = subprocess.run([PDFSIG, str(good)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature Validation: Signature is Valid." in out, out
    assert "ETSI.CAdES.detached" in out and "Total document signed" in out

    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "diubah.pdf"
    bad.write_bytes(bytes(data))
    out = subprocess.run([PDFSIG, str(bad)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid." not in out, out


def test_configured_pkcs12_key_signs_without_development_notice(app, make_user, course, tmp_path):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12, load_pem_private_key
    from cryptography import x509

    pem = signing._make_development_pem("BPSDM Provinsi Kalimantan Timur")
    key = load_pem_private_key(pem, password=None)
    cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE"):])
    p12 = tmp_path / "bpsdm.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"bpsdm", key, cert, None,
                                                          BestAvailableEncryption(b"rahasia")))
    app.config.update(LENTERA_SIGNING_P12=str(p12), LENTERA_SIGNING_PASSPHRASE="rahasia")
    certificate = issue(completed(make_user, course))
    assert certificate.dev_signature is False
    data = stored(app, certificate)
    text = pdf_text(data)
    assert "PENGEMBANGAN" not in text and "Dokumen ini ditandatangani secara elektronik." in text
    assert signing.check_signature(data, signing.load_signing_key()).genuine
    assert not (Path(app.config["LENTERA_DATA_DIR"]) / "signing").exists()

    app.config["LENTERA_SIGNING_PASSPHRASE"] = "salah"
    p12.touch()  # reload
    import os
    os.utime(p12, ns=(p12.stat().st_mtime_ns + 10**9,) * 2)
    with pytest.raises(services.CertificateIssueError):
        services.issue_certificate(completed(make_user, course))
    db.session.rollback()


# --------------------------------------------------------------------------
# verification page and JSON
# --------------------------------------------------------------------------


def test_valid_certificate_on_page_and_json(client, issued):
    page = client.get(f"/verify/{issued.code}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("Ani Lestari, S.E.", "Transformasi Digital Pemerintahan", "19,5 JP", "15 November 2026",
                  "Valid", issued.number):
        assert shown in body
    assert "198005122005012003" not in body and "ani@kaltimprov.go.id" not in body

    api = client.get(f"/api/verify/{issued.code}")
    assert api.status_code == 200 and api.headers["Cache-Control"] == "no-store"
    payload = api.get_json()
    assert payload["status"] == "valid"
    facts = payload["certificate"]
    assert facts["number"] == issued.number and facts["holder_name"] == "Ani Lestari, S.E."
    assert facts["jp"] == "19.5" and facts["completed_on"] == "2026-11-15"
    assert facts["revoked_at"] is None and facts["superseded_by"] is None
    assert "nip" not in json.dumps(payload).lower()


def test_revoked_certificate_on_page_and_json(app, client, admin, issued):
    response = client.post(f"/sertifikat/kelola/{issued.id}/cabut",
                           data={"cabut-reason": "Peserta terbukti tidak mengikuti pelatihan."})
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Certificate, issued.id)
    assert row.status == "revoked" and row.revoked_at is not None

    body = client.get(f"/verify/{issued.code}").get_data(as_text=True)
    assert "Dicabut" in body and "telah dicabut" in body
    assert "Peserta terbukti tidak mengikuti pelatihan." in body
    payload = client.get(f"/api/verify/{issued.code}").get_json()
    assert payload["status"] == "revoked"
    assert payload["certificate"]["revoked_reason"] == "Peserta terbukti tidak mengikuti pelatihan."
    assert payload["certificate"]["revoked_at"].startswith(str(row.revoked_at.year))

    [event] = events("certificate.revoke")
    assert event.actor_id == admin.id and event.target_id == str(issued.id)
    # revoking twice is refused with a message, not a 500
    again = client.post(f"/sertifikat/kelola/{issued.id}/cabut", data={"cabut-reason": "lagi"})
    assert again.status_code == 400 and "sudah dicabut" in again.get_data(as_text=True)
    # a reason is required
    assert client.post(f"/sertifikat/kelola/{issued.id}/cabut", data={"cabut-reason": " "}).status_code == 400


def test_reissue_after_name_correction(app, client, admin, issued):
    user = issued.enrolment.user
    user.full_name = "Ani Lestari Wulandari"
    db.session.commit()
    old_id, old_code, old_number = issued.id, issued.code, issued.number
    old_bytes = stored(app, issued)

    response = client.post(f"/sertifikat/kelola/{old_id}/terbitkan-ulang",
                           data={"ulang-reason": "Koreksi nama sesuai SK."})
    assert response.status_code == 302
    db.session.expire_all()
    old = db.session.get(Certificate, old_id)
    new = db.session.get(Certificate, old.superseded_by_id)
    assert old.status == "superseded" and old.superseded_at is not None
    assert new.status == "valid" and new.enrolment_id == old.enrolment_id
    assert new.holder_name == "Ani Lestari Wulandari, S.E." and old.holder_name == "Ani Lestari, S.E."
    assert new.number == "0002/BPSDM-KT/XI/2026" and new.code != old_code
    assert response.headers["Location"].endswith(f"/sertifikat/kelola/{new.id}")
    # both files kept; the new one carries the corrected name
    assert stored(app, old) == old_bytes
    assert "Ani Lestari Wulandari, S.E." in pdf_text(stored(app, new))
    assert services.certificate_for_enrolment(old.enrolment_id).id == new.id

    body = client.get(f"/verify/{old_code}").get_data(as_text=True)
    assert "Digantikan" in body and f"/verify/{new.code}" in body and new.number in body
    payload = client.get(f"/api/verify/{old_code}").get_json()
    assert payload["status"] == "superseded"
    assert payload["certificate"]["superseded_by"] == f"https://lentera.example.go.id/verify/{new.code}"
    assert client.get(f"/api/verify/{new.code}").get_json()["status"] == "valid"

    [event] = events("certificate.reissue")
    detail = json.loads(event.detail)
    assert detail["old_number"] == old_number and detail["new_number"] == new.number
    assert detail["reason"] == "Koreksi nama sesuai SK." and event.actor_id == admin.id
    # a superseded certificate cannot be reissued or revoked again
    assert client.post(f"/sertifikat/kelola/{old_id}/terbitkan-ulang",
                       data={"ulang-reason": "lagi"}).status_code == 400
    assert client.post(f"/sertifikat/kelola/{old_id}/cabut", data={"cabut-reason": "x"}).status_code == 400
    # the holder's dashboard link points to the new certificate only
    assert learning.certificate_for(old.enrolment).id == new.id


def test_concurrent_reissues_make_one_new_certificate(app, issued):
    issued_id, enrolment_id = issued.id, issued.enrolment_id
    db.session.remove()
    barrier = threading.Barrier(4)
    outcomes: list = []

    def worker():
        with app.app_context():
            certificate = db.session.get(Certificate, issued_id)
            certificate.enrolment.user  # loaded before the race
            db.session.commit()  # SQLite: do not hold the write lock while waiting
            barrier.wait(timeout=30)
            try:
                services.reissue_certificate(certificate, None, "koreksi")
                db.session.commit()
                outcomes.append("ok")
            except services.LifecycleError:
                db.session.rollback()
                outcomes.append("refused")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
    current = services.certificate_for_enrolment(enrolment_id)
    assert current.number == "0002/BPSDM-KT/XI/2026"


def test_one_current_certificate_per_enrolment_is_enforced_by_the_database(app, issued):
    from sqlalchemy.exc import IntegrityError

    duplicate = Certificate(**{c.name: getattr(issued, c.name) for c in Certificate.__table__.columns
                               if c.name not in ("id", "code", "number", "sequence", "file_name")},
                            code="B" * 32, number="dup", sequence=99, file_name="certificates/2026/x.pdf")
    db.session.add(duplicate)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_expiry_is_printed_and_shown(app, client, make_user, make_course):
    course = small_course(make_course, title="Keamanan Siber", jp=Decimal("8"))
    course.certificate_validity_months = 24
    db.session.commit()
    certificate = issue(completed(make_user, course, when=datetime(2024, 1, 31, 3, tzinfo=timezone.utc)))
    assert certificate.valid_until == date(2026, 1, 31)
    assert "Berlaku sampai dengan 31 Januari 2026" in pdf_text(stored(app, certificate))
    assert services.status_of(certificate, date(2026, 1, 31)) == "valid"
    assert services.status_of(certificate, date(2026, 2, 1)) == "expired"
    body = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Kedaluwarsa" in body and "31 Januari 2026" in body  # today is after 2026-01-31
    assert client.get(f"/api/verify/{certificate.code}").get_json()["certificate"]["valid_until"] == "2026-01-31"
    assert services.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


# --------------------------------------------------------------------------
# upload verification
# --------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "sertifikat.pdf"):
    return client.post("/verify", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_upload_of_the_genuine_file(app, client, issued):
    assert client.get("/verify").status_code == 200
    response = upload(client, stored(app, issued))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Asli" in body and issued.number in body and "Ani Lestari, S.E." in body


def test_upload_of_a_revoked_certificate_leads_with_its_status(app, client, issued, make_user):
    data = stored(app, issued)
    services.revoke_certificate(issued, make_user("admin"), "Data peserta tidak benar")
    db.session.commit()
    body = upload(client, data).get_data(as_text=True)
    assert "tidak berlaku lagi" in body and "Data peserta tidak benar" in body
    assert '<span class="badge badge-ok">Asli</span>' not in body


def test_upload_of_an_altered_file(app, client, issued):
    data = bytearray(stored(app, issued))
    data[len(data) // 3] ^= 0x01
    body = upload(client, bytes(data)).get_data(as_text=True)
    assert "Tidak asli" in body and "TIDAK ASLI" in body and issued.number not in body
    # Said once (the signature check's own reason repeated the message).
    assert body.lower().count("diubah setelah ditandatangani") == 1


def test_upload_of_an_earlier_signing_is_genuine(app, client, issued):
    first = stored(app, issued)
    (Path(app.config["LENTERA_DATA_DIR"]) / issued.file_name).unlink()
    services.load_pdf(issued)  # rebuilt and re-signed: the register now holds another hash
    db.session.commit()
    body = upload(client, first).get_data(as_text=True)
    assert "Asli" in body and "sebelum ditandatangani ulang" in body and issued.number in body


def test_upload_rejects_other_files(app, client, issued):
    response = upload(client, b"GIF89a not a pdf")
    assert response.status_code == 400 and "Berkas bukan PDF." in response.get_data(as_text=True)
    response = client.post("/verify", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Pilih berkas PDF sertifikat." in response.get_data(as_text=True)
    big = b"%PDF-1.7\n" + b"0" * services.MAX_UPLOAD_BYTES
    response = upload(client, big)
    assert response.status_code == 400 and "terlalu besar" in response.get_data(as_text=True)
    from tests.test_certificate_pdf import make_content
    from app.certificates.pdf import render_certificate_pdf

    body = upload(client, render_certificate_pdf(make_content())).get_data(as_text=True)
    assert "Tidak asli" in body and "tidak memuat tanda tangan" in body


# --------------------------------------------------------------------------
# rate limiting
# --------------------------------------------------------------------------


def test_unknown_codes_are_rate_limited_per_address(app, client, issued):
    app.config["LENTERA_VERIFY_MISS_LIMIT"] = 3
    reference = client.get("/verify/" + "A" * 32)
    assert reference.status_code == 404
    assert client.get("/api/verify/abc").status_code == 404
    assert client.get("/verify/" + "B" * 32).data == reference.data
    limited = client.get("/verify/" + "C" * 32)
    assert limited.status_code == 429 and "Terlalu banyak permintaan" in limited.get_data(as_text=True)
    assert limited.headers["Retry-After"]
    api = client.get("/api/verify/" + "D" * 32)
    assert api.status_code == 429 and api.get_json()["status"] == "rate_limited"
    assert client.get(f"/verify/{issued.code}").status_code == 429  # blocked addresses learn nothing
    # another address is not affected
    other = client.get(f"/verify/{issued.code}", environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200
    # addresses are stored hashed
    keys = list(db.session.scalars(select(RateLimitCounter.key)))
    assert keys and all("127.0.0.1" not in k and "10.1.2.3" not in k for k in keys)


def test_rate_limiter_windows_and_threads(app):
    limiter = RateLimiter("uji", limit=2, window_seconds=60)
    start = datetime(2026, 11, 29, 8, tzinfo=timezone.utc)
    assert [limiter.hit("a", start).allowed for _ in range(3)] == [True, True, False]
    assert limiter.blocked("a", start) and not limiter.blocked("b", start)
    later = start + timedelta(seconds=61)
    assert limiter.hit("a", later).count == 1 and not limiter.blocked("a", later)
    db.session.commit()

    db.session.remove()
    big = RateLimiter("uji-paralel", limit=1000, window_seconds=600)
    barrier = threading.Barrier(6)

    def worker():
        with app.app_context():
            barrier.wait(timeout=30)
            for _ in range(5):
                big.hit("x")
                db.session.commit()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert big.hit("x").count == 31  # no hit lost


# --------------------------------------------------------------------------
# templates
# --------------------------------------------------------------------------


def write_template(root: Path, name: str, text: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "template.yaml").write_text(text, encoding="utf-8")
    return folder


PORTRAIT = """
name: Potret uji
page: {size: A4, orientation: portrait}
frame: none
boxes:
  - text: "SERTIFIKAT PORTRET"
    font: DejaVuSans-Bold.ttf
    size: 20
    box: [50, 700, 495, 40]
  - field: holder_name
    font: DejaVuSans.ttf
    size: 18
    min_size: 12
    max_lines: 2
    box: [50, 600, 495, 60]
  - text: "{number} / {course_title}"
    font: DejaVuSans.ttf
    size: 10
    max_lines: 3
    wrap_min_size: 8
    box: [50, 500, 495, 60]
qr: {box: [50, 50, 80, 80]}
signatories:
  - source: config
    box: [300, 50, 245, 110]
  - name: "Drs. Kepala Dinas, M.Si."
    title: "Kepala Dinas Kominfo"
    box: [50, 200, 245, 110]
"""


def test_template_choice_cohort_then_course_then_default(app, make_user, course, tmp_path):
    root = tmp_path / "templat"
    shutil.copytree(Path(app.root_path).parent / "certificates" / "default", root / "default")
    write_template(root, "potret", PORTRAIT)
    write_template(root, "potret-angkatan", PORTRAIT.replace("SERTIFIKAT PORTRET", "SERTIFIKAT ANGKATAN"))
    app.config["LENTERA_CERT_TEMPLATE_DIR"] = str(root)

    first = issue(completed(make_user, course))
    assert first.template == "default"

    course.certificate_template = "potret"
    db.session.commit()
    second = issue(completed(make_user, course))
    assert second.template == "potret"
    data = stored(app, second)
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert float(page.mediabox.width) < float(page.mediabox.height)
    text = pdf_text(data)
    assert "SERTIFIKAT PORTRET" in text and "Drs. Kepala Dinas, M.Si." in text

    cohort = Cohort(course_id=course.id, name="Angkatan I", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30),
                    certificate_template="potret-angkatan")
    db.session.add(cohort)
    db.session.flush()
    enrolment = completed(make_user, course)
    enrolment.cohort_id = cohort.id
    db.session.commit()
    third = issue(enrolment)
    assert third.template == "potret-angkatan" and "SERTIFIKAT ANGKATAN" in pdf_text(stored(app, third))

    course.certificate_template = "tidak-ada"
    db.session.commit()
    with pytest.raises(services.CertificateIssueError) as raised:
        services.issue_certificate(completed(make_user, course))
    assert "certificates/tidak-ada/template.yaml" in raised.value.detail
    db.session.rollback()


@pytest.mark.parametrize(("text", "setting", "words"), [
    ("boxes: []", "boxes", "setidaknya satu"),
    (PORTRAIT.replace("DejaVuSans-Bold.ttf", "Arial.ttf"), "boxes[0].font", "Arial.ttf"),
    (PORTRAIT.replace("{number} / {course_title}", "{nomor}"), "boxes[2].text", "{nomor}"),
    (PORTRAIT.replace("[50, 700, 495, 40]", "[50, 900, 495, 40]"), "boxes[0].box", "keluar dari halaman"),
    (PORTRAIT.replace("size: A4", "size: A3"), "page.size", "A3"),
    (PORTRAIT.replace("frame: none", "frame: none\nbackground: latar.png"), "background", "tidak ditemukan"),
    ("name: [", "", "YAML tidak valid"),
])
def test_template_errors_name_file_and_setting_in_indonesian(tmp_path, text, setting, words):
    write_template(tmp_path, "rusak", text)
    with pytest.raises(TemplateError) as raised:
        load_template("rusak", tmp_path)
    message = str(raised.value)
    assert message.startswith("certificates/rusak/template.yaml")
    assert raised.value.setting == setting and words in message


def test_background_image_is_drawn(tmp_path):
    from PIL import Image

    folder = write_template(tmp_path, "latar", PORTRAIT.replace("frame: none", "background: latar.png"))
    Image.new("RGB", (60, 85), (240, 230, 200)).save(folder / "latar.png")
    template = load_template("latar", tmp_path)
    from tests.test_certificate_pdf import make_content
    from app.certificates.pdf import render_certificate_pdf

    data = render_certificate_pdf(make_content(), template)
    assert "/XObject" in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]
    (folder / "latar.png").write_bytes(b"<svg>not an image</svg>")
    load_template.__globals__["_cache"].clear()
    with pytest.raises(TemplateError, match="bukan gambar PNG atau JPEG"):
        load_template("latar", tmp_path)


def test_admin_template_list_and_preview(app, client, admin):
    page = client.get("/sertifikat/templat")
    assert page.status_code == 200 and "default" in page.get_data(as_text=True)
    preview = client.get("/sertifikat/templat/default/pratinjau")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert "inline" in preview.headers["Content-Disposition"]
    assert "Siti Nurhaliza" in pdf_text(preview.data)
    assert client.get("/sertifikat/templat/tidak-ada/pratinjau").status_code == 404
    assert client.get("/sertifikat/templat/..%2Fetc/pratinjau").status_code == 404


def test_admin_pages_are_for_admins_only(app, client, make_user, login, issued):
    for url in ("/sertifikat/kelola", f"/sertifikat/kelola/{issued.id}", "/sertifikat/templat",
                "/sertifikat/templat/default/pratinjau", f"/sertifikat/kelola/zip?kursus={issued.enrolment.course_id}"):
        assert client.get(url).status_code == 302, url  # to the sign-in page
    login(make_user(role="trainer"))
    for url in ("/sertifikat/kelola", f"/sertifikat/kelola/{issued.id}", "/sertifikat/templat"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/sertifikat/kelola/{issued.id}/cabut", data={"cabut-reason": "x"}).status_code == 403


def test_admin_list_and_detail(app, client, admin, issued):
    listing = client.get("/sertifikat/kelola?q=Ani")
    assert listing.status_code == 200 and issued.number in listing.get_data(as_text=True)
    assert issued.number not in client.get("/sertifikat/kelola?q=Budi").get_data(as_text=True)
    detail = client.get(f"/sertifikat/kelola/{issued.id}")
    assert detail.status_code == 200 and "Terbitkan ulang" in detail.get_data(as_text=True)
    assert client.get("/sertifikat/kelola/99999").status_code == 404


# --------------------------------------------------------------------------
# bulk
# --------------------------------------------------------------------------


def test_zip_of_a_course_and_a_cohort(app, client, admin, make_user, course):
    cohort = Cohort(course_id=course.id, name="Angkatan II", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 30))
    db.session.add(cohort)
    db.session.flush()
    certificates = []
    for i in range(3):
        enrolment = completed(make_user, course)
        if i < 2:
            enrolment.cohort_id = cohort.id
            db.session.commit()
        certificates.append(issue(enrolment))

    response = client.get(f"/sertifikat/kelola/zip?kursus={course.id}")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == sorted(services.download_name(c) for c in certificates)
    for certificate in certificates:
        assert hashlib.sha256(archive.read(services.download_name(certificate))).hexdigest() == certificate.sha256

    response = client.get(f"/sertifikat/kelola/zip?angkatan={cohort.id}")
    assert len(zipfile.ZipFile(io.BytesIO(response.data)).namelist()) == 2
    assert client.get("/sertifikat/kelola/zip").status_code == 400
    assert client.get("/sertifikat/kelola/zip?kursus=99999").status_code == 404
    assert len(events("certificate.zip")) == 2


def test_cli_issue_and_regenerate_for_a_course(app, make_user, course):
    ids = [completed(make_user, course).id for _ in range(3)]
    slug, course_id = course.slug, course.id
    runner = app.test_cli_runner()
    db.session.remove()
    result = runner.invoke(args=["certificates", "issue", "--course", slug])
    assert result.exit_code == 0, result.output
    assert "Selesai: 3 diterbitkan, 0 gagal." in result.output
    assert all(services.certificate_for_enrolment(i) is not None for i in ids)
    before = {c.id: c.sha256 for c in services.current_certificates(course_id)}
    db.session.remove()

    result = runner.invoke(args=["certificates", "regenerate", "--course", slug])
    assert result.exit_code == 0, result.output
    assert "Selesai: 3 dibuat ulang (0 dengan isi berbeda dari saat terbit), 0 gagal." in result.output
    for certificate in services.current_certificates(course_id):
        assert certificate.sha256 != before[certificate.id] and certificate.resigned_at is not None
        assert hashlib.sha256(stored(app, certificate)).hexdigest() == certificate.sha256

    result = runner.invoke(args=["certificates", "issue", "--course", "tidak-ada"])
    assert result.exit_code != 0 and "tidak ditemukan" in result.output
    result = runner.invoke(args=["certificates", "issue"])
    assert result.exit_code != 0 and "--course" in result.output


def test_purge_expired_counters_of_one_limiter(app):
    old = datetime(2026, 1, 1, tzinfo=timezone.utc)
    RateLimiter("verify-miss", 5, 60).hit("a", old)
    RateLimiter("lain", 5, 60).hit("a", old)
    RateLimiter("verify-miss", 5, 60).hit("b")
    from app.common.ratelimit import purge_expired

    assert purge_expired(timedelta(days=1), "verify-miss") == 1
    assert db.session.scalar(select(func.count()).select_from(RateLimitCounter)) == 2


def test_learner_dashboard_shows_a_revocation_with_its_reason(app, client, issued, make_user, login):
    admin = make_user(role="admin")
    services.revoke_certificate(issued, admin, "Data NIP keliru")
    db.session.commit()
    login(issued.enrolment.user)
    page = client.get("/saya").get_data(as_text=True)
    assert "Dicabut" in page and "Data NIP keliru" in page and issued.number in page
    client.set_cookie("lentera_bahasa", "en")
    page = client.get("/saya").get_data(as_text=True)
    assert "Revoked" in page and "Data NIP keliru" in page


# --------------------------------------------------------------------------
# signatures from the development key and from an RSA key with a CA chain
# --------------------------------------------------------------------------


def _rsa_p12_with_chain(tmp_path) -> Path:
    """A PKCS#12 file: RSA-2048 signing key issued by a separate CA (chain included)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime.now(timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca = (x509.CertificateBuilder().subject_name(name("CA Uji")).issuer_name(name("CA Uji"))
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(name("BPSDM Uji")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    p12 = tmp_path / "bpsdm-rsa.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"bpsdm", key, cert, [ca],
                                                          BestAvailableEncryption(b"rahasia")))
    return p12


@pytest.mark.parametrize("kind", ["development", "rsa"])
def test_signatures_verify_and_break_on_a_changed_byte(app, tmp_path, kind):
    from app.certificates.layout import load_template
    from app.certificates.pdf import render_certificate_pdf

    if kind == "rsa":
        app.config.update(LENTERA_SIGNING_P12=str(_rsa_p12_with_chain(tmp_path)),
                          LENTERA_SIGNING_PASSPHRASE="rahasia")
    key = signing.load_signing_key()
    content = services.sample_content(development=key.development)
    unsigned = render_certificate_pdf(content, load_template("default"))
    signed = [signing.sign_pdf(unsigned, key, reason=f"Sertifikat nomor {n}", location="Samarinda")
              for n in range(3)]
    for n, data in enumerate(signed):
        check = signing.check_signature(data, key)
        assert check.genuine, (n, check.reason)
        # bytes the signature covers: both /ByteRange parts (the /Contents hole
        # holds the CMS itself, whose extra certificates no signature covers)
        start1, length1, start2, length2 = map(int, re.search(
            rb"/ByteRange \[\s*(\d+) (\d+) (\d+) (\d+)", data).groups())
        for at in (start1 + length1 // 10, start1 + length1 // 2, start2 + length2 // 2):
            bad = bytearray(data)
            bad[at] ^= 0x01
            assert not signing.check_signature(bytes(bad), key).genuine, (n, at)
        if PDFSIG is not None:
            path = tmp_path / f"ttd-{n}.pdf"
            path.write_bytes(data)
            out = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60).stdout
            assert "Signature Validation: Signature is Valid." in out, out
            assert "ETSI.CAdES.detached" in out and "Total document signed" in out
            bad = bytearray(data)
            bad[len(bad) // 2] ^= 0x01
            path.write_bytes(bytes(bad))
            out = subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60).stdout
            assert "Signature is Valid." not in out, out
