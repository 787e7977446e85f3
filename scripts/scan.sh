#!/usr/bin/env bash
# Security scan of a throw-away local Lentera: header check, sqlmap, Hypothesis form fuzz.
#
# Starts gunicorn on 127.0.0.1 only, with its own empty database and data folder
# in a temporary directory (your instance/ is not touched), then runs:
#   1. scripts/check_headers.py: CSP, nosniff, Referrer-Policy, cookie flags, no-store;
#   2. sqlmap (pip package, scripts/requirements-scan.txt) against the sign-in form,
#      the password-reset form and the admin learner search (?q=), with CSRF tokens;
#   3. tests/test_fuzz_forms.py with more examples (LENTERA_FUZZ_EXAMPLES, default 50).
# Exit status 0 only when every step is clean. Usage: scripts/scan.sh [PORT]
# (SCAN_LEVEL=1..5 sets sqlmap's --level; LENTERA_FUZZ_EXAMPLES the fuzz examples per form.)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PORT="${1:-5087}"
BASE="http://127.0.0.1:${PORT}"
PY="$ROOT/.venv/bin/python"
WORK="$(mktemp -d /tmp/lentera-scan.XXXXXX)"
SERVER_PID=""
FAILED=0

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cd "$ROOT"
if ! "$PY" -c "import sqlmap" 2>/dev/null && [[ ! -x "$ROOT/.venv/bin/sqlmap" ]]; then
  echo "== Memasang sqlmap (scripts/requirements-scan.txt)"
  "$ROOT/.venv/bin/pip" install --quiet -r scripts/requirements-scan.txt
fi

export FLASK_APP=app
export LENTERA_ENV=production
export LENTERA_INSTANCE_DIR="$WORK/instance"
export DATABASE_URL="sqlite:///$WORK/instance/scan.db"
export LENTERA_DATA_DIR="$WORK/instance/data"
export LENTERA_MAIL_OUTBOX="$WORK/outbox"
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_hex(32))')"
export LENTERA_SECURE_COOKIES=0          # plain HTTP on 127.0.0.1: cookies must still be sent
export LENTERA_LOGIN_MAX_FAILURES=100000 # let sqlmap reach the query instead of the throttle
export LENTERA_LOGIN_MAX_FAILURES_ADDRESS=100000
ADMIN_EMAIL="admin.scan@lentera.invalid"
export LENTERA_USER_PASSWORD="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')"

echo "== Menyiapkan basis data sementara di $WORK"
mkdir -p "$WORK/instance"
.venv/bin/flask db upgrade >/dev/null
.venv/bin/flask opd seed >/dev/null
.venv/bin/flask courses import courses/ >/dev/null || true
.venv/bin/flask users create --email "$ADMIN_EMAIL" --name "Admin Pemindai" --role admin >/dev/null

echo "== Menjalankan Lentera di $BASE"
.venv/bin/gunicorn --bind "127.0.0.1:${PORT}" --workers 2 --log-level warning wsgi:app 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 50); do
  curl -fsS -o /dev/null "$BASE/masuk" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "$BASE/masuk"

echo "== Masuk sebagai admin untuk halaman yang perlu sesi"
JAR="$WORK/cookies.txt"
TOKEN="$(curl -fsS -c "$JAR" "$BASE/masuk" | sed -n 's/.*name="csrf_token" type="hidden" value="\([^"]*\)".*/\1/p' | head -1)"
curl -fsS -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "csrf_token=$TOKEN" \
  --data-urlencode "email=$ADMIN_EMAIL" --data-urlencode "password=$LENTERA_USER_PASSWORD" "$BASE/masuk"
SESSION="$(awk '$6 == "session" {print $7}' "$JAR" | tail -1)"
[[ -n "$SESSION" ]] || { echo "Gagal masuk sebagai admin"; exit 1; }

echo "== 1. Pemeriksaan header"
"$PY" scripts/check_headers.py "$BASE" "$SESSION" || FAILED=1

SQLMAP=("$PY" -m sqlmap)
[[ -x "$ROOT/.venv/bin/sqlmap" ]] && SQLMAP=("$ROOT/.venv/bin/sqlmap")
run_sqlmap() {
  local name="$1"; shift
  local log="$WORK/sqlmap-$name.log"
  echo "-- sqlmap: $name"
  # The scan instance runs on SQLite, so only SQLite payloads are needed (--dbms);
  # SCAN_LEVEL=2..5 widens the search (much slower: every sign-in costs an argon2 check).
  "${SQLMAP[@]}" --batch --flush-session --disable-coloring --dbms=SQLite --level="${SCAN_LEVEL:-1}" --risk=1 \
    --output-dir="$WORK/sqlmap" "$@" >"$log" 2>&1 || true
  if grep -Eiq "is vulnerable|appears to be .*injectable|sqlmap identified the following injection" "$log"; then
    echo "MASALAH: sqlmap menemukan titik injeksi ($name):"; grep -Ei "injectable|Parameter:" "$log" | head -20
    FAILED=1
  elif grep -q "do not appear to be injectable" "$log"; then
    echo "   bersih: semua parameter yang diuji tidak dapat diinjeksi"
  else
    echo "MASALAH: sqlmap tidak selesai dengan wajar ($name); lihat log:"; tail -20 "$log"
    FAILED=1
  fi
}

echo "== 2. sqlmap (hanya $BASE)"
run_sqlmap masuk -u "$BASE/masuk" --data "email=a%40b.id&password=x&csrf_token=t" -p "email,password" \
  --csrf-token=csrf_token --csrf-url="$BASE/masuk"
run_sqlmap lupa-sandi -u "$BASE/lupa-sandi" --data "email=a%40b.id&csrf_token=t" -p email \
  --csrf-token=csrf_token --csrf-url="$BASE/lupa-sandi"
run_sqlmap cari-peserta -u "$BASE/admin/peserta?q=budi&peran=learner" -p "q,peran" \
  --cookie="session=$SESSION" --drop-set-cookie

echo "== 3. Fuzz formulir (Hypothesis)"
LENTERA_FUZZ_EXAMPLES="${LENTERA_FUZZ_EXAMPLES:-50}" "$PY" -m pytest -q -p no:cacheprovider tests/test_fuzz_forms.py || FAILED=1

if grep -q " ERROR " "$WORK/server.log"; then
  echo "MASALAH: server mencatat galat selama pemindaian:"; grep -A3 " ERROR " "$WORK/server.log" | head -40
  FAILED=1
fi
if [[ "$FAILED" -ne 0 ]]; then
  echo "== Pemindaian selesai: ADA MASALAH (lihat di atas)"
  exit 1
fi
echo "== Pemindaian selesai: bersih"
