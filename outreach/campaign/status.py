"""Counts for `outreach status`: targets per state, and the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.campaign.models import Campaign, Target, TargetState
from outreach.mail.models import OutboxMessage, OutboxStatus


@dataclass
class CampaignStatus:
    slug: str
    title: str
    states: dict[TargetState, int]

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
        ))
    return result


def outbox_counts(session: Session) -> dict[OutboxStatus, int]:
    counts = dict(session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all())
    return {status: counts.get(status, 0) for status in OutboxStatus}
