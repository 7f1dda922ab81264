"""Asks: choosing who to ask now, and writing each ask when it is about to be sent.

`plan_asks` moves queued targets to `asked` in the transaction that writes their outbox
rows. The text itself is composed by `mailings.TargetMailComposer` when the outbox claims
the row, so the draft link is always the letter version current at send time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign.cadence import last_emailed
from outreach.campaign.config import CampaignConfig, Wave
from outreach.campaign.contacts import suppress
from outreach.campaign.organizations import org_key
from outreach.campaign.targets import transition
from outreach.campaign.tasks import open_task
from outreach.db.models import (
    Campaign,
    Contact,
    Engagement,
    Organization,
    OutboxMessage,
    SignOn,
    Size,
    Suppression,
    Target,
    TargetState,
)
from outreach.mail.outbox import Failure, enqueue

ASK = "ask"  # the outbox kind; composed by outreach.campaign.mailings


@dataclass
class AskPlan:
    """What one planning pass did, for logs and status."""

    queued: int = 0
    excluded: int = 0
    requeued: int = 0
    suppressed: int = 0
    waiting: dict[str, int] = field(default_factory=dict)
    last_id: int = 0
    seen: int = 0

    def wait(self, reason: str) -> None:
        self.waiting[reason] = self.waiting.get(reason, 0) + 1

    def merge(self, chunk: AskPlan) -> None:
        self.queued += chunk.queued
        self.excluded += chunk.excluded
        self.requeued += chunk.requeued
        self.suppressed += chunk.suppressed
        for reason, count in chunk.waiting.items():
            self.waiting[reason] = self.waiting.get(reason, 0) + count
        self.last_id = chunk.last_id
        self.seen += chunk.seen


def wave_for(config: CampaignConfig, org: Organization) -> tuple[int, Wave] | None:
    for index, wave in enumerate(config.waves):
        if wave.matches(org.size, org.engagement, org.tags, org.needs_parent_approval):
            return index, wave
    return None


_SIZE_WEIGHT = {Size.LARGE: 2, Size.MEDIUM: 1, Size.SMALL: 0}
_ENGAGEMENT_WEIGHT = {Engagement.CORE: 2, Engagement.COMRADE: 1}


def ask_priority(config: CampaignConfig, wave_index: int, org: Organization) -> int:
    """Earlier waves first; within a wave, large organizations and Core/Comrade first."""
    engagement = _ENGAGEMENT_WEIGHT.get(org.engagement, 0) if org.engagement else 0
    return (len(config.waves) - wave_index) * 10 + _SIZE_WEIGHT[org.size] + engagement


def signed_org_keys(session: Session, campaign_id: int) -> set[str]:
    rows = session.execute(
        select(Organization.key)
        .join(SignOn, SignOn.organization_id == Organization.id)
        .where(SignOn.campaign_id == campaign_id, SignOn.withdrawn_at.is_(None))
    )
    return {key for (key,) in rows}


def plan_asks(session: Session, campaign: Campaign, config: CampaignConfig, now: datetime, *,
              message_id_domain: str, after_id: int = 0, limit: int | None = None) -> AskPlan:
    """Queue an ask for every queued target whose turn has come; apply the discretion rules.

    With `limit`, handles one chunk of targets (ids after `after_id`): the caller loops
    on `plan.last_id` until `plan.seen` is 0, a transaction per chunk.
    """
    plan = AskPlan(last_id=after_id)
    if now >= config.hard_deadline or campaign.closed_at is not None:
        return plan
    never = {org_key(name) for name in config.discretion.never_ask}
    signed = signed_org_keys(session, campaign.id)
    blocked: set[str] = set()
    for rule in config.discretion.after:
        if not {org_key(n) for n in rule.after_signed} <= signed:
            blocked |= {org_key(n) for n in rule.ask}
    targets = session.scalars(
        select(Target)
        .where(Target.campaign_id == campaign.id, Target.id > after_id,
               Target.state.in_([TargetState.QUEUED, TargetState.EXCLUDED]))
        .options(joinedload(Target.organization), joinedload(Target.contact))
        .order_by(Target.id).limit(limit)
    ).all()
    plan.seen = len(targets)
    if targets:
        plan.last_id = targets[-1].id
    last_mail = last_emailed(session, [t.contact.email for t in targets])
    gap = timedelta(days=config.cadence.min_gap_days)
    for target in targets:
        org, contact = target.organization, target.contact
        if org.key in never:
            if target.state == TargetState.QUEUED:
                transition(session, target, TargetState.EXCLUDED, now=now,
                           reason="discretion: never ask")
                plan.excluded += 1
            continue
        if target.state == TargetState.EXCLUDED:
            transition(session, target, TargetState.QUEUED, now=now,
                       reason="no longer on the never-ask list")
            plan.requeued += 1
        if contact.suppression != Suppression.NONE:
            to = (TargetState.OPTED_OUT if contact.suppression == Suppression.UNSUBSCRIBED
                  else TargetState.BOUNCED)
            transition(session, target, to, now=now,
                       reason=f"contact {contact.suppression.value}")
            plan.suppressed += 1
            continue
        if org.key in blocked:
            plan.wait("waiting for other organizations to sign first")
            continue
        placed = wave_for(config, org)
        if placed is None:
            plan.wait("in no wave")
            continue
        index, wave = placed
        target.wave = wave.name
        target.priority = ask_priority(config, index, org)
        opens = config.wave_opens(wave)
        if opens is not None and opens > now:
            plan.wait(f"wave {wave.name} opens later")
            continue
        if contact.email in last_mail and last_mail[contact.email] + gap > now:
            plan.wait("written to recently (minimum gap between emails)")
            continue
        enqueue(
            session, kind=ASK, recipient=contact.email, now=now,
            message_id_domain=message_id_domain, target_id=target.id,
            send_window=config.window, priority=target.priority,
        )
        transition(session, target, TargetState.ASKED, now=now, reason=f"ask queued ({wave.name})",
                   next_action_at=now)
        target.emails_sent += 1
        target.asked_at = now
        plan.queued += 1
    return plan


def ask_failed(session: Session, row: OutboxMessage, now: datetime, failure: Failure) -> None:
    """The outbox gave up on an ask: mark why, and ask an organizer to find another way in."""
    target = session.get(Target, row.target_id) if row.target_id is not None else None
    if target is None:
        return
    contact: Contact = target.contact
    if failure in (Failure.UNSENDABLE, Failure.REFUSED):
        what = "could not be composed" if failure == Failure.UNSENDABLE else \
            "was refused by the receiving server"
        if target.state == TargetState.ASKED:
            transition(session, target, TargetState.PAUSED, now=now,
                       reason=f"ask {what}: {row.last_error}")
        open_task(session, kind="review", campaign_id=target.campaign_id, target_id=target.id,
                  title=f"Ask to {target.organization.name} {what}",
                  notes=row.last_error or "", now=now)
        return
    if failure == Failure.REJECTED:
        suppress(contact, Suppression.BOUNCED, reason=row.last_error or "rejected", now=now)
    if target.state in (TargetState.ASKED, TargetState.FOLLOWED_UP):
        transition(session, target, TargetState.BOUNCED, now=now,
                   reason=f"mail to {contact.email} {failure.value}: {row.last_error}")
    open_task(session, kind="find_contact", campaign_id=target.campaign_id, target_id=target.id,
              title=f"Find another contact for {target.organization.name}",
              notes=f"Mail to {contact.email} failed ({failure.value}): {row.last_error}",
              now=now)
