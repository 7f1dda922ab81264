"""Helpers shared by tests that run the example campaign."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.importer import import_csv
from outreach.campaign.models import Target
from outreach.db.session import transaction
from outreach.mail.compose import Draft, mailbox, to_bytes
from outreach.mail.models import OutboxMessage
from outreach.mail.outbox import enqueue
from outreach.mail.sender import DrainStats, OutboxSender
from outreach.people.models import Contact
from outreach.tasks.models import Task
from tests.conftest import NOW
from tests.smtpserver import SmtpServer


def load_example(app: App) -> None:
    """Import the example campaign's 23 organizations."""
    config = app.campaign("clean-water")
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, NOW)
        report = import_csv(session, config.source.parent.parent / "targets" / "clean-water.csv",
                            now=NOW, campaign=campaign)
    assert report.errors == []


def send_due(app: App, now: datetime = NOW) -> DrainStats:
    """Send everything due at `now` through the real SMTP server."""
    sender = OutboxSender(app.factory, app.settings, app.hooks(), clock=lambda: now)
    return asyncio.run(sender.run(until="idle"))


def open_send_window(campaign_dir: Path) -> None:
    """Let the example campaign send at any hour on any day, every wave at once.

    For tests that run the daemon on the real clock, whatever day it is.
    """
    path = campaign_dir / "campaigns" / "clean-water.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in [('days = ["mon", "tue", "wed", "thu"]',
                      'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]'),
                     ("start = 09:00:00", "start = 00:00:00"),
                     ("end = 16:30:00", "end = 23:59:59"),
                     ("opens = 2026-12-01\n", "")]:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


# --- For the outbox sender's tests -------------------------------------------------------


@dataclass
class Clock:
    """The sender's clock: tests move it instead of sleeping."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def plan_example(app: App) -> int:
    """Load the example and queue its asks at NOW; returns how many were queued (21)."""
    load_example(app)
    queued = jobs.plan(app, NOW).plans["clean-water"].queued
    assert queued == 21
    return queued


def enqueue_raw(app: App, recipients: Iterable[str], *, now: datetime = NOW,
                **kwargs: Any) -> list[int]:
    """Outbox rows whose message is composed up front (no composer, no failure hook)."""
    ids = []
    with transaction(app.factory) as session:
        for recipient in recipients:
            row = enqueue(session, kind="note", recipient=recipient, now=now,
                          message_id_domain="test.example", **kwargs)
            row.raw = to_bytes(Draft(
                sender=mailbox("Outreach", "outreach@test.example"),
                to=mailbox("", recipient), subject=f"Note for {recipient}",
                text="Hello.\n", message_id=row.message_id, date=now,
            ).build())
            session.flush()
            ids.append(row.id)
    return ids


def sender(app: App, clock: Clock | None = None, **kwargs: Any) -> OutboxSender:
    return OutboxSender(app.factory, app.settings, app.hooks(), clock=clock or Clock(),
                        **kwargs)


def drain(app: App, clock: Clock | None = None, **kwargs: Any) -> DrainStats:
    """Send everything due at `clock`'s time, then return (a fresh sender each call)."""
    return asyncio.run(sender(app, clock, **kwargs).run(until="idle"))


def rows(app: App) -> list[OutboxMessage]:
    with transaction(app.factory) as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def row_for(app: App, recipient: str) -> OutboxMessage:
    (row,) = [r for r in rows(app) if r.recipient == recipient]
    return row


def target_of(app: App, email: str) -> tuple[Target, Contact, list[Task]]:
    """The target asked through `email`, its contact, and the tasks opened about it."""
    with transaction(app.factory) as session:
        contact = session.scalars(select(Contact).where(Contact.email == email)).one()
        target = session.scalars(select(Target).where(Target.contact_id == contact.id)).one()
        tasks = list(session.scalars(select(Task).where(Task.target_id == target.id)))
        return target, contact, tasks


def received(server: SmtpServer) -> Counter[str]:
    """How many messages the server accepted for each recipient."""
    return Counter(rcpt for message in list(server.messages) for rcpt in message.rcpt_tos)


REPO = Path(__file__).resolve().parents[1]


def bench_module(name: str) -> ModuleType:
    """One of the scripts in bench/, loaded as a module (the tests assert its figures)."""
    spec = importlib.util.spec_from_file_location(f"outreach_bench_{name}",
                                                  REPO / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
