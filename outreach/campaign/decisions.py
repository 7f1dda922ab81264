"""An organizer's decisions on the review queue and on suggested contacts.

Every decision is logged with who made it. Accepting records a sign-on whose evidence is
the organizer's decision and the message it was about (its words, and the letter version
the mail it answers linked); rejecting resumes the target's follow-ups; reclassifying
applies what the organizer says the message meant.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from outreach.campaign import letters
from outreach.campaign.intent import Intent
from outreach.campaign.models import MailLetter, SuggestedContact, Target, TargetState
from outreach.campaign.signons import (
    Evidence,
    active_sign_on,
    reconfirm,
    record_sign_on,
    withdraw,
)
from outreach.campaign.targets import ALLOWED, CLOSED, about_target, mail_about, transition
from outreach.errors import OutreachError
from outreach.inbound.classify import envelope
from outreach.inbound.message import MalformedMessage, load_message
from outreach.inbound.visible import visible_text
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus
from outreach.mail.outbox import enqueue
from outreach.people.contacts import suppress
from outreach.people.models import Contact, Organization, Suppression
from outreach.people.names import greeting_name
from outreach.people.organizations import default_sort_name, org_key
from outreach.review.models import ReviewItem, ReviewStatus
from outreach.review.queue import log_decision

S = TargetState
RESUMABLE = frozenset({S.PAUSED})


def _open_item(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id, with_for_update=True)
    if item is None:
        raise OutreachError(f"no review item {item_id}")
    if item.status != ReviewStatus.OPEN:
        raise OutreachError(f"review item {item_id} is already {item.status.value} "
                            f"(by {item.decided_by})")
    return item


def _target(session: Session, item: ReviewItem) -> Target:
    target = session.get(Target, item.target_id) if item.target_id is not None else None
    if target is None:
        raise OutreachError(f"review item {item.id} is not linked to a target; "
                            "reject it, or import the organization and decide again")
    return target


def version_asked(session: Session, target: Target, *, answering: Sequence[str] = (),
                  before: datetime | None = None) -> int:
    """The letter version the target was asked about, which their answer refers to: the one
    linked by the mail the answer replies to (`answering`: its In-Reply-To and References),
    else by the last mail sent to them before the answer arrived (`before`), else by the
    last mail sent to them, else the current one."""
    sent = (select(MailLetter.letter_version_id)
            .join(OutboxMessage, OutboxMessage.id == MailLetter.outbox_message_id)
            .where(mail_about(target.id), OutboxMessage.status == OutboxStatus.SENT)
            .order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc()))
    narrowest_first = [
        *([OutboxMessage.message_id.in_(answering[:50])] if answering else []),
        *([OutboxMessage.sent_at <= before] if before is not None else []),
        true(),
    ]
    for condition in narrowest_first:
        version_id = session.scalars(sent.where(condition)).first()
        if version_id is not None:
            return version_id
    current = letters.current_version(session, target.campaign_id)
    assert current is not None, "a campaign always has a letter version"
    return current.id


@dataclass(frozen=True)
class Answer:
    """What an organizer decides on: the reply's own words, and what it answers."""

    words: str | None
    answering: Sequence[str] = ()
    received_at: datetime | None = None


def read_answer(session: Session, item: ReviewItem) -> Answer:
    """The message behind a review item, read again: its visible text (the words above any
    quoted mail) and the messages it replies to. Without one, the words the item quotes."""
    row = session.get(InboundMessage, item.inbound_message_id) \
        if item.inbound_message_id is not None else None
    if row is None:
        return Answer(item.quoted_text)
    try:
        msg = load_message(row.raw)
    except MalformedMessage:
        return Answer(item.quoted_text, received_at=row.received_at)
    words = visible_text(msg).strip()
    return Answer(words or item.quoted_text, envelope(msg).in_reply_to, row.received_at)


def accept(session: Session, item_id: int, *, by: str, now: datetime, message_id_domain: str,
           name: str | None = None, signer_type: str = "organization") -> ReviewItem:
    """The organizer confirms this is a sign-on, under `name` (default: the proposed one)."""
    item = _open_item(session, item_id)
    target = _target(session, item)
    listed = name or item.proposed_name or target.organization.name
    if S.SIGNED not in ALLOWED[target.state] and target.state != S.SIGNED:
        raise OutreachError(f"{target.organization.name} is {target.state.value}; "
                            "it cannot be recorded as signed")
    answer = read_answer(session, item)
    record_sign_on(
        session, target, name=listed, signer_type=signer_type, now=now,
        message_id_domain=message_id_domain,
        evidence=Evidence(kind="reply", decided_by=f"organizer:{by}",
                          letter_version_id=version_asked(session, target,
                                                          answering=answer.answering,
                                                          before=answer.received_at),
                          quoted_text=answer.words,
                          inbound_message_id=item.inbound_message_id),
    )
    log_decision(session, item, decision="accept", by=by, now=now, detail=f"listed as {listed!r}",
                 status=ReviewStatus.ACCEPTED)
    return item


def reject(session: Session, item_id: int, *, by: str, now: datetime,
           note: str = "") -> ReviewItem:
    """Not a sign-on and nothing to do: the target's follow-ups resume."""
    item = _open_item(session, item_id)
    if item.target_id is not None:
        target = _target(session, item)
        if target.state in RESUMABLE:
            transition(session, target, S.ASKED, now=now, actor=f"organizer:{by}",
                       reason=f"review {item.id} rejected; follow-ups resume")
    log_decision(session, item, decision="reject", by=by, now=now, detail=note,
                 status=ReviewStatus.REJECTED)
    return item


def reclassify(session: Session, item_id: int, intent: Intent, *, by: str, now: datetime,
               message_id_domain: str, name: str | None = None) -> ReviewItem:
    """Apply what the organizer says the message meant."""
    if intent == Intent.SIGN_ON:
        return accept(session, item_id, by=by, now=now, message_id_domain=message_id_domain,
                      name=name)
    item = _open_item(session, item_id)
    actor = f"organizer:{by}"
    if intent in (Intent.WITHDRAW, Intent.RECONFIRM):
        target = _target(session, item)
        sign_on = active_sign_on(session, target)
        if sign_on is None:
            raise OutreachError(f"{target.organization.name} has no signature to "
                                f"{'withdraw' if intent == Intent.WITHDRAW else 'reconfirm'}")
        if intent == Intent.WITHDRAW:
            withdraw(session, sign_on, now=now, by=actor, message_id_domain=message_id_domain,
                     quoted_text=item.quoted_text, inbound_message_id=item.inbound_message_id)
        else:
            reconfirm(session, sign_on, now=now, by=actor,
                      inbound_message_id=item.inbound_message_id)
        log_decision(session, item, decision=f"reclassify:{intent.value}", by=by, now=now,
                     status=ReviewStatus.RECLASSIFIED)
        return item
    if intent in (Intent.DECLINE, Intent.UNSUBSCRIBE, Intent.MORE_TIME):
        target = _target(session, item)
        if intent == Intent.DECLINE and S.DECLINED in ALLOWED[target.state]:
            transition(session, target, S.DECLINED, now=now, actor=actor,
                       reason=f"declined (review {item.id})")
        elif intent == Intent.UNSUBSCRIBE:
            unsubscribe_contact(session, target.contact, now=now, actor=actor)
        elif intent == Intent.MORE_TIME:
            if target.state in RESUMABLE:
                transition(session, target, S.ASKED, now=now, actor=actor,
                           reason=f"asked for more time (review {item.id})")
            enqueue(session, kind="more_time", recipient=target.contact.email, now=now,
                    message_id_domain=message_id_domain, about=about_target(target.id),
                    priority=100)
        log_decision(session, item, decision=f"reclassify:{intent.value}", by=by, now=now,
                     status=ReviewStatus.RECLASSIFIED)
        return item
    # Still for a person to handle: keep it open under its new name.
    item.reason = intent.value
    log_decision(session, item, decision=f"reclassify:{intent.value}", by=by, now=now,
                 status=ReviewStatus.OPEN)
    item.decided_at = None
    return item


def unsubscribe_contact(session: Session, contact: Contact, *, now: datetime,
                        actor: str) -> None:
    """Suppress `contact` everywhere and close every target asked through them."""
    suppress(contact, Suppression.UNSUBSCRIBED, reason="asked to unsubscribe", now=now)
    for target in session.scalars(select(Target).where(Target.contact_id == contact.id)):
        if target.state not in CLOSED and S.OPTED_OUT in ALLOWED[target.state]:
            transition(session, target, S.OPTED_OUT, now=now, actor=actor,
                       reason="the contact unsubscribed")


def approve_referral(session: Session, suggestion_id: int, *, by: str, now: datetime,
                     organization: str, contact_name: str | None = None) -> Target:
    """Turn a suggested contact into a queued target; only now may it be emailed."""
    suggestion = session.get(SuggestedContact, suggestion_id, with_for_update=True)
    if suggestion is None or suggestion.status != "suggested":
        raise OutreachError(f"no open suggested contact {suggestion_id}")
    key = org_key(organization)
    org = session.scalars(select(Organization).where(Organization.key == key)).first()
    if org is None:
        org = Organization(key=key, name=organization, sort_name=default_sort_name(organization),
                           tags=["referral"], created_at=now, updated_at=now)
        session.add(org)
        session.flush()
    contact = session.scalars(select(Contact).where(Contact.email == suggestion.email)).first()
    if contact is None:
        display = contact_name or suggestion.name or suggestion.email.split("@")[0]
        contact = Contact(organization_id=org.id, name=display,
                          greeting_name=greeting_name(display), email=suggestion.email,
                          created_at=now, updated_at=now)
        session.add(contact)
        session.flush()
    target = session.scalars(select(Target).where(
        Target.campaign_id == suggestion.campaign_id,
        Target.organization_id == org.id)).first()
    if target is None:
        target = Target(campaign_id=suggestion.campaign_id, organization_id=org.id,
                        contact_id=contact.id, state_changed_at=now, created_at=now)
        session.add(target)
        session.flush()
    suggestion.status = "approved"
    suggestion.decided_by = by
    suggestion.decided_at = now
    return target


def reject_referral(session: Session, suggestion_id: int, *, by: str, now: datetime) -> None:
    suggestion = session.get(SuggestedContact, suggestion_id, with_for_update=True)
    if suggestion is None or suggestion.status != "suggested":
        raise OutreachError(f"no open suggested contact {suggestion_id}")
    suggestion.status = "rejected"
    suggestion.decided_by = by
    suggestion.decided_at = now
