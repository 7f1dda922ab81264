"""The clock: APScheduler wakes the jobs; the jobs are plain functions of the app and `now`.

Jobs: `plan` queues due asks (every `plan_interval_seconds`), `drain` sends what the outbox
holds (every `drain_interval_seconds`, and at once after a plan queued something).
SIGTERM or SIGINT stops it cleanly: the message being sent finishes, the rest of the
claimed rows are released for the next run.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from outreach import jobs
from outreach.app import App
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.mail import outbox
from outreach.mail.sender import OutboxSender, Progress

log = logging.getLogger(__name__)


class Daemon:
    def __init__(self, app: App, *, clock: Callable[[], datetime] = utc_now,
                 progress: Progress | None = None) -> None:
        self.app = app
        self.clock = clock
        self.progress = progress
        self.stop = asyncio.Event()
        self.sender = OutboxSender(app.factory, app.settings, app.hooks(), clock=clock)
        self.plannable: list[str] = []
        self._drain_lock = asyncio.Lock()
        self._scheduler: AsyncIOScheduler | None = None
        self._until_sent = False
        self._planned = False

    async def run(self, *, until_sent: bool = False) -> None:
        """Run until stopped; with `until_sent`, stop once a plan ran and the outbox is empty."""
        self._until_sent = until_sent
        reports = jobs.check_all(self.app, self.clock())
        self.plannable = [slug for slug, report in reports.items() if report.ok]
        refused = sorted(set(reports) - set(self.plannable))
        if refused:
            log.error("not asking for campaign(s) %s until `outreach check` passes",
                      ", ".join(refused))
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
        scheduler.start()
        log.info("outreach daemon running (%d campaign(s) planned: %s)",
                 len(self.plannable), ", ".join(self.plannable) or "none")
        try:
            await self.stop.wait()
        finally:
            # Let a running drain see the stop, finish its message and release its rows
            # before the scheduler goes: shutting it down cancels running jobs.
            async with self._drain_lock:
                scheduler.shutdown(wait=False)
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
            log.info("outreach daemon stopped: %s", self.sender.stats)

    def _on_signal(self, sig: signal.Signals) -> None:
        log.info("received %s: finishing the message in flight, then stopping", sig.name)
        self.stop.set()

    async def _plan(self) -> None:
        try:
            result = jobs.plan(self.app, self.clock(), self.plannable)
        except Exception:
            log.exception("planning failed; will try again at the next tick")
            return
        self._planned = True
        if result.queued and self._scheduler is not None:
            self._scheduler.modify_job("drain", next_run_time=datetime.now(UTC))

    async def _drain(self) -> None:
        async with self._drain_lock:
            if self.stop.is_set():
                return
            try:
                await self.sender.run(self.stop, until="idle", progress=self.progress)
            except Exception:
                log.exception("draining the outbox failed; will try again at the next tick")
                return
            if self._until_sent and self._planned:
                with transaction(self.app.factory) as session:
                    if outbox.unsent_count(session) == 0:
                        self.stop.set()
