"""A real SMTP server on loopback (aiosmtpd) whose answers a test can script.

`rcpt_replies` answers RCPT TO for chosen addresses (e.g. "450 4.2.1 try later",
"550 5.1.1 no such user"); `drop_data` closes the connection mid-DATA for chosen
addresses, a given number of times each. Every accepted message is kept in `messages`.
"""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope

from outreach.mail.sink import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Script:
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    drop_data: dict[str, int] = field(default_factory=dict)


class Handler:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.messages: list[Received] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: SMTP, session: Any, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        reply = self.script.rcpt_replies.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Envelope) -> str:
        for rcpt in envelope.rcpt_tos:
            left = self.script.drop_data.get(rcpt.lower(), 0)
            if left > 0:
                self.script.drop_data[rcpt.lower()] = left - 1
                assert session.transport is not None
                session.transport.close()
                return "421 closing"
        with self.lock:
            self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos),
                                          bytes(envelope.original_content or b"")))
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, **controller_kwargs: Any) -> None:
        self.script = Script()
        self.handler = Handler(self.script)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **controller_kwargs)

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
