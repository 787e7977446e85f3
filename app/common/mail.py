"""Outgoing mail: SMTP in production, an outbox folder in development.

``send_mail(to, subject, body)`` sends a plain-text UTF-8 message. With
``LENTERA_SMTP_HOST`` set it goes through SMTP (``LENTERA_SMTP_PORT``,
STARTTLS unless ``LENTERA_SMTP_STARTTLS`` is off, login when
``LENTERA_SMTP_USERNAME`` is set). Without it the message is written as an
``.eml`` file to ``LENTERA_MAIL_OUTBOX`` (default ``<instance>/outbox``) so a
developer can open the link; the log records only that a mail was written,
never its body (reset links are secrets).
"""
from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger("lentera.mail")


class MailError(RuntimeError):
    """The message could not be handed to the SMTP server."""


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    """A plain-text message from ``LENTERA_MAIL_FROM``; header injection is refused by ``email``."""
    message = EmailMessage()
    message["From"] = current_app.config["LENTERA_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="lentera.invalid")
    message.set_content(body, cte="8bit")  # links stay readable and unbroken (lines < 998)
    return message


def outbox_dir() -> Path:
    """Folder of development mail files."""
    return Path(current_app.config.get("LENTERA_MAIL_OUTBOX") or Path(current_app.instance_path) / "outbox")


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one message; raises :class:`MailError` when SMTP refuses or cannot be reached."""
    message = build_message(to, subject, body)
    config = current_app.config
    if config.get("LENTERA_SMTP_HOST"):
        try:
            with smtplib.SMTP(config["LENTERA_SMTP_HOST"], config["LENTERA_SMTP_PORT"],
                              timeout=config["LENTERA_SMTP_TIMEOUT"]) as smtp:
                if config.get("LENTERA_SMTP_STARTTLS"):
                    smtp.starttls()
                if config.get("LENTERA_SMTP_USERNAME"):
                    smtp.login(config["LENTERA_SMTP_USERNAME"], config.get("LENTERA_SMTP_PASSWORD") or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            log.error("mail to SMTP failed: %s", type(error).__name__)
            raise MailError("Email tidak dapat dikirim.") from error
        log.info("mail sent via SMTP subject=%r", subject)
        return
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}.eml"
    path.write_bytes(bytes(message))
    log.info("mail written to outbox file=%s subject=%r", path.name, subject)
