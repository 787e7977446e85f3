"""Tests for the certificate PDF renderer and the Indonesian formatting helpers.

Pure unit tests: no Flask app, no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal
from zoneinfo import ZoneInfoNotFoundError

import pytest
from pypdf import PdfReader

from app.certificates.pdf import (
    CertificateContent,
    CertificateFontError,
    CertificateLayoutError,
    format_nip_grouped,
    render_certificate_pdf,
)
from app.common.formatting import (
    MONTHS_ID,
    format_date_id,
    format_datetime_id,
    format_decimal_id,
    format_jp,
    roman_month,
    to_local,
)

LONG_NAME = "Dr. dr. Hj. Siti Nurhaliza, M.Kes., Ph.D."
VERY_LONG_NAME = (
    "Prof. Dr. Ir. H. Raden Mas Bambang Sutrisno Wicaksono Adiningrat "
    "Kusumawardhani Mangkunegoro, S.T., M.T., M.Eng., Ph.D., IPU., ASEAN Eng."
)
VERIFY_URL = "https://lentera.example.go.id/sertifikat/verifikasi/7KQ2-M9XD-4HPA"


def make_content(**overrides) -> CertificateContent:
    base = CertificateContent(
        holder_name=LONG_NAME,
        nip="196608011988031001",
        course_title="Kepemimpinan Digital bagi Pejabat Administrator",
        jp=Decimal("20"),
        completed_on=dt.date(2026, 11, 29),
        number="800/0123/BPSDM-KT/XI/2026",
        verify_url=VERIFY_URL,
        institution_name="Badan Pengembangan Sumber Daya Manusia Provinsi Kalimantan Timur",
        signatory_name="Dr. H. Ahmad Fauzi Rahman, S.Sos., M.Si.",
        signatory_title="Kepala Badan Pengembangan Sumber Daya Manusia Provinsi Kalimantan Timur",
        signatory_nip="197203151998031004",
        place="Samarinda",
        opd_name="Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur",
    )
    return dataclasses.replace(base, **overrides)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def flat(text: str) -> str:
    """Extracted text with line breaks/whitespace runs collapsed to one space."""
    return " ".join(text.split())


# --------------------------------------------------------------------------
# PDF content
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_pdf() -> bytes:
    return render_certificate_pdf(make_content())


def test_pdf_is_a4_landscape_single_page(default_pdf):
    assert default_pdf.startswith(b"%PDF-")
    page = PdfReader(io.BytesIO(default_pdf)).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert width == pytest.approx(841.89, abs=0.5)
    assert height == pytest.approx(595.28, abs=0.5)


def test_pdf_contains_all_fields(default_pdf):
    text = flat(pdf_text(default_pdf))
    for expected in (
        "SERTIFIKAT",
        "Nomor: 800/0123/BPSDM-KT/XI/2026",
        "diberikan kepada",
        LONG_NAME,
        "NIP. 19660801 198803 1 001",
        "Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur",
        "telah menyelesaikan pelatihan",
        "Kepemimpinan Digital bagi Pejabat Administrator",
        "dengan beban 20 JP",
        "Samarinda, 29 November 2026",
        "Dr. H. Ahmad Fauzi Rahman, S.Sos., M.Si.",
        "NIP. 19720315 199803 1 004",
        "Badan Pengembangan Sumber Daya Manusia Provinsi Kalimantan Timur",
        VERIFY_URL,
        "Keaslian sertifikat ini dapat diperiksa",
        "memindai kode QR atau membuka",
    ):
        assert expected in text, expected


def test_name_case_is_preserved(default_pdf):
    text = pdf_text(default_pdf)
    assert "dr. Hj." in text
    assert LONG_NAME.upper() not in text


def test_one_word_name_without_optional_fields():
    pdf = render_certificate_pdf(
        make_content(holder_name="Sukarno", nip=None, opd_name=None,
                     signatory_nip=None, jp=Decimal("19.5"))
    )
    text = pdf_text(pdf)
    assert re.search(r"^Sukarno$", text, re.MULTILINE)
    assert "19,5 JP" in text
    assert "NIP" not in text


def test_very_long_name_is_not_truncated():
    pdf = render_certificate_pdf(make_content(holder_name=VERY_LONG_NAME))
    text = pdf_text(pdf)
    for word in VERY_LONG_NAME.split():
        assert word in text, word
    # printed in order, possibly across a line break
    assert VERY_LONG_NAME in flat(text)


def test_name_of_200_characters_still_fits():
    name = ("Raden Mas Bambang Sutrisno Wicaksono Adiningrat " * 5)[:199].strip()
    assert len(name) >= 190
    text = flat(pdf_text(render_certificate_pdf(make_content(holder_name=name))))
    assert name in text


def test_long_course_title_wraps_without_loss():
    title = ("Pelatihan Kepemimpinan Administrator Angkatan XII Tahun 2026: "
             "Transformasi Digital, Tata Kelola Data Berdasarkan Satu Data "
             "Indonesia, dan Manajemen Perubahan pada Organisasi Perangkat Daerah")
    text = flat(pdf_text(render_certificate_pdf(make_content(course_title=title))))
    assert title in text


def test_overlong_course_title_raises_instead_of_cutting():
    with pytest.raises(CertificateLayoutError, match="judul pelatihan"):
        render_certificate_pdf(make_content(course_title="Transformasi Digital " * 60))


def test_user_text_is_not_interpreted_as_markup():
    name = "<b>Budi</b> & <font size=80>Co</font>"
    text = pdf_text(render_certificate_pdf(make_content(holder_name=name)))
    assert name in text


def test_whitespace_in_input_is_collapsed():
    text = pdf_text(render_certificate_pdf(make_content(holder_name="  Budi\n\tSantoso  ")))
    assert re.search(r"^Budi Santoso$", text, re.MULTILINE)


def test_decomposed_accent_is_printed_composed():
    decomposed = "Rene\u0301 Sihombing"  # e + COMBINING ACUTE ACCENT
    assert unicodedata.normalize("NFC", decomposed) == "Ren\u00e9 Sihombing"
    text = pdf_text(render_certificate_pdf(make_content(holder_name=decomposed)))
    assert "Ren\u00e9 Sihombing" in text
    assert "\u0301" not in text


@pytest.mark.parametrize("char", ["\u4e2d", "\U0001F600"])  # CJK 中, emoji 😀
def test_missing_glyph_in_name_raises_font_error(char):
    # DejaVu Serif Bold (used for the name) has neither a CJK ideograph nor
    # this emoji; DejaVu Sans does have U+1F600.
    with pytest.raises(CertificateFontError) as info:
        render_certificate_pdf(make_content(holder_name=f"Siti {char} Nurhaliza"))
    err = info.value
    assert isinstance(err, ValueError)
    assert err.char == char
    assert err.field == "nama"
    code = f"U+{ord(char):04X}"
    assert str(err) == (
        f"Karakter '{char}' ({code}) pada nama tidak tersedia di fon sertifikat."
    )


def test_missing_glyph_in_course_title_names_the_field():
    with pytest.raises(CertificateFontError, match=r"U\+4E2D.*judul pelatihan"):
        render_certificate_pdf(make_content(course_title="Pelatihan \u4e2d"))


def test_fonts_are_embedded_truetype_only(default_pdf):
    page = PdfReader(io.BytesIO(default_pdf)).pages[0]
    fonts = page["/Resources"]["/Font"]
    assert len(fonts) >= 3
    for font in fonts.values():
        font = font.get_object()
        assert font["/Subtype"] == "/TrueType", font["/BaseFont"]
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]
    names = {str(f.get_object()["/BaseFont"]).split("+")[-1] for f in fonts.values()}
    assert {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSerif-Bold"} <= names


def test_metadata(default_pdf):
    meta = PdfReader(io.BytesIO(default_pdf)).metadata
    assert "800/0123/BPSDM-KT/XI/2026" in meta.title
    assert LONG_NAME in meta.title
    assert meta.author == "Badan Pengembangan Sumber Daya Manusia Provinsi Kalimantan Timur"
    assert "Kepemimpinan Digital" in meta.subject


def test_output_is_deterministic(default_pdf):
    assert render_certificate_pdf(make_content()) == default_pdf


def test_qr_is_vector_not_image(default_pdf):
    page = PdfReader(io.BytesIO(default_pdf)).pages[0]
    assert "/XObject" not in page["/Resources"]


def test_required_fields_and_types():
    with pytest.raises(ValueError, match="nama"):
        render_certificate_pdf(make_content(holder_name="   "))
    with pytest.raises(ValueError, match="negatif"):
        render_certificate_pdf(make_content(jp=Decimal("-1")))
    with pytest.raises(TypeError):
        render_certificate_pdf(make_content(completed_on=dt.datetime(2026, 11, 29, 12)))


def test_nip_grouping():
    assert format_nip_grouped("196608011988031001") == "19660801 198803 1 001"
    assert format_nip_grouped("19660801 198803 1 001") == "19660801 198803 1 001"
    assert format_nip_grouped("19660801.198803.1.001") == "19660801 198803 1 001"
    assert format_nip_grouped("12345") == "12345"


# --------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------


def test_month_table():
    assert MONTHS_ID == (
        "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
        "Agustus", "September", "Oktober", "November", "Desember",
    )
    for month, name in enumerate(MONTHS_ID, start=1):
        assert format_date_id(dt.date(2026, month, 1)) == f"1 {name} 2026"


def test_format_date_id():
    assert format_date_id(dt.date(2026, 11, 29)) == "29 November 2026"
    assert format_date_id(dt.date(2008, 2, 5)) == "5 Februari 2008"
    with pytest.raises(TypeError):
        format_date_id(dt.datetime(2026, 11, 29, 16, 30))


def test_to_local_and_format_datetime_id():
    utc = dt.datetime(2026, 11, 29, 16, 30, tzinfo=dt.timezone.utc)
    local = to_local(utc, "Asia/Makassar")
    assert (local.year, local.month, local.day, local.hour) == (2026, 11, 30, 0)
    assert format_date_id(local.date()) == "30 November 2026"
    assert format_datetime_id(utc, "Asia/Makassar") == "30 November 2026 pukul 00.30 WITA"
    # naive datetimes are UTC
    assert format_datetime_id(dt.datetime(2026, 11, 29, 6, 5), "Asia/Makassar") == (
        "29 November 2026 pukul 14.05 WITA"
    )
    assert format_datetime_id(utc, "Asia/Jakarta") == "29 November 2026 pukul 23.30 WIB"
    assert format_datetime_id(utc, "Asia/Pontianak").endswith(" WIB")
    assert format_datetime_id(utc, "Asia/Jayapura") == "30 November 2026 pukul 01.30 WIT"
    assert format_datetime_id(utc, "Asia/Singapore") == "30 November 2026 pukul 00.30 UTC+08.00"
    assert format_datetime_id(utc, "America/Sao_Paulo").endswith("UTC-03.00")
    assert format_datetime_id(utc, "UTC").endswith("pukul 16.30 UTC+00.00")
    # before Keppres 41/1987 took effect Pontianak was UTC+8: no "WIB" then
    old = dt.datetime(1985, 6, 1, 0, 0, tzinfo=dt.timezone.utc)
    assert format_datetime_id(old, "Asia/Pontianak").endswith("UTC+08.00")
    with pytest.raises(ZoneInfoNotFoundError):
        to_local(utc, "Asia/Samarinda")


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234.5"), None, "1.234,5"),
        (Decimal("19.5"), None, "19,5"),
        (Decimal("19.50"), None, "19,5"),
        (Decimal("20"), None, "20"),
        (Decimal("20.00"), None, "20"),
        (20, None, "20"),
        (1234567, None, "1.234.567"),
        (0, None, "0"),
        (Decimal("0.25"), None, "0,25"),
        (Decimal("1E+3"), None, "1.000"),
        (Decimal("200250.75"), None, "200.250,75"),
        (Decimal("-1234.5"), None, "-1.234,5"),
        (Decimal("19.99"), 1, "19,9"),
        (Decimal("19.99"), 0, "19"),
        (Decimal("-19.99"), 1, "-19,9"),
        (Decimal("-0.01"), 1, "0,0"),
        (Decimal("20"), 2, "20,00"),
        (Decimal("999.999"), 2, "999,99"),
        (1234567, 1, "1.234.567,0"),
    ],
)
def test_format_decimal_id(value, places, expected):
    assert format_decimal_id(value, places) == expected


def test_format_decimal_id_rejects_bad_input():
    with pytest.raises(TypeError):
        format_decimal_id(19.5)
    with pytest.raises(TypeError):
        format_decimal_id(True)
    with pytest.raises(ValueError):
        format_decimal_id(Decimal("NaN"))
    with pytest.raises(ValueError):
        format_decimal_id(Decimal("1"), places=-1)


def test_format_jp():
    assert format_jp(Decimal("19.5")) == "19,5 JP"
    assert format_jp(Decimal("20.0")) == "20 JP"
    assert format_jp(20) == "20 JP"


def test_roman_month():
    assert [roman_month(m) for m in range(1, 13)] == [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ]
    for bad in (0, 13):
        with pytest.raises(ValueError):
            roman_month(bad)
    with pytest.raises(TypeError):
        roman_month("11")


# --------------------------------------------------------------------------
# Templates, Unicode, line limits, signature statement
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "Ni Luh Putu Ayu Śrī Dēwī, S.Pd.",
    "Muḥammad Ḥusain al-Banjārī",
    "Zoë Łukasz Ñúñez-Østergård",
    "Andi Baso Ṭāhir Ǧalib",
    "dr. I Gusti Ngurah Rai Ölçer, Sp.OG(K)",
])
def test_unicode_names_are_printed_exactly(name):
    pdf = render_certificate_pdf(make_content(holder_name=unicodedata.normalize("NFD", name)))
    assert unicodedata.normalize("NFC", name) in flat(unicodedata.normalize("NFC", pdf_text(pdf)))


def _name_lines(pdf: bytes, name: str) -> list[str]:
    words = set(name.split())
    return [line for line in pdf_text(pdf).splitlines() if line.strip() and set(line.split()) <= words]


def test_long_name_shrinks_then_wraps_to_at_most_two_lines():
    short_pdf = render_certificate_pdf(make_content())
    assert len(_name_lines(short_pdf, LONG_NAME)) == 1
    pdf = render_certificate_pdf(make_content(holder_name=VERY_LONG_NAME))
    lines = _name_lines(pdf, VERY_LONG_NAME)
    assert 1 <= len(lines) <= 2 and " ".join(lines) == VERY_LONG_NAME


def test_name_too_long_for_two_lines_is_refused_not_cut():
    with pytest.raises(CertificateLayoutError, match="nama"):
        render_certificate_pdf(make_content(holder_name="Raden Mas Bambang Sutrisno " * 20))


def test_default_template_is_a_file_with_the_layout():
    from app.certificates.layout import DEFAULT_TEMPLATE_DIR, load_template

    template = load_template("default")
    assert (DEFAULT_TEMPLATE_DIR / "default" / "template.yaml").is_file()
    assert template.page_size == pytest.approx((841.89, 595.28), abs=0.01)
    fields = {name for box in template.boxes for name in box.placeholders}
    assert {"holder_name", "number", "course_title", "jp", "date", "verify_url", "signature_statement"} <= fields
    assert template.qr_box is not None and len(template.signatories) == 1
    assert set(template.fonts) == {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf"}


def test_signature_statement_and_expiry_are_printed():
    dev = flat(pdf_text(render_certificate_pdf(make_content(development_signature=True,
                                                            valid_until=dt.date(2029, 11, 29)))))
    assert "TANDA TANGAN ELEKTRONIK PENGEMBANGAN" in dev and "bukan tanda tangan resmi" in dev
    assert "Berlaku sampai dengan 29 November 2029" in dev
    prod = flat(pdf_text(render_certificate_pdf(make_content())))
    assert "Dokumen ini ditandatangani secara elektronik." in prod
    assert "PENGEMBANGAN" not in prod and "Berlaku sampai" not in prod


def test_missing_glyph_in_template_text_names_the_field():
    with pytest.raises(CertificateFontError, match="nama OPD"):
        render_certificate_pdf(make_content(opd_name="Dinas \u4e2d"))


# --------------------------------------------------------------------------
# issue #8: faster measuring and QR drawing must not change the page
# --------------------------------------------------------------------------


def _reportlab_width(text: str, font: str, size: float) -> float:
    """ReportLab's pure-Python ``stringWidth`` of a TTF font (``rl_accel._py_instanceStringWidthTTF``),
    which laid out every certificate so far; the C accelerator may differ in the last bit."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(font).face
    return 0.001 * size * sum(face.charWidths.get(ord(ch), face.defaultWidth) for ch in text)


def _reference_wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """The balanced wrap as first written: every trial line measured whole."""

    def fits(line, w):
        return _reportlab_width(line, font, size) <= w

    def greedy(w):
        lines, current = [], ""
        for word in text.split(" "):
            candidate = f"{current} {word}" if current else word
            if fits(candidate, w):
                current = candidate
                continue
            if current:
                lines.append(current)
            if fits(word, w):
                current = word
            else:
                piece = ""
                for ch in word:
                    if piece and not fits(piece + ch, w):
                        lines.append(piece)
                        piece = ch
                    else:
                        piece += ch
                current = piece
        if current:
            lines.append(current)
        return lines

    lines = greedy(width)
    if len(lines) < 2:
        return lines
    low, high, best = width / len(lines), width, lines
    for _ in range(18):
        mid = (low + high) / 2
        trial = greedy(mid)
        if len(trial) <= len(lines):
            best, high = trial, mid
        else:
            low = mid
    return best


def test_widths_and_wraps_equal_reportlab_measuring_whole_lines():
    import random

    from app.certificates import pdf
    from app.certificates.layout import shipped_fonts

    rnd = random.Random(8)
    words = (LONG_NAME + " " + VERY_LONG_NAME + " Ñoño Ŝ ẞ Đặng Thị Ánh Tuyết ÅÄÖ — “kutip” ‘x’ 19,5 JP").split()
    for file_name in shipped_fonts():
        font = pdf._ensure_font(file_name)
        for _ in range(150):
            text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 25)))
            if rnd.random() < 0.2:
                text += " " + "W" * rnd.randint(20, 120)  # a word that must be broken
            size = rnd.choice([6, 7.5, 9.5, 11, 12.5, 17, 24, 30])
            assert pdf._width(text, font, size) == _reportlab_width(text, font, size)
            width = rnd.uniform(60, 700)
            assert pdf._wrap_balanced(text, font, size, width) == _reference_wrap(text, font, size, width)
