"""The clock: APScheduler wakes the jobs; the jobs are plain functions of the app and `now`.

Every `plan_interval_seconds` the jobs that the installed features register run in order
(`outreach.features`: the campaign queues due asks and follow-ups, the signers' notices,
updates and release mail, and rebuilds changed public pages; tasks send the organizers'
digests). `drain` sends what the outbox holds (every `drain_interval_seconds`, and at once
after a job or a reply queued something). The mailbox is read by its own thread, because
IMAP IDLE blocks: it stores new mail, acts on it, then waits for more (IDLE, or a poll
every `[mailbox].poll_seconds`). SIGTERM or SIGINT stops it cleanly, within seconds: the
message being sent finishes, the rest of the claimed rows are released for the next run,
and the mailbox thread leaves its wait (IDLE or poll) as soon as it sees the stop.

On start, mail waiting for a send window is looked at again under the windows the
campaigns' files set now, and the daemon says how many messages wait, for what and until
when; the sender says so again whenever it puts mail off.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from outreach import mailbox
from outreach.app import App
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.mail import outbox
from outreach.mail.inbox import Source
from outreach.mail.sender import OutboxSender, Progress

log = logging.getLogger(__name__)

# How long a stopping daemon waits for the mailbox thread: it leaves an idle wait at once,
# so only a read in progress takes this long. Storing is transactional, so a thread left
# behind at exit loses nothing.
MAILBOX_STOP_SECONDS = 3.0


class Daemon:
    def __init__(self, app: App, *, clock: Callable[[], datetime] = utc_now,
                 progress: Progress | None = None) -> None:
        self.app = app
        self.clock = clock
        self.progress = progress
        self.stop = asyncio.Event()
        self.sender = OutboxSender(app.factory, app.settings, app.hooks(), clock=clock)
        self._drain_lock = asyncio.Lock()
        self._scheduler: AsyncIOScheduler | None = None
        self._until_sent = False
        self._planned = False
        self._mail_stop = threading.Event()
        self._mail_read = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def run(self, *, until_sent: bool = False) -> None:
        """Run until stopped; with `until_sent`, stop once a plan ran and the outbox is empty."""
        self._until_sent = until_sent
        for feature in self.app.features:
            feature.start(self.app, self.clock())
        waiting = outbox.follow_window_changes(self.app.factory, self.sender.hooks, self.clock())
        for reason, count in waiting.items():
            log.info("%d message(s) wait: %s", count, reason,
                     extra={"waiting": count, "reason": reason})
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_signal, sig)
        settings = self.app.settings.daemon
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(self._plan, "interval", id="plan",
                          seconds=settings.plan_interval_seconds, next_run_time=datetime.now(UTC),
                          max_instances=1, coalesce=True)
        scheduler.add_job(self._drain, "interval", id="drain",
                          seconds=settings.drain_interval_seconds,
                          next_run_time=datetime.now(UTC), max_instances=1, coalesce=True)
        self._scheduler = scheduler
        self._loop = loop
        scheduler.start()
        mail = threading.Thread(target=self._mail_loop, name="outreach-mailbox", daemon=True)
        mail.start()
        log.info("outreach daemon running (features: %s)",
                 ", ".join(f.name for f in self.app.features))
        try:
            await self.stop.wait()
        finally:
            # Let a running drain see the stop, finish its message and release its rows
            # before the scheduler goes: shutting it down cancels running jobs.
            self._mail_stop.set()
            async with self._drain_lock:
                scheduler.shutdown(wait=False)
            await asyncio.to_thread(mail.join, MAILBOX_STOP_SECONDS)
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            log.info("outreach daemon stopped: %s", self.sender.stats)

    def _mail_loop(self) -> None:
        """Read the mailbox and act on replies until stopped (runs in its own thread)."""
        poll = self.app.settings.mailbox.poll_seconds
        source: Source | None = None
        backoff = 1.0
        while not self._mail_stop.is_set():
            try:
                if source is None:
                    source = mailbox.open_source(self.app)
                result = mailbox.read_mail(self.app, source, self.clock())
            except Exception as exc:  # the mailbox being down must not stop the daemon
                if isinstance(exc, OutreachError):
                    log.error("mailbox: %s; trying again in %.0f s", exc, backoff)
                else:
                    log.exception("reading the mailbox failed; trying again in %.0f s", backoff)
                if source is not None:
                    source.close()
                    source = None
                self._mail_stop.wait(backoff)
                backoff = min(backoff * 2, 300)
                continue
            backoff = 1.0
            self._mail_read.set()
            if result.processed.by_outcome and self._loop is not None:
                self._loop.call_soon_threadsafe(self._wake_drain)
            if source is None:
                self._mail_stop.wait(poll)
            else:
                source.wait(poll, self._mail_stop)
        if source is not None:
            source.close()

    def _wake_drain(self) -> None:
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.modify_job("drain", next_run_time=datetime.now(UTC))

    def _on_signal(self, sig: signal.Signals) -> None:
        log.info("received %s: finishing the message in flight, then stopping", sig.name)
        self.stop.set()

    async def _plan(self) -> None:
        now = self.clock()
        queued = 0
        failed = False
        for job in self.app.jobs:
            try:
                queued += job.run(self.app, now)
            except Exception:  # one job failing must not keep the others from running
                log.exception("job %s failed; will try again at the next tick", job.name)
                failed = True
        if not failed:
            self._planned = True
        if queued:
            self._wake_drain()

    async def _drain(self) -> None:
        async with self._drain_lock:
            if self.stop.is_set():
                return
            try:
                await self.sender.run(self.stop, until="idle", progress=self.progress)
            except Exception:
                log.exception("draining the outbox failed; will try again at the next tick")
                return
            if self._until_sent and self._planned and self._mail_read.is_set():
                with transaction(self.app.factory) as session:
                    if outbox.unsent_count(session) == 0:
                        self.stop.set()
