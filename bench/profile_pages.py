"""CPU per request and queries per request of the hot pages, in one process (no HTTP, no wrk).

Usage: .venv/bin/python bench/profile_pages.py [--db URL] [--n 200] [--profile lesson] [--top 40]

Figures only. The CPU time is this process's (the database server's is not included), which makes
it steady on a shared machine; compare two versions of the code on the same database.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import run as bench_run, seed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/lentera_bench")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", default="", help="page name to run under cProfile")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only", default="")
    parser.add_argument("--quiz-flow", type=int, default=0, metavar="LEARNERS",
                        help="also time the load test's quiz flow for this many fresh learners")
    args = parser.parse_args()
    from sqlalchemy import event

    app = seed.make_app(args.db, Path(tempfile.mkdtemp()))
    fx = bench_run.fixtures(app)
    client = app.test_client()
    minted = seed.mint_sessions(app, [fx["user_id"]])[0]
    client.set_cookie(seed.cookie_name(app), minted["cookie"])
    kw = dict(headers={"User-Agent": seed.USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    token = minted["csrf"]
    pages = {
        "lesson": ("GET", f"/kursus/{fx['course_slug']}/pelajaran/{fx['lesson_id']}"),
        "course": ("GET", f"/kursus/{fx['course_slug']}"),
        "catalogue": ("GET", "/"),
        "dashboard": ("GET", "/saya"),
        "quiz": ("GET", f"/kursus/{fx['course_slug']}/kuis/{fx['quiz_id']}"),
        "complete": ("POST", f"/kursus/{fx['course_slug']}/pelajaran/{fx['lesson_id']}/selesai"),
    }
    only = set(filter(None, args.only.split(",")))
    with app.app_context():
        from app.extensions import db
        engine = db.engine
    counter = {"n": 0}

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_a, **_k):
        counter["n"] += 1

    def call(method, path):
        if method == "GET":
            response = client.get(path, **kw)
        else:
            response = client.post(path, data={"csrf_token": token or ""}, **kw)
        if response.status_code not in (200, 302):
            raise SystemExit(f"{path}: {response.status_code}")
        return response

    for name, (method, path) in pages.items():
        if only and name not in only:
            continue
        for _ in range(5):
            call(method, path)
        counter["n"] = 0
        call(method, path)
        queries = counter["n"]
        started = time.process_time()
        for _ in range(args.n):
            call(method, path)
        ms = (time.process_time() - started) / args.n * 1000
        print(f"{name:10s} {ms:6.2f} ms CPU  {queries:3d} queries  {len(call(method, path).data):6d} bytes")
        if name == args.profile:
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(args.n):
                call(method, path)
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
    if args.quiz_flow:
        quiz_flow(app, fx, args.quiz_flow)



def quiz_flow(app, fx: dict, learners: int = 40) -> None:
    """CPU and queries per step of the load test's flow (open quiz, start, question page, submit, result)."""
    import random
    import re

    from sqlalchemy import event

    from app.extensions import db
    from bench import loadtest

    with app.app_context():
        ids = seed.bench_learners(learners, fx["course_slug"], prefix="prof")
        engine = db.engine
    minted = seed.mint_sessions(app, ids)
    kw = dict(headers={"User-Agent": seed.USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    counter = {"n": 0}
    statements: dict[str, list[str]] = {}
    current = {"step": ""}

    def _count(conn, cursor, statement, *rest):
        counter["n"] += 1
        statements.setdefault(current["step"], []).append(" ".join(statement.split())[:300])

    event.listen(engine, "before_cursor_execute", _count)
    cpu: dict[str, float] = {}
    queries: dict[str, int] = {}
    quiz_url = f"/kursus/{fx['course_slug']}/kuis/{fx['quiz_id']}"
    rng = random.Random(1)
    profiler = cProfile.Profile(time.process_time)

    def step(name, fn, expect):
        counter["n"] = 0
        current["step"] = name
        statements.pop(name, None)
        if name == os.environ.get("PROFILE_STEP"):
            profiler.enable()
        started = time.process_time()
        response = fn()
        cpu[name] = cpu.get(name, 0.0) + time.process_time() - started
        profiler.disable()
        queries[name] = max(queries.get(name, 0), counter["n"])
        if response.status_code != expect:
            raise SystemExit(f"{name}: {response.status_code} {response.headers.get('Location')}")
        return response

    for m in minted:
        client = app.test_client()
        client.set_cookie(seed.cookie_name(app), m["cookie"])
        step("1 buka kuis", lambda: client.get(quiz_url, **kw), 200)
        step("2 mulai", lambda: client.post(quiz_url + "/mulai", data={"csrf_token": m["csrf"]}, **kw), 302)
        page = step("3 soal", lambda: client.get(quiz_url, **kw), 200).get_data(as_text=True)
        action = re.search(r'action="(/kuis/percobaan/(\d+))"', page).group(1)
        from werkzeug.datastructures import MultiDict

        form = MultiDict([("csrf_token", m["csrf"]), ("action", "kirim"), *loadtest.answers(page, rng)])
        response = step("4 kirim", lambda: client.post(action, data=form, **kw), 302)
        location = response.headers["Location"]
        step("5 hasil", lambda: client.get(location, **kw), 200)
    total = 0.0
    for name in cpu:
        ms = cpu[name] / len(minted) * 1000
        total += ms
        print(f"{name:12s} {ms:6.2f} ms CPU  {queries[name]:3d} queries")
    print(f"{'flow':12s} {total:6.2f} ms CPU")
    if os.environ.get("PROFILE_STEP"):
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(70)
    for name in filter(None, os.environ.get("PROFILE_SQL", "").split(",")):
        print(f"-- {name}")
        for text in statements.get(name, []):
            print("   ", text)


if __name__ == "__main__":
    main()
