"""Sending a few messages at once, outside the outbox, over one SMTP session: for test mail
an organizer waits for at the terminal.

Nothing is recorded and nothing retried: the point is to see now whether the mail and the
SMTP settings work, so a failure is reported at once, as the relay worded it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from outreach.errors import OutreachError
from outreach.mail.dkim import dkim_signer
from outreach.mail.sender import Connection, classify
from outreach.settings import Settings


async def _send(settings: Settings, recipient: str, messages: Sequence[bytes],
                sent: list[int]) -> None:
    connection = Connection(settings.smtp, settings.smtp_password)
    try:
        for raw in messages:
            await connection.send(settings.sender.address, recipient, raw)
            sent.append(len(raw))
    finally:
        await connection.close()


def send_now(settings: Settings, recipient: str, messages: Sequence[bytes]) -> None:
    """Send `messages` to `recipient` through the configured SMTP server, now, DKIM-signed
    as the daemon signs them."""
    signer = dkim_signer(settings)
    if signer is not None:
        messages = [signer.sign(raw, f"test message {number} to {recipient}")
                    for number, raw in enumerate(messages, 1)]
    sent: list[int] = []
    try:
        asyncio.run(_send(settings, recipient, messages, sent))
    except Exception as exc:  # every SMTP or network failure is reported the same way
        smtp = settings.smtp
        raise OutreachError(f"sending to {recipient} through {smtp.host}:{smtp.port} failed "
                            f"after {len(sent)} of {len(messages)} message(s): "
                            f"{classify(exc)}") from None
