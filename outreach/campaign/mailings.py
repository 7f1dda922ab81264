"""Mail to one target: the ask, and the replies the reply pipeline sends.

Each kind is composed when the outbox claims it, with the letter version current at that
moment, and is cancelled if the target has since moved to a state where it no longer
makes sense (an ask to someone who signed by phone, say).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from typing import Any

import jinja2
import markdown_it
from sqlalchemy.orm import Session, joinedload

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.targets import OPEN, STEPPING
from outreach.db.models import (
    Engagement,
    LetterVersion,
    OutboxMessage,
    Suppression,
    Target,
    TargetState,
)
from outreach.mail.compose import Draft, mailbox
from outreach.mail.tokens import make_token, tagged_address
from outreach.settings import Settings
from outreach.templating import render_set

S = TargetState


@dataclass(frozen=True)
class MailKind:
    name: str
    template: Callable[[CampaignConfig, Target], str]
    sendable: frozenset[TargetState]
    marketing: bool  # carries List-Unsubscribe; replies to a person's own message do not
    automated: bool = False  # a step of the cadence: any human reply since cancels it


def _by_level(default: Callable[[CampaignConfig], str],
              overrides: Callable[[CampaignConfig], dict[Engagement, str]]
              ) -> Callable[[CampaignConfig, Target], str]:
    def choose(config: CampaignConfig, target: Target) -> str:
        level = target.organization.engagement
        return overrides(config).get(level, default(config)) if level else default(config)
    return choose


KINDS = {
    kind.name: kind
    for kind in (
        MailKind("ask", _by_level(lambda c: c.templates.ask,
                                  lambda c: c.templates.ask_by_engagement),
                 frozenset({S.ASKED}), True),
        MailKind("follow_up", _by_level(lambda c: c.templates.follow_up,
                                        lambda c: c.templates.follow_up_by_engagement),
                 STEPPING, True, automated=True),
        MailKind("reminder", lambda c, _t: c.templates.reminder, STEPPING, True, automated=True),
        MailKind("hard_deadline", lambda c, _t: c.templates.hard_deadline, STEPPING, True,
                 automated=True),
        MailKind("confirmation", lambda c, _t: c.templates.confirmation, frozenset({S.SIGNED}),
                 False),
        MailKind("more_time", lambda c, _t: c.templates.more_time, OPEN, False),
        MailKind("decline_thanks", lambda c, _t: c.templates.decline_thanks,
                 frozenset({S.DECLINED}), False),
    )
}

_markdown = markdown_it.MarkdownIt("commonmark", {"html": False})


@functools.lru_cache(maxsize=16)
def letter_html(text: str) -> str:
    """The letter's Markdown as HTML: the same for every message of a version."""
    html: str = _markdown.render(text)
    return html


def mail_context(settings: Settings, config: CampaignConfig, target: Target,
                 version: LetterVersion, now: datetime,
                 payload: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything a template may use. The draft link is `version`'s, fixed here."""
    key = settings.require_secret_key()
    sender = settings.sender
    contact, org = target.contact, target.organization
    reply = tagged_address(sender.reply_local_part, make_token(key, "t", target.id),
                           sender.reply_domain)
    unsubscribe = tagged_address("unsubscribe", make_token(key, "c", contact.id),
                                 sender.reply_domain)
    payload = payload or {}
    return {
        "contact": {"name": contact.name, "first_name": contact.first_name,
                    "email": contact.email, "role": contact.role or ""},
        "organization": {"name": org.name, "size": org.size.value,
                         "engagement": org.engagement.value if org.engagement else "",
                         "kind": org.stakeholder_kind or ""},
        "campaign": {"title": config.title, "slug": config.slug,
                     "soft_deadline": config.soft_deadline,
                     "hard_deadline": config.hard_deadline,
                     "timezone": config.timezone, "target_signers": config.target_signers,
                     "individuals_may_sign": config.individuals_may_sign,
                     "contact_email": config.contact_email or sender.address,
                     "days_to_soft_deadline": max(0, (config.soft_deadline - now).days)},
        "letter": {"version": version.number, "draft_url": version.draft_url,
                   "text": version.text, "html": letter_html(version.text)},
        "sender": {"name": sender.name, "address": sender.address,
                   "postal_address": sender.postal_address},
        "reply_address": reply,
        "unsubscribe_address": unsubscribe,
        "name_as_listed": payload.get("name_as_listed", org.name),
    }


def build_target_mail(settings: Settings, config: CampaignConfig, env: jinja2.Environment,
                      target: Target, version: LetterVersion, kind: MailKind, *,
                      message_id: str, now: datetime,
                      payload: dict[str, Any] | None = None) -> EmailMessage:
    payload = payload or {}
    context = mail_context(settings, config, target, version, now, payload)
    rendered = render_set(env, kind.template(config, target), context)
    sender = settings.sender
    headers = {}
    if kind.marketing:
        headers["List-Unsubscribe"] = (f"<mailto:{context['unsubscribe_address']}"
                                       "?subject=unsubscribe>")
    in_reply_to = payload.get("in_reply_to")
    return Draft(
        sender=mailbox(sender.name, sender.address),
        to=mailbox(target.contact.name, target.contact.email),
        reply_to=mailbox(sender.name, context["reply_address"]),
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        message_id=message_id,
        date=now,
        in_reply_to=in_reply_to,
        references=[in_reply_to] if in_reply_to else [],
        extra_headers=headers,
    ).build()


class TargetMailComposer:
    """The outbox's composer for every kind in `KINDS`: runs when a row is claimed."""

    def __init__(self, settings: Settings, campaigns: dict[str, CampaignConfig],
                 environments: dict[str, jinja2.Environment]) -> None:
        self.settings = settings
        self.campaigns = campaigns
        self.environments = environments

    def __call__(self, session: Session, row: OutboxMessage, now: datetime) -> EmailMessage | None:
        kind = KINDS[row.kind]
        target = session.get(
            Target, row.target_id,
            options=[joinedload(Target.contact), joinedload(Target.organization),
                     joinedload(Target.campaign)],
        ) if row.target_id is not None else None
        if target is None:
            raise LookupError(f"{row.kind} {row.message_id} has no target")
        if target.state not in kind.sendable or target.contact.suppression != Suppression.NONE:
            row.last_error = (f"cancelled: target is {target.state.value}, "
                              f"contact {target.contact.suppression.value}")
            return None
        if kind.automated and target.replied_at is not None and \
                target.replied_at >= row.created_at:
            row.last_error = "cancelled: they replied after this was queued"
            return None
        valid_until = row.payload.get("valid_until")
        if valid_until and now >= datetime.fromisoformat(valid_until):
            row.last_error = f"cancelled: its deadline ({valid_until}) passed before it went out"
            return None
        slug = target.campaign.slug
        if slug not in self.campaigns:
            raise LookupError(f"campaign {slug!r} has no config file loaded")
        version = letters.current_version(session, target.campaign_id)
        if version is None:
            raise LookupError(f"campaign {slug!r} has no letter version")
        row.letter_version_id = version.id
        return build_target_mail(self.settings, self.campaigns[slug], self.environments[slug],
                                 target, version, kind, message_id=row.message_id, now=now,
                                 payload=row.payload)
