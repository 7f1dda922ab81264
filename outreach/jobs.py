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
from outreach.db.session import transaction

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
