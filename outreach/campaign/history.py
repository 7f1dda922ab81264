"""One target's history in time order: what came in and what went out, every state change,
review item and decision, sign-on and withdrawal, and task, each with who did it.

Entries at the same moment keep the order in which one reply is acted on: the message,
the review or sign-on it led to, the state change, the tasks, and the mail it queued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.models import LetterVersion, SignOn, Target, TargetEvent
from outreach.campaign.targets import inbound_about, mail_about
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus
from outreach.mail.summary import summary
from outreach.review.models import ReviewDecision, ReviewItem
from outreach.tasks.models import Task


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    # "received", "review", "decision", "signed", "withdrawn", "state", "task",
    # "task closed" or "mail"
    what: str
    detail: str
    by: str


def target_history(session: Session, target: Target) -> list[HistoryEntry]:
    """Everything that happened to `target`, oldest first."""
    entries = [*_received(session, target), *_reviews(session, target),
               *_sign_ons(session, target), *_state_changes(session, target),
               *_tasks(session, target), *_mail(session, target)]
    return sorted(entries, key=lambda entry: entry.at)


def _received(session: Session, target: Target) -> list[HistoryEntry]:
    entries = []
    for row in session.scalars(select(InboundMessage).where(inbound_about(target.id))
                               .order_by(InboundMessage.id)):
        headers = summary(row.raw)
        entries.append(HistoryEntry(
            row.received_at, "received",
            f"{row.kind or 'message'} {headers.get('subject', '')!r}: "
            f"{row.outcome or row.status.value}",
            headers.get("from", "")))
    return entries


def _reviews(session: Session, target: Target) -> list[HistoryEntry]:
    entries = []
    for item in session.scalars(select(ReviewItem).where(ReviewItem.target_id == target.id)
                                .order_by(ReviewItem.id)):
        words = f" (their words: {item.quoted_text!r})" if item.quoted_text else ""
        entries.append(HistoryEntry(item.created_at, "review",
                                    f"#{item.id} {item.reason}: {item.summary}{words}",
                                    "outreach"))
        for decision in session.scalars(select(ReviewDecision).where(
                ReviewDecision.review_item_id == item.id).order_by(ReviewDecision.id)):
            detail = f": {decision.detail}" if decision.detail else ""
            entries.append(HistoryEntry(decision.decided_at, "decision",
                                        f"review #{item.id} {decision.decision}{detail}",
                                        decision.decided_by))
    return entries


def _sign_ons(session: Session, target: Target) -> list[HistoryEntry]:
    entries = []
    for sign_on, version in session.execute(
            select(SignOn, LetterVersion.number)
            .join(LetterVersion, LetterVersion.id == SignOn.letter_version_id)
            .where(SignOn.target_id == target.id).order_by(SignOn.id)):
        words = f": {sign_on.quoted_text!r}" if sign_on.quoted_text else ""
        entries.append(HistoryEntry(
            sign_on.signed_at, "signed",
            f"as {sign_on.name_as_listed!r} ({sign_on.evidence_kind}, letter version "
            f"{version}){words}", sign_on.decided_by))
        if sign_on.withdrawn_at is not None:
            words = f": {sign_on.withdrawal_quoted_text!r}" if sign_on.withdrawal_quoted_text \
                else ""
            entries.append(HistoryEntry(sign_on.withdrawn_at, "withdrawn",
                                        f"{sign_on.name_as_listed!r}{words}",
                                        sign_on.withdrawn_by or ""))
    return entries


def _state_changes(session: Session, target: Target) -> list[HistoryEntry]:
    return [HistoryEntry(event.at, "state",
                         f"{event.from_state.value} → {event.to_state.value}: {event.reason}",
                         event.actor)
            for event in session.scalars(select(TargetEvent).where(
                TargetEvent.target_id == target.id).order_by(TargetEvent.id))]


def _tasks(session: Session, target: Target) -> list[HistoryEntry]:
    entries = []
    for task in session.scalars(select(Task).where(Task.target_id == target.id)
                                .order_by(Task.id)):
        entries.append(HistoryEntry(task.created_at, "task",
                                    f"#{task.id} {task.kind}: {task.title}",
                                    task.assignee or "outreach"))
        if task.closed_at is not None:
            entries.append(HistoryEntry(task.closed_at, "task closed",
                                        f"#{task.id} {task.status.value}", task.closed_by or ""))
    return entries


def _mail(session: Session, target: Target) -> list[HistoryEntry]:
    entries = []
    for row in session.scalars(select(OutboxMessage).where(mail_about(target.id))
                               .order_by(OutboxMessage.id)):
        outcome = row.status.value
        if row.last_error:
            outcome += f" ({row.last_error})"
        at = row.sent_at if row.status == OutboxStatus.SENT and row.sent_at else row.created_at
        entries.append(HistoryEntry(at, "mail", f"{row.kind} to {row.recipient}: {outcome}",
                                    "outreach"))
    return entries
