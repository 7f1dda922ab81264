"""Helpers shared by tests that run the example campaign."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from outreach.app import App
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.importer import import_csv
from outreach.db.session import transaction
from outreach.mail.sender import DrainStats, OutboxSender
from tests.conftest import NOW


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
