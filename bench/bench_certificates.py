"""Benchmark: certificates per second, next to a bare ReportLab page.

Measures in one run, on this machine:

* ``bare``: a ReportLab canvas page of the same size with one line of
  text in an embedded TTF font (the floor: what any PDF costs);
* ``render``: a full certificate with the ``default`` template (fonts,
  text fitting, QR code) — :func:`app.certificates.pdf.render_certificate_pdf`;
* ``render+sign``: the same plus a PAdES signature with pyHanko
  (development key, created in a temporary folder);
* ``issue``: the whole issuing path, :func:`app.certificates.services.issue_certificate`
  plus ``commit`` (number, snapshot, render, sign, file staged, fsynced and
  renamed, row written) for completed enrolments in a fresh database built
  by the migrations (a temporary SQLite file, or ``--database-url``).

Rates are per CPU-second of this process (``time.process_time``: the
machine is shared, so wall time would measure the neighbours); each figure
is the median of ``--repeat`` runs, and the spread (min-max) is printed.
Target (issue #8): ``issue`` at 40 or more per CPU-second (one core).

Prints certificates per CPU-second and the ratios to ``bare``, and writes
the results with a machine description to
``bench/results/certificates-<UTC time>.json``. Not a test. Run:
``.venv/bin/python bench/bench_certificates.py [--seconds 3] [--repeat 5] [--issue 60]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from app.certificates import signing  # noqa: E402
from app.certificates.layout import FONT_DIR, load_template  # noqa: E402
from app.certificates.pdf import CertificateContent, render_certificate_pdf  # noqa: E402

CONTENT = CertificateContent(
    holder_name="Dr. dr. Hj. Siti Nurhaliza, M.Kes., Ph.D.",
    nip="196608011988031001",
    course_title="Kepemimpinan Digital bagi Pejabat Administrator",
    jp=Decimal("19.5"),
    completed_on=dt.date(2026, 11, 29),
    number="0123/BPSDM-KT/XI/2026",
    verify_url="https://lentera.example.go.id/verify/AbCdEfGhIjKlMnOpQrStUvWxYz012345",
    institution_name="Badan Pengembangan Sumber Daya Manusia Provinsi Kalimantan Timur",
    signatory_name="Dr. H. Ahmad Fauzi Rahman, S.Sos., M.Si.",
    signatory_title="Kepala Badan Pengembangan Sumber Daya Manusia Provinsi Kalimantan Timur",
    signatory_nip="197203151998031004",
    place="Samarinda",
    opd_name="Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur",
    development_signature=True,
)


def bare_page(size: tuple[float, float]) -> bytes:
    """One page, one line of embedded-TTF text: the cheapest comparable PDF."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1, pageCompression=1, initialFontName="BenchSans")
    c.setFont("BenchSans", 12)
    c.drawString(72, size[1] - 72, CONTENT.holder_name)
    c.showPage()
    c.save()
    return buf.getvalue()


def _run(fn, seconds: float) -> tuple[int, float]:
    """Call ``fn`` until ``seconds`` of CPU time have passed; (calls, CPU seconds)."""
    count, start = 0, time.process_time()
    while True:
        fn()
        count += 1
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            return count, elapsed


def summarise(runs: list[tuple[int, float]]) -> dict:
    """Median rate of several (calls, CPU seconds) runs, with the spread."""
    rates = sorted(count / cpu for count, cpu in runs)
    median = statistics.median(rates)
    return {"runs": len(runs), "count": sum(c for c, _ in runs), "cpu_seconds": round(sum(t for _, t in runs), 4),
            "per_second": round(median, 2), "ms_each": round(1000 / median, 3),
            "min_per_second": round(rates[0], 2), "max_per_second": round(rates[-1], 2),
            "spread_pct": round(100 * (rates[-1] - rates[0]) / median, 1)}


def measure(fn, seconds: float, repeat: int = 1) -> dict:
    """Call ``fn`` repeatedly for about ``seconds`` of CPU time (after 3 warm-up
    calls), ``repeat`` times; the median rate per CPU-second."""
    for _ in range(3):
        fn()
    return summarise([_run(fn, seconds) for _ in range(repeat)])


def issue_path(count: int, repeat: int, database_url: str | None) -> dict:
    """``issue_certificate`` + ``commit`` for ``count`` enrolments, ``repeat`` times.

    A fresh database (migrations), one OPD, one course and ``count * repeat + 1``
    learners with completed enrolments; the first issue warms up (fonts,
    template, signing key and its CMS template). Each issue runs in a
    savepoint and stages the file as in production; commits are separate.
    """
    from sqlalchemy import create_engine, text

    from app import create_app
    from app.auth.models import Opd, User
    from app.catalog.models import Course
    from app.certificates.services import issue_certificate
    from app.extensions import db
    from app.learning.models import Enrolment

    folder = tempfile.mkdtemp(prefix="lentera-bench-issue-")
    admin = name = None
    if database_url and database_url.startswith("postgresql"):
        name = f"lentera_bench_cert_{os.getpid()}"
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = f"{database_url.rpartition('/')[0]}/{name}"
    else:
        url = database_url or f"sqlite:///{folder}/bench.db"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, LENTERA_DATA_DIR=f"{folder}/data",
                     LENTERA_BASE_URL="https://lentera.example.go.id")
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            opd = Opd(code="DISKOMINFO", name=CONTENT.opd_name)
            course = Course(slug="kepemimpinan-digital", title=CONTENT.course_title, summary="-", audience="ASN",
                            jp=CONTENT.jp, pass_mark=Decimal("70"), version=1, is_published=True)
            db.session.add_all([opd, course])
            db.session.flush()
            completed = dt.datetime(2026, 11, 29, 3, 0, tzinfo=dt.timezone.utc)
            ids = []
            for i in range(count * repeat + 1):
                user = User(email=f"peserta{i}@bench.go.id", full_name=f"Siti Nurhaliza {i}", gelar_depan="Dr. dr. Hj.",
                            gelar_belakang="M.Kes., Ph.D.", nip=f"19660801198803{i:04d}", opd_id=opd.id,
                            password_hash="-", role="learner")
                db.session.add(user)
                db.session.flush()
                enrolment = Enrolment(user_id=user.id, course_id=course.id, completed_at=completed)
                db.session.add(enrolment)
                db.session.flush()
                ids.append(enrolment.id)
            db.session.commit()

            def issue(enrolment_id: int) -> None:
                issue_certificate(db.session.get(Enrolment, enrolment_id))
                db.session.commit()

            issue(ids[0])  # warm-up
            runs = []
            for r in range(repeat):
                start = time.process_time()
                for enrolment_id in ids[1 + r * count:1 + (r + 1) * count]:
                    issue(enrolment_id)
                runs.append((count, time.process_time() - start))
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    result = summarise(runs)
    result["database"] = url.split(":", 1)[0].split("+", 1)[0]
    return result


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cpus": os.cpu_count(), "load_average": load, "reportlab": version("reportlab"),
            "pyhanko": version("pyhanko")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0,
                        help="CPU seconds per run of bare/render/render+sign (default 3)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is reported (default 3)")
    parser.add_argument("--issue", type=int, default=60,
                        help="certificates per run of the whole issuing path (default 60; 0 skips it)")
    parser.add_argument("--database-url", default=None,
                        help="for the issuing path: a postgresql+psycopg://.../postgres URL (a scratch database is "
                             "created and dropped); default a temporary SQLite file")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args()
    import logging

    logging.getLogger("lentera.certificates").setLevel(logging.ERROR)  # the development-key notice

    pdfmetrics.registerFont(TTFont("BenchSans", str(FONT_DIR / "DejaVuSans.ttf")))
    template = load_template("default")
    app = Flask("bench")
    app.config.update(LENTERA_DATA_DIR=tempfile.mkdtemp(prefix="lentera-bench-"),
                      LENTERA_INSTITUTION=CONTENT.institution_name)
    with app.app_context():
        key = signing.load_signing_key()
        unsigned = render_certificate_pdf(CONTENT, template)
        results = {
            "bare": measure(lambda: bare_page(template.page_size), args.seconds, args.repeat),
            "render": measure(lambda: render_certificate_pdf(CONTENT, template), args.seconds, args.repeat),
            "sign": measure(lambda: signing.sign_pdf(unsigned, key, reason="bench", location="Samarinda"),
                            args.seconds, args.repeat),
            "render+sign": measure(lambda: signing.sign_pdf(render_certificate_pdf(CONTENT, template), key,
                                                             reason="bench", location="Samarinda"),
                                   args.seconds, args.repeat),
        }
    if args.issue:
        results["issue"] = issue_path(args.issue, args.repeat, args.database_url)
    bare = results["bare"]["per_second"]
    print(f"Page size {template.page_size[0]:.2f} x {template.page_size[1]:.2f} pt; {args.seconds:g} CPU-s x "
          f"{args.repeat} runs each (issue: {args.issue} certificates x {args.repeat} runs); medians per CPU-second")
    print(f"{'measurement':<14}{'per second':>12}{'ms each':>10}{'x slower than bare':>22}{'spread':>10}")
    for name, r in results.items():
        ratio = bare / r["per_second"]
        r["slower_than_bare"] = round(ratio, 2)
        label = f"issue ({r['database']})" if name == "issue" else name
        print(f"{label:<14}{r['per_second']:>12.1f}{r['ms_each']:>10.2f}{ratio:>22.2f}{r['spread_pct']:>9.1f}%")
    if "issue" in results:
        verdict = "reached" if results["issue"]["per_second"] >= 40 else "NOT reached"
        print(f"Target 40 certificates per CPU-second (whole issuing path): {verdict}")
    if not args.no_save:
        out_dir = ROOT / "bench" / "results"
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out = out_dir / f"certificates-{stamp}.json"
        out.write_text(json.dumps({"when_utc": stamp, "machine": machine(), "page_size": template.page_size,
                                   "seconds_each": args.seconds, "repeat": args.repeat, "issue_count": args.issue,
                                   "timer": "time.process_time", "results": results}, indent=2) + "\n")
        print(f"Saved: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
