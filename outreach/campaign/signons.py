"""Sign-ons: a consent, recorded once, with the evidence that it was given, and its
withdrawal, recorded the same way.

A sign-on is *listed* (on the public page, in the export, in mailings to signers) while it
is not withdrawn and no change notice is waiting for the signer's fresh yes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session, aliased

from outreach.campaign.models import NoticeResponse, SignerNotice, SignOn, Target, TargetState
from outreach.campaign.targets import about_target, transition
from outreach.mail.outbox import enqueue
from outreach.people.organizations import default_sort_name
from outreach.tasks.task import cancel_open_tasks


@dataclass(frozen=True)
class Evidence:
    """Why we believe this group consented: where, in which words, decided by whom."""

    kind: str  # "reply", "phone", "web"
    decided_by: str  # "classifier" or "organizer:<name>"
    letter_version_id: int
    quoted_text: str | None = None
    inbound_message_id: int | None = None
    classifier_version: str | None = None
    # The person who signed on the web form, and their title, as typed.
    signer_name: str | None = None
    signer_title: str | None = None


def awaiting_fresh_yes() -> ColumnElement[bool]:
    """The sign-on owes a yes to a changed text before it is listed again.

    Over an alias of the notices, so it correlates with `SignOn` only, even in a query
    that selects notices itself.
    """
    notice = aliased(SignerNotice)
    return exists().where(
        notice.sign_on_id == SignOn.id,
        notice.requires_reconfirmation.is_(True),
        notice.response.is_(None),
    )


def listed(campaign_id: int) -> ColumnElement[bool]:
    """The sign-ons of a campaign that stand behind the current letter."""
    return and_(SignOn.campaign_id == campaign_id, SignOn.withdrawn_at.is_(None),
                ~awaiting_fresh_yes())


def open_notices(session: Session, sign_on: SignOn) -> list[SignerNotice]:
    return list(session.scalars(select(SignerNotice).where(
        SignerNotice.sign_on_id == sign_on.id, SignerNotice.response.is_(None))
        .order_by(SignerNotice.id)))


def answer_notices(session: Session, sign_on: SignOn, response: NoticeResponse, *,
                   now: datetime, by: str, inbound_message_id: int | None = None) -> int:
    """Record the signer's answer on every notice still waiting for one."""
    notices = open_notices(session, sign_on)
    for notice in notices:
        notice.response = response
        notice.responded_at = now
        notice.responded_by = by
        notice.response_inbound_message_id = inbound_message_id
    return len(notices)


def active_sign_on(session: Session, target: Target) -> SignOn | None:
    return session.scalars(
        select(SignOn).where(SignOn.target_id == target.id, SignOn.withdrawn_at.is_(None))
    ).first()


def record_sign_on(session: Session, target: Target, *, name: str, signer_type: str,
                   evidence: Evidence, now: datetime, message_id_domain: str,
                   in_reply_to: str | None = None) -> SignOn:
    """Record the sign-on, move the target to signed, and queue the confirmation."""
    existing = active_sign_on(session, target)
    if existing is not None:
        return existing
    sign_on = SignOn(
        campaign_id=target.campaign_id, target_id=target.id,
        organization_id=target.organization_id, name_as_listed=name,
        sort_name=default_sort_name(name) if name != target.organization.name
        else target.organization.sort_name,
        signer_type=signer_type, letter_version_id=evidence.letter_version_id,
        evidence_kind=evidence.kind, inbound_message_id=evidence.inbound_message_id,
        quoted_text=evidence.quoted_text, decided_by=evidence.decided_by,
        classifier_version=evidence.classifier_version, signer_name=evidence.signer_name,
        signer_title=evidence.signer_title, signed_at=now,
    )
    session.add(sign_on)
    if target.state != TargetState.SIGNED:
        transition(session, target, TargetState.SIGNED, now=now, actor=evidence.decided_by,
                   reason=f"signed as {name!r} ({evidence.kind})")
    cancel_open_tasks(session, target.id, now=now, reason=f"signed as {name!r}",
                      by=evidence.decided_by)
    enqueue(session, kind="confirmation", recipient=target.contact.email, now=now,
            message_id_domain=message_id_domain, about=about_target(target.id), priority=100,
            payload={"in_reply_to": in_reply_to})
    session.flush()
    return sign_on


def withdraw(session: Session, sign_on: SignOn, *, now: datetime, by: str, message_id_domain: str,
             quoted_text: str | None = None, inbound_message_id: int | None = None,
             in_reply_to: str | None = None) -> None:
    """Take the signature off: from the page, the export, mailings and any reissue.

    The sign-on row stays, with the withdrawal's own evidence, and the signer is told.
    """
    if sign_on.withdrawn_at is not None:
        return
    sign_on.withdrawn_at = now
    sign_on.withdrawn_by = by
    sign_on.withdrawal_quoted_text = quoted_text
    sign_on.withdrawal_inbound_message_id = inbound_message_id
    answer_notices(session, sign_on, NoticeResponse.WITHDRAWN, now=now, by=by,
                   inbound_message_id=inbound_message_id)
    target = sign_on.target
    if target is None:
        return
    if target.state == TargetState.SIGNED:
        transition(session, target, TargetState.WITHDRAWN, now=now, actor=by,
                   reason=f"withdrew {sign_on.name_as_listed!r}")
    enqueue(session, kind="withdrawn", recipient=target.contact.email, now=now,
            message_id_domain=message_id_domain, about=about_target(target.id), priority=100,
            payload={"name_as_listed": sign_on.name_as_listed, "in_reply_to": in_reply_to})


def reconfirm(session: Session, sign_on: SignOn, *, now: datetime, by: str,
              inbound_message_id: int | None = None) -> int:
    """The signer said yes again to the current text: every open notice is answered."""
    return answer_notices(session, sign_on, NoticeResponse.RECONFIRMED, now=now, by=by,
                          inbound_message_id=inbound_message_id)


def reconfirm_and_confirm(session: Session, sign_on: SignOn, target: Target, *,
                          now: datetime, by: str, message_id_domain: str,
                          inbound_message_id: int | None = None,
                          in_reply_to: str | None = None) -> int:
    """`reconfirm`, and when it answered a notice, tell the signer their name stays (a
    "yes" to a notice by email or on the web)."""
    answered = reconfirm(session, sign_on, now=now, by=by,
                         inbound_message_id=inbound_message_id)
    if answered:
        enqueue(session, kind="confirmation", recipient=target.contact.email, now=now,
                message_id_domain=message_id_domain, about=about_target(target.id),
                priority=100, payload={"reconfirmed": True, "in_reply_to": in_reply_to})
    return answered


def reconfirmed_version(session: Session, sign_on: SignOn) -> int:
    """The newest letter version the signer said yes to again, else the one they signed."""
    version_id = session.scalars(
        select(SignerNotice.letter_version_id)
        .where(SignerNotice.sign_on_id == sign_on.id,
               SignerNotice.response == NoticeResponse.RECONFIRMED)
        .order_by(SignerNotice.id.desc())).first()
    return version_id if version_id is not None else sign_on.letter_version_id
