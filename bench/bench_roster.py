"""Benchmark of the roster import: dry run and import of N generated rows (default 50,000).

Usage: ``.venv/bin/python bench/bench_roster.py [--rows 50000] [--database-url URL] [--xlsx]``

Builds a fresh database with the Alembic migrations (a temporary SQLite file
unless ``--database-url`` names an empty PostgreSQL database), writes a roster
file, then times :func:`app.admin.roster.plan_file` (dry run), ``apply_import``
plus commit, and a second dry run of the same file (everything unchanged).
Prints wall and CPU seconds (the CPU figure is steadier on a shared machine), rows per second, the number of SQL statements and the peak resident
memory of the process. Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import csv
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from app import create_app  # noqa: E402
from app.admin import roster  # noqa: E402
from app.auth.models import Opd  # noqa: E402
from app.extensions import db  # noqa: E402

HEADER = ["NIP", "Nama", "Gelar Depan", "Gelar Belakang", "Email", "OPD", "Jabatan", "Eselon", "Golongan",
          "Jenis Kepegawaian"]
ESELON = ["", "IV.a", "IV.b", "III.a", "III.b"]
GOLONGAN = ["III/a", "III/b", "III/c", "III/d", "IV/a"]


def nip(i: int) -> str:
    """A distinct valid NIP for i < 336,000 (birth 1980-MM-DD, appointed 2005-01)."""
    return f"1980{1 + i % 12:02d}{1 + (i // 12) % 28:02d}2005011{1 + i // 336:03d}"


def rows(n: int):
    for i in range(n):
        yield [nip(i), f"Pegawai Nomor {i}", "", "S.Kom.", f"pegawai{i}@example.go.id",
               "DISKOMINFO" if i % 2 else "BPSDM", "Analis Kebijakan", ESELON[i % 5], GOLONGAN[i % 5],
               "PNS" if i % 7 else "PPPK"]


def write_file(path: Path, n: int, xlsx: bool) -> Path:
    if xlsx:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(HEADER)
        for row in rows(n):
            sheet.append(row)
        workbook.save(path)
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            writer.writerows(rows(n))
    return path


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--xlsx", action="store_true", help="write and read an XLSX file instead of CSV")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-roster-"))
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, LENTERA_DATA_DIR=str(workdir / "data"))
    statements = 0

    def count(*_):
        nonlocal statements
        statements += 1

    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        db.session.add_all([Opd(code="DISKOMINFO", name="Dinas Komunikasi dan Informatika"),
                            Opd(code="BPSDM", name="Badan Pengembangan Sumber Daya Manusia")])
        db.session.commit()
        path = write_file(workdir / ("roster.xlsx" if args.xlsx else "roster.csv"), args.rows, args.xlsx)
        print(f"{args.rows} baris, {path.suffix}, {path.stat().st_size / 2**20:.1f} MiB, {db.engine.dialect.name}")
        event.listen(db.engine, "before_cursor_execute", count)
        for label, write in (("uji coba", False), ("impor", True), ("uji coba ulang", False), ("impor ulang", True)):
            statements = 0
            plan = None  # let the previous plan go before measuring the next
            start, cpu = time.perf_counter(), time.process_time()
            plan = roster.plan_file(path)
            if write:
                roster.apply_import(plan)
                db.session.commit()
            else:
                db.session.rollback()
            elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(f"{label:15s} {elapsed:7.2f} s (CPU {cpu:6.2f} s)  {args.rows / elapsed:7.0f} baris/s  "
                  f"{statements:5d} perintah SQL  "
                  f"{plan.summary()}  puncak memori {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
