"""Reissuing the statement: never in someone's name without their chance to opt out first.

`announce` records the date and tells every listed signer (a notice each, through
`signer_notices`); signers who join before the date are told by the next planning pass.
An opt-out is a reply, handled by the reply pipeline as a withdrawal. On the date `make_due`
fixes the reissued list: a signer is on it only if their notice went out before the date,
did not bounce, they neither opted out nor withdrew, and they owe no fresh yes to a
changed text. Everyone else, including those
who signed too late to be told, is left off.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import (
    Campaign,
    NoticeKind,
    NoticeResponse,
    Reissue,
    SignerNotice,
    SignOn,
    Target,
)
from outreach.campaign.signer_notices import NoticePass, notify_reissue
from outreach.campaign.signons import awaiting_fresh_yes
from outreach.errors import OutreachError
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.people.models import Suppression


@dataclass(frozen=True)
class Announced:
    reissue: Reissue
    notices: NoticePass


def pending(session: Session, campaign_id: int) -> Reissue | None:
    return session.scalars(select(Reissue).where(
        Reissue.campaign_id == campaign_id, Reissue.made_at.is_(None))).first()


def announce(session: Session, campaign: Campaign, config: CampaignConfig, *, on: datetime,
             now: datetime, by: str, message_id_domain: str) -> Announced:
    earliest = now + timedelta(days=config.reissues.min_notice_days)
    if on < earliest:
        raise OutreachError(
            f"{on:%Y-%m-%d %H:%M %Z} is too soon: signers need at least "
            f"{config.reissues.min_notice_days:g} days to opt out (the earliest is "
            f"{earliest:%Y-%m-%d %H:%M %Z}; [reissues] min_notice_days in {config.source})")
    if (waiting := pending(session, campaign.id)) is not None:
        raise OutreachError(f"a reissue on {waiting.reissue_on:%Y-%m-%d} is already announced; "
                            "it must be made before another is announced")
    version = letters.current_version(session, campaign.id)
    if version is None:
        raise OutreachError(f"campaign {campaign.slug!r} has no letter version")
    reissue = Reissue(campaign_id=campaign.id, letter_version_id=version.id, reissue_on=on,
                      announced_at=now, announced_by=by)
    session.add(reissue)
    session.flush()
    notices = notify_reissue(session, campaign, reissue, now=now,
                             message_id_domain=message_id_domain)
    return Announced(reissue, notices)


def make_due(session: Session, campaign: Campaign, now: datetime) -> Reissue | None:
    """On the date, fix the reissued list (once); returns the reissue made, if any."""
    reissue = pending(session, campaign.id)
    if reissue is None or now < reissue.reissue_on:
        return None
    count = 0
    rows = session.execute(
        select(SignerNotice, SignOn, OutboxMessage.status, OutboxMessage.sent_at,
               awaiting_fresh_yes())
        .join(SignOn, SignOn.id == SignerNotice.sign_on_id)
        .join(OutboxMessage, OutboxMessage.id == SignerNotice.outbox_message_id, isouter=True)
        .where(SignerNotice.reissue_id == reissue.id)
        .options(joinedload(SignOn.target).joinedload(Target.contact))).all()
    for notice, sign_on, status, sent_at, owes_fresh_yes in rows:
        told = status == OutboxStatus.SENT and sent_at is not None and sent_at < reissue.reissue_on
        bounced = sign_on.target is not None and \
            sign_on.target.contact.suppression == Suppression.BOUNCED
        notice.included = (told and not bounced and sign_on.withdrawn_at is None
                           and not owes_fresh_yes
                           and notice.response in (None, NoticeResponse.RECONFIRMED))
        count += notice.included
    reissue.made_at = now
    reissue.signer_count = count
    return reissue


def reissued_sign_ons(session: Session, reissue: Reissue) -> list[SignOn]:
    return list(session.scalars(
        select(SignOn).join(SignerNotice, SignerNotice.sign_on_id == SignOn.id)
        .where(SignerNotice.reissue_id == reissue.id, SignerNotice.kind == NoticeKind.REISSUE,
               SignerNotice.included.is_(True))))


def find(session: Session, campaign: Campaign, reissue_id: int | None) -> Reissue:
    """A campaign's reissue by id, or its latest one made."""
    query = select(Reissue).where(Reissue.campaign_id == campaign.id)
    if reissue_id is not None:
        query = query.where(Reissue.id == reissue_id)
    else:
        query = query.where(Reissue.made_at.is_not(None)).order_by(Reissue.made_at.desc())
    reissue = session.scalars(query).first()
    if reissue is None:
        made = [f"{r.id} (on {r.reissue_on:%Y-%m-%d})" for r in session.scalars(
            select(Reissue).where(Reissue.campaign_id == campaign.id,
                                  Reissue.made_at.is_not(None)).order_by(Reissue.id))]
        raise OutreachError(f"campaign {campaign.slug!r} has no "
                            + (f"reissue {reissue_id}" if reissue_id else "reissue made yet")
                            + (f"; reissues made: {', '.join(made)}" if made else ""))
    if reissue.made_at is None:
        raise OutreachError(f"reissue {reissue.id} is on {reissue.reissue_on:%Y-%m-%d}; "
                            "its list is fixed on that date")
    return reissue
