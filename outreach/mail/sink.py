"""A local SMTP server that files every message it accepts into a Maildir.

For the demo and for trying a campaign without a real mail server: nothing leaves the
machine. Built on aiosmtpd, listening on loopback only.
"""

from __future__ import annotations

import mailbox
import socket
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope


def free_port() -> int:
    """A loopback port nobody listens on now (aiosmtpd cannot be given port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MaildirHandler:
    def __init__(self, path: Path) -> None:
        self.maildir = mailbox.Maildir(path, create=True)
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        headers = (f"Return-Path: <{envelope.mail_from}>\r\n"
                   f"X-Original-To: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        self.maildir.add(headers + content)
        self.count += 1
        return "250 Message accepted for delivery"


class MaildirSink:
    """`with MaildirSink(path) as sink:` serves SMTP on 127.0.0.1:`sink.port`."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.handler = MaildirHandler(path)
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MaildirSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
