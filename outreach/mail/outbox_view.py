"""What went wrong or still waits in the outbox, and why: the rows `outreach outbox` lists.

A row is *failed* when the outbox gave up on it, *bounced* when it was sent and a proven
bounce came back (`bounce_handling.note_bounce`), *waiting* while it is pending (a retry
after a temporary failure, a closed send window, or simply not yet due) and *sending*
while a sender holds it under a lease.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from outreach.mail.bounce_handling import returned_mail
from outreach.mail.models import OutboxMessage, OutboxStatus

WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    kind: str
    recipient: str
    state: str  # "failed", "bounced", "waiting" or "sending"
    reason: str
    attempts: int
    next_attempt: datetime | None  # when a waiting row is next tried; a lease's end
    created_at: datetime
    about_kind: str | None
    about_id: int | None


@dataclass(frozen=True)
class OutboxListing:
    entries: list[OutboxEntry]
    total: int  # how many rows matched, `entries` being the first of them


def _entry(row: OutboxMessage, now: datetime) -> OutboxEntry:
    if row.status == OutboxStatus.FAILED:
        state, reason, next_attempt = "failed", row.last_error or "", None
    elif row.status == OutboxStatus.SENT:
        state, reason, next_attempt = "bounced", row.last_error or "", None
    elif row.status == OutboxStatus.SENDING:
        state, next_attempt = "sending", row.lease_until
        reason = f"being sent by {row.claimed_by}"
    else:
        state, next_attempt = "waiting", row.not_before
        reason = row.last_error or ("due now" if row.not_before <= now
                                    else "not due yet (its send window or its date)")
    return OutboxEntry(row.id, row.kind, row.recipient, state, reason, row.attempts,
                       next_attempt, row.created_at, row.about_kind, row.about_id)


def list_outbox(session: Session, *, now: datetime, failed: bool, waiting: bool,
                about: ColumnElement[bool] | None = None, limit: int = 100) -> OutboxListing:
    """The rows that failed or bounced (`failed`), newest first, then those not sent yet
    (`waiting`) in the order they are due; only those matching `about` when given."""
    groups: list[tuple[ColumnElement[bool], list[Any]]] = []
    if failed:
        groups.append((or_(OutboxMessage.status == OutboxStatus.FAILED, returned_mail()),
                       [OutboxMessage.id.desc()]))
    if waiting:
        groups.append((OutboxMessage.status.in_(WAITING),
                       [OutboxMessage.not_before, OutboxMessage.id]))
    entries: list[OutboxEntry] = []
    total = 0
    for shown, order in groups:
        where = [shown] if about is None else [shown, about]
        total += session.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(*where)) or 0
        rows = session.scalars(select(OutboxMessage).where(*where).order_by(*order)
                               .limit(max(0, limit - len(entries))))
        entries += [_entry(row, now) for row in rows]
    return OutboxListing(entries, total)
