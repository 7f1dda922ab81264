"""The daemon's jobs as plain functions of the app and `now`, so tests drive them directly."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from outreach.app import App
from outreach.campaign import letters
from outreach.campaign.asks import AskPlan, plan_asks
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.check import CheckReport, check_campaign
from outreach.campaign.replies import ProcessStats, ReplyRouter
from outreach.db.session import transaction
from outreach.mail.imap_source import ImapSource
from outreach.mail.inbox import IngestStats, Source, ingest
from outreach.mail.maildir_source import MaildirSource

log = logging.getLogger(__name__)


@dataclass
class PlanPass:
    plans: dict[str, AskPlan] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def queued(self) -> int:
        return sum(p.queued for p in self.plans.values())


def check(app: App, slug: str, now: datetime) -> CheckReport:
    config = app.campaign(slug)
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        return check_campaign(session, app.settings, config, app.environments[slug], campaign,
                              now)


def check_all(app: App, now: datetime) -> dict[str, CheckReport]:
    """Check every loaded campaign; the daemon plans asks only for those that pass."""
    reports = {}
    for slug in sorted(app.campaigns):
        report = check(app, slug, now)
        for warning in report.warnings:
            log.warning("campaign %s: %s", slug, warning)
        for error in report.errors:
            log.error("campaign %s: %s", slug, error)
        reports[slug] = report
    return reports


def plan(app: App, now: datetime, slugs: list[str] | None = None) -> PlanPass:
    """One planning pass: queue the asks that are due, campaign by campaign."""
    result = PlanPass()
    for slug in slugs if slugs is not None else sorted(app.campaigns):
        config = app.campaign(slug)
        with transaction(app.factory) as session:
            campaign = sync_campaign(session, config, now)
            if letters.unpublished_change(session, campaign, config):
                result.skipped[slug] = (f"{config.letter_path()} has an unpublished change: "
                                        "no asks until it is published")
                log.warning("campaign %s: %s", slug, result.skipped[slug])
                continue
            result.plans[slug] = plan_asks(
                session, campaign, config, now,
                message_id_domain=app.settings.sender.reply_domain,
            )
        if result.plans[slug].queued:
            log.info("campaign %s: queued %d asks", slug, result.plans[slug].queued)
    return result


@dataclass
class MailPass:
    ingested: IngestStats | None
    processed: ProcessStats


def open_source(app: App) -> Source | None:
    """The configured mailbox, or None when `[mailbox] source = "none"`."""
    mailbox = app.settings.mailbox
    if mailbox.source == "imap":
        return ImapSource.from_settings(app.settings)
    if mailbox.source == "maildir":
        assert mailbox.maildir is not None
        return MaildirSource(mailbox.maildir)
    return None


def read_mail(app: App, source: Source | None, router: ReplyRouter, now: datetime) -> MailPass:
    """Store what is new in `source` (each message once), then act on every stored message."""
    ingested = ingest(app.factory, source, now) if source is not None else None
    processed = router.process_pending(app.factory, now)
    if processed.by_outcome:
        log.info("replies: %s", ", ".join(f"{k} {v}" for k, v in processed.by_outcome.items()))
    return MailPass(ingested, processed)
