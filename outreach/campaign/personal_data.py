"""Everything held about one person, found from their address: what `outreach contacts
export` writes for them, and what forgetting them erases (`forgetting.py`).

What is theirs: their contact row (or the row they were forgotten into), the targets asked
through it with their events, sign-ons, review items and tasks, the mail sent to their
address, the mail received about those targets or quoted by a review item that names
their address, and the suggestions that named them as someone to ask.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from outreach.campaign.models import SignOn, SuggestedContact, Target, TargetEvent
from outreach.campaign.targets import TARGET
from outreach.mail.models import InboundMessage, OutboxMessage
from outreach.mail.summary import summary
from outreach.people.addresses import HASH_SCHEME, address_hash, forgotten_address
from outreach.people.blocklist import find_contact
from outreach.people.models import Contact, Suppression
from outreach.review.models import ReviewDecision, ReviewItem
from outreach.tasks.models import Task


@dataclass
class Footprint:
    address: str
    contact: Contact | None
    targets: list[Target]
    events: list[TargetEvent]
    sent: list[OutboxMessage]
    received: list[InboundMessage]
    sign_ons: list[SignOn]
    review_items: list[ReviewItem]
    decisions: list[ReviewDecision]
    tasks: list[Task]
    suggestions: list[SuggestedContact]


def footprint(session: Session, address: str) -> Footprint:
    """What is held about the person at `address` (in normal form)."""
    contact = find_contact(session, address)
    addresses = [address, forgotten_address(address)]
    targets = list(session.scalars(select(Target).where(Target.contact_id == contact.id)
                                   .order_by(Target.id))) if contact is not None else []
    ids = [target.id for target in targets]
    items = list(session.scalars(select(ReviewItem).where(or_(
        ReviewItem.target_id.in_(ids),
        func.lower(ReviewItem.summary).contains(address, autoescape=True)))
        .order_by(ReviewItem.id)))
    sign_ons = list(session.scalars(select(SignOn).where(SignOn.target_id.in_(ids))
                                    .order_by(SignOn.id)))
    quoted = {item.inbound_message_id for item in items} | \
        {s.inbound_message_id for s in sign_ons} | \
        {s.withdrawal_inbound_message_id for s in sign_ons}
    return Footprint(
        address=address, contact=contact, targets=targets,
        events=list(session.scalars(select(TargetEvent).where(TargetEvent.target_id.in_(ids))
                                    .order_by(TargetEvent.id))),
        sent=list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient.in_(addresses)).order_by(OutboxMessage.id))),
        received=list(session.scalars(select(InboundMessage).where(or_(
            and_(InboundMessage.about_kind == TARGET, InboundMessage.about_id.in_(ids)),
            InboundMessage.id.in_([i for i in quoted if i is not None])))
            .order_by(InboundMessage.id))),
        sign_ons=sign_ons, review_items=items,
        decisions=list(session.scalars(select(ReviewDecision).where(
            ReviewDecision.review_item_id.in_([item.id for item in items]))
            .order_by(ReviewDecision.id))),
        tasks=list(session.scalars(select(Task).where(Task.target_id.in_(ids))
                                   .order_by(Task.id))),
        suggestions=list(session.scalars(select(SuggestedContact).where(
            SuggestedContact.email.in_(addresses)).order_by(SuggestedContact.id))),
    )


def _row(obj: Any, *columns: str) -> dict[str, Any]:
    """Some columns of a row, JSON-ready: dates in ISO form, enums as their values."""
    values = {}
    for column in columns:
        value = getattr(obj, column)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        values[column] = value
    return values


def personal_export(session: Session, address: str, now: datetime) -> dict[str, Any]:
    """Everything held about the person at `address`, as one JSON-ready object."""
    found = footprint(session, address)
    contact = found.contact
    forgotten = contact is not None and contact.suppression == Suppression.FORGOTTEN
    by_target: dict[int, list[dict[str, Any]]] = {}
    for event in found.events:
        by_target.setdefault(event.target_id, []).append(
            _row(event, "at", "from_state", "to_state", "reason", "actor"))
    by_item: dict[int, list[dict[str, Any]]] = {}
    for decision in found.decisions:
        by_item.setdefault(decision.review_item_id, []).append(
            _row(decision, "decision", "detail", "decided_by", "decided_at"))
    return {
        "address": address,
        "exported_at": now.isoformat(),
        "forgotten": {"address_hash": address_hash(address), "hash_scheme": HASH_SCHEME}
        if forgotten else None,
        "contact": _row(contact, "name", "greeting_name", "email", "phone", "role",
                        "is_decision_maker", "suppression", "suppressed_at",
                        "suppression_reason", "created_at", "updated_at")
        if contact is not None else None,
        "organization": _row(contact.organization, "name", "size", "engagement",
                             "stakeholder_kind", "tags") if contact is not None else None,
        "targets": [{"campaign": target.campaign.slug,
                     **_row(target, "state", "state_reason", "asked_at", "replied_at",
                            "emails_sent", "created_at"),
                     "events": by_target.get(target.id, [])} for target in found.targets],
        "messages_sent": [{**_row(row, "message_id", "kind", "status", "created_at",
                                  "sent_at", "last_error"), "headers": summary(row.raw)}
                          for row in found.sent],
        "messages_received": [{**_row(row, "message_id", "received_at", "kind", "outcome"),
                               "headers": summary(row.raw)} for row in found.received],
        "sign_ons": [_row(s, "name_as_listed", "signer_type", "evidence_kind", "quoted_text",
                          "decided_by", "signed_at", "withdrawn_at", "withdrawn_by",
                          "withdrawal_quoted_text") for s in found.sign_ons],
        "review_items": [{**_row(item, "reason", "summary", "quoted_text", "proposed_name",
                                 "status", "created_at", "decided_at", "decided_by"),
                          "decisions": by_item.get(item.id, [])}
                         for item in found.review_items],
        "tasks": [_row(task, "kind", "status", "title", "notes", "assignee", "due_at",
                       "created_at", "closed_at", "closed_by") for task in found.tasks],
        "suggested_as_contact": [_row(s, "name", "status", "created_at", "decided_at",
                                      "decided_by") for s in found.suggestions],
    }
