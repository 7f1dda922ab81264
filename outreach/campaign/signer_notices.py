"""Notices that give signers a say by a date: a change to the letter, or a reissue.

Both are sweeps: every listed signer who has no notice about the subject yet gets one,
written with its email in the same transaction. A notice is unique per signer and subject
(`about`), so each signer hears about each change exactly once, however often the sweep
runs: when a version is published, and on every planning pass after (for a yes that
arrives later to an ask that linked an older version).

A signer whose address we may not write to (unsubscribed or bounced) still gets the notice
row, without an email, and an organizer gets a task to tell them another way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session, joinedload

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import (
    Campaign,
    LetterVersion,
    NoticeKind,
    NoticeResponse,
    Reissue,
    SignerNotice,
    SignOn,
    Target,
)
from outreach.campaign.signons import awaiting_fresh_yes, listed
from outreach.campaign.targets import about_target
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.mail.outbox import enqueue
from outreach.people.models import Suppression
from outreach.tasks.task import open_task

CHANGE_MAIL = "change_notice"
REISSUE_MAIL = "reissue_notice"


@dataclass
class NoticePass:
    emailed: int = 0
    by_task: list[str] = field(default_factory=list)  # signers an organizer must tell

    @property
    def notified(self) -> int:
        return self.emailed + len(self.by_task)


def version_subject(version: LetterVersion) -> str:
    return f"version:{version.id}"


def reissue_subject(reissue: Reissue) -> str:
    return f"reissue:{reissue.id}"


def _not_told(about: str) -> ColumnElement[bool]:
    """A sign-on with a target to write to and no notice about `about` yet."""
    return and_(SignOn.target_id.is_not(None), ~exists().where(
        SignerNotice.sign_on_id == SignOn.id, SignerNotice.about == about))


def _signers(session: Session, *conditions: ColumnElement[bool]) -> list[SignOn]:
    return list(session.scalars(
        select(SignOn).where(*conditions)
        .options(joinedload(SignOn.target).joinedload(Target.contact),
                 joinedload(SignOn.target).joinedload(Target.organization))
        .order_by(SignOn.id)))


def notify_change(session: Session, campaign: Campaign, config: CampaignConfig, *,
                  now: datetime, message_id_domain: str,
                  requesters: frozenset[int] = frozenset()) -> NoticePass:
    """Tell every signer of an older version about the current one.

    `requesters` are targets whose change request this version resolves: their notice says
    so. Earlier notices still unanswered are superseded; one waiting for a fresh yes passes
    that on, since the signer never agreed to the text in between.
    """
    version = letters.current_version(session, campaign.id)
    result = NoticePass()
    if version is None:
        return result
    about = version_subject(version)
    # Those waiting for a fresh yes are not listed, yet must hear about the new text too.
    signers = _signers(session, SignOn.campaign_id == campaign.id,
                       SignOn.withdrawn_at.is_(None), _not_told(about),
                       or_(SignOn.letter_version_id != version.id, awaiting_fresh_yes()))
    if not signers:
        return result
    earlier = _change_notices(session, campaign.id)
    fresh_yes = config.changes.after_change == "fresh_yes"
    respond_by = now + timedelta(days=config.changes.respond_within_days)
    notices, superseded_mail = [], []
    for sign_on in signers:
        history = earlier.get(sign_on.id, [])
        open_ones = [notice for notice, _status in history if notice.response is None]
        for notice in open_ones:
            notice.response = NoticeResponse.SUPERSEDED
            notice.responded_at = now
            notice.responded_by = "outreach"
            if notice.outbox_message_id is not None:
                superseded_mail.append(notice.outbox_message_id)
        notices.append(SignerNotice(
            campaign_id=campaign.id, sign_on_id=sign_on.id, kind=NoticeKind.CHANGE,
            about=about, letter_version_id=version.id,
            from_version_id=_last_agreed_version(sign_on, history),
            requires_reconfirmation=fresh_yes or any(n.requires_reconfirmation
                                                     for n in open_ones),
            resolves_their_request=sign_on.target_id in requesters,
            respond_by=respond_by, created_at=now))
    if superseded_mail:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(superseded_mail),
                   OutboxMessage.status == OutboxStatus.PENDING)
            .values(status=OutboxStatus.CANCELLED,
                    last_error=f"cancelled: superseded by letter version {version.number}"))
    _send(session, list(zip(notices, signers, strict=True)), CHANGE_MAIL, now,
          message_id_domain, result,
          task_title=lambda name: f"Tell {name} about letter version {version.number}")
    return result


def notify_reissue(session: Session, campaign: Campaign, reissue: Reissue, *, now: datetime,
                   message_id_domain: str) -> NoticePass:
    """Tell every listed signer that the statement will be reissued, and how to opt out."""
    result = NoticePass()
    if reissue.made_at is not None or now >= reissue.reissue_on:
        return result
    about = reissue_subject(reissue)
    pairs = [(SignerNotice(campaign_id=campaign.id, sign_on_id=sign_on.id,
                           kind=NoticeKind.REISSUE, about=about,
                           letter_version_id=reissue.letter_version_id, reissue_id=reissue.id,
                           respond_by=reissue.reissue_on, created_at=now), sign_on)
             for sign_on in _signers(session, listed(campaign.id), _not_told(about))]
    _send(session, pairs, REISSUE_MAIL, now, message_id_domain, result,
          task_title=lambda name: f"Tell {name} about the reissue on "
                                  f"{reissue.reissue_on:%Y-%m-%d}")
    return result


def _send(session: Session, pairs: list[tuple[SignerNotice, SignOn]], mail_kind: str,
          now: datetime, message_id_domain: str, result: NoticePass, *,
          task_title: Callable[[str], str]) -> None:
    """Store the notices, then queue one email each (or a task, where we may not write)."""
    session.add_all([notice for notice, _sign_on in pairs])
    session.flush()
    mailed = []
    for notice, sign_on in pairs:
        target = sign_on.target
        assert target is not None
        contact = target.contact
        if contact.suppression != Suppression.NONE:
            open_task(session, kind="notify_signer", campaign_id=target.campaign_id,
                      target_id=target.id, now=now, priority=50, due_at=notice.respond_by,
                      title=task_title(sign_on.name_as_listed),
                      notes=f"{contact.email} is {contact.suppression.value}: no email was "
                            f"sent. They have until {notice.respond_by:%Y-%m-%d} to keep or "
                            "withdraw the signature.")
            result.by_task.append(sign_on.name_as_listed)
            continue
        mailed.append((notice, enqueue(
            session, kind=mail_kind, recipient=contact.email, now=now,
            message_id_domain=message_id_domain, about=about_target(target.id), priority=80,
            payload={"notice_id": notice.id})))
    session.flush()
    for notice, row in mailed:
        notice.outbox_message_id = row.id
    result.emailed += len(mailed)


def _change_notices(session: Session, campaign_id: int
                    ) -> dict[int, list[tuple[SignerNotice, OutboxStatus | None]]]:
    """Every change notice of the campaign with its email's status, by sign-on, oldest first."""
    by_sign_on: dict[int, list[tuple[SignerNotice, OutboxStatus | None]]] = defaultdict(list)
    for notice, status in session.execute(
            select(SignerNotice, OutboxMessage.status)
            .join(OutboxMessage, OutboxMessage.id == SignerNotice.outbox_message_id,
                  isouter=True)
            .where(SignerNotice.campaign_id == campaign_id,
                   SignerNotice.kind == NoticeKind.CHANGE)
            .order_by(SignerNotice.id)):
        by_sign_on[notice.sign_on_id].append((notice, status))
    return by_sign_on


def _last_agreed_version(sign_on: SignOn,
                         history: list[tuple[SignerNotice, OutboxStatus | None]]) -> int:
    """The newest version the signer stands behind: the one signed, or a later one they
    reconfirmed, or were told about (and did not object to) where silence keeps the name."""
    for notice, status in reversed(history):
        if notice.response == NoticeResponse.RECONFIRMED or (
                not notice.requires_reconfirmation and status == OutboxStatus.SENT):
            return notice.letter_version_id
    return sign_on.letter_version_id
