"""Forgetting a person at their request: their data erased, only the hash of their address
kept, so that they are never emailed or imported again.

Erased: their name, address, phone and role; the raw bytes of every message to them or
about the targets asked through them (the rows stay, with their Message-IDs, so a mailbox
read again does not store them anew); the evidence text of those targets' sign-ons and
review items; and their name, address and phone wherever a reason, a summary, a task or a
decision repeats them. Kept: the organizations and their targets, the audit trail of state
changes (redacted), and each sign-on, under the organization's name with its evidence
redacted. A person who signed as an individual is taken off the list: without them there
is no one whose consent it was. Their contact row becomes the forgotten row
(`addresses.forgotten_address`), suppressed, which the importer and the outbox refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.models import SignOn, Target, TargetState
from outreach.campaign.personal_data import footprint
from outreach.campaign.targets import ALLOWED, CLOSED, transition
from outreach.mail.models import OutboxStatus
from outreach.people.addresses import HASH_SCHEME, address_hash, forgotten_address
from outreach.people.blocklist import contact_or_placeholder
from outreach.people.contacts import suppress
from outreach.people.models import Contact, Suppression
from outreach.tasks.task import cancel_open_tasks

S = TargetState
ERASED = "[forgotten]"
MIN_NAME = 3  # a shorter name would be erased from inside other words


@dataclass
class Forgotten:
    address_hash: str
    already: bool  # they had been forgotten before; anything found since is erased now
    targets_closed: int = 0
    sign_ons_kept: int = 0
    sign_ons_withdrawn: int = 0
    messages_erased: int = 0


class _Redactor:
    """Replaces a person's name, address and phone, whatever their case, in free text."""

    def __init__(self, *words: str | None) -> None:
        kept = sorted({w.strip() for w in words if w and len(w.strip()) >= MIN_NAME},
                      key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, kept)), re.IGNORECASE) if kept \
            else None

    def __call__(self, text: str) -> str:
        return self.pattern.sub(ERASED, text) if self.pattern is not None else text

    def optional(self, text: str | None) -> str | None:
        return self(text) if text is not None else None


def forget(session: Session, address: str, *, by: str, now: datetime) -> Forgotten:
    """Erase the person at `address` (in normal form), keeping only their address's hash."""
    found = footprint(session, address)
    contact = found.contact or contact_or_placeholder(session, address, now)
    result = Forgotten(address_hash(address),
                       already=contact.suppression == Suppression.FORGOTTEN)
    redact = _Redactor(address, contact.name, contact.phone)
    actor = f"organizer:{by}"
    for target in found.targets:
        if target.state not in CLOSED and S.OPTED_OUT in ALLOWED[target.state]:
            transition(session, target, S.OPTED_OUT, now=now, actor=actor,
                       reason="the contact asked to be forgotten")
            result.targets_closed += 1
        cancel_open_tasks(session, target.id, now=now, reason="the contact was forgotten",
                          by=actor)
        target.state_reason = redact.optional(target.state_reason)
    for sign_on in found.sign_ons:
        _keep_as_organization(session, sign_on, now=now, actor=actor, result=result)
    for event in found.events:
        event.reason = redact(event.reason)
    marker = forgotten_address(address)
    for sent in found.sent:
        sent.recipient = marker
        sent.raw = None
        sent.payload = {key: redact(value) if isinstance(value, str) else value
                        for key, value in sent.payload.items() if key != "quoted"}
        sent.last_error = redact.optional(sent.last_error)
        if sent.status in (OutboxStatus.PENDING, OutboxStatus.SENDING):
            sent.status = OutboxStatus.CANCELLED
            sent.last_error = "cancelled: the recipient asked to be forgotten"
            sent.claimed_by = sent.lease_until = None
    for received in found.received:
        received.raw = b""
        received.error = redact.optional(received.error)
    result.messages_erased = len(found.sent) + len(found.received)
    for item in found.review_items:
        item.summary = redact(item.summary)
        item.quoted_text = ERASED if item.quoted_text else item.quoted_text
        item.proposed_name = redact.optional(item.proposed_name)
    for decision in found.decisions:
        decision.detail = redact(decision.detail)
    for task in found.tasks:
        task.title = redact(task.title)
        task.notes = redact(task.notes)
    for suggestion in found.suggestions:
        suggestion.email = marker
        suggestion.name = None
    _erase(session, contact, marker, by=by, now=now)
    return result


def _keep_as_organization(session: Session, sign_on: SignOn, *, now: datetime, actor: str,
                          result: Forgotten) -> None:
    """The sign-on stays as the organization's name, its evidence redacted; an
    individual's signature is withdrawn."""
    target = session.get(Target, sign_on.target_id) if sign_on.target_id is not None else None
    if target is not None:
        sign_on.name_as_listed = target.organization.name
        sign_on.sort_name = target.organization.sort_name
    sign_on.quoted_text = ERASED if sign_on.quoted_text else sign_on.quoted_text
    sign_on.withdrawal_quoted_text = ERASED if sign_on.withdrawal_quoted_text \
        else sign_on.withdrawal_quoted_text
    if sign_on.signer_type != "individual" or sign_on.withdrawn_at is not None:
        result.sign_ons_kept += 1
        return
    sign_on.withdrawn_at = now
    sign_on.withdrawn_by = actor
    sign_on.withdrawal_quoted_text = "the signer asked to be forgotten"
    if target is not None and target.state == S.SIGNED:
        transition(session, target, S.WITHDRAWN, now=now, actor=actor,
                   reason="the individual who signed asked to be forgotten")
    result.sign_ons_withdrawn += 1


def _erase(session: Session, contact: Contact, marker: str, *, by: str,
           now: datetime) -> None:
    """Make `contact` the forgotten row; one forgotten earlier takes over its targets."""
    earlier = session.scalars(select(Contact).where(Contact.email == marker,
                                                    Contact.id != contact.id)).first()
    if earlier is not None:
        for target in session.scalars(select(Target).where(Target.contact_id == contact.id)):
            target.contact_id = earlier.id
        session.flush()
        session.delete(contact)
        return
    contact.name = ERASED
    contact.greeting_name = ""
    contact.email = marker
    contact.phone = contact.role = None
    contact.updated_at = now
    suppress(contact, Suppression.FORGOTTEN, now=now,
             reason=f"forgotten at their request by {by} on {now:%Y-%m-%d}; their address "
                    f"is kept only as its hash ({HASH_SCHEME})")
