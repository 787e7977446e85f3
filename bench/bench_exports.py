"""Benchmark of the report exports: rows per second and peak memory at 10,000 and 200,000 rows.

Usage: ``.venv/bin/python bench/bench_exports.py [--sizes 10000,200000] [--database-url URL] [--no-memory]
[--repeat 3]``

Builds a fresh database with the Alembic migrations (a temporary SQLite file
unless ``--database-url`` names an empty PostgreSQL database), bulk-inserts
ASN with one completed enrolment each (Core ``insert`` in batches of 5,000),
then, at each size, runs the completion-report query for a BPSDM admin and
measures four writers of the same rows:

* ``lentera-csv``   -- what ``/admin/laporan/penyelesaian.csv`` streams
  (:func:`app.reports.csv_export.stream_csv` over
  :func:`app.reports.exports.csv_records`: formula neutralising, NIP as text,
  decimal comma);
* ``lentera-xlsx``  -- what ``…/penyelesaian.xlsx`` sends
  (:func:`app.reports.exports.write_xlsx`, xlsxwriter ``constant_memory``);
* ``bare-csv``      -- the same query's raw rows through ``csv.writer``;
* ``bare-xlsx``     -- the same raw rows through xlsxwriter ``constant_memory``
  ``write_row`` (no per-cell typing).

Output is discarded (CSV) or written to a temporary file (XLSX). Speed is
measured without tracing, as wall and process-CPU time (CPU is steadier on a
shared machine; the ratio columns use it), ``--repeat`` times per writer, the
writers taking turns, and the median is shown (each run's CPU seconds are
listed below the table of a size, so the noise can be judged); peak memory in one
more pass under ``tracemalloc``
(Python allocations during the export only, so the figures at 10,000 and
200,000 rows show whether memory stays flat). The ratio columns compare each
Lentera writer with its bare counterpart. Results are printed and written to
``bench/results/<UTC timestamp>-exports-<sqlite|postgresql>.txt`` (line by line, so an interrupted run keeps
what it measured) with a description of the machine.
Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy  # noqa: E402
import xlsxwriter  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import Opd, User  # noqa: E402
from app.catalog.models import Course  # noqa: E402
from app.extensions import db  # noqa: E402
from app.learning.models import Enrolment  # noqa: E402
from app.reports import csv_export, exports, services  # noqa: E402

BATCH = 5_000
TZ = "Asia/Makassar"
ESELON = [None, "IV.a", "IV.b", "III.a", "III.b"]
GOLONGAN = ["III/a", "III/b", "III/c", "III/d", "IV/a"]


class Sink:
    """A write-only text sink that counts characters (stands in for the HTTP response)."""

    def __init__(self):
        self.chars = 0

    def write(self, text):
        self.chars += len(text)
        return len(text)


def machine() -> list[str]:
    """Lines describing the machine, Python, libraries and database."""
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            kib = int(handle.readline().split()[1])
            memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    engine = db.engine
    version = ".".join(str(p) for p in engine.dialect.server_version_info or ())
    return [
        f"machine: {platform.platform()}; CPU {cpu} x {os.cpu_count()}; RAM {memory}",
        f"python {platform.python_version()}; SQLAlchemy {sqlalchemy.__version__}; xlsxwriter {xlsxwriter.__version__}",
        f"database: {engine.dialect.name} {version}",
    ]


def seed(start: int, stop: int, course_id: int, opd_ids: list[int]) -> None:
    """Insert ASN ``start``…``stop - 1`` with one completed enrolment each, in batches."""
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for lo in range(start, stop, BATCH):
        hi = min(stop, lo + BATCH)
        db.session.execute(insert(User), [
            {"email": f"asn{i}@example.go.id", "password_hash": "x", "role": "learner",
             "full_name": f"Pegawai Nomor {i}", "gelar_belakang": "S.Kom." if i % 3 else None,
             "nip": f"19800101{i:010d}", "opd_id": opd_ids[i % len(opd_ids)], "jabatan": "Analis Kebijakan",
             "eselon": ESELON[i % 5], "golongan": GOLONGAN[i % 5], "employment_type": "PNS" if i % 7 else "PPPK",
             "active": True, "created_at": base}
            for i in range(lo, hi)])
        ids = db.session.scalars(select(User.id).where(User.email.in_([f"asn{i}@example.go.id"
                                                                         for i in range(lo, hi)]))).all()
        db.session.execute(insert(Enrolment), [
            {"user_id": uid, "course_id": course_id, "enrolled_at": base + timedelta(minutes=n),
             "completed_at": base + timedelta(days=30, minutes=n), "status": "active"}
            for n, uid in enumerate(ids)])
        db.session.commit()


def lentera_csv(actor) -> int:
    columns = exports.completion_columns(TZ)
    rows = services.iter_completions(services.CompletionFilter(), TZ, actor)
    sink = Sink()
    for chunk in csv_export.stream_csv([c.header for c in columns], exports.csv_records(columns, rows)):
        sink.write(chunk)
    return sink.chars


def lentera_xlsx(actor) -> int:
    rows = services.iter_completions(services.CompletionFilter(), TZ, actor)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out.xlsx")
        exports.write_xlsx(path, exports.completion_columns(TZ), rows)
        return os.path.getsize(path)


def _raw_rows(actor):
    stmt = services.completions_query(services.CompletionFilter(), TZ, actor)
    result = db.session.execute(stmt.execution_options(yield_per=services.YIELD_PER))
    try:
        yield from result
    finally:
        result.close()


def bare_csv(actor) -> int:
    sink = Sink()
    writer = csv.writer(sink, lineterminator="\r\n")
    for row in _raw_rows(actor):
        writer.writerow(row)
    return sink.chars


def bare_xlsx(actor) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out.xlsx")
        workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
        sheet = workbook.add_worksheet()
        for r, row in enumerate(_raw_rows(actor)):
            sheet.write_row(r, 0, [str(v) if isinstance(v, (datetime, Decimal)) else v for v in row])
        workbook.close()
        return os.path.getsize(path)


WRITERS = [("lentera-csv", lentera_csv), ("bare-csv", bare_csv),
           ("lentera-xlsx", lentera_xlsx), ("bare-xlsx", bare_xlsx)]


def measure(fn, actor, memory: bool) -> tuple[float, float, int, int | None]:
    """``(wall seconds, CPU seconds, output size, peak traced bytes or None)`` of one export."""
    db.session.expire_all()
    wall, cpu = time.perf_counter(), time.process_time()
    size = fn(actor)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = None
    if memory:
        db.session.expire_all()
        tracemalloc.start()
        fn(actor)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return wall, cpu, size, peak


def measure_all(actor, memory: bool, repeat: int) -> tuple[dict, dict]:
    """Run every writer ``repeat`` times, taking turns (so a busy spell of the machine hits all of them), and
    return ``({name: (median wall, median CPU, size, peak)}, {name: [CPU seconds of each run]})``; the memory
    pass (if any) is done once, in the last round."""
    runs: dict[str, list] = {name: [] for name, _ in WRITERS}
    peaks: dict[str, int | None] = {}
    for round_no in range(repeat):
        for name, fn in WRITERS:
            wall, cpu, size, peak = measure(fn, actor, memory and round_no == repeat - 1)
            runs[name].append((wall, cpu, size))
            peaks[name] = peak
    results = {name: (statistics.median(r[0] for r in runs[name]), statistics.median(r[1] for r in runs[name]),
                      runs[name][-1][2], peaks[name]) for name in runs}
    return results, {name: [r[1] for r in runs[name]] for name in runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,200000", help="comma-separated row counts, ascending")
    parser.add_argument("--database-url", help="an EMPTY database (default: a temporary SQLite file)")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc pass")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per writer and size (median shown)")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))

    folder = tempfile.mkdtemp(prefix="lentera-bench-")
    url = args.database_url or f"sqlite:///{folder}/bench.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, LENTERA_DATA_DIR=folder)
    results_dir = Path(__file__).resolve().parent / "results"
    results_dir.mkdir(exist_ok=True)
    # The database kind is in the name: runs on SQLite and PostgreSQL started in the same second must not share a file.
    kind = sqlalchemy.engine.make_url(url).get_backend_name()
    target = results_dir / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-exports-{kind}.txt"

    def say(text: str = "") -> None:
        # Appended line by line, so an interrupted run still leaves the figures measured so far.
        print(text, flush=True)
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text + "\n")

    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        opds = [Opd(code=f"OPD{n}", name=f"Dinas Uji {n}") for n in range(10)]
        course = Course(slug="bench", title="Kepemimpinan Digital", summary="-", audience="ASN", jp=Decimal("19.5"),
                        pass_mark=Decimal(70), version=1, is_published=True)
        db.session.add_all(opds + [course])
        db.session.flush()
        admin = User(email="admin@example.go.id", password_hash="x", role="admin", full_name="Admin")
        db.session.add(admin)
        db.session.commit()
        opd_ids = [o.id for o in opds]

        say(f"Lentera export benchmark, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
        for line in machine():
            say(line)
        say("query: completion report (all filters empty) for a BPSDM admin; one completed enrolment per ASN")
        say("memory: tracemalloc peak of Python allocations during the export" if not args.no_memory
            else "memory: not measured (--no-memory)")
        say(f"speed: median of {max(1, args.repeat)} runs per writer (writers taking turns)")
        say()
        say(f"{'rows':>8}  {'writer':<13}{'wall s':>8}{'cpu s':>8}{'rows/s':>10}{'rows/cpu-s':>11}{'peak MiB':>10}"
            f"{'size KiB':>10}{'cpu x':>7}{'mem x':>7}")
        seeded = 0
        for size in sizes:
            started = time.perf_counter()
            seed(seeded, size, course.id, opd_ids)
            seeded = size
            say(f"-- seeded {size:,} rows in {time.perf_counter() - started:.1f} s")
            results, cpu_runs = measure_all(admin, not args.no_memory, max(1, args.repeat))
            for name, _ in WRITERS:
                wall, cpu, out, peak = results[name]
                bare = results.get(name.replace("lentera", "bare"))
                time_ratio = f"{cpu / bare[1]:.2f}" if name.startswith("lentera") and bare[1] else ""
                mem_ratio = (f"{peak / bare[3]:.2f}" if name.startswith("lentera") and peak and bare[3] else "")
                peak_text = f"{peak / 2**20:.1f}" if peak is not None else "-"
                say(f"{size:>8,}  {name:<13}{wall:>8.2f}{cpu:>8.2f}{size / wall:>10,.0f}{size / cpu:>11,.0f}"
                    f"{peak_text:>10}{out / 1024:>10,.0f}{time_ratio:>7}{mem_ratio:>7}")
            say("          cpu s of each run: " + "; ".join(
                f"{name} {'/'.join(f'{c:.2f}' for c in runs)}" for name, runs in cpu_runs.items()))
        say()
        say("cpu x / mem x: Lentera writer divided by the bare writer of the same rows (same size).")
        say("rows/s uses wall time (includes waiting on a shared machine); rows/cpu-s uses process CPU time.")
    print(f"written: {target}")


if __name__ == "__main__":
    main()
