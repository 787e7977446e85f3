"""Lentera benchmarks (issue #8): HTTP workloads next to a bare-Flask ceiling, certificates, exports, load test.

Usage (``make bench`` runs the defaults, ``make bench BENCH_ARGS=--quick`` a short run)::

    .venv/bin/python bench/run.py [--quick] [--db sqlite,postgresql] [--users N] [--runs 5]
        [--duration 10] [--connections 16] [--workers 4] [--skip certificates,exports,loadtest]

For each database: a fresh database (SQLite file, or PostgreSQL database
``lentera_bench`` recreated), the sample courses and a dataset of ``--users``
learners (``flask seed-demo`` when app/admin/demo_data.py exists, else
``bench/seed.py``'s stand-in), then gunicorn serves the app and the ceiling
(``bench/ceiling.py``) on 127.0.0.1 with the same options, and ``wrk`` (16
connections, 2 threads) measures each workload ``--runs`` times, app and ceiling
alternately. Reported: median requests per second, the ratio app/ceiling,
median p50 and p99 latency. Then ``bench_certificates.py`` and
``bench_exports.py`` run as they are, and on PostgreSQL the 2,000-learner quiz
load test (``bench/loadtest.py``). Everything lands in
``bench/results/<date>-<host>.md`` and ``.json`` with the machine's description.

The load generator shares the machine's cores with the server: the figures
are for "client and server on one 2-core box"; wrk (C, event loop) takes far
less CPU than the Python server, and the ceiling pays the same tax.
Figures only; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))

from bench import seed  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

#: Workload -> (ratio target, extra target description)
TARGETS = {
    "lesson": (0.5, "p99 < 50 ms at 16 connections"),
    "complete": (0.5, ""),
    "catalogue": (0.5, ""),
    "dashboard": (0.5, ""),
}


def log(*parts) -> None:
    print(*parts, flush=True)


# --- machine ---------------------------------------------------------------------------------------

def machine(pg_url: str | None) -> dict:
    """CPU model, cores, RAM, OS, Python, library and database versions, load average."""
    info = {"host": socket.gethostname(), "platform": platform.platform(), "python": platform.python_version(),
            "cores": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo)
        info["cpu"] = found.group(1).strip() if found else platform.processor()
        mem = re.search(r"MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text())
        info["ram_gib"] = round(int(mem.group(1)) / 2**20, 1)
    except OSError:
        info["cpu"] = platform.processor()
    import sqlite3

    import importlib.metadata
    import gunicorn
    import sqlalchemy

    info["sqlite"] = sqlite3.sqlite_version
    info["flask"] = importlib.metadata.version("flask")
    info["sqlalchemy"] = sqlalchemy.__version__
    info["gunicorn"] = gunicorn.__version__
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    info["wrk"] = (wrk.stdout or wrk.stderr).split("\n")[0].strip()
    if pg_url:
        try:
            import psycopg

            with psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3) as c:
                info["postgresql"] = c.execute("SHOW server_version").fetchone()[0]
        except Exception as error:  # noqa: BLE001 -- description only
            info["postgresql"] = f"unreachable ({error.__class__.__name__})"
    return info


# --- servers ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn process on 127.0.0.1:<free port>; stopped with :meth:`stop` (its own pid only)."""

    def __init__(self, target: str, env: dict, workers: int, workdir: Path, name: str):
        self.port = free_port()
        self.name = name
        self.log = open(workdir / f"{name}.log", "w")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
             "--backlog", "2048", "--timeout", "120", "--log-level", "warning", target],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # answered
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{name} berhenti; lihat {workdir / (name + '.log')}")
                time.sleep(0.3)
        raise RuntimeError(f"{name} tidak menjawab dalam 60 detik")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def fetch(url: str, cookie: str | None = None, data: bytes | None = None) -> tuple[int, bytes]:
    """One request without following redirects; (status, body)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(url, data=data, headers={"User-Agent": seed.USER_AGENT})
    if cookie:
        request.add_header("Cookie", f"session={cookie}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# --- wrk -------------------------------------------------------------------------------------------

def wrk(url: str, path: str, *, duration: float, connections: int, method: str = "GET", cookie: str | None = None,
        body: str | None = None, expect: int = 200, follow_cookie: bool = False) -> dict:
    """One wrk run; the BENCHJSON figures plus req_s, p50_ms and p99_ms."""
    env = dict(os.environ, BENCH_METHOD=method, BENCH_PATH=path, BENCH_EXPECT=str(expect),
               BENCH_FOLLOW_COOKIE="1" if follow_cookie else "0")
    for key, value in (("BENCH_COOKIE", cookie), ("BENCH_BODY", body)):
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    done = subprocess.run(["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(duration))}s", "--timeout", "10s",
                           "-s", str(BENCH / "wrk" / "request.lua"), url],
                          capture_output=True, text=True, env=env)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCHJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gagal: {done.stdout}\n{done.stderr}")
    figures = json.loads(line[len("BENCHJSON "):])
    seconds = figures["duration_us"] / 1e6
    figures["req_s"] = figures["requests"] / seconds if seconds else 0.0
    figures["p50_ms"] = figures["p50_us"] / 1000
    figures["p99_ms"] = figures["p99_us"] / 1000
    figures["errors"] = (figures["errors_connect"] + figures["errors_read"] + figures["errors_write"]
                         + figures["errors_timeout"] + figures["unexpected"])
    return figures


def median_of(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


# --- HTTP workloads --------------------------------------------------------------------------------

def fixtures(app) -> dict:
    """The signed-in learner of the HTTP workloads: a dataset learner enrolled in the first course with a quiz."""
    from sqlalchemy import func, select

    from app.assessment.models import Quiz
    from app.auth.models import User
    from app.catalog.models import Course, Module
    from app.extensions import db
    from app.learning import services
    from app.learning.models import Enrolment, LessonProgress

    with app.app_context():
        course = db.session.scalar(select(Course).join(Module).join(Quiz, Quiz.module_id == Module.id)
                                   .where(Course.is_published.is_(True), Course.enrolment_mode == "open")
                                   .order_by(Course.id).limit(1))
        lessons = [lesson for module in course.modules for lesson in module.lessons]
        quiz = db.session.scalar(select(Quiz).join(Module).where(Module.course_id == course.id,
                                                                 Quiz.kind == "regular").order_by(Module.position)
                                 .limit(1))
        # The learner with the most enrolments among the first learners (a realistic "Kursus saya").
        user_id = db.session.scalar(
            select(Enrolment.user_id).join(User).where(User.role == "learner", User.active.is_(True))
            .group_by(Enrolment.user_id).order_by(func.count().desc(), Enrolment.user_id).limit(1))
        if user_id is None:
            user_id = db.session.scalar(select(User.id).where(User.role == "learner").limit(1))
        user = db.session.get(User, user_id)
        enrolment = services.get_enrolment(user, course)
        if enrolment is None:
            enrolment = services.enrol(user, course)
            db.session.commit()
        progress_rows = db.session.scalar(select(func.count()).select_from(LessonProgress)
                                          .where(LessonProgress.enrolment_id == enrolment.id))
        return {"user_id": user.id, "course_slug": course.slug, "course_id": course.id,
                "lesson_id": lessons[0].id, "enrolment_id": enrolment.id, "quiz_id": quiz.id if quiz else None,
                "learner_enrolments": db.session.scalar(select(func.count()).select_from(Enrolment)
                                                        .where(Enrolment.user_id == user.id)),
                "learner_progress_rows_in_course": progress_rows}


def http_workloads(app, fx: dict, app_server: Server, ceiling: Server, args, only: set[str]) -> dict:
    """Each workload ``args.runs`` times on app and ceiling, alternating; per-run and median figures."""
    results = {}

    def cookie_and_token():
        minted = seed.mint_sessions(app, [fx["user_id"]])[0]
        return minted["cookie"], minted["csrf"]

    lesson_path = f"/kursus/{fx['course_slug']}/pelajaran/{fx['lesson_id']}"
    plans = {
        "lesson": dict(path=lesson_path),
        "catalogue": dict(path="/"),
        "dashboard": dict(path="/saya"),
        "complete": dict(path=lesson_path + "/selesai", method="POST", expect=302),
    }
    for name, plan in plans.items():
        if only and name not in only:
            continue
        cookie, token = cookie_and_token()
        if plan.get("method") == "POST":
            body = f"csrf_token={token}"
            status, _ = fetch(app_server.url + plan["path"], cookie, body.encode())
            if status != 302:
                raise RuntimeError(f"{name}: status {status} dari aplikasi")
            ceiling_path = f"/upsert?enrolment={fx['enrolment_id']}&lesson={fx['lesson_id']}"
            ceiling_kw = dict(method="POST", expect=302, body="x=1")
            app_kw = dict(method="POST", expect=302, body=body, cookie=cookie, follow_cookie=False)
            size = None
        else:
            status, page = fetch(app_server.url + plan["path"], cookie)
            if status != 200 or b"Masuk" in page[:0]:
                raise RuntimeError(f"{name}: status {status} dari aplikasi")
            size = len(page)
            ceiling_path = f"/page?size={size}&id={fx['user_id']}"
            ceiling_kw = {}
            app_kw = dict(cookie=cookie, follow_cookie=True)
        common = dict(duration=args.duration, connections=args.connections)
        # Warm-up: fill caches and connection pools in every worker.
        wrk(app_server.url, plan["path"], **{**common, "duration": 2}, **app_kw)
        wrk(ceiling.url, ceiling_path, **{**common, "duration": 2}, **ceiling_kw)
        app_runs, ceiling_runs = [], []
        for run in range(args.runs):
            app_runs.append(wrk(app_server.url, plan["path"], **common, **app_kw))
            ceiling_runs.append(wrk(ceiling.url, ceiling_path, **common, **ceiling_kw))
            a, c = app_runs[-1], ceiling_runs[-1]
            log(f"    {name:10s} run {run + 1}: app {a['req_s']:7.1f} req/s p99 {a['p99_ms']:6.1f} ms "
                f"err {a['errors']} | ceiling {c['req_s']:7.1f} req/s p99 {c['p99_ms']:6.1f} ms err {c['errors']}")
        app_rps, ceiling_rps = median_of(app_runs, "req_s"), median_of(ceiling_runs, "req_s")
        target = TARGETS[name][0]
        ratio = app_rps / ceiling_rps if ceiling_rps else 0.0
        entry = {
            "path": plan["path"], "page_bytes": size, "ceiling_path": ceiling_path,
            "app": {"req_s": app_rps, "p50_ms": median_of(app_runs, "p50_ms"), "p99_ms": median_of(app_runs, "p99_ms"),
                    "errors": sum(r["errors"] for r in app_runs)},
            "ceiling": {"req_s": ceiling_rps, "p50_ms": median_of(ceiling_runs, "p50_ms"),
                        "p99_ms": median_of(ceiling_runs, "p99_ms"), "errors": sum(r["errors"] for r in ceiling_runs)},
            "ratio": ratio, "target_ratio": target,
            "meets": ratio >= target and (name != "lesson" or median_of(app_runs, "p99_ms") < 50),
            "runs": {"app": app_runs, "ceiling": ceiling_runs},
        }
        results[name] = entry
        log(f"  {name:10s} app {app_rps:7.1f} req/s  ceiling {ceiling_rps:7.1f} req/s  ratio {ratio:4.2f} "
            f"(target {target})  p50 {entry['app']['p50_ms']:.1f} ms  p99 {entry['app']['p99_ms']:.1f} ms")
    return results


def cpu_costs(app, fx: dict, url: str, sizes: dict[str, int], n: int = 40) -> dict:
    """CPU milliseconds per request of app and ceiling, in this process (Flask test clients, same database).

    Steadier than req/s on a shared machine: process CPU time hardly depends on
    what else runs (the database server's CPU is not included, for either).
    """
    import importlib

    os.environ["DATABASE_URL"] = url
    ceiling_client = importlib.import_module("bench.ceiling").app.test_client()
    client = app.test_client()
    client.set_cookie(seed.cookie_name(app), seed.mint_sessions(app, [fx["user_id"]])[0]["cookie"])
    kw = dict(headers={"User-Agent": seed.USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    paths = {"lesson": f"/kursus/{fx['course_slug']}/pelajaran/{fx['lesson_id']}", "catalogue": "/",
             "dashboard": "/saya"}
    if fx.get("quiz_id"):
        paths["quiz page"] = f"/kursus/{fx['course_slug']}/kuis/{fx['quiz_id']}"
    costs = {}

    def measure(fn) -> float:
        for _ in range(3):
            fn()
        started = time.process_time()
        for _ in range(n):
            fn()
        return (time.process_time() - started) / n * 1000

    for name, path in paths.items():
        size = sizes.get(name) or len(client.get(path, **kw).data)
        app_ms = measure(lambda: client.get(path, **kw))
        ceiling_ms = measure(lambda: ceiling_client.get(f"/page?size={size}&id={fx['user_id']}"))
        costs[name] = {"app_cpu_ms": round(app_ms, 2), "ceiling_cpu_ms": round(ceiling_ms, 2),
                       "ratio": round(ceiling_ms / app_ms, 3) if app_ms else None}
        log(f"  CPU/permintaan {name:10s} app {app_ms:6.2f} ms  ceiling {ceiling_ms:5.2f} ms  "
            f"ratio {costs[name]['ratio']}")
    return costs


# --- other benchmarks ------------------------------------------------------------------------------

def run_script(args_list: list[str], timeout: int) -> dict:
    """Run an existing bench script; its output text and wall time."""
    started = time.perf_counter()
    done = subprocess.run([str(ROOT / ".venv/bin/python"), *args_list], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    return {"command": " ".join(["python", *args_list]), "returncode": done.returncode,
            "seconds": round(time.perf_counter() - started, 1),
            "output": done.stdout + "\n".join(line for line in done.stderr[-3000:].splitlines()
                                              if not line.startswith("INFO  [alembic"))}


def certificates(seconds: float) -> dict:
    """bench_certificates.py as it is: bare ReportLab page, render (with QR), render+sign; per second, one core."""
    result = run_script(["bench/bench_certificates.py", "--seconds", str(seconds), "--no-save"], 600)
    result["rates_per_second"] = {m.group(1): float(m.group(2)) for m in re.finditer(
        r"^(bare|render\+sign|render)\s+([\d.]+)\s+([\d.]+)", result["output"], re.M)}
    return result


def certificate_issuing(app, limit: int) -> dict:
    """The whole issuing path, one process (= one core): ``issue_certificate`` + commit for completed enrolments.

    Number, snapshot, render with QR, PAdES signature, file stored when the
    transaction commits, row written. Uses up to ``limit`` completed
    enrolments of the dataset that have no certificate yet.
    """
    from sqlalchemy import select

    from app.certificates.models import Certificate
    from app.certificates.services import issue_certificate
    from app.extensions import db
    from app.learning.models import Enrolment

    with app.app_context():
        ids = db.session.scalars(select(Enrolment.id).where(Enrolment.completed_at.is_not(None))
                                 .where(~select(Certificate.id).where(Certificate.enrolment_id == Enrolment.id)
                                        .exists()).order_by(Enrolment.id).limit(limit + 2)).all()
        if len(ids) < 3:
            return {"issued": 0, "note": "no completed enrolments without a certificate in the dataset"}
        issue_certificate(db.session.get(Enrolment, ids[0]))  # warm-up: fonts, signing key
        db.session.commit()
        cpu, started = time.process_time(), time.perf_counter()
        for enrolment_id in ids[1:]:
            issue_certificate(db.session.get(Enrolment, enrolment_id))
            db.session.commit()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    n = len(ids) - 1
    return {"issued": n, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "per_second_wall": round(n / wall, 1),
            "per_cpu_second": round(n / cpu, 1) if cpu else None, "target_per_core": 40}


# --- report ----------------------------------------------------------------------------------------

def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [f"# Lentera benchmarks, {report['when_utc']}", "",
             f"Command: `{report['command']}`", "",
             "## Machine", "",
             f"- host {m['host']}; {m['platform']}",
             f"- CPU {m.get('cpu')} x {m['cores']} cores; RAM {m.get('ram_gib')} GiB; load average at start "
             f"{m['load_average_at_start']}",
             f"- Python {m['python']}; Flask {m['flask']}; SQLAlchemy {m['sqlalchemy']}; gunicorn {m['gunicorn']}; "
             f"{m['wrk']}",
             f"- SQLite {m['sqlite']}; PostgreSQL {m.get('postgresql', '-')}",
             f"- server: gunicorn {report['settings']['workers']} sync workers, same for app and ceiling; "
             f"client: wrk 2 threads, {report['settings']['connections']} connections, "
             f"{report['settings']['duration']} s x {report['settings']['runs']} runs (median), on the same machine "
             "(the client competes with the server for the 2 cores)", ""]
    for db_name, section in report["databases"].items():
        lines += [f"## HTTP workloads on {db_name}", "",
                  f"Dataset: {section['dataset']['counts']} ({section['dataset']['generator']}, "
                  f"seeded in {section['dataset']['seconds']} s). Signed-in learner: user {section['fixtures']['user_id']}, "
                  f"{section['fixtures']['learner_enrolments']} enrolments.", "",
                  "| workload | page bytes | app req/s | ceiling req/s | ratio | target | app p50 ms | app p99 ms | "
                  "ceiling p99 ms | errors | meets |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for name, w in section["workloads"].items():
            extra = " + p99 < 50 ms" if name == "lesson" else ""
            lines.append(f"| {name} | {w['page_bytes'] or '-'} | {w['app']['req_s']:.1f} | {w['ceiling']['req_s']:.1f} | "
                         f"{w['ratio']:.2f} | ≥ {w['target_ratio']}{extra} | {w['app']['p50_ms']:.1f} | "
                         f"{w['app']['p99_ms']:.1f} | {w['ceiling']['p99_ms']:.1f} | "
                         f"{w['app']['errors']}/{w['ceiling']['errors']} | {'yes' if w['meets'] else 'NO'} |")
        lines.append("")
        if section.get("cpu_per_request"):
            lines += ["CPU per request in one process (Flask test client; steadier than req/s on a shared machine; "
                      "database server CPU not included):", "",
                      "| page | app CPU ms | ceiling CPU ms | ratio |", "|---|---:|---:|---:|"]
            lines += [f"| {k} | {v['app_cpu_ms']} | {v['ceiling_cpu_ms']} | {v['ratio']} |"
                      for k, v in section["cpu_per_request"].items()]
            lines.append("")
        if section.get("loadtest"):
            lt = section["loadtest"]
            lines += ["### Load test: 2,000 learners open a quiz and submit it within a minute", "",
                      "```", lt.get("summary", lt.get("output", "")).rstrip(), "```", ""]
    if "certificate_issuing" in report:
        ci = report["certificate_issuing"]
        lines += ["## Certificate issuing (render, QR, sign, store, commit)", "",
                  f"{ci.get('issued')} certificates through `issue_certificate` + commit on {ci.get('database')}, one "
                  f"process: {ci.get('per_second_wall')} per second wall, {ci.get('per_cpu_second')} per CPU-second "
                  f"(target: 40 per second per core). {ci.get('note', '')}", ""]
    for key in ("certificates", "exports"):
        if key in report:
            lines += [f"## {key.capitalize()}", "", f"`{report[key]['command']}` ({report[key]['seconds']} s)", "",
                      "```", report[key]["output"].rstrip(), "```", ""]
    lines += ["## How to read", "",
              "- ratio = app req/s ÷ ceiling req/s (median of the runs); the ceiling is bench/ceiling.py: bare Flask, "
              "one primary-key query on the same database, a page of the same size (or one INSERT … ON CONFLICT DO "
              "NOTHING for `complete`).",
              "- errors = socket errors, timeouts and answers other than the expected status (200, or 302 for "
              "`complete`), app/ceiling, summed over the runs.",
              "- `complete` marks the same lesson again on every request (the row exists after the first): the app "
              "does its checks and finds the row; the ceiling's upsert hits the conflict.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small dataset, short runs (a few minutes)")
    parser.add_argument("--db", default=None, help="sqlite, postgresql or both comma-separated "
                        "(default: both when PostgreSQL answers, else sqlite)")
    parser.add_argument("--users", type=int, default=None, help="learners in the dataset (100000; quick 2000)")
    parser.add_argument("--runs", type=int, default=None, help="runs per workload (5; quick 3)")
    parser.add_argument("--duration", type=float, default=None, help="seconds per run (10; quick 4)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (app and ceiling)")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server URL (its database is only used to "
                        "create lentera_bench)")
    parser.add_argument("--pg-name", default="lentera_bench")
    parser.add_argument("--only", default="", help="comma-separated workloads: lesson,complete,catalogue,dashboard")
    parser.add_argument("--skip", default="", help="comma-separated: http,certificates,exports,loadtest")
    parser.add_argument("--learners", type=int, default=None, help="load test: simulated learners (2000; quick 300)")
    parser.add_argument("--window", type=float, default=60.0, help="load test: seconds in which they all start")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, SQLite file)")
    parser.add_argument("--reuse", action="store_true", help="PostgreSQL: use the existing lentera_bench database "
                        "(seeded by an earlier run or --seed-only) instead of seeding again")
    parser.add_argument("--seed-only", action="store_true", help="create and seed the databases, measure nothing")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk tidak ditemukan: apt-get install wrk")
    quick = args.quick
    args.users = args.users or (2000 if quick else 100_000)
    args.runs = args.runs or (3 if quick else 5)
    args.duration = args.duration or (4 if quick else 10)
    args.learners = args.learners or (300 if quick else 2000)
    skip = {s for s in args.skip.split(",") if s}
    only = {s for s in args.only.split(",") if s}

    info = machine(args.pg_url)
    pg_ok = "postgresql" in info and not str(info["postgresql"]).startswith("unreachable")
    dbs = [d for d in (args.db or ("sqlite,postgresql" if pg_ok else "sqlite")).split(",") if d]
    when = datetime.now(timezone.utc)
    report = {"when_utc": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "command": " ".join(["bench/run.py", *sys.argv[1:]]),
              "machine": info, "settings": {"users": args.users, "runs": args.runs, "duration": args.duration,
                                            "connections": args.connections, "workers": args.workers,
                                            "quick": quick},
              "databases": {}}
    workdir = Path(tempfile.mkdtemp(prefix="lentera-bench-"))
    log(f"Kerja di {workdir}; basis data {dbs}; {args.users} pengguna")
    out_base = BENCH / "results" / f"{when.strftime('%Y%m%dT%H%MZ')}-{info['host']}{'-quick' if quick else ''}"

    def save():
        if args.seed_only:
            return
        out_base.with_suffix(".json").write_text(json.dumps(report, indent=1, default=str))
        out_base.with_suffix(".md").write_text(markdown(report))

    try:
        for kind in dbs:
            if skip >= {"http", "loadtest"}:
                break
            log(f"== {kind} ==")
            url = seed.existing_database(kind, args.pg_url, args.pg_name) if args.reuse else None
            if url:
                app = seed.make_app(url, workdir)
                with app.app_context():
                    dataset = {"generator": "reused (--reuse)", "seconds": 0, "counts": seed.table_counts()}
                log(f"  basis data dipakai ulang: {dataset['counts']}")
            else:
                url = seed.fresh_database(kind, workdir, args.pg_url, args.pg_name)
                dataset = seed.prepare(url, workdir, args.users, log=log)
                app = seed.make_app(url, workdir)
            if args.seed_only:
                continue
            fx = fixtures(app)
            section = {"url": url.split("@")[-1], "dataset": dataset, "fixtures": fx, "workloads": {}}
            report["databases"][kind] = section
            env = seed.env_for(url, workdir)
            app_server = Server("wsgi:app", env, args.workers, workdir, f"app-{kind}")
            ceiling = Server("bench.ceiling:app", env, args.workers, workdir, f"ceiling-{kind}")
            try:
                if "http" not in skip:
                    section["workloads"] = http_workloads(app, fx, app_server, ceiling, args, only)
                    save()
                    section["cpu_per_request"] = cpu_costs(
                        app, fx, url, {k: v["page_bytes"] for k, v in section["workloads"].items() if v["page_bytes"]})
                    save()
                if kind == "postgresql" and "loadtest" not in skip and fx["quiz_id"]:
                    section["loadtest"] = loadtest(app, fx, app_server, args, workdir)
                    save()
            finally:
                app_server.stop()
                ceiling.stop()
            if "certificates" not in skip and "certificate_issuing" not in report:
                log("  penerbitan sertifikat (render, QR, tanda tangan, simpan)")
                report["certificate_issuing"] = dict(certificate_issuing(app, 30 if quick else 200), database=kind)
                log(f"  {report['certificate_issuing']}")
                save()
        if args.seed_only:
            return
        if "certificates" not in skip:
            log("== sertifikat ==")
            report["certificates"] = certificates(2 if quick else 5)
            log(report["certificates"]["output"])
            save()
        if "exports" not in skip:
            log("== ekspor ==")
            sizes = "10000,20000" if quick else "10000,200000"
            report["exports"] = run_script(["bench/bench_exports.py", "--sizes", sizes], 3600)
            log(report["exports"]["output"])
            save()
    finally:
        save()
        log(f"Hasil: {out_base}.md / .json")
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def loadtest(app, fx: dict, server: Server, args, workdir: Path) -> dict:
    """Create ``args.learners`` enrolled learners with sessions, run bench/loadtest.py against ``server``."""
    log(f"  uji beban: {args.learners} peserta, kuis {fx['quiz_id']}")
    with app.app_context():
        ids = seed.bench_learners(args.learners, fx["course_slug"])
    minted = seed.mint_sessions(app, ids)
    sessions_file = workdir / "sessions.json"
    sessions_file.write_text(json.dumps(minted))
    done = subprocess.run([str(ROOT / ".venv/bin/python"), str(BENCH / "loadtest.py"), "--base-url", server.url,
                           "--sessions", str(sessions_file), "--course", fx["course_slug"], "--quiz",
                           str(fx["quiz_id"]), "--window", str(args.window), "--json", str(workdir / "lt.json")],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    log(done.stdout + done.stderr[-3000:])
    result = json.loads((workdir / "lt.json").read_text()) if (workdir / "lt.json").exists() else {}
    result["output"] = done.stdout
    result["workers"] = args.workers
    return result


if __name__ == "__main__":
    main()
