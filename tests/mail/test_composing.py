"""A backlog's messages written in composing processes (`outreach.mail.composing`).

The claim reads everything a message needs (the letter version current then, the personal
links) and leaves the writing to a `Deferred`; a composing process must write exactly what
the claim would have written, a process that dies must lose nothing, and a message that
cannot be written fails alone, with its reason.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest

from outreach.app import App
from outreach.mail import composing, outbox
from outreach.mail.compose import Deferred
from outreach.mail.composing import Composers, Written
from outreach.mail.models import OutboxStatus
from tests.conftest import NOW
from tests.helpers import Clock, drain, plan_example, rows
from tests.smtpserver import SmtpServer

_BOUNDARY = re.compile(rb"=_[0-9a-f]{32}")


def _same_but_boundary(raw: bytes) -> bytes:
    return _BOUNDARY.sub(b"=_BOUNDARY", raw)


def refuse(reason: str) -> bytes:
    """A message that cannot be written (module level, so a composing process can run it)."""
    raise ValueError(reason)


def _claim_deferred(app: App) -> list[outbox.Claimed]:
    return outbox.claim(app.factory, worker="test", now=NOW, limit=100,
                        lease=timedelta(minutes=5), hooks=app.hooks(), defer=True)


def _write(deferred: Sequence[Deferred], *, kill_first: bool = False) -> list[Written]:
    async def main() -> list[Written]:
        modules = sorted({item.function.__module__ for item in deferred})
        composers = Composers(1, modules)
        try:
            while not composers.ready():
                await asyncio.sleep(0.01)
            if kill_first:
                for worker in list(composers._workers):
                    worker.process.kill()
                    worker.process.join()
            return list(await asyncio.gather(*composers.write(deferred)))
        finally:
            composers.close()
    return asyncio.run(main())


def test_a_composing_process_writes_what_the_claim_would_have_written(app: App) -> None:
    plan_example(app)
    claimed = _claim_deferred(app)
    assert len(claimed) == 21 and all(c.raw == b"" and c.deferred for c in claimed)
    deferred = [c.deferred for c in claimed if c.deferred is not None]

    written = _write(deferred)

    for item, elsewhere in zip(deferred, written, strict=True):
        assert isinstance(elsewhere, bytes)
        assert _same_but_boundary(elsewhere) == _same_but_boundary(item.make())
        message = message_from_bytes(elsewhere)
        assert item.argument.context["sign_url"] in _text(message)  # the personal link


def test_a_message_that_cannot_be_written_fails_alone_with_its_reason(app: App) -> None:
    plan_example(app)
    good = [c.deferred for c in _claim_deferred(app)[:3] if c.deferred is not None]
    bad = Deferred(refuse, "the template is broken")

    written = _write([good[0], bad, good[1], good[2]])

    assert isinstance(written[1], str) and "the template is broken" in written[1]
    assert all(isinstance(w, bytes) for w in (written[0], written[2], written[3]))


def test_what_a_dead_composing_process_owed_comes_back_to_be_written_by_the_sender(
        app: App) -> None:
    plan_example(app)
    deferred = [c.deferred for c in _claim_deferred(app) if c.deferred is not None]

    assert _write(deferred, kill_first=True) == [None] * len(deferred)


def test_a_backlog_goes_out_written_by_a_composing_process_and_each_row_keeps_its_bytes(
        app: App, smtp_server: SmtpServer) -> None:
    queued = plan_example(app)
    app.settings.smtp.in_flight = 4  # every page full: a backlog from the first page on
    app.settings.outbox.compose_processes = 1
    first_page = sorted(rows(app), key=lambda r: (-r.priority, r.not_before, r.id))[:4]
    for row in first_page:  # written in the claim, while the composing process starts
        smtp_server.script.stall_data[row.recipient] = 3.0

    stats = drain(app, Clock(NOW))

    assert (stats.sent, stats.failed) == (queued, 0)
    assert stats.written_elsewhere > 0  # the first page is written in the claim
    sent = {row.message_id: row for row in rows(app)}
    assert {row.status for row in sent.values()} == {OutboxStatus.SENT}
    assert len(smtp_server.messages) == queued
    for received in smtp_server.messages:
        message = received.message
        row = sent[message["Message-ID"]]
        assert row.raw is not None
        assert _text(message_from_bytes(row.raw)) == _text(message)
        assert message["To"].endswith(f"<{row.recipient}>")


def _text(message: Message) -> str:
    parts = [part for part in message.walk() if part.get_content_type() == "text/plain"]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode("utf-8")


def test_pages_larger_than_a_pipe_neither_side_waiting_for_the_other(
        app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pipes of one page each way (a system that cannot widen them): the sender hands over
    page after page without waiting, the process's replies fill their pipe, and still every
    message comes back."""
    monkeypatch.setattr(composing, "PIPE_BYTES", 4096)
    plan_example(app)
    deferred = [c.deferred for c in _claim_deferred(app) if c.deferred is not None]

    async def main() -> list[Written]:
        composers = Composers(1, sorted({item.function.__module__ for item in deferred}))
        try:
            while not composers.ready():
                await asyncio.sleep(0.01)
            pages = [composers.write(deferred) for _ in range(4)]  # ~4 x 21 messages
            return list(await asyncio.wait_for(
                asyncio.gather(*(f for page in pages for f in page)), timeout=60))
        finally:
            composers.close()

    written = asyncio.run(main())
    assert len(written) == 4 * len(deferred) and all(isinstance(w, bytes) for w in written)
