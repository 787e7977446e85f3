#!/usr/bin/env bash
# Install or update Lentera on one machine (Debian/Ubuntu with systemd), run as root from the code
# folder (default /opt/lentera). Safe to run again after every code update.
#
#   deploy/install.sh [--role web|worker|all] [--workers N] [--migrate] [--maintenance] [--dry-run]
#
#   --role         web: gunicorn (lentera-web); worker: RQ workers (lentera-worker@1..N); all: both (default)
#   --workers N    RQ workers on this machine (default 2; only with LENTERA_REDIS_URL set)
#   --migrate      apply database migrations and seed the OPD list: on ONE machine per update, first
#   --maintenance  enable the daily housekeeping timer (on ONE machine; implied by --migrate)
#   --dry-run      print the commands instead of running them
#
# Before the first run: copy deploy/lentera.env.example to /etc/lentera/lentera.env and fill it in;
# mount the shared LENTERA_DATA_DIR (NFS) at the same path on every machine. See docs/deployment.md.
set -euo pipefail

APP_DIR="$(cd "$(dirname "$0")/.." && pwd)"
ENV_FILE=/etc/lentera/lentera.env
APP_USER=lentera
ROLE=all
WORKERS=2
MIGRATE=0
MAINTENANCE=0
DRY_RUN=0

while [ $# -gt 0 ]; do
  case "$1" in
    --role) ROLE="$2"; shift 2 ;;
    --workers) WORKERS="$2"; shift 2 ;;
    --migrate) MIGRATE=1; MAINTENANCE=1; shift ;;
    --maintenance) MAINTENANCE=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "Pilihan tidak dikenal: $1" >&2; exit 2 ;;
  esac
done
case "$ROLE" in web|worker|all) ;; *) echo "--role harus web, worker atau all" >&2; exit 2 ;; esac
case "$WORKERS" in ''|*[!0-9]*) echo "--workers harus bilangan" >&2; exit 2 ;; esac

run() {
  if [ "$DRY_RUN" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}

# A value from the env file (systemd EnvironmentFile syntax: KEY=value, optional quotes).
setting() {
  [ -f "$ENV_FILE" ] || return 0
  sed -n "s/^[[:space:]]*$1=//p" "$ENV_FILE" | tail -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

# Run a command as the app user with exactly the environment the services get.
as_app() {
  run systemd-run --quiet --wait --pipe --collect --uid="$APP_USER" --gid="$APP_USER" \
    --property=EnvironmentFile="$ENV_FILE" --working-directory="$APP_DIR" "$@"
}

if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "Jalankan sebagai root (sudo deploy/install.sh ...)." >&2; exit 1
fi
if [ ! -f "$ENV_FILE" ]; then
  if [ "$DRY_RUN" = 1 ]; then
    echo "(dry run: $ENV_FILE belum ada; nilai bawaan dipakai)"
  else
    install -d -m 0750 /etc/lentera
    install -m 0640 "$APP_DIR/deploy/lentera.env.example" "$ENV_FILE"
    echo "Dibuat $ENV_FILE dari contoh. Isi semua nilai GANTI, lalu jalankan skrip ini lagi." >&2
    exit 1
  fi
fi
if [ "$DRY_RUN" = 0 ] && grep -q 'GANTI' "$ENV_FILE"; then
  echo "$ENV_FILE masih memuat nilai GANTI; isi dulu semuanya." >&2; exit 1
fi

DATA_DIR="$(setting LENTERA_DATA_DIR)"; DATA_DIR="${DATA_DIR:-/srv/lentera-data}"
INSTANCE_DIR="$(setting LENTERA_INSTANCE_DIR)"; INSTANCE_DIR="${INSTANCE_DIR:-/var/lib/lentera}"
REDIS_URL="$(setting LENTERA_REDIS_URL)"
BIND="$(setting LENTERA_BIND)"; BIND="${BIND:-127.0.0.1:8000}"

echo "== Pengguna sistem dan folder"
if ! id "$APP_USER" >/dev/null 2>&1; then
  run useradd --system --home-dir "$INSTANCE_DIR" --shell /usr/sbin/nologin "$APP_USER"
fi
run chgrp "$APP_USER" "$ENV_FILE"
run chmod 0640 "$ENV_FILE"
run install -d -o "$APP_USER" -g "$APP_USER" -m 0750 "$INSTANCE_DIR"
# On NFS the folder exists already (mounted); make sure the app user owns it.
run install -d -o "$APP_USER" -g "$APP_USER" -m 0750 "$DATA_DIR"

echo "== Paket Python (.venv)"
if [ ! -x "$APP_DIR/.venv/bin/python" ]; then
  run python3 -m venv "$APP_DIR/.venv"
fi
run "$APP_DIR/.venv/bin/python" -m pip install --quiet --upgrade pip
run "$APP_DIR/.venv/bin/python" -m pip install --quiet -r "$APP_DIR/requirements.txt"
run "$APP_DIR/.venv/bin/python" -c "import sys; sys.path.insert(0, '$APP_DIR'); from app.common.i18n import compile_catalogues; compile_catalogues()"

echo "== Pemeriksaan penyimpanan bersama ($DATA_DIR)"
# Certificates are written to a temporary file and renamed into place: the rename must be
# atomic on this path (true on one local or NFS file system; not across two mounts).
as_app "$APP_DIR/.venv/bin/python" -c "
import os, secrets, sys
d = sys.argv[1]
tmp, final = os.path.join(d, '.periksa-%s.tmp' % secrets.token_hex(4)), os.path.join(d, '.periksa-rename')
with open(tmp, 'wb') as f:
    f.write(b'ok'); f.flush(); os.fsync(f.fileno())
os.replace(tmp, final)
assert open(final, 'rb').read() == b'ok'
os.unlink(final)
print('LENTERA_DATA_DIR dapat ditulis dan rename atomik berfungsi.')
" "$DATA_DIR"

if [ "$MIGRATE" = 1 ]; then
  echo "== Migrasi basis data (sekali per pembaruan, di satu mesin)"
  as_app "$APP_DIR/.venv/bin/flask" db upgrade
  as_app "$APP_DIR/.venv/bin/flask" opd seed
fi

echo "== Layanan systemd"
for unit in lentera-web.service lentera-worker@.service lentera-maintenance.service lentera-maintenance.timer; do
  run install -m 0644 "$APP_DIR/deploy/systemd/$unit" "/etc/systemd/system/$unit"
done
# The units name /opt/lentera and /srv/lentera-data; adapt them when this install lives elsewhere.
if [ "$APP_DIR" != /opt/lentera ] || [ "$DATA_DIR" != /srv/lentera-data ] || [ "$INSTANCE_DIR" != /var/lib/lentera ]; then
  for unit in lentera-web.service lentera-worker@.service lentera-maintenance.service; do
    run sed -i -e "s#/opt/lentera#$APP_DIR#g" -e "s#/srv/lentera-data#$DATA_DIR#g" \
      -e "s#/var/lib/lentera#$INSTANCE_DIR#g" "/etc/systemd/system/$unit"
  done
fi
run systemctl daemon-reload

if [ "$ROLE" = web ] || [ "$ROLE" = all ]; then
  run systemctl enable lentera-web.service
  run systemctl restart lentera-web.service
fi
if [ "$ROLE" = worker ] || [ "$ROLE" = all ]; then
  if [ -n "$REDIS_URL" ]; then
    for n in $(seq 1 "$WORKERS"); do
      run systemctl enable "lentera-worker@$n.service"
      run systemctl restart "lentera-worker@$n.service"
    done
  else
    echo "LENTERA_REDIS_URL kosong: tidak ada pekerja RQ; tugas berjalan di dalam proses web."
  fi
fi
if [ "$MAINTENANCE" = 1 ]; then
  run systemctl enable --now lentera-maintenance.timer
fi

if [ "$ROLE" != worker ] && [ "$DRY_RUN" = 0 ]; then
  echo "== Pemeriksaan: http://$BIND/"
  for _ in $(seq 1 20); do
    if curl -fsS -o /dev/null "http://$BIND/"; then echo "Lentera menjawab di $BIND."; exit 0; fi
    sleep 1
  done
  echo "Lentera belum menjawab di $BIND: lihat journalctl -u lentera-web" >&2
  exit 1
fi
