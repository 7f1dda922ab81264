"""The sign-on campaign as a feature: its reply addresses, mail kinds and jobs."""

from __future__ import annotations

import logging
from datetime import datetime

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.asks import ASK, ask_failed
from outreach.campaign.mailings import KINDS, TargetMailComposer
from outreach.campaign.replies import (
    REPLY_ROUTE,
    SENDER_ROUTE,
    UNSUBSCRIBE_LOCAL_PART,
    UNSUBSCRIBE_ROUTE,
    CampaignReplies,
    UnsubscribeAddress,
    target_bounced,
)
from outreach.campaign.targets import TARGET, describe_target, preload_targets
from outreach.campaign.windows import WINDOWED, CampaignWindow
from outreach.feature import Contribution, Job, PersonalData
from outreach.inbound.door import Route, exactly, tagged
from outreach.mail.outbox import OutboxHooks

log = logging.getLogger(__name__)


class CampaignFeature:
    name = "campaign"
    # Contacts, targets, sign-ons and mail: `outreach contacts export` and `forget` read and
    # erase them directly (personal_data.py, forgetting.py).
    personal_data: tuple[PersonalData, ...] = ()

    def __init__(self) -> None:
        # Campaigns whose check passed when the daemon started: only they are asked.
        self.plannable: list[str] | None = None

    def contribute(self, app: App) -> Contribution:
        sender = app.settings.sender
        domain = sender.reply_domain
        local = sender.reply_local_part
        return Contribution(
            routes=[
                (Route(REPLY_ROUTE, tagged(local, domain), f"{local}+<token>@{domain}"),
                 CampaignReplies(app.settings, app.campaigns, route=REPLY_ROUTE)),
                (Route(UNSUBSCRIBE_ROUTE, tagged(UNSUBSCRIBE_LOCAL_PART, domain),
                       f"{UNSUBSCRIBE_LOCAL_PART}+<token>@{domain}"),
                 UnsubscribeAddress(app.settings)),
                (Route(SENDER_ROUTE, exactly([sender.address, f"{local}@{domain}"]),
                       f"{sender.address}, {local}@{domain}"),
                 CampaignReplies(app.settings, app.campaigns, route=SENDER_ROUTE)),
            ],
            hooks=OutboxHooks(
                composers=dict.fromkeys(
                    KINDS, TargetMailComposer(app.settings, app.campaigns, app.template_path)),
                on_failed={ASK: ask_failed},
                on_bounced=dict.fromkeys(KINDS, target_bounced),
                windows=dict.fromkeys(WINDOWED, CampaignWindow(app.campaigns)),
                describers={TARGET: describe_target},
                preloaders={TARGET: preload_targets},
            ),
            jobs=[Job("campaign.plan", self._plan), Job("campaign.signers", _signer_mail),
                  Job("campaign.public_pages", _public_pages)],
        )

    def start(self, app: App, now: datetime) -> None:
        reports = jobs.check_all(app, now)
        self.plannable = [slug for slug, report in reports.items() if report.ok]
        refused = sorted(set(reports) - set(self.plannable))
        if refused:
            log.error("not asking for campaign(s) %s until `outreach check` passes",
                      ", ".join(refused))
        log.info("%d campaign(s) planned: %s", len(self.plannable),
                 ", ".join(self.plannable) or "none")

    def _plan(self, app: App, now: datetime) -> int:
        return jobs.plan(app, now, self.plannable).queued


def _signer_mail(app: App, now: datetime) -> int:
    return jobs.signer_mail(app, now).queued


def _public_pages(app: App, now: datetime) -> int:
    for slug in jobs.publish_pages(app, now):
        log.info("campaign %s: public page rebuilt", slug)
    return 0
