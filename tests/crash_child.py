"""The process the crash test kills: builds the app from the shared config and database and
drains the outbox until it is empty, like a daemon that is restarted again and again.

The test starts it through multiprocessing's fork server with this module preloaded, so a
restart costs a fork and opening the app, not a fresh interpreter importing everything.
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import datetime, timedelta
from multiprocessing.connection import Connection

from outreach.app import open_app
from outreach.mail.sender import OutboxSender
from outreach.settings import Settings


def run(settings: Settings, start: datetime, epoch: float, ready: Connection) -> None:
    """Drain until the outbox is empty. Every child shares one clock: `start` at `epoch`."""
    app = open_app(settings, migrate=False)

    def clock() -> datetime:
        return start + timedelta(seconds=time.time() - epoch)

    sender = OutboxSender(app.factory, settings, app.hooks(), clock=clock)
    ready.send(os.getpid())
    asyncio.run(sender.run(until="empty"))
    app.close()
