"""Header check for scripts/scan.sh: fetch pages of a running Lentera and verify security headers.

Usage: python scripts/check_headers.py BASE_URL [SESSION_COOKIE]
Exits 1 and lists every missing or weak header. Only 127.0.0.1/localhost are accepted.
"""
from __future__ import annotations

import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit

PUBLIC = ["/", "/masuk", "/daftar", "/lupa-sandi", "/verify", "/tidak-ada"]
SIGNED_IN = ["/saya", "/akun/keamanan", "/admin"]
CSP_REQUIRED = ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, cookie: str | None):
    request = urllib.request.Request(url, headers={"Cookie": f"session={cookie}"} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        response = opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:  # 3xx/4xx still carry headers
        response = error
    return response.status if hasattr(response, "status") else response.code, response.headers


def check(path: str, status: int, headers, signed_in: bool) -> list[str]:
    problems = []
    csp = headers.get("Content-Security-Policy", "")
    for directive in CSP_REQUIRED:
        if directive not in csp:
            problems.append(f"{path}: CSP lacks {directive!r}")
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{path}: CSP allows unsafe-inline/unsafe-eval")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{path}: X-Content-Type-Options is not nosniff")
    if not headers.get("Referrer-Policy"):
        problems.append(f"{path}: no Referrer-Policy")
    server = headers.get("Server", "")
    if any(ch.isdigit() for ch in server) and "Werkzeug" not in server:
        problems.append(f"{path}: Server header reveals a version: {server}")
    if signed_in and status == 200 and "no-store" not in headers.get("Cache-Control", ""):
        problems.append(f"{path}: signed-in page without Cache-Control: no-store")
    for cookie in headers.get_all("Set-Cookie") or []:
        lowered = cookie.lower()
        if "httponly" not in lowered or "samesite=lax" not in lowered:
            problems.append(f"{path}: cookie without HttpOnly/SameSite=Lax: {cookie.split(';')[0][:20]}…")
    if status >= 500:
        problems.append(f"{path}: status {status}")
    return problems


def main(argv: list[str]) -> int:
    base = argv[1].rstrip("/")
    if urlsplit(base).hostname not in {"127.0.0.1", "localhost"}:
        print("Only a local instance (127.0.0.1) may be scanned.", file=sys.stderr)
        return 2
    cookie = argv[2] if len(argv) > 2 else None
    problems = []
    for path in PUBLIC:
        status, headers = fetch(base + path, None)
        problems += check(path, status, headers, signed_in=False)
        print(f"  {status} {path}")
    for path in SIGNED_IN if cookie else []:
        status, headers = fetch(base + path, cookie)
        problems += check(path, status, headers, signed_in=True)
        print(f"  {status} {path} (masuk)")
    for problem in problems:
        print("MASALAH:", problem)
    print("Header: OK" if not problems else f"Header: {len(problems)} masalah")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
