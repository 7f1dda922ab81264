"""Sign-ons: a consent, recorded once, with the evidence that it was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.organizations import default_sort_name
from outreach.campaign.targets import transition
from outreach.campaign.tasks import cancel_open_tasks
from outreach.db.models import SignOn, Target, TargetState
from outreach.mail.outbox import enqueue


@dataclass(frozen=True)
class Evidence:
    """Why we believe this group consented: where, in which words, decided by whom."""

    kind: str  # "reply", "phone", "web"
    decided_by: str  # "classifier" or "organizer:<name>"
    letter_version_id: int
    quoted_text: str | None = None
    inbound_message_id: int | None = None
    classifier_version: str | None = None


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
        classifier_version=evidence.classifier_version, signed_at=now,
    )
    session.add(sign_on)
    if target.state != TargetState.SIGNED:
        transition(session, target, TargetState.SIGNED, now=now, actor=evidence.decided_by,
                   reason=f"signed as {name!r} ({evidence.kind})")
    cancel_open_tasks(session, target.id, now=now, reason=f"signed as {name!r}",
                      by=evidence.decided_by)
    enqueue(session, kind="confirmation", recipient=target.contact.email, now=now,
            message_id_domain=message_id_domain, target_id=target.id, priority=100,
            payload={"name_as_listed": name, "in_reply_to": in_reply_to})
    session.flush()
    return sign_on
