"""Application log: UTC timestamps, who did what, no secrets, no forged lines.

ASVS 5.0 V16 (security logging). Every record of the ``lentera`` loggers is
written as one line::

    2026-11-29T06:05:00Z INFO lentera.auth user=12 ip=10.0.0.5 POST /masuk: sign-in user=12

- Time is UTC (``time.gmtime``), ISO 8601 with ``Z``.
- ``user`` and ``ip`` come from the current request (``-`` outside one).
- CR, LF and other control characters in the message (user input passed as
  arguments included) are written as ``\\r``, ``\\n``, ``\\xNN``, so input
  cannot start a line of its own; traceback lines are indented with ``| ``.
- ``password=…``, ``token=…``, ``csrf_token=…`` and ``session=…`` pairs are
  masked, and reset-link tokens in paths are replaced by ``***``.

Settings: ``LENTERA_LOG_LEVEL`` (default ``INFO``).
"""
from __future__ import annotations

import logging
import re
import sys
import time

from flask import Flask, g, has_request_context, request

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]")
_SECRET_PAIR = re.compile(r"(?i)\b(password|passwd|token|csrf_token|session|secret|authorization)=([^\s&;,]+)")
_SECRET_ARGS = {"token"}  # view arguments never written to the log
HANDLER_NAME = "lentera-handler"


def escape_control(text: str) -> str:
    """``text`` with CR, LF, tabs and other control characters written as escapes."""

    def repl(match: re.Match) -> str:
        ch = match.group(0)
        return {"\r": "\\r", "\n": "\\n", "\t": "\\t"}.get(ch, f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")

    return _CONTROL.sub(repl, text)


def mask_secrets(text: str) -> str:
    """``password=…``-style pairs with their value replaced by ``***``."""
    return _SECRET_PAIR.sub(lambda m: f"{m.group(1)}=***", text)


def safe_path() -> str:
    """The request path with secret view arguments (reset tokens) replaced by ``***``."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in _SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, "***")
    return path


class RequestContextFilter(logging.Filter):
    """Adds ``user``, ``ip``, ``method`` and ``path`` of the current request to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.user = "-"
        record.ip = record.method = record.path = "-"
        if has_request_context():
            user = g.get("_login_user")
            if user is not None and getattr(user, "is_authenticated", False):
                record.user = str(user.get_id())
            record.ip = request.remote_addr or "-"
            record.method = request.method
            try:
                record.path = safe_path()
            except RuntimeError:
                record.path = "-"
        return True


class SafeFormatter(logging.Formatter):
    """One line per record, UTC, control characters escaped and secrets masked."""

    converter = time.gmtime

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s user=%(user)s ip=%(ip)s %(method)s %(path)s: %(message)s",
                         datefmt="%Y-%m-%dT%H:%M:%SZ")

    def formatMessage(self, record: logging.LogRecord) -> str:
        for name in ("user", "ip", "method", "path"):
            setattr(record, name, escape_control(str(getattr(record, name, "-"))))
        record.message = mask_secrets(escape_control(record.message))
        return super().formatMessage(record)

    def formatException(self, ei) -> str:
        text = super().formatException(ei)
        return "\n".join("  | " + escape_control(line) for line in text.splitlines())

    def formatStack(self, stack_info: str) -> str:
        return "\n".join("  | " + escape_control(line) for line in stack_info.splitlines())


def make_handler(stream=None) -> logging.Handler:
    """A stream handler (stderr by default) with the filter and formatter above."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(SafeFormatter())
    return handler


def init_app(app: Flask) -> None:
    """Attach the safe handler to the ``lentera`` logger (once) and log every request's outcome."""
    logger = logging.getLogger("lentera")
    logger.setLevel(app.config.get("LENTERA_LOG_LEVEL", "INFO"))
    if not any(h.get_name() == HANDLER_NAME for h in logger.handlers):
        logger.addHandler(make_handler())
    access = logging.getLogger("lentera.request")

    @app.after_request
    def log_request(response):
        if request.endpoint != "static":
            access.info("status=%s", response.status_code)
        return response
