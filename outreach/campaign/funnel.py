"""The campaign funnel for `outreach status`: how far the asks got, and the time left.

Asked, followed up and escalated count every target that ever got there (a follow-up
that later signed still counts as followed up); replied counts targets with a human reply;
signed and declined are where targets stand now. Signers are the active sign-ons against
the campaign's target count. Days left are counted in the campaign's calendar (the
deadline "tomorrow" is 1 day away whatever the hour) and go negative once a deadline passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, distinct, func, select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import Campaign, SignOn, Target, TargetEvent, TargetState
from outreach.campaign.signons import listed
from outreach.tasks.models import Task, TaskStatus

S = TargetState


@dataclass(frozen=True)
class Deadline:
    at: datetime
    days_left: int  # calendar days in the campaign's time zone; negative once passed
    passed: bool

    def describe(self, zone: str) -> str:
        local = self.at.astimezone(ZoneInfo(zone)).strftime("%a %-d %b %Y %H:%M %Z")
        if self.passed:
            ago = -self.days_left
            when = "today" if ago == 0 else f"{ago} day{'s' if ago != 1 else ''} ago"
            return f"{local}: passed {when}"
        if self.days_left == 0:
            return f"{local}: today"
        return f"{local}: {self.days_left} day{'s' if self.days_left != 1 else ''} left"


@dataclass(frozen=True)
class Funnel:
    slug: str
    title: str
    targets: int
    asked: int
    followed_up: int
    replied: int
    signed: int
    declined: int
    withdrawn: int
    escalated: int
    open_tasks: int
    signers: int
    target_signers: int | None
    soft_deadline: Deadline | None
    hard_deadline: Deadline | None
    timezone: str
    closed_at: datetime | None
    closed_reason: str | None

    def stages(self) -> list[tuple[str, int]]:
        return [("asked", self.asked), ("followed up", self.followed_up),
                ("replied", self.replied), ("signed", self.signed),
                ("declined", self.declined), ("withdrawn", self.withdrawn),
                ("escalated", self.escalated),
                ("open tasks", self.open_tasks)]


def deadline(at: datetime, now: datetime, zone: str) -> Deadline:
    tz = ZoneInfo(zone)
    days = (at.astimezone(tz).date() - now.astimezone(tz).date()).days
    return Deadline(at=at, days_left=days, passed=at <= now)


def _count(session: Session, query: Select[Any]) -> int:
    return int(session.scalar(query) or 0)


def _ever(session: Session, campaign_id: int, state: TargetState) -> int:
    return _count(session, select(func.count(distinct(TargetEvent.target_id)))
                  .join(Target, Target.id == TargetEvent.target_id)
                  .where(Target.campaign_id == campaign_id, TargetEvent.to_state == state))


def campaign_funnel(session: Session, campaign: Campaign, config: CampaignConfig | None,
                    now: datetime) -> Funnel:
    """The funnel of `campaign`; without its config there are no deadlines or target count."""
    cid = campaign.id
    states = dict(session.execute(
        select(Target.state, func.count()).where(Target.campaign_id == cid)
        .group_by(Target.state)).all())
    zone = config.timezone if config is not None else "UTC"
    return Funnel(
        slug=campaign.slug, title=campaign.title,
        targets=sum(states.values()),
        asked=_count(session, select(func.count()).select_from(Target).where(
            Target.campaign_id == cid, Target.asked_at.is_not(None))),
        followed_up=_ever(session, cid, S.FOLLOWED_UP),
        replied=_count(session, select(func.count()).select_from(Target).where(
            Target.campaign_id == cid, Target.replied_at.is_not(None))),
        signed=states.get(S.SIGNED, 0),
        declined=states.get(S.DECLINED, 0),
        withdrawn=states.get(S.WITHDRAWN, 0),
        escalated=_ever(session, cid, S.ESCALATED),
        open_tasks=_count(session, select(func.count()).select_from(Task).where(
            Task.campaign_id == cid, Task.status == TaskStatus.OPEN)),
        signers=_count(session, select(func.count()).select_from(SignOn).where(listed(cid))),
        target_signers=config.target_signers if config is not None else None,
        soft_deadline=deadline(config.soft_deadline, now, zone) if config is not None else None,
        hard_deadline=deadline(config.hard_deadline, now, zone) if config is not None else None,
        timezone=zone,
        closed_at=campaign.closed_at, closed_reason=campaign.closed_reason,
    )


def funnels(session: Session, configs: dict[str, CampaignConfig], now: datetime,
            slug: str | None = None) -> list[Funnel]:
    """Every campaign in the database (or just `slug`), with its config where loaded."""
    query = select(Campaign).order_by(Campaign.slug)
    if slug is not None:
        query = query.where(Campaign.slug == slug)
    return [campaign_funnel(session, c, configs.get(c.slug), now) for c in session.scalars(query)]
