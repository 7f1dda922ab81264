"""Acting on inbound mail: match it to its ask, classify it, and do what it says.

Each stored message is acted on in its own transaction, after it was stored by the reader.
The consent rule governs: only an unconditional yes from the person we asked becomes a
sign-on; everything uncertain goes to the organizer's review queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from outreach.campaign.config import CampaignConfig
from outreach.campaign.contacts import suppress
from outreach.campaign.decisions import unsubscribe_contact, version_asked
from outreach.campaign.reviews import open_review
from outreach.campaign.signons import (
    Evidence,
    active_sign_on,
    reconfirm,
    record_sign_on,
    withdraw,
)
from outreach.campaign.targets import CLOSED, OPEN, transition
from outreach.campaign.tasks import cancel_open_tasks, open_task
from outreach.db.models import (
    Contact,
    InboundMessage,
    InboundStatus,
    OutboxMessage,
    SignOn,
    SuggestedContact,
    Suppression,
    Target,
    TargetState,
)
from outreach.db.session import transaction
from outreach.inbound.classify import Classification, Envelope, classify, envelope
from outreach.inbound.intent import CLASSIFIER_VERSION, Intent, Understanding
from outreach.inbound.message import MalformedMessage, load_message
from outreach.inbound.text import body_text
from outreach.mail.outbox import enqueue
from outreach.mail.tokens import read_token, token_from_address
from outreach.settings import Settings

log = logging.getLogger(__name__)
S = TargetState
# What a signer's reply can mean for the signature they gave.
SIGNER_ANSWERS = frozenset({Intent.WITHDRAW, Intent.RECONFIRM, Intent.SIGN_ON})


@dataclass
class Match:
    """What an inbound message answers, and how we know."""

    target: Target | None = None
    contact: Contact | None = None
    via: str = "nothing"
    unsubscribe_address: bool = False


@dataclass
class ProcessStats:
    processed: int = 0
    quarantined: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1


class ReplyRouter:
    def __init__(self, settings: Settings, campaigns: dict[str, CampaignConfig]) -> None:
        self.settings = settings
        self.campaigns = campaigns
        self.key = settings.require_secret_key()
        sender = settings.sender
        self.own_addresses = [sender.address.lower()]
        self.domain = sender.reply_domain

    def process_pending(self, factory: sessionmaker[Session], now: datetime,
                        limit: int = 200) -> ProcessStats:
        """Act on stored messages not yet acted on, each in its own transaction."""
        stats = ProcessStats()
        with factory() as session:
            ids = list(session.scalars(
                select(InboundMessage.id).where(InboundMessage.status == InboundStatus.NEW)
                .order_by(InboundMessage.id).limit(limit)))
        for inbound_id in ids:
            with transaction(factory) as session:
                row = session.get(InboundMessage, inbound_id, with_for_update={"skip_locked": True})
                if row is None or row.status != InboundStatus.NEW:
                    continue
                outcome = self.act_on(session, row, now)
            stats.count(outcome)
            if outcome == "quarantined":
                stats.quarantined += 1
            else:
                stats.processed += 1
        return stats

    def act_on(self, session: Session, row: InboundMessage, now: datetime) -> str:
        try:
            msg = load_message(row.raw)
            facts = envelope(msg)
            match = self.match(session, facts)
            target = match.target
            result = classify(
                msg,
                organization=target.organization.name if target else None,
                exclude=self._ask_lines(session, target),
                own_addresses=self.own_addresses,
            )
        except MalformedMessage as exc:
            return self._quarantine(row, str(exc))
        except Exception as exc:  # one unreadable message must never stop the pipeline
            log.exception("message %s could not be classified", row.id)
            return self._quarantine(row, f"could not be classified: {exc!r}")
        if result.kind == "bounce" and target is None:
            target = self._bounced_target(session, result)
        row.kind = result.kind
        row.intent = result.intent.value if result.intent else None
        row.classifier_version = CLASSIFIER_VERSION
        row.target_id = target.id if target else None
        row.status = InboundStatus.PROCESSED
        row.processed_at = now
        return self._apply(session, row, facts, match, target, result, now)

    # Matching ----------------------------------------------------------------------------

    def match(self, session: Session, facts: Envelope) -> Match:
        local = self.settings.sender.reply_local_part
        for address in facts.recipients:
            for part, kind in ((local, "t"), ("unsubscribe", "c"), ("bounce", "m")):
                token = token_from_address(address, part)
                found = read_token(self.key, token) if token else None
                if found is None or found[0] != kind:
                    continue
                number = found[1]
                if kind == "t" and (target := session.get(Target, number)) is not None:
                    return Match(target, target.contact, "reply token")
                if kind == "c" and (contact := session.get(Contact, number)) is not None:
                    return Match(None, contact, "unsubscribe token", unsubscribe_address=True)
                if kind == "m" and (sent := session.get(OutboxMessage, number)) is not None \
                        and sent.target_id is not None:
                    target = session.get(Target, sent.target_id)
                    return Match(target, target.contact if target else None, "bounce token")
        if facts.in_reply_to:
            sent = session.scalars(select(OutboxMessage).where(
                OutboxMessage.message_id.in_(facts.in_reply_to),
                OutboxMessage.target_id.is_not(None)).order_by(OutboxMessage.id.desc())).first()
            if sent is not None and sent.target_id is not None:
                target = session.get(Target, sent.target_id)
                if target is not None:
                    return Match(target, target.contact, "in-reply-to")
        if facts.sender:
            contact = session.scalars(select(Contact).where(Contact.email == facts.sender)).first()
            if contact is not None:
                return Match(_latest_target(session, contact), contact, "sender address")
        return Match()

    def _bounced_target(self, session: Session, result: Classification) -> Target | None:
        assert result.bounce is not None
        for address in result.bounce.failed_recipients:
            contact = session.scalars(select(Contact).where(Contact.email == address)).first()
            if contact is not None and (target := _latest_target(session, contact)):
                return target
        return None

    def _ask_lines(self, session: Session, target: Target | None) -> list[str]:
        """The text of what we sent this target: its words never count as theirs."""
        if target is None:
            return []
        lines: list[str] = []
        for raw in session.scalars(select(OutboxMessage.raw).where(
                OutboxMessage.target_id == target.id, OutboxMessage.raw.is_not(None))):
            if raw:
                lines.extend(body_text(load_message(raw)).splitlines())
        return [line for line in lines if line.strip()]

    # Outcomes ----------------------------------------------------------------------------

    def _apply(self, session: Session, row: InboundMessage, facts: Envelope, match: Match,
               target: Target | None, result: Classification, now: datetime) -> str:
        if result.kind == "bounce":
            return self._bounce(session, target, result, now)
        if result.kind == "auto_reply":
            return self._auto_reply(target, result, now)
        understanding = result.understanding
        assert understanding is not None
        if match.unsubscribe_address or understanding.intent == Intent.UNSUBSCRIBE:
            contact = match.contact or (target.contact if target else None)
            return self._unsubscribe(session, contact, now)
        if target is not None:
            target.replied_at = now  # any human reply stops the automated follow-ups
        if target is None:
            open_review(session, reason="unmatched", now=now, inbound_message_id=row.id,
                        summary=f"From {facts.sender or 'unknown sender'}: {facts.subject}",
                        quoted_text=understanding.evidence)
            return "review:unmatched"
        self._suggest_referrals(session, target, row, understanding, now)
        intent = understanding.intent
        sign_on = active_sign_on(session, target)
        if sign_on is not None and intent in SIGNER_ANSWERS:
            return self._signer_answer(session, row, facts, target, sign_on, understanding, now)
        if intent == Intent.SIGN_ON:
            return self._sign_on(session, row, facts, target, understanding, now)
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
                    inbound_message_id=row.id, summary=facts.subject,
                    quoted_text=understanding.evidence,
                    proposed_name=understanding.signer_name)
        return f"review:{intent.value}"

    def _sign_on(self, session: Session, row: InboundMessage, facts: Envelope, target: Target,
                 understanding: Understanding, now: datetime) -> str:
        config = self.campaigns[target.campaign.slug]
        signer_type = understanding.signer_type or "organization"
        doubt = None
        if active_sign_on(session, target) is not None:
            return "already_signed"
        if target.state not in OPEN | {S.DECLINED}:
            doubt = f"a yes from a target that is {target.state.value}"
        elif facts.sender != target.contact.email:
            doubt = (f"the yes came from {facts.sender or 'an unknown sender'}, not from "
                     f"{target.contact.email}, whom we asked")
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
                              letter_version_id=version_asked(session, target),
                              quoted_text=understanding.evidence, inbound_message_id=row.id,
                              classifier_version=understanding.version),
        )
        return "signed"

    def _signer_answer(self, session: Session, row: InboundMessage, facts: Envelope,
                       target: Target, sign_on: SignOn, understanding: Understanding,
                       now: datetime) -> str:
        """A signer keeps or withdraws their signature (say, answering a change notice)."""
        intent = understanding.intent
        if facts.sender != target.contact.email:
            open_review(session, reason=f"{intent.value}_doubt", target=target, now=now,
                        inbound_message_id=row.id, quoted_text=understanding.evidence,
                        summary=f"{intent.value} for {sign_on.name_as_listed!r} came from "
                                f"{facts.sender or 'an unknown sender'}, not from "
                                f"{target.contact.email}, who signed")
            return f"review:{intent.value}_doubt"
        if intent == Intent.WITHDRAW:
            withdraw(session, sign_on, now=now, by="classifier", message_id_domain=self.domain,
                     quoted_text=understanding.evidence, inbound_message_id=row.id,
                     in_reply_to=facts.message_id)
            return "withdrawn"
        if not reconfirm(session, sign_on, now=now, by="classifier", inbound_message_id=row.id):
            return "already_signed"
        enqueue(session, kind="confirmation", recipient=target.contact.email, now=now,
                message_id_domain=self.domain, target_id=target.id, priority=100,
                payload={"name_as_listed": sign_on.name_as_listed, "reconfirmed": True,
                         "in_reply_to": facts.message_id})
        return "reconfirmed"

    def _bounce(self, session: Session, target: Target | None, result: Classification,
                now: datetime) -> str:
        bounce = result.bounce
        assert bounce is not None
        if bounce.bounce_type != "hard" or target is None:
            return f"bounce:{bounce.bounce_type or 'unknown'}"
        contact = target.contact
        if contact.email not in bounce.failed_recipients:
            return "bounce:other_address"
        suppress(contact, Suppression.BOUNCED, now=now,
                 reason=f"{bounce.status or ''} {bounce.diagnostic or ''}".strip() or "bounced")
        if target.state in OPEN or target.state == S.QUEUED:
            transition(session, target, S.BOUNCED, now=now, reason=f"{contact.email} bounced")
            open_task(session, kind="find_contact", campaign_id=target.campaign_id,
                      target_id=target.id, now=now,
                      title=f"Find another contact for {target.organization.name}",
                      notes=f"Mail to {contact.email} bounced: {bounce.diagnostic or ''}")
        return "bounce:hard"

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
                message_id_domain=self.domain, target_id=target.id, priority=100,
                payload={"in_reply_to": facts.message_id})

    @staticmethod
    def _quarantine(row: InboundMessage, reason: str) -> str:
        row.status = InboundStatus.QUARANTINED
        row.error = reason
        return "quarantined"


def _latest_target(session: Session, contact: Contact) -> Target | None:
    targets = list(session.scalars(select(Target).where(Target.contact_id == contact.id)
                                   .order_by(Target.id.desc())))
    for target in targets:
        if target.state in OPEN:
            return target
    return targets[0] if targets else None
