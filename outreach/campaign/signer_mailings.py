"""Mail to every signer: the periodic update, and the final letter on release day.

Each mailing is one `SignerMailing` row, unique per campaign and period, written with one
outbox row per listed signer in the same transaction: however often the planning pass
runs, each signer gets each mailing once. The names a mailing shows are fixed in its row,
so each copy is composed from it without querying the signers again.

Neither waits for the campaign's send window: the organizer chose their moment (the
update's weekday and hour, the release date), and the final letter belongs on its day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import Campaign, SignerMailing, SignOn, Target
from outreach.campaign.public_page import active_signers
from outreach.campaign.signons import listed
from outreach.campaign.targets import about_target
from outreach.mail.outbox import NewMessage, enqueue_many
from outreach.people.organizations import listing_order
from outreach.sendwindow import DAY_NAMES

UPDATE = "update"
RELEASE = "release"
UPDATE_MAIL = "signer_update"
RELEASE_MAIL = "final_letter"


@dataclass(frozen=True)
class Period:
    key: str
    starts: datetime  # when its mailing is due, in UTC


def update_period(config: CampaignConfig, now: datetime) -> Period:
    """The update period `now` falls in: an ISO week (from its weekday and hour) when
    updates are weekly, else a run of `every_days` days."""
    updates = config.updates
    zone = ZoneInfo(config.timezone)
    today = now.astimezone(zone).date()
    if updates.every_days == 7:
        monday = today - timedelta(days=today.weekday())
        day = monday + timedelta(days=DAY_NAMES.index(updates.weekday))
        if day > today:  # the week's update day is still ahead: the previous week's period
            day -= timedelta(days=7)
        year, week, _ = day.isocalendar()
        key = f"{year}-W{week:02d}"
    else:
        index = today.toordinal() // updates.every_days
        day = date.fromordinal(index * updates.every_days)
        key = f"every-{updates.every_days}-days-{index}"
    return Period(key, datetime.combine(day, time(updates.hour), tzinfo=zone).astimezone(UTC))


def send_update_if_due(session: Session, campaign: Campaign, config: CampaignConfig,
                       now: datetime, *, message_id_domain: str) -> SignerMailing | None:
    """The periodic update, once per period from its start: the newest signers since the
    last update, and the count. A period with no new signer is recorded with no mail."""
    if config.updates.every_days == 0:
        return None
    period = update_period(config, now)
    if now < period.starts or _exists(session, campaign.id, UPDATE, period.key):
        return None
    previous = session.scalar(select(func.max(SignerMailing.created_at)).where(
        SignerMailing.campaign_id == campaign.id))
    since = previous or campaign.created_at
    newest = session.execute(
        select(SignOn.name_as_listed, SignOn.sort_name)
        .where(listed(campaign.id), SignOn.signed_at > since)).all()
    names = [name for name, _sort_name in
             sorted(newest, key=lambda row: listing_order(row.sort_name, row.name_as_listed))]
    shown = names[:config.updates.newest]
    mailing = _mailing(session, campaign, UPDATE, period.key, shown, now,
                       more=len(names) - len(shown))
    if names:
        mailing.recipients = _send_to_signers(session, campaign, mailing, UPDATE_MAIL,
                                              now, message_id_domain)
    return mailing


def release_if_due(session: Session, campaign: Campaign, config: CampaignConfig,
                   now: datetime, *, message_id_domain: str) -> SignerMailing | None:
    """On the release date: the final letter with every signer to every signer, once."""
    release = config.release_at()
    if release is None or now < release or campaign.released_at is not None:
        return None
    names = [signer.name for signer in active_signers(session, campaign.id)]
    mailing = _mailing(session, campaign, RELEASE, RELEASE, names, now)
    mailing.recipients = _send_to_signers(session, campaign, mailing, RELEASE_MAIL, now,
                                          message_id_domain)
    campaign.released_at = now
    return mailing


def is_listed_publicly(campaign: Campaign, config: CampaignConfig) -> bool:
    """The public page is unlisted until the release, when a campaign has one."""
    return config.release_at() is None or campaign.released_at is not None


def _exists(session: Session, campaign_id: int, kind: str, period: str) -> bool:
    return session.scalar(select(SignerMailing.id).where(
        SignerMailing.campaign_id == campaign_id, SignerMailing.kind == kind,
        SignerMailing.period == period)) is not None


def _mailing(session: Session, campaign: Campaign, kind: str, period: str, names: list[str],
             now: datetime, *, more: int = 0) -> SignerMailing:
    version = letters.current_version(session, campaign.id)
    assert version is not None, "a campaign with signers has a letter version"
    count = session.scalar(select(func.count()).select_from(SignOn).where(
        listed(campaign.id))) or 0
    mailing = SignerMailing(campaign_id=campaign.id, kind=kind, period=period,
                            letter_version_id=version.id, signer_count=count, names=names,
                            more_names=more, recipients=0, created_at=now)
    session.add(mailing)
    session.flush()
    return mailing


def _send_to_signers(session: Session, campaign: Campaign, mailing: SignerMailing,
                     mail_kind: str, now: datetime, message_id_domain: str) -> int:
    targets = session.scalars(
        select(Target).join(SignOn, SignOn.target_id == Target.id)
        .where(listed(campaign.id)).options(joinedload(Target.contact))
        .order_by(Target.id)).unique().all()
    enqueue_many(session, [
        NewMessage(kind=mail_kind, recipient=target.contact.email,
                   about=about_target(target.id),
                   payload={"mailing_id": mailing.id})
        for target in targets], now=now, message_id_domain=message_id_domain)
    return len(targets)
