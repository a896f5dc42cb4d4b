"""A real SMTP server on loopback (aiosmtpd), for the tests of the e-mails: started on a
free port, every message it receives kept, parsed, stopped after."""

from __future__ import annotations

import email
import socket
import threading
from email.message import EmailMessage
from email.policy import default


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """aiosmtpd's handler: keeps each message as received, with its envelope."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=default)
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), parsed))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        return list(self.recorder.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for rcpt, message in self.messages if address in rcpt]
