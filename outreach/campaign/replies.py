"""Replies to a campaign's mail: find the ask they answer, read them, and do what they say.

Two routes of the door come here (`outreach.campaign.feature`):

- `campaign.reply`: mail to a target's own reply address (`reply+t42-…@`). The token
  names the target; a token that fails its check goes to review and is never matched in
  a weaker way instead.
- `campaign.sender`: mail to our untagged addresses (the From of our mail, the bare
  reply address). It is matched by In-Reply-To to one of our messages, else by the
  sender's address alone, and a match by address alone never acts without review.

Who may act: a sign-on, decline, withdrawal, reconfirmation or unsubscribe is taken
automatically only from the person it concerns: the message answers that target (token
or In-Reply-To) and its single author is the asked contact, with no failing DMARC/SPF
recorded by the trusted server. Everything else goes to the organizer's review queue
with the reason. Bounces count only when they carry the Message-ID of a message we sent
(the VERP bounce address is the mail layer's own route).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig
from outreach.campaign.decisions import unsubscribe_contact, version_asked
from outreach.campaign.intent import ALSO_UNSUBSCRIBE, CLASSIFIER_VERSION, Intent, Understanding
from outreach.campaign.models import SignOn, SuggestedContact, Target, TargetState
from outreach.campaign.reading import Classification, classify
from outreach.campaign.reviews import open_review
from outreach.campaign.signons import (
    Evidence,
    active_sign_on,
    reconfirm_and_confirm,
    record_sign_on,
    withdraw,
)
from outreach.campaign.targets import (
    CLOSED,
    OPEN,
    TARGET,
    about_target,
    mail_about,
    target_id_of,
    transition,
)
from outreach.inbound.authority import Author, author
from outreach.inbound.bounces import Bounce
from outreach.inbound.classify import Envelope, envelope, sort_mail
from outreach.inbound.door import recipients
from outreach.inbound.message import load_message
from outreach.inbound.text import body_text
from outreach.mail.bounce_handling import bounced_message, hand_to_kind, returned_mail
from outreach.mail.handling import Handled
from outreach.mail.models import InboundMessage, OutboxMessage
from outreach.mail.outbox import enqueue
from outreach.mail.tokens import token_number
from outreach.people.contacts import suppress
from outreach.people.models import Contact, Suppression
from outreach.review.queue import open_item
from outreach.settings import Settings
from outreach.tasks.task import cancel_open_tasks, open_task

log = logging.getLogger(__name__)
S = TargetState
# Soft or unclassified bounces of this many messages to a target's contact stop the asking,
# as one hard bounce does.
SOFT_BOUNCES_TO_GIVE_UP = 3
# What a signer's reply can mean for the signature they gave.
SIGNER_ANSWERS = frozenset({Intent.WITHDRAW, Intent.RECONFIRM, Intent.SIGN_ON})
REPLY_ROUTE = "campaign.reply"
SENDER_ROUTE = "campaign.sender"
UNSUBSCRIBE_ROUTE = "campaign.unsubscribe"
UNSUBSCRIBE_LOCAL_PART = "unsubscribe"


@dataclass
class Match:
    """What an inbound message answers, and how we know."""

    target: Target | None = None
    contact: Contact | None = None
    via: str = "nothing"
    # Why this match may not act on its own (a tampered token, the sender's address alone).
    doubt: str | None = None


class CampaignReplies:
    """The handler of the campaign's reply routes: one instance per route."""

    def __init__(self, settings: Settings, campaigns: dict[str, CampaignConfig], *,
                 route: str) -> None:
        self.settings = settings
        self.campaigns = campaigns
        self.route = route
        self.key = settings.require_secret_key()
        sender = settings.sender
        self.own_addresses = [sender.address.lower()]
        self.domain = sender.reply_domain

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        facts = envelope(msg)
        match = self.match(session, msg, facts)
        target = match.target
        result = classify(
            msg,
            organization=target.organization.name if target else None,
            exclude=self._ask_lines(session, target),
            own_addresses=self.own_addresses,
            letter_title=target.campaign.title if target else None,
        )
        if result.kind == "bounce":
            target = self._bounced_target(session, msg)
        who = author(msg, self.settings.mailbox.trusted_authserv_id)
        outcome = self._apply(session, row, msg, facts, who, match, target, result, now)
        return Handled(outcome, kind=result.kind,
                       about_kind=TARGET if target is not None else None,
                       about_id=target.id if target is not None else None,
                       classifier_version=CLASSIFIER_VERSION)

    # Matching ----------------------------------------------------------------------------

    def match(self, session: Session, msg: EmailMessage, facts: Envelope) -> Match:
        if self.route == REPLY_ROUTE:
            return self._by_token(session, msg)
        return self._by_thread_or_sender(session, facts)

    def _by_token(self, session: Session, msg: EmailMessage) -> Match:
        number = token_number(self.key, recipients(msg), kind="t", domain=self.domain,
                              local_part=self.settings.sender.reply_local_part)
        target = session.get(Target, number) if number is not None else None
        if target is not None:
            return Match(target, target.contact, "reply token")
        return Match(doubt="sent to a reply address whose token does not check out "
                           "(tampered, or from another installation)")

    def _by_thread_or_sender(self, session: Session, facts: Envelope) -> Match:
        if facts.in_reply_to:
            sent = session.scalars(select(OutboxMessage).where(
                OutboxMessage.message_id.in_(facts.in_reply_to[:50]),
                OutboxMessage.about_kind == TARGET).order_by(OutboxMessage.id.desc())).first()
            target_id = target_id_of(sent) if sent is not None else None
            if target_id is not None and (target := session.get(Target, target_id)):
                return Match(target, target.contact, "in-reply-to")
        if facts.sender:
            contact = session.scalars(select(Contact).where(Contact.email == facts.sender)).first()
            if contact is not None:
                return Match(_latest_target(session, contact), contact, "sender address",
                             doubt="matched by the sender's address alone: no reply token "
                                   "and no In-Reply-To of our mail")
        return Match()

    def _bounced_target(self, session: Session, msg: EmailMessage) -> Target | None:
        """The target of the message a bounce carries, if it is one of ours."""
        sent = bounced_message(session, msg)
        target_id = target_id_of(sent) if sent is not None else None
        return session.get(Target, target_id) if target_id is not None else None

    def _ask_lines(self, session: Session, target: Target | None) -> list[str]:
        """The text of what we sent this target: its words never count as theirs."""
        if target is None:
            return []
        lines: list[str] = []
        for raw in session.scalars(select(OutboxMessage.raw).where(
                mail_about(target.id), OutboxMessage.raw.is_not(None))):
            if raw:
                lines.extend(body_text(load_message(raw)).splitlines())
        return [line for line in lines if line.strip()]

    # Outcomes ----------------------------------------------------------------------------

    def _doubt(self, match: Match, who: Author, target: Target) -> str | None:
        """Why this message may not act for `target` on its own, or None when it may."""
        if match.doubt is not None:
            return match.doubt
        if who.doubt is not None:
            return who.doubt
        if who.address != target.contact.email:
            return (f"it came from {who.address or 'an unknown sender'}, not from "
                    f"{target.contact.email}, whom we asked")
        return None

    def _apply(self, session: Session, row: InboundMessage, msg: EmailMessage,
               facts: Envelope, who: Author,
               match: Match, target: Target | None, result: Classification,
               now: datetime) -> str:
        if result.kind == "bounce":
            return self._bounce(session, msg, result, now)
        if result.kind == "auto_reply":
            return self._auto_reply(target if match.doubt is None else None, result, now)
        understanding = result.understanding
        assert understanding is not None
        if target is None:
            open_review(session, reason="unmatched", now=now, inbound_message_id=row.id,
                        summary=match.doubt or
                        f"From {facts.sender or 'unknown sender'}: {facts.subject}",
                        quoted_text=understanding.evidence)
            return "review:unmatched"
        doubt = self._doubt(match, who, target)
        if doubt is None:
            target.replied_at = now  # any reply from the person stops the follow-ups
        self._suggest_referrals(session, target, row, understanding, now)
        sign_on = active_sign_on(session, target)
        intent = understanding.intent_for(signer=sign_on is not None)
        if intent == Intent.UNSUBSCRIBE:
            if doubt is None:
                return self._unsubscribe(session, target.contact, now)
            return self._doubted(session, row, target, understanding, intent, doubt, now)
        if sign_on is not None and intent in SIGNER_ANSWERS:
            return self._signer_answer(session, row, facts, target, sign_on, understanding,
                                       doubt, now)
        if intent == Intent.SIGN_ON:
            return self._sign_on(session, row, facts, target, understanding, doubt, now)
        if intent in (Intent.DECLINE, Intent.MORE_TIME) and target.state in OPEN \
                and doubt is not None:
            return self._doubted(session, row, target, understanding, intent, doubt, now)
        if intent == Intent.DECLINE and target.state in OPEN:
            transition(session, target, S.DECLINED, now=now, actor="classifier",
                       reason=f"declined: {understanding.evidence!r}")
            cancel_open_tasks(session, target.id, now=now, reason="declined by email")
            if self.campaigns[target.campaign.slug].thank_decliners:
                self._reply(session, target, "decline_thanks", facts, now)
            return "declined"
        if intent == Intent.MORE_TIME and target.state in OPEN:
            self._reply(session, target, "more_time", facts, now)
            return "more_time"
        open_review(session, reason=intent.value, target=target, now=now,
                    inbound_message_id=row.id, summary=doubt or facts.subject,
                    quoted_text=understanding.evidence,
                    proposed_name=understanding.signer_name)
        return f"review:{intent.value}"

    @staticmethod
    def _doubted(session: Session, row: InboundMessage, target: Target,
                 understanding: Understanding, intent: Intent, doubt: str,
                 now: datetime) -> str:
        open_review(session, reason=f"{intent.value}_doubt", target=target, now=now,
                    inbound_message_id=row.id, summary=f"{intent.value}, but {doubt}",
                    quoted_text=understanding.evidence,
                    proposed_name=understanding.signer_name)
        return f"review:{intent.value}_doubt"

    def _sign_on(self, session: Session, row: InboundMessage, facts: Envelope, target: Target,
                 understanding: Understanding, doubt: str | None, now: datetime) -> str:
        config = self.campaigns[target.campaign.slug]
        signer_type = understanding.signer_type or "organization"
        if active_sign_on(session, target) is not None:
            return "already_signed"
        if doubt is not None:
            doubt = f"a yes, but {doubt}"
        elif target.state not in OPEN | {S.DECLINED}:
            doubt = f"a yes from a target that is {target.state.value}"
        elif signer_type == "individual" and not config.individuals_may_sign:
            doubt = "an individual sign-on, and this campaign takes organizations only"
        if doubt is not None:
            open_review(session, reason="sign_on_doubt", target=target, now=now,
                        inbound_message_id=row.id, summary=doubt,
                        quoted_text=understanding.evidence,
                        proposed_name=understanding.signer_name or target.organization.name)
            return "review:sign_on_doubt"
        record_sign_on(
            session, target, name=understanding.signer_name or target.organization.name,
            signer_type=signer_type, now=now, message_id_domain=self.domain,
            in_reply_to=facts.message_id,
            evidence=Evidence(kind="reply", decided_by="classifier",
                              letter_version_id=version_asked(
                                  session, target, answering=facts.in_reply_to,
                                  before=row.received_at),
                              quoted_text=understanding.evidence, inbound_message_id=row.id,
                              classifier_version=understanding.version),
        )
        return "signed"

    def _signer_answer(self, session: Session, row: InboundMessage, facts: Envelope,
                       target: Target, sign_on: SignOn, understanding: Understanding,
                       doubt: str | None, now: datetime) -> str:
        """A signer keeps or withdraws their signature (say, answering a change notice)."""
        intent = understanding.intent
        if doubt is not None:
            open_review(session, reason=f"{intent.value}_doubt", target=target, now=now,
                        inbound_message_id=row.id, quoted_text=understanding.evidence,
                        summary=f"{intent.value} for {sign_on.name_as_listed!r}, but {doubt}")
            return f"review:{intent.value}_doubt"
        if intent == Intent.WITHDRAW:
            withdraw(session, sign_on, now=now, by="classifier", message_id_domain=self.domain,
                     quoted_text=understanding.evidence, inbound_message_id=row.id,
                     in_reply_to=facts.message_id)
            if ALSO_UNSUBSCRIBE in understanding.signals:
                self._unsubscribe(session, target.contact, now)
                return "withdrawn+unsubscribed"
            return "withdrawn"
        if not reconfirm_and_confirm(session, sign_on, target, now=now, by="classifier",
                                     message_id_domain=self.domain,
                                     inbound_message_id=row.id, in_reply_to=facts.message_id):
            return "already_signed"
        return "reconfirmed"

    def _bounce(self, session: Session, msg: EmailMessage, result: Classification,
                now: datetime) -> str:
        """A bounce that came to a reply address: it counts only if it returns our mail."""
        assert result.bounce is not None
        sent = bounced_message(session, msg)
        if sent is None:
            return f"bounce:{result.bounce.bounce_type or 'unknown'}:unproven"
        return hand_to_kind(session, sent, result.bounce, {sent.kind: target_bounced},
                            now).outcome

    def _auto_reply(self, target: Target | None, result: Classification, now: datetime) -> str:
        back = result.return_date
        if back is None or target is None or target.state in CLOSED:
            return "auto_reply"
        zone = ZoneInfo(self.campaigns[target.campaign.slug].timezone)
        resume = datetime.combine(back, time(9, 0), tzinfo=zone) + timedelta(days=1)
        if target.next_action_at is None or target.next_action_at < resume:
            target.next_action_at = resume
        return "auto_reply:postponed"

    def _unsubscribe(self, session: Session, contact: Contact | None, now: datetime) -> str:
        if contact is None:
            return "unsubscribe:unknown"
        unsubscribe_contact(session, contact, now=now, actor="classifier")
        return "unsubscribed"

    def _suggest_referrals(self, session: Session, target: Target, row: InboundMessage,
                           understanding: Understanding, now: datetime) -> None:
        for referral in understanding.referrals:
            session.add(SuggestedContact(
                campaign_id=target.campaign_id, referred_by_target_id=target.id,
                inbound_message_id=row.id, email=referral.email, name=referral.name,
                created_at=now))

    def _reply(self, session: Session, target: Target, kind: str, facts: Envelope,
               now: datetime) -> None:
        enqueue(session, kind=kind, recipient=target.contact.email, now=now,
                message_id_domain=self.domain, about=about_target(target.id), priority=100,
                payload={"in_reply_to": facts.message_id})

def _latest_target(session: Session, contact: Contact) -> Target | None:
    targets = list(session.scalars(select(Target).where(Target.contact_id == contact.id)
                                   .order_by(Target.id.desc())))
    for target in targets:
        if target.state in OPEN:
            return target
    return targets[0] if targets else None


def target_bounced(session: Session, sent: OutboxMessage, bounce: Bounce, now: datetime) -> str:
    """The bounce hook of every mail kind sent to a target. A hard bounce of the address we
    wrote to suppresses the contact and asks an organizer for another one; so do soft or
    unclassified bounces (a full mailbox, a policy or spam rejection) of
    `SOFT_BOUNCES_TO_GIVE_UP` of our messages to it."""
    target_id = target_id_of(sent)
    target = session.get(Target, target_id) if target_id is not None else None
    kind = bounce.bounce_type or "unknown"
    if target is None:
        return f"bounce:{kind}"
    contact = target.contact
    if contact.email != sent.recipient.lower():
        return "bounce:other_address"
    why = f"{bounce.status or ''} {bounce.diagnostic or ''}".strip()
    if bounce.bounce_type == "hard":
        _stop_writing_to(session, target, now, reason=why or "bounced")
        return "bounce:hard"
    returned = session.scalar(select(func.count()).select_from(OutboxMessage).where(
        mail_about(target.id), OutboxMessage.recipient == sent.recipient, returned_mail())) or 0
    if returned < SOFT_BOUNCES_TO_GIVE_UP:
        return f"bounce:{kind}"
    _stop_writing_to(session, target, now,
                     reason=f"{returned} messages bounced ({kind}); the last: {why or kind}")
    return f"bounce:{kind}:repeated"


def _stop_writing_to(session: Session, target: Target, now: datetime, *, reason: str) -> None:
    """The target's contact bounced for good: suppress them, and while the target is still
    being asked, mark it bounced and ask an organizer to find another contact."""
    contact = target.contact
    suppress(contact, Suppression.BOUNCED, now=now, reason=reason)
    if target.state in OPEN or target.state == S.QUEUED:
        transition(session, target, S.BOUNCED, now=now, reason=f"{contact.email} bounced")
        open_task(session, kind="find_contact", campaign_id=target.campaign_id,
                  target_id=target.id, now=now,
                  title=f"Find another contact for {target.organization.name}",
                  notes=f"Mail to {contact.email} bounced: {reason}")


class UnsubscribeAddress:
    """The handler of mail to a contact's unsubscribe address (`unsubscribe+c42-…@`), the
    mailto of List-Unsubscribe: it suppresses that contact when the contact sent it."""

    def __init__(self, settings: Settings) -> None:
        self.key = settings.require_secret_key()
        self.domain = settings.sender.reply_domain.lower()
        self.trusted = settings.mailbox.trusted_authserv_id

    def _contact(self, session: Session, msg: EmailMessage) -> Contact | None:
        number = token_number(self.key, recipients(msg), kind="c", domain=self.domain,
                              local_part=UNSUBSCRIBE_LOCAL_PART)
        return session.get(Contact, number) if number is not None else None

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        sorted_ = sort_mail(msg, read_text=False)
        if sorted_.kind != "human":
            return Handled(f"{sorted_.kind}:to_unsubscribe_address", kind=sorted_.kind)
        contact = self._contact(session, msg)
        who = author(msg, self.trusted)
        if contact is None:
            doubt = "sent to an unsubscribe address whose token does not check out"
        elif who.doubt is not None:
            doubt = who.doubt
        elif who.address != contact.email:
            doubt = (f"it came from {who.address or 'an unknown sender'}, not from "
                     f"{contact.email}, whose address it is")
        else:
            unsubscribe_contact(session, contact, now=now, actor="unsubscribe address")
            return Handled("unsubscribed", kind="human")
        facts = envelope(msg)
        open_item(session, reason="unsubscribe_doubt", now=now, inbound_message_id=row.id,
                  summary=f"an unsubscribe for {contact.email if contact else 'nobody known'}, "
                          f"but {doubt}: {facts.subject}")
        return Handled("review:unsubscribe_doubt", kind="human")
