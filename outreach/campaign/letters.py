"""Letter versions. Every email links the current version, and only that one."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig
from outreach.db.models import Campaign, LetterVersion


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def current_version(session: Session, campaign_id: int) -> LetterVersion | None:
    return session.scalars(
        select(LetterVersion)
        .where(LetterVersion.campaign_id == campaign_id)
        .order_by(LetterVersion.number.desc())
        .limit(1)
    ).first()


def record_version(session: Session, campaign: Campaign, config: CampaignConfig, text: str,
                   *, summary: str, now: datetime) -> LetterVersion:
    latest = current_version(session, campaign.id)
    number = 1 if latest is None else latest.number + 1
    version = LetterVersion(
        campaign_id=campaign.id,
        number=number,
        text=text,
        sha256=digest(text),
        summary=summary,
        draft_url=config.draft_url_for(number),
        published_at=now,
    )
    session.add(version)
    session.flush()
    return version


def unpublished_change(session: Session, campaign: Campaign, config: CampaignConfig) -> bool:
    """True when the letter file differs from the newest recorded version."""
    latest = current_version(session, campaign.id)
    return latest is not None and latest.sha256 != digest(config.read_letter())
