"""NIP validation (Perka BKN 22/2007)."""
from datetime import date

import pytest

from app.common.nip import NipError, parse_nip

TODAY = date(2026, 11, 29)


def test_valid_nip_with_spaces_is_parsed():
    nip = parse_nip("19660801 198803 1 001", today=TODAY)
    assert nip.value == "196608011988031001"
    assert nip.birth_date == date(1966, 8, 1)
    assert (nip.appointed_year, nip.appointed_month, nip.sex, nip.sequence) == (1988, 3, "L", "001")
    assert nip.grouped == "19660801 198803 1 001"


@pytest.mark.parametrize("raw, message", [
    ("1966080119880310", "NIP harus 18 digit (tertulis 16 digit)."),
    ("1966080119880310011", "NIP harus 18 digit (tertulis 19 digit)."),
    ("196608011988131001", "Bulan pengangkatan CPNS pada NIP (13) harus 01–12."),
    ("196602301988031001", "Tanggal lahir pada NIP (30-02-1966) tidak ada di kalender."),
    ("196608011988033001", "Digit jenis kelamin pada NIP (digit ke-15) harus 1 atau 2, bukan 3."),
    ("196608011988031000", "Nomor urut pada NIP (3 digit terakhir) tidak boleh 000."),
    ("1.96608E+17", "NIP tertulis dalam notasi ilmiah (mis. 1,96608E+17); simpan kolom NIP sebagai teks."),
    ("19660801198803100A", "NIP hanya boleh berisi angka."),
    ("１９６６０８０１１９８８０３１００１", "NIP hanya boleh berisi angka."),
    ("", "NIP wajib diisi."),
    ("196608012030031001", "Bulan pengangkatan CPNS pada NIP belum terjadi."),
    ("200008012010031001", "Tahun pengangkatan CPNS pada NIP terlalu dekat dengan tahun lahir (kurang dari 18 tahun)."),
])
def test_invalid_nips_get_a_precise_indonesian_message(raw, message):
    with pytest.raises(NipError) as error:
        parse_nip(raw, today=TODAY)
    assert str(error.value) == message


def test_female_sex_digit():
    assert parse_nip("198005122005012003", today=TODAY).sex == "P"


def test_ni_pppk_layout_is_accepted_for_pppk():
    nip = parse_nip("19931228 2025 21 2 001", employment_type="PPPK", today=TODAY)
    assert (nip.kind, nip.appointed_year, nip.appointed_month, nip.sex) == ("PPPK", 2025, None, "P")
    assert nip.grouped == "19931228 2025 21 2 001"
    # The same digits are not a valid NIP PNS (month 21).
    with pytest.raises(NipError, match="Bulan pengangkatan CPNS"):
        parse_nip("199312282025212001", today=TODAY)


@pytest.mark.parametrize("raw, message", [
    ("19931228202521200", "NI PPPK harus 18 digit (tertulis 17 digit)."),
    ("199313282025212001", "Tanggal lahir pada NI PPPK (28-13-1993) tidak ada di kalender."),
    ("199312282027212001", "Tahun pengangkatan pada NI PPPK belum terjadi."),
    ("199312282025213001", "Digit jenis kelamin pada NI PPPK (digit ke-15) harus 1 atau 2, bukan 3."),
])
def test_invalid_ni_pppk(raw, message):
    with pytest.raises(NipError) as error:
        parse_nip(raw, employment_type="PPPK", today=TODAY)
    assert str(error.value) == message
