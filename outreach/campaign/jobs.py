"""The campaign's jobs as plain functions of the app and `now`, so tests drive them directly."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from outreach.app import App
from outreach.campaign import letters, reissues
from outreach.campaign.asks import AskPlan, plan_asks
from outreach.campaign.cadence import (
    StepPlan,
    close_if_target_reached,
    escalate,
    plan_steps,
    replan_if_changed,
)
from outreach.campaign.campaigns import get_campaign, sync_campaign
from outreach.campaign.check import CheckReport, check_campaign
from outreach.campaign.models import Campaign, PublicPage
from outreach.campaign.public_page import fingerprint, render_public_page, write_site
from outreach.campaign.signer_mailings import (
    is_listed_publicly,
    release_if_due,
    send_update_if_due,
)
from outreach.campaign.signer_notices import notify_change, notify_reissue
from outreach.db.session import transaction

log = logging.getLogger(__name__)


CHUNK = 1000


@dataclass
class PlanPass:
    plans: dict[str, AskPlan] = field(default_factory=dict)
    steps: dict[str, StepPlan] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def queued(self) -> int:
        return sum(p.queued for p in self.plans.values()) + \
            sum(s.queued for s in self.steps.values())


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
    """One planning pass, campaign by campaign: asks, then follow-up steps, then escalation.

    Targets are handled in chunks of `CHUNK`, a transaction each, so a pass over a large
    campaign holds neither a long lock nor all its targets in memory.
    """
    result = PlanPass()
    domain = app.settings.sender.reply_domain
    for slug in slugs if slugs is not None else sorted(app.campaigns):
        config = app.campaign(slug)
        with transaction(app.factory) as session:
            campaign = sync_campaign(session, config, now)
            if letters.unpublished_change(session, campaign, config):
                result.skipped[slug] = (f"{config.letter_path()} has an unpublished change: "
                                        "no asks until it is published")
                log.warning("campaign %s: %s", slug, result.skipped[slug])
                continue
            replan_if_changed(session, campaign, config, now)
            if close_if_target_reached(session, campaign, config, now):
                result.skipped[slug] = f"closed: {campaign.closed_reason}"
                continue
        asks = result.plans[slug] = AskPlan()
        while True:
            with transaction(app.factory) as session:
                campaign = get_campaign(session, slug)
                chunk = plan_asks(session, campaign, config, now, message_id_domain=domain,
                                  after_id=asks.last_id, limit=CHUNK)
            asks.merge(chunk)
            if chunk.seen < CHUNK:
                break
        steps = result.steps[slug] = StepPlan()
        while True:
            with transaction(app.factory) as session:
                campaign = get_campaign(session, slug)
                step_chunk = plan_steps(session, campaign, config, now, message_id_domain=domain,
                                        after=steps.last, limit=CHUNK)
            if step_chunk.last == steps.last:
                break
            steps.merge(step_chunk)
        while True:
            with transaction(app.factory) as session:
                escalated = escalate(session, get_campaign(session, slug), config, now,
                                     limit=CHUNK)
            steps.escalated += escalated
            if escalated < CHUNK:
                break
        if asks.queued or steps.queued or steps.escalated:
            log.info("campaign %s: queued %d asks, %s, escalated %d", slug, asks.queued,
                     ", ".join(f"{n} {k}" for k, n in steps.sent.items()) or "no steps",
                     steps.escalated)
    return result


@dataclass
class SignerPass:
    """What one pass over the signers of every campaign queued or decided."""

    change_notices: int = 0
    reissue_notices: int = 0
    reissues_made: list[str] = field(default_factory=list)
    updates: int = 0
    releases: list[str] = field(default_factory=list)

    @property
    def queued(self) -> int:
        return self.change_notices + self.reissue_notices + self.updates + len(self.releases)


def signer_mail(app: App, now: datetime) -> SignerPass:
    """Notices, reissues, updates and the release, for every campaign's signers.

    Notices are sweeps: a signer who joined on an older version after a change, or after a
    reissue was announced, is told now. Each campaign is one transaction.
    """
    result = SignerPass()
    domain = app.settings.sender.reply_domain
    for slug, config in sorted(app.campaigns.items()):
        with transaction(app.factory) as session:
            campaign = session.scalars(select(Campaign).where(Campaign.slug == slug)).first()
            if campaign is None:
                continue
            result.change_notices += notify_change(
                session, campaign, config, now=now, message_id_domain=domain).notified
            if (waiting := reissues.pending(session, campaign.id)) is not None:
                result.reissue_notices += notify_reissue(
                    session, campaign, waiting, now=now, message_id_domain=domain).notified
            if (made := reissues.make_due(session, campaign, now)) is not None:
                result.reissues_made.append(slug)
                log.info("campaign %s: reissue %d made with %d signer(s)", slug, made.id,
                         made.signer_count)
            if (release := release_if_due(session, campaign, config, now,
                                          message_id_domain=domain)) is not None:
                result.releases.append(slug)
                log.info("campaign %s: released; the final letter goes to %d signer(s)", slug,
                         release.recipients)
            update = send_update_if_due(session, campaign, config, now,
                                        message_id_domain=domain)
            if update is not None:
                result.updates += update.recipients
    return result


def publish_pages(app: App, now: datetime) -> list[str]:
    """Rebuild each campaign's public page whose signers, letter or config changed since it
    was last built by any daemon (the fingerprints are kept in the database)."""
    root = app.settings.public.out_dir
    if root is None:
        return []
    done = []
    for slug, config in sorted(app.campaigns.items()):
        with transaction(app.factory) as session:
            campaign = session.scalars(select(Campaign).where(Campaign.slug == slug)).first()
            if campaign is None:
                continue
            listed = is_listed_publicly(campaign, config)
            mark = fingerprint(session, config, campaign, listed=listed)
            built = session.get(PublicPage, campaign.id)
            if built is not None and built.fingerprint == mark:
                continue
            files = render_public_page(session, config, app.environments[slug], campaign, now,
                                       listed=listed)
        write_site(files, root / slug)  # outside the transaction: no write lock held
        with transaction(app.factory) as session:
            built = session.get(PublicPage, campaign.id, with_for_update=True)
            if built is None:
                session.add(PublicPage(campaign_id=campaign.id, fingerprint=mark, built_at=now))
            else:
                built.fingerprint, built.built_at = mark, now
        done.append(slug)
    return done
