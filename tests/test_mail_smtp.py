"""Mail over a real SMTP conversation (aiosmtpd on 127.0.0.1), not the development outbox."""
from __future__ import annotations

import re
import socket

import pytest

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
from aiosmtpd.handlers import Message  # noqa: E402


class Collector(Message):
    """Keeps every received message (email.message.Message) in ``received``."""

    def __init__(self):
        super().__init__()
        self.received = []

    def handle_message(self, message):
        self.received.append(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def smtp_server(app):
    handler = Collector()
    port = _free_port()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(LENTERA_SMTP_HOST="127.0.0.1", LENTERA_SMTP_PORT=port, LENTERA_SMTP_STARTTLS=False,
                      LENTERA_SMTP_TIMEOUT=5, LENTERA_MAIL_FROM="Lentera <no-reply@lentera.example.go.id>")
    yield handler
    controller.stop()


def test_reset_mail_goes_through_smtp_and_its_link_works(app, client, smtp_server, make_user):
    user = make_user()
    response = client.post("/lupa-sandi", data={"email": user.email}, follow_redirects=True)
    assert response.status_code == 200
    [message] = smtp_server.received
    assert message["To"] == user.email
    assert message["From"] == "Lentera <no-reply@lentera.example.go.id>"
    assert message["X-RcptTo"] == user.email  # the envelope recipient, not only the header
    body = message.get_payload(decode=True).decode("utf-8")
    path = re.search(r"https?://[^/\s]+(/atur-ulang-sandi/[A-Za-z0-9_\-]+)", body).group(1)
    reset = client.post(path, data={"password": "kata-sandi-baru-2026", "password_confirm": "kata-sandi-baru-2026"},
                        follow_redirects=True)
    assert reset.status_code == 200
    login = client.post("/masuk", data={"email": user.email, "password": "kata-sandi-baru-2026"})
    assert login.status_code == 302


def test_unreachable_smtp_keeps_the_answer_generic_and_logs_no_secret(app, client, make_user, caplog):
    app.config.update(LENTERA_SMTP_HOST="127.0.0.1", LENTERA_SMTP_PORT=_free_port(), LENTERA_SMTP_STARTTLS=False,
                      LENTERA_SMTP_TIMEOUT=2)
    user = make_user()
    caplog.set_level("INFO")
    response = client.post("/lupa-sandi", data={"email": user.email}, follow_redirects=True)
    # Same answer as for an unknown address: a failed send must not reveal that the account exists.
    assert response.status_code == 200
    assert "Jika email tersebut terdaftar" in response.get_data(as_text=True)
    assert "reset mail not sent" in caplog.text
    assert "atur-ulang-sandi/" not in caplog.text
