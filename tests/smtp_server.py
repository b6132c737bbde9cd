"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1 (the `smtp` fixture in
conftest.py starts one per test) and a free port to put one, or anything else, on."""

from __future__ import annotations

import email
import email.policy
import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Accepts everything and keeps what it received. `refuse` answers 550 to those
    addresses; `busy[address] = n` answers 451 to the first n attempts; `data_busy_after`
    answers 421 to every message after that many were accepted."""

    def __init__(self):
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()
        self.busy: dict[str, int] = {}
        self.data_busy_after: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if self.busy.get(address, 0) > 0:
            self.busy[address] -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_busy_after is not None and len(self.received) >= self.data_busy_after:
            return "421 4.3.2 Service shutting down"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        return [m["Subject"] for _, m in self.received]

    def to(self) -> list[str]:
        return sorted(a for rcpt, _ in self.received for a in rcpt)
