"""Campaign rows, kept in step with their config files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import Campaign
from outreach.errors import OutreachError


def sync_campaign(session: Session, config: CampaignConfig, now: datetime) -> Campaign:
    """The campaign row for `config`, created with letter version 1 on first sight."""
    campaign = session.scalars(select(Campaign).where(Campaign.slug == config.slug)).first()
    if campaign is None:
        campaign = Campaign(slug=config.slug, title=config.title, created_at=now)
        session.add(campaign)
        session.flush()
        letters.record_version(session, campaign, config, config.read_letter(),
                               summary="first version", now=now)
    elif campaign.title != config.title:
        campaign.title = config.title
    return campaign


def get_campaign(session: Session, slug: str) -> Campaign:
    campaign = session.scalars(select(Campaign).where(Campaign.slug == slug)).first()
    if campaign is None:
        raise OutreachError(f"no campaign {slug!r} in the database yet; import targets first "
                            f"({in_database(session)})")
    return campaign


def in_database(session: Session) -> str:
    """The campaigns the database holds, for a message that did not find one."""
    slugs = list(session.scalars(select(Campaign.slug).order_by(Campaign.slug)))
    return f"campaigns in the database: {', '.join(slugs)}" if slugs \
        else "the database holds no campaign"
