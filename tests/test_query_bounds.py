"""Out-of-range numbers in query strings answer 4xx, never 500 (fresh-user test, finding F4).

Each URL once gave 500 with ``OverflowError: Python int too large to convert to
SQLite INTEGER`` (PostgreSQL: integer out of range).
"""
from __future__ import annotations

import pytest

HUGE = "99999999999999999999"
INT64_MAX = str(2**63 - 1)

URLS = [
    "/admin/laporan/penyelesaian?page={n}",
    "/admin/laporan/jp?page={n}",
    "/admin/peserta?page={n}",
    "/admin/audit?page={n}",
    "/sertifikat/kelola?page={n}",
    "/sertifikat/kelola?kursus={n}",
    "/sertifikat/kelola?angkatan={n}",
    "/sertifikat/kelola/zip?kursus={n}",
    "/sertifikat/kelola/zip?angkatan={n}",
]


@pytest.mark.parametrize("number", [HUGE, INT64_MAX, str(2**31), "-5", "٣", "1e3"])
@pytest.mark.parametrize("url", URLS)
def test_huge_or_odd_numbers_in_query_strings_never_give_500(client, make_user, login, url, number):
    login(make_user("admin"))
    response = client.get(url.format(n=number))
    assert response.status_code < 500, (url, number, response.status_code)


def test_page_beyond_any_list_is_404_and_page_one_still_works(client, make_user, login):
    login(make_user("admin"))
    assert client.get(f"/admin/peserta?page={HUGE}").status_code == 404
    assert client.get("/admin/peserta?page=abc").status_code == 200
    assert client.get("/admin/peserta?page=0").status_code == 200


@pytest.mark.parametrize("number", [2**31, 2**63 - 1, 2**63])
def test_ids_beyond_any_table_in_the_path_are_404(client, make_user, login, make_course, number):
    """ids are INTEGER columns (32-bit on PostgreSQL): a larger id must be a 404 on every engine."""
    login(make_user("admin"))
    course = make_course()
    for path in (f"/sertifikat/kelola/{number}", f"/admin/peserta/{number}", f"/kuis/hasil/{number}",
                 f"/kursus/{course.slug}/pelajaran/{number}", f"/tugas/{number}", f"/admin/angkatan/{number}"):
        assert client.get(path).status_code == 404, path
