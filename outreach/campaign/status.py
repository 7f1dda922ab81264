"""Counts for `outreach status`: targets per state, what failed or bounced, and the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.campaign.models import Campaign, Target, TargetState
from outreach.campaign.targets import TARGET
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus

# How a bounce about a target is classed, from its recorded outcome ("bounce:soft:repeated").
BOUNCE_CLASSES = {"hard": "hard", "soft": "soft", "unknown": "unclassified"}


@dataclass
class CampaignStatus:
    slug: str
    title: str
    states: dict[TargetState, int]
    # Messages to its targets that failed for good, and bounces of its mail by class.
    failed: int = 0
    bounces: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.states.values())


def campaign_statuses(session: Session, slug: str | None = None) -> list[CampaignStatus]:
    query = select(Campaign).order_by(Campaign.slug)
    if slug is not None:
        query = query.where(Campaign.slug == slug)
    result = []
    for campaign in session.scalars(query):
        counts = dict(session.execute(
            select(Target.state, func.count()).where(Target.campaign_id == campaign.id)
            .group_by(Target.state)
        ).all())
        result.append(CampaignStatus(
            slug=campaign.slug, title=campaign.title,
            states={state: counts.get(state, 0) for state in TargetState},
            failed=_failed(session, campaign.id), bounces=_bounces(session, campaign.id),
        ))
    return result


def _failed(session: Session, campaign_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .join(Target, Target.id == OutboxMessage.about_id)
        .where(OutboxMessage.about_kind == TARGET, Target.campaign_id == campaign_id,
               OutboxMessage.status == OutboxStatus.FAILED)) or 0


def _bounces(session: Session, campaign_id: int) -> dict[str, int]:
    """Bounces of the campaign's mail, as the reply pipeline recorded them, by class."""
    counts = dict.fromkeys(BOUNCE_CLASSES.values(), 0)
    for outcome, count in session.execute(
            select(InboundMessage.outcome, func.count())
            .join(Target, Target.id == InboundMessage.about_id)
            .where(InboundMessage.about_kind == TARGET, Target.campaign_id == campaign_id,
                   InboundMessage.outcome.like("bounce:%"))
            .group_by(InboundMessage.outcome)):
        bounce_class = BOUNCE_CLASSES.get((outcome or "").split(":")[1])
        if bounce_class is not None:
            counts[bounce_class] += count
    return counts


def outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    counts = dict(session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all())
    return {status: counts.get(status, 0) for status in OutboxStatus}
