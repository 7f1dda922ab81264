"""The send window is the campaign's window when mail goes out, not when it was queued; mail
that waits says why and until when. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from outreach.app import App, open_app
from outreach.campaign import jobs
from outreach.campaign.windows import next_mail
from outreach.daemon import Daemon
from outreach.db.session import transaction
from outreach.mail import outbox
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.sendwindow import SendWindow
from tests.conftest import make_settings
from tests.helpers import Clock, drain, enqueue_raw, load_example, received, row_for, rows
from tests.smtpserver import SmtpServer

# The example window is Mon-Thu 09:00-16:30 in Los Angeles (UTC-8 in December).
SATURDAY = datetime(2026, 12, 12, 18, 0, tzinfo=UTC)  # Saturday 10:00
MONDAY_9 = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)
TUESDAY_9 = datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
WAITS = ("outside the send window: Mon\u2013Thu 9\u201316:30 America/Los_Angeles; "
         "next at Mon 09:00")
EXAMPLE_DAYS = 'days = ["mon", "tue", "wed", "thu"]'


def set_window_days(campaign_dir: Path, days: str) -> None:
    path = campaign_dir / "campaigns" / "clean-water.toml"
    text = path.read_text(encoding="utf-8")
    assert EXAMPLE_DAYS in text
    path.write_text(text.replace(EXAMPLE_DAYS, f"days = {days}"), encoding="utf-8")


Restart = Callable[[], App]


@pytest.fixture
def restart(campaign_dir: Path, database_url: str,
            smtp_server: SmtpServer) -> Iterator[Restart]:
    """Open the app again, as a restarted daemon does, after the campaign file changed."""
    opened: list[App] = []

    def reopen() -> App:
        opened.append(open_app(make_settings(campaign_dir, database_url, smtp_server.port)))
        return opened[-1]

    yield reopen
    for app in opened:
        app.close()


def queue_asks_on_saturday(app: App) -> int:
    load_example(app)
    return jobs.plan(app, SATURDAY).plans["clean-water"].queued


def test_mail_outside_the_window_waits_and_says_until_when(
        app: App, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:
    queued = queue_asks_on_saturday(app)
    with caplog.at_level(logging.INFO, logger="outreach.mail.outbox"):
        assert drain(app, Clock(SATURDAY)).sent == 0
    assert f"{queued} message(s) wait: {WAITS}" in caplog.messages
    assert {(r.status, r.not_before) for r in rows(app)} == {(OutboxStatus.PENDING, MONDAY_9)}
    with transaction(app.factory) as session:
        upcoming = next_mail(session, "clean-water", app.campaign("clean-water"), SATURDAY)
    assert upcoming is not None
    assert (upcoming.at, upcoming.waiting, upcoming.reason) == (MONDAY_9, queued, WAITS)
    assert upcoming.describe() == f"{queued} waiting: {WAITS}"
    assert smtp_server.messages == []


def test_mail_queued_before_the_window_was_widened_goes_out_in_the_new_one(
        app: App, smtp_server: SmtpServer, campaign_dir: Path, restart: Restart) -> None:
    queued = queue_asks_on_saturday(app)
    drain(app, Clock(SATURDAY))  # every ask now waits for Monday
    set_window_days(campaign_dir, '["mon", "tue", "wed", "thu", "fri", "sat"]')
    widened = restart()

    still = outbox.follow_window_changes(widened.factory, widened.hooks(), SATURDAY)

    assert still == {}
    assert {r.not_before for r in rows(widened)} == {SATURDAY}
    assert drain(widened, Clock(SATURDAY)).sent == queued
    assert len(received(smtp_server)) == queued


def test_the_window_is_read_when_the_mail_goes_out_not_when_it_was_queued(
        app: App, smtp_server: SmtpServer, campaign_dir: Path, restart: Restart) -> None:
    queued = queue_asks_on_saturday(app)  # queued under Mon-Thu, never looked at since
    set_window_days(campaign_dir, '["sat"]')
    saturdays_only = restart()

    assert drain(saturdays_only, Clock(SATURDAY)).sent == queued
    stored = SendWindow.from_json(rows(saturdays_only)[0].send_window or {})
    assert stored.days == frozenset({5})


def test_a_narrowed_window_moves_the_waiting_mail_later_and_leaves_retries_alone(
        app: App, smtp_server: SmtpServer, campaign_dir: Path, restart: Restart) -> None:
    queued = queue_asks_on_saturday(app)
    drain(app, Clock(SATURDAY))
    retry_at = SATURDAY + timedelta(hours=1)
    with transaction(app.factory) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == rows(app)[0].id)
                        .values(not_before=retry_at, attempts=1, last_error="421 busy",
                                send_window=app.campaign("clean-water").window.to_json()))
    set_window_days(campaign_dir, '["tue", "wed", "thu"]')
    narrowed = restart()

    still = outbox.follow_window_changes(narrowed.factory, narrowed.hooks(), SATURDAY)

    tuesday = ("outside the send window: Tue\u2013Thu 9\u201316:30 America/Los_Angeles; "
               "next at Tue 09:00")
    assert still == {tuesday: queued - 1}
    retry, *waiting = rows(narrowed)
    assert retry.not_before == retry_at
    assert {r.not_before for r in waiting} == {TUESDAY_9}
    assert drain(narrowed, Clock(MONDAY_9)).sent == 0
    assert drain(narrowed, Clock(TUESDAY_9)).sent == queued


def test_mail_of_kinds_without_a_campaign_window_keeps_its_own(
        app: App, smtp_server: SmtpServer) -> None:
    weekdays = SendWindow("America/Los_Angeles", frozenset(range(5)), time(9), time(17))
    enqueue_raw(app, ["held@elsewhere.example"], now=SATURDAY, send_window=weekdays)
    enqueue_raw(app, ["free@elsewhere.example"], now=SATURDAY)

    assert drain(app, Clock(SATURDAY)).sent == 1
    assert received(smtp_server) == {"free@elsewhere.example": 1}
    assert outbox.follow_window_changes(app.factory, app.hooks(), SATURDAY) == {}
    assert row_for(app, "held@elsewhere.example").not_before == MONDAY_9
    assert drain(app, Clock(MONDAY_9)).sent == 1


def test_the_daemon_says_on_start_what_waits_for_the_window(
        app: App, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:
    queued = queue_asks_on_saturday(app)
    drain(app, Clock(SATURDAY))
    app.settings.daemon.plan_interval_seconds = 0.1
    app.settings.daemon.drain_interval_seconds = 0.1
    app.settings.mailbox.source = "none"
    daemon = Daemon(app, clock=lambda: SATURDAY)

    async def run_briefly() -> None:
        task = asyncio.create_task(daemon.run())
        await asyncio.sleep(0.5)
        daemon.stop.set()
        await task

    with caplog.at_level(logging.INFO, logger="outreach.daemon"):
        asyncio.run(run_briefly())
    assert f"{queued} message(s) wait: {WAITS}" in caplog.messages
    assert smtp_server.messages == []
