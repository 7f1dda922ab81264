"""The inbound pipe, end to end: read the configured mailbox, store each message once with
its route, then hand every stored message to the handler its route names."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from outreach.app import App
from outreach.mail.handling import HandlingStats, process_pending
from outreach.mail.imap_source import ImapSource
from outreach.mail.inbox import IngestStats, Source, ingest
from outreach.mail.maildir_source import MaildirSource

log = logging.getLogger(__name__)


@dataclass
class MailPass:
    ingested: IngestStats | None
    processed: HandlingStats


def open_source(app: App) -> Source | None:
    """The configured mailbox, or None when `[mailbox] source = "none"`."""
    mailbox = app.settings.mailbox
    if mailbox.source == "imap":
        return ImapSource.from_settings(app.settings)
    if mailbox.source == "maildir":
        assert mailbox.maildir is not None
        return MaildirSource(mailbox.maildir)
    return None


def act_on_mail(app: App, now: datetime) -> HandlingStats:
    """Hand every stored, not yet handled message to its route's handler."""
    return process_pending(app.factory, app.door, app.handlers, now,
                           describers=app.hooks().describers)


def read_mail(app: App, source: Source | None, now: datetime) -> MailPass:
    """Store what is new in `source` (each message once), then act on every stored message."""
    ingested = ingest(app.factory, source, now, door=app.door) if source is not None else None
    processed = act_on_mail(app, now)
    if processed.by_outcome:
        log.info("mail: %s", ", ".join(f"{k} {v}" for k, v in processed.by_outcome.items()))
    return MailPass(ingested, processed)
