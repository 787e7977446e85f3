"""Cohort load test (issue #8 part 3): N learners open a quiz and submit it within the same minute.

Usage (``bench/run.py`` prepares learners, sessions and the server, then calls this)::

    .venv/bin/python bench/loadtest.py --base-url http://127.0.0.1:PORT --sessions sessions.json \
        --course SLUG --quiz ID [--window 60] [--json out.json]

``sessions.json`` is a list of ``{"user_id", "cookie", "csrf"}`` made by
:func:`bench.seed.mint_sessions` (learners already signed in, enrolled in the
course). Each simulated learner, as its own asyncio task with its own cookie:

1. arrives at a random moment in the first ``window / 2`` seconds and opens the
   quiz page (``GET /kursus/<slug>/kuis/<id>``, 200);
2. reads for 2–5 s, presses "Mulai" (``POST …/mulai``, 302);
3. gets the questions (``GET`` the quiz page again, 200, the attempt form);
4. answers for 10–25 s (think time), submits (``POST /kuis/percobaan/<id>``
   with ``action=kirim``, 302 to the result);
5. opens the result (``GET /kuis/hasil/<id>``, 200).

So all learners start and submit within ``window`` seconds (60 by default).
An error is a failed connection, a timeout (30 s), or any status other than the
expected one (a redirect to ``/masuk`` counts). Reports requests, errors, and
p50/p95/p99/max latency overall and per step, the busiest second, and the CPU
seconds this client used (it runs on the same cores as the server).

Client: aiohttp (already a dependency of the test tooling), one process, one
event loop; 2,000 learners mostly think, so the request rate is a few hundred
per second at most, well within one Python event loop.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict

import aiohttp

USER_AGENT = "lentera-bench/1"  # must match bench.seed.USER_AGENT (sessions are minted with it)
COOKIE = "session"
ACTION_RE = re.compile(r'action="(/kuis/percobaan/(\d+))"')
INPUT_RE = re.compile(r'<input type="(radio|checkbox|text)"[^>]*?name="(q-\d+)"(?:[^>]*?value="([^"]*)")?')
SELECT_RE = re.compile(r'<select[^>]*name="(q-\d+-\d+)"[^>]*>(.*?)</select>', re.S)
OPTION_RE = re.compile(r'<option value="(\d+)"')


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (ms); 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


class Learner:
    """One simulated learner: its cookie, CSRF token and the requests it made."""

    def __init__(self, session: dict):
        self.cookie = session["cookie"]
        self.csrf = session["csrf"]

    def take_cookie(self, response: aiohttp.ClientResponse) -> None:
        for value in response.headers.getall("Set-Cookie", []):
            if value.startswith(COOKIE + "="):
                new = value.split(";", 1)[0][len(COOKIE) + 1:]
                if new:
                    self.cookie = new


class Stats:
    def __init__(self):
        self.latency = defaultdict(list)  # step -> [ms]
        self.errors = Counter()  # (step, reason) -> n
        self.per_second = Counter()
        self.started = time.monotonic()
        self.completed = 0
        self.answered = 0  # responses received (any status); timeouts and connection errors excluded


async def call(http: aiohttp.ClientSession, stats: Stats, learner: Learner, step: str, method: str, url: str,
               expect: int, data: dict | list | None = None) -> tuple[str | None, str | None]:
    """One request; (body text or None on error, Location header)."""
    headers = {"User-Agent": USER_AGENT, "Cookie": f"{COOKIE}={learner.cookie}"}
    started = time.monotonic()
    try:
        async with http.request(method, url, data=data, headers=headers, allow_redirects=False) as response:
            body = await response.text()
            elapsed = (time.monotonic() - started) * 1000
            learner.take_cookie(response)
            location = response.headers.get("Location")
            stats.latency[step].append(elapsed)
            stats.per_second[int(time.monotonic() - stats.started)] += 1
            stats.answered += 1
            if response.status != expect or (location and "/masuk" in location):
                stats.errors[(step, f"status {response.status} {location or ''}".strip())] += 1
                return None, location
            return body, location
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        stats.latency[step].append((time.monotonic() - started) * 1000)
        stats.errors[(step, error.__class__.__name__)] += 1
        return None, None


def answers(page: str, rng: random.Random) -> list[tuple[str, str]]:
    """Form fields answering every question on an attempt page (a random choice each)."""
    fields: dict[str, list[str]] = defaultdict(list)
    kinds = {}
    for kind, name, value in INPUT_RE.findall(page):
        kinds[name] = kind
        fields[name].append(value or "")
    chosen = []
    for name, values in fields.items():
        if kinds[name] == "text":
            chosen.append((name, "jawaban"))
        else:
            chosen.append((name, rng.choice(values)))
    for name, options in SELECT_RE.findall(page):
        values = OPTION_RE.findall(options)
        if values:
            chosen.append((name, rng.choice(values)))
    return chosen


async def learner_flow(http, stats: Stats, base: str, course: str, quiz: int, session: dict, window: float,
                       rng: random.Random, think: float) -> None:
    learner = Learner(session)
    await asyncio.sleep(rng.uniform(0, window / 2))
    quiz_url = f"{base}/kursus/{course}/kuis/{quiz}"
    page, _ = await call(http, stats, learner, "1 buka kuis", "GET", quiz_url, 200)
    if page is None:
        return
    await asyncio.sleep(rng.uniform(2, 5) * think)
    body, _ = await call(http, stats, learner, "2 mulai", "POST", quiz_url + "/mulai", 302,
                         {"csrf_token": learner.csrf})
    if body is None:
        return
    page, _ = await call(http, stats, learner, "3 soal", "GET", quiz_url, 200)
    if page is None:
        return
    found = ACTION_RE.search(page)
    if found is None:
        stats.errors[("3 soal", "no attempt form")] += 1
        return
    await asyncio.sleep(rng.uniform(10, 25) * think)
    form = [("csrf_token", learner.csrf), ("action", "kirim"), *answers(page, rng)]
    body, location = await call(http, stats, learner, "4 kirim", "POST", base + found.group(1), 302, form)
    if body is None or not location:
        return
    result_url = location if location.startswith("http") else base + location
    page, _ = await call(http, stats, learner, "5 hasil", "GET", result_url, 200)
    if page is not None:
        stats.completed += 1


async def run(args) -> dict:
    sessions = json.loads(open(args.sessions, encoding="utf-8").read())[: args.learners or None]
    rng = random.Random(args.seed)
    stats = Stats()
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=args.max_connections, force_close=True)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        stats.started = time.monotonic()
        await asyncio.gather(*(learner_flow(http, stats, args.base_url, args.course, args.quiz, s, args.window,
                                            random.Random(rng.random()), args.think) for s in sessions))
    wall = time.monotonic() - stats.started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    every = [ms for values in stats.latency.values() for ms in values]
    steps = {step: {"requests": len(v), "p50_ms": round(percentile(v, 50), 1), "p95_ms": round(percentile(v, 95), 1),
                    "p99_ms": round(percentile(v, 99), 1), "max_ms": round(max(v), 1) if v else 0}
             for step, v in sorted(stats.latency.items())}
    return {
        "learners": len(sessions), "completed": stats.completed, "wall_s": round(wall, 1),
        "requests": len(every), "answered": stats.answered, "errors": sum(stats.errors.values()),
        "error_kinds": {f"{s}: {r}": n for (s, r), n in stats.errors.items()},
        "p50_ms": round(percentile(every, 50), 1), "p95_ms": round(percentile(every, 95), 1),
        "p99_ms": round(percentile(every, 99), 1), "max_ms": round(max(every), 1) if every else 0,
        "mean_req_s": round(stats.answered / wall, 1) if wall else 0,
        "peak_req_s": max(stats.per_second.values()) if stats.per_second else 0,
        "client_cpu_s": round(cpu, 1), "steps": steps,
    }


def summary_text(result: dict) -> str:
    lines = [f"{result['learners']} learners, {result['completed']} completed (opened, started, submitted, saw the "
             f"result) in {result['wall_s']} s",
             f"{result['requests']} requests, {result['answered']} answered, {result['errors']} errors; answered "
             f"{result['mean_req_s']} req/s on average, {result['peak_req_s']} in the busiest second",
             f"latency ms: p50 {result['p50_ms']}  p95 {result['p95_ms']}  p99 {result['p99_ms']}  max {result['max_ms']}",
             f"load generator CPU: {result['client_cpu_s']} s (on the same cores as the server)",
             f"{'step':14s} {'requests':>8s} {'p50':>8s} {'p95':>8s} {'p99':>8s} {'max':>8s}"]
    for step, s in result["steps"].items():
        lines.append(f"{step:14s} {s['requests']:8d} {s['p50_ms']:8.1f} {s['p95_ms']:8.1f} {s['p99_ms']:8.1f} "
                     f"{s['max_ms']:8.1f}")
    for kind, n in result["error_kinds"].items():
        lines.append(f"error {kind}: {n}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--sessions", required=True, help="JSON from bench.seed.mint_sessions")
    parser.add_argument("--course", required=True, help="course slug")
    parser.add_argument("--quiz", type=int, required=True)
    parser.add_argument("--learners", type=int, default=0, help="use only the first N sessions (0: all)")
    parser.add_argument("--window", type=float, default=60.0, help="seconds in which everyone starts and submits")
    parser.add_argument("--think", type=float, default=1.0, help="multiplier of the think times")
    parser.add_argument("--max-connections", type=int, default=256, help="client connection limit")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    result = asyncio.run(run(args))
    result["summary"] = summary_text(result)
    print(result["summary"])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1)
    sys.exit(0)


if __name__ == "__main__":
    main()
