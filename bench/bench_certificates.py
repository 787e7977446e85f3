"""Benchmark: certificates per second, next to a bare ReportLab page.

Measures in one run, on this machine:

* ``bare``: a ReportLab canvas page of the same size with one line of
  text in an embedded TTF font (the floor: what any PDF costs);
* ``render``: a full certificate with the ``default`` template (fonts,
  text fitting, QR code) — :func:`app.certificates.pdf.render_certificate_pdf`;
* ``render+sign``: the same plus a PAdES signature with pyHanko
  (development key, created in a temporary folder).

Prints certificates per second and the ratios to ``bare``, and writes the
results with a machine description to ``bench/results/certificates-<UTC time>.json``.
Not a test. Run: ``.venv/bin/python bench/bench_certificates.py [--seconds 3]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
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


def measure(fn, seconds: float) -> dict:
    """Call ``fn`` repeatedly for about ``seconds`` (after 3 warm-up calls)."""
    for _ in range(3):
        fn()
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return {"count": count, "seconds": round(elapsed, 4), "per_second": round(count / elapsed, 2),
            "ms_each": round(1000 * elapsed / count, 3)}


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
    parser.add_argument("--seconds", type=float, default=3.0, help="time per measurement (default 3)")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args()

    pdfmetrics.registerFont(TTFont("BenchSans", str(FONT_DIR / "DejaVuSans.ttf")))
    template = load_template("default")
    app = Flask("bench")
    app.config.update(LENTERA_DATA_DIR=tempfile.mkdtemp(prefix="lentera-bench-"),
                      LENTERA_INSTITUTION=CONTENT.institution_name)
    with app.app_context():
        key = signing.load_signing_key()
        results = {
            "bare": measure(lambda: bare_page(template.page_size), args.seconds),
            "render": measure(lambda: render_certificate_pdf(CONTENT, template), args.seconds),
            "render+sign": measure(lambda: signing.sign_pdf(render_certificate_pdf(CONTENT, template), key,
                                                             reason="bench", location="Samarinda"), args.seconds),
        }
    bare = results["bare"]["per_second"]
    print(f"Page size {template.page_size[0]:.2f} x {template.page_size[1]:.2f} pt; {args.seconds:g} s each")
    print(f"{'measurement':<14}{'per second':>12}{'ms each':>10}{'x slower than bare':>22}")
    for name, r in results.items():
        ratio = bare / r["per_second"]
        r["slower_than_bare"] = round(ratio, 2)
        print(f"{name:<14}{r['per_second']:>12.1f}{r['ms_each']:>10.2f}{ratio:>22.2f}")
    if not args.no_save:
        out_dir = ROOT / "bench" / "results"
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        out = out_dir / f"certificates-{stamp}.json"
        out.write_text(json.dumps({"when_utc": stamp, "machine": machine(), "page_size": template.page_size,
                                   "seconds_each": args.seconds, "results": results}, indent=2) + "\n")
        print(f"Saved: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
