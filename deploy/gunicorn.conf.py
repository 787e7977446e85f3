"""gunicorn settings for Lentera (``gunicorn -c deploy/gunicorn.conf.py wsgi:app``).

Every value can be overridden by an environment variable (shown next to it)
from /etc/lentera/lentera.env. The app keeps no state in process memory that
another process would need (sessions are signed cookies checked against the
database, throttles and rate limits are database rows, job state is a
database row), so any number of processes on any number of machines can serve
behind the reverse proxy, given the same SECRET_KEY, DATABASE_URL,
LENTERA_REDIS_URL and shared LENTERA_DATA_DIR (see docs/deployment.md).
"""
import multiprocessing
import os

# Where the reverse proxy reaches this machine. One server: 127.0.0.1:8000.
# Several servers: the machine's private address, e.g. 10.0.0.11:8000, and a
# firewall that lets only the proxy in.
bind = os.environ.get("LENTERA_BIND", "127.0.0.1:8000")

# Sync workers: one request at a time each; 2 × cores + 1 is gunicorn's rule of thumb.
workers = int(os.environ.get("LENTERA_WEB_WORKERS", str(multiprocessing.cpu_count() * 2 + 1)))
worker_class = "sync"

# Requests that take long (large exports, bulk certificates) run as background
# jobs, so a request never needs more than this. Streamed exports below
# LENTERA_EXPORT_JOB_THRESHOLD rows finish well within it.
timeout = int(os.environ.get("LENTERA_WEB_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("LENTERA_WEB_GRACEFUL_TIMEOUT", "60"))
keepalive = 5

# Recycle workers now and then (slow leaks in libraries); jitter avoids all at once.
# Without Redis, in-process jobs of a recycled worker are waited for up to
# graceful_timeout; a job cut off is marked failed by `flask jobs purge`.
max_requests = int(os.environ.get("LENTERA_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# No preload: each worker opens its own database pool and job thread pool after the fork.
preload_app = False

# The app reads the client address and scheme from X-Forwarded-* through
# Werkzeug's ProxyFix (LENTERA_PROXY_COUNT=1); gunicorn itself trusts only the
# proxy's address for its own scheme detection.
forwarded_allow_ips = os.environ.get("LENTERA_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Logs to stdout/stderr: journald keeps them (journalctl -u lentera-web).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LENTERA_LOG_LEVEL", "info").lower()
# No client address or query string in the access log line beyond what nginx logs already.
access_log_format = '%(t)s "%(r)s" %(s)s %(B)s %(M)sms'

# Large uploads are refused by nginx first (client_max_body_size), then by Flask (MAX_CONTENT_LENGTH).
limit_request_line = 8190


def worker_exit(server, worker):
    """Let in-process background jobs of this worker finish (only used without Redis)."""
    try:
        from app.jobs.services import wait_for_local_jobs

        wait_for_local_jobs(timeout=graceful_timeout)
    except Exception:  # never block a shutdown on this
        pass
