"""A real SMTP server on loopback (aiosmtpd) whose answers a test can script.

`rcpt_replies` answers RCPT TO for chosen addresses (e.g. "450 4.2.1 try later",
"550 5.1.1 no such user"); `drop_data` closes the connection mid-DATA for chosen
addresses, a given number of times each; `stall_data` waits that many seconds before
answering DATA (the address is added to `stalled` when the wait begins). Every accepted
message is kept in `messages`, with when it arrived, from which client connection, and
whether over TLS and by whom.

Keyword arguments go to aiosmtpd's `Controller`: `tls_context=` with
`require_starttls=True` for STARTTLS, `ssl_context=` for implicit TLS, and
`authenticator=password_authenticator(...)` with `auth_required=True` for AUTH.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword

from outreach.mail.sink import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    received_at: float = field(default_factory=time.monotonic)
    peer: Any = None  # the client's (host, port): one per SMTP connection
    tls: bool = False
    login: str | None = None

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Script:
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    drop_data: dict[str, int] = field(default_factory=dict)
    stall_data: dict[str, float] = field(default_factory=dict)
    data_replies: dict[str, str] = field(default_factory=dict)


class Handler:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.messages: list[Received] = []
        self.stalled: list[str] = []
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
                assert server.transport is not None  # (aiosmtpd's Session has no transport)
                server.transport.close()
                return "421 closing"
            stall = self.script.stall_data.get(rcpt.lower())
            if stall:
                self.stalled.append(rcpt)
                await asyncio.sleep(stall)
            reply = self.script.data_replies.get(rcpt.lower())
            if reply is not None:
                return reply
        login = session.auth_data.login.decode() \
            if isinstance(session.auth_data, LoginPassword) else None
        with self.lock:
            self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos),
                                          bytes(envelope.original_content or b""),
                                          peer=session.peer,
                                          tls=_over_tls(server),
                                          login=login))
        return "250 Message accepted"


def _over_tls(server: SMTP) -> bool:
    """Whether this session runs over TLS, implicit or after STARTTLS."""
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


def password_authenticator(login: str, password: str) -> Any:
    """An aiosmtpd authenticator that accepts one login and password (PLAIN and LOGIN)."""
    def authenticate(server: SMTP, session: Any, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == login.encode()
              and auth_data.password == password.encode())
        # handled=False: aiosmtpd itself answers a failure (535), as a real server would.
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticate


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
