"""Letter versions. Every email links the current version, and only that one."""

from __future__ import annotations

import difflib
import hashlib
import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import Campaign, LetterVersion
from outreach.errors import OutreachError


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


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> str:
    """A readable word-level diff: removed words as [-…-], added words as {+…+}."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        removed, added = "".join(a[i1:i2]).strip(), "".join(b[j1:j2]).strip()
        if removed:
            out.append(f"[-{removed}-]")
        if added:
            lead = " " if removed or (b[j1].isspace() and not a[i1:i2]) else ""
            out.append(lead + f"{{+{added}+}}")
        tail = b[j2 - 1] if j2 > j1 else a[i2 - 1]
        if tail.isspace():
            out.append(tail)
    return "".join(out)


def publish(session: Session, campaign: Campaign, config: CampaignConfig, *, summary: str,
            now: datetime) -> LetterVersion:
    """Record the letter file as version N+1, with the organizer's summary of the change.

    From then on every email links only the new version, asks queued earlier included.
    """
    if not summary.strip():
        raise OutreachError("say what changed: --summary \"…\" (signers will read it)")
    text = config.read_letter()
    latest = current_version(session, campaign.id)
    if latest is not None and latest.sha256 == digest(text):
        raise OutreachError(f"{config.letter_path()} has not changed since version "
                            f"{latest.number}: nothing to publish")
    version = record_version(session, campaign, config, text, summary=summary.strip(),
                             now=now)
    version.diff = word_diff(latest.text, text) if latest is not None else ""
    return version
