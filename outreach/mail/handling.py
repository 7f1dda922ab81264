"""Acting on stored mail: each message goes to the one handler its route names.

The door decided the route when the message was stored (`outreach.inbound.door`); here
each handler takes only its own rows, one message per transaction. A handler that raises
never stops the pipe: the transaction is rolled back, the failure is counted on the row,
and after `MAX_ATTEMPTS` the message is quarantined with the reason and the traceback.
The next message goes on either way.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from outreach.db.session import transaction
from outreach.inbound.door import UNROUTED, Door
from outreach.inbound.message import MalformedMessage, load_message
from outreach.mail.models import InboundMessage, InboundStatus
from outreach.mail.outbox import Describer, describe

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
ERROR_MAX = 4000


@dataclass(frozen=True)
class Handled:
    """What a handler made of one message: `outcome` is short ("signed", "review:question")."""

    outcome: str
    kind: str | None = None  # "human", "bounce", "auto_reply"
    about_kind: str | None = None
    about_id: int | None = None
    classifier_version: str | None = None


class Handler(Protocol):
    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        """Act on one stored message in the caller's transaction."""


class Unreadable(Exception):
    """A handler's way to say: quarantine this message, for this reason, now."""


@dataclass
class HandlingStats:
    processed: int = 0
    quarantined: int = 0
    retried: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.by_outcome[outcome] = self.by_outcome.get(outcome, 0) + 1


def _clip(text: str) -> str:
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= ERROR_MAX else text[:ERROR_MAX - 3] + "..."


def route_unrouted(factory: sessionmaker[Session], door: Door, *, limit: int = 500) -> int:
    """Give a route to NEW rows stored without one (before the door existed)."""
    with transaction(factory) as session:
        rows = list(session.scalars(
            select(InboundMessage).where(InboundMessage.status == InboundStatus.NEW,
                                         InboundMessage.route.is_(None))
            .order_by(InboundMessage.id).limit(limit).with_for_update(skip_locked=True)))
        for row in rows:
            try:
                row.route = door.route(load_message(row.raw)).handler
            except Exception:  # an unreadable message is the unrouted handler's to report
                row.route = UNROUTED
        return len(rows)


def process_pending(factory: sessionmaker[Session], door: Door,
                    handlers: Mapping[str, Handler], now: datetime, *,
                    limit: int = 200,
                    describers: Mapping[str, Describer] | None = None) -> HandlingStats:
    """Act on every stored message not yet acted on, oldest first, each in its own
    transaction, reading their ids `limit` at a time. Each is tried once a pass: one that
    failed waits for the next pass (a backlog is all handled in one pass, not `limit`
    messages per wake-up of the mail loop).

    Each is logged with what it was about, in the words of `describers` (by about kind)."""
    stats = HandlingStats()
    while route_unrouted(factory, door):
        pass
    after = 0
    while True:
        with factory() as session:
            ids = list(session.scalars(
                select(InboundMessage.id).where(InboundMessage.status == InboundStatus.NEW,
                                                InboundMessage.route.in_(list(handlers)),
                                                InboundMessage.id > after)
                .order_by(InboundMessage.id).limit(limit)))
        if not ids:
            return stats
        after = ids[-1]
        for inbound_id in ids:
            outcome = handle_one(factory, handlers, inbound_id, now, describers)
            if outcome is None:
                continue
            stats.count(outcome)
            if outcome == "quarantined":
                stats.quarantined += 1
            elif outcome == "retry":
                stats.retried += 1
            else:
                stats.processed += 1


def handle_one(factory: sessionmaker[Session], handlers: Mapping[str, Handler],
               inbound_id: int, now: datetime,
               describers: Mapping[str, Describer] | None = None) -> str | None:
    """Hand one stored message to its handler, guarded; its outcome, or None if not ours."""
    try:
        with transaction(factory) as session:
            row = session.get(InboundMessage, inbound_id, with_for_update={"skip_locked": True})
            if row is None or row.status != InboundStatus.NEW:
                return None
            handler = handlers.get(row.route or UNROUTED)
            if handler is None:
                return None
            try:
                msg = load_message(row.raw)
                handled = handler.handle(session, row, msg, now)
            except (MalformedMessage, Unreadable) as exc:
                _quarantine(row, str(exc))
                log.warning("message %s quarantined: %s", row.id, exc)
                return "quarantined"
            row.status = InboundStatus.PROCESSED
            row.processed_at = now
            row.outcome = handled.outcome[:60]
            row.kind = handled.kind
            row.about_kind = handled.about_kind
            row.about_id = handled.about_id
            row.classifier_version = handled.classifier_version
            _log_received(session, row, handled, describers or {})
            return handled.outcome
    except Exception as exc:  # one message must never stop the pipe
        log.exception("acting on message %s failed", inbound_id)
        return _count_failure(factory, inbound_id, exc)


def _log_received(session: Session, row: InboundMessage, handled: Handled,
                  describers: Mapping[str, Describer]) -> None:
    """One line per message acted on: "received human message 12 (route campaign.reply,
    campaign clean-water, organization Friends of the River): signed"."""
    about = describe(session, describers, handled.about_kind, handled.about_id)
    where = "".join(f", {name} {value}" for name, value in about.items())
    kind = f"{handled.kind} " if handled.kind else ""
    log.info("received %smessage %s (route %s%s): %s", kind, row.id, row.route, where,
             handled.outcome,
             extra={"kind": handled.kind, "outcome": handled.outcome, "route": row.route,
                    "inbound_id": row.id, **about})


def _quarantine(row: InboundMessage, reason: str) -> None:
    row.status = InboundStatus.QUARANTINED
    row.error = _clip(reason)


def _count_failure(factory: sessionmaker[Session], inbound_id: int, exc: Exception) -> str:
    reason = _clip(f"acting on it failed: {type(exc).__name__}: {exc}\n"
                   + "".join(traceback.format_exception(exc)))
    with transaction(factory) as session:
        attempts = session.scalar(
            select(InboundMessage.attempts).where(InboundMessage.id == inbound_id)) or 0
        quarantine = attempts + 1 >= MAX_ATTEMPTS
        session.execute(
            update(InboundMessage).where(InboundMessage.id == inbound_id,
                                         InboundMessage.status == InboundStatus.NEW)
            .values(attempts=attempts + 1, error=reason,
                    status=InboundStatus.QUARANTINED if quarantine else InboundStatus.NEW))
    return "quarantined" if quarantine else "retry"
