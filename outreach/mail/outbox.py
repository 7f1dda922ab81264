"""The outbox: rows waiting to be sent, claimed under a lease, marked after.

Anything that wants mail sent calls `enqueue` inside the transaction of the change that
caused it. The sender then `claim`s due rows (locking them where the database can, so
several daemons share one outbox), sends, and marks each `sent`, `retry` or `failed`.
A process that dies mid-send leaves its rows `sending` with a lease that runs out; the
next claim takes them again, so a crash resends at most the rows that were in flight.
Such rows come after the rows never tried at their priority: they may have gone out
already, so a crash loop must not resend them first again and again (nor may a message
that kills its sender block the rest). The sender records that such a row is being sent
again before it hands it to SMTP (`mark_resending`); a row found in flight once more after
that is never sent a third time: it fails as uncertain and its kind's failure hook asks a
person.

Kinds that must be composed late (an ask must link the letter version current *at send
time*) register a composer in `OutboxHooks`; the composer runs at every claim. So does a
kind's send window: a kind that registers one (the campaign's asks and follow-ups) goes out
only while the window its feature names *now* is open, so a window widened after the rows
were queued applies to them. A row outside its window waits: `not_before` becomes the
opening and its stored window is marked as waiting, so `follow_window_changes` can move it
when the window changes. Rows of kinds without a registered window keep the window they
were queued with, if any. Gates name the recipients no mail may go to (a suppressed
address, say): a row to one is cancelled when claimed, whatever its kind, with the reason.
"""

from __future__ import annotations

import enum
import logging
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, and_, bindparam, case, func, inspect, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from outreach.db.bulk import insert_rows
from outreach.db.session import transaction
from outreach.inbound.bounces import Bounce
from outreach.mail.compose import Deferred, to_bytes
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.sendwindow import SendWindow

log = logging.getLogger(__name__)

# A composer returns None when the message must no longer go out (say the target signed
# by phone, or unsubscribed, while the row waited): the row is then cancelled. It may
# return the message's bytes when it builds them itself (a list post's many copies), or
# what writing them needs (`Deferred`), which the sender may run in another process.
Composer = Callable[[Session, OutboxMessage, datetime],
                    EmailMessage | bytes | Deferred | None]
FailureHandler = Callable[[Session, OutboxMessage, datetime, "Failure"], None]
# What a kind does when a message of it is proven to have bounced; returns the outcome.
BounceHook = Callable[[Session, OutboxMessage, Bounce, datetime], str]
# The send window a row of a kind must wait for, as its feature's config says now (None:
# the feature cannot say, and the row keeps the window it was queued with).
WindowOf = Callable[[Session, OutboxMessage], SendWindow | None]
# What one of a feature's nouns is, in words for the log, by its id: ("target", 42) ->
# {"campaign": "clean-water", "organization": "Friends of the River"}.
Describer = Callable[[Session, int], dict[str, str]]
# Loads, in one query, what a page of rows is about (by about kind, their ids), so that the
# composer, window and describer of each row find it in the session; returns what it loaded,
# which the claim keeps referenced until the page is done (the session holds it weakly).
Preloader = Callable[[Session, Sequence[int]], Sequence[object]]
# The key marking a row's stored window as the one it waits for.
WAITING = "waiting"
# Of some recipients, those no mail may go to, each with why.
Gate = Callable[[Session, Sequence[str]], Mapping[str, str]]


class Failure(enum.StrEnum):
    """Why a row failed for good: the kind's failure hook treats each differently."""

    REJECTED = "rejected"  # a 5xx reply to RCPT TO: the address itself is refused
    REFUSED = "refused"  # a 5xx reply to the message (content, size): the address is fine
    EXPIRED = "expired"  # temporary failures until the attempts ran out
    UNSENDABLE = "unsendable"  # the message could not be composed
    # Two senders stopped while sending it, the second after handing it to SMTP: it went
    # out once, twice or not at all. A person decides; it is not sent a third time.
    UNCERTAIN = "uncertain"


@dataclass
class OutboxHooks:
    """What the domain plugs into the outbox, by message kind."""

    composers: dict[str, Composer] = field(default_factory=dict)
    on_failed: dict[str, FailureHandler] = field(default_factory=dict)
    on_bounced: dict[str, BounceHook] = field(default_factory=dict)
    windows: dict[str, WindowOf] = field(default_factory=dict)
    # By what a message is about (`About.kind`), not by mail kind.
    describers: dict[str, Describer] = field(default_factory=dict)
    preloaders: dict[str, Preloader] = field(default_factory=dict)
    gates: list[Gate] = field(default_factory=list)
    # Kinds whose composed bytes are not kept on the row (composed again at every claim,
    # and many: a list post's copies differ only in a footer).
    unkept: set[str] = field(default_factory=set)

    def merge(self, other: OutboxHooks) -> None:
        """Add another feature's kinds and gates; a kind registered twice is a programming
        error."""
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
            (self.composers, other.composers), (self.on_failed, other.on_failed),
            (self.on_bounced, other.on_bounced), (self.windows, other.windows),
            (self.describers, other.describers), (self.preloaders, other.preloaders)]
        for mine, theirs in pairs:
            clash = set(mine) & set(theirs)
            if clash:
                raise ValueError(f"mail kinds registered twice: {sorted(clash)}")
        for mine, theirs in pairs:
            mine.update(theirs)
        self.gates.extend(other.gates)
        self.unkept |= other.unkept

    def refused(self, session: Session, recipients: Sequence[str]) -> dict[str, str]:
        """Of `recipients`, those a gate refuses, each with the first gate's reason."""
        refused: dict[str, str] = {}
        for gate in self.gates:
            for recipient, why in gate(session, recipients).items():
                refused.setdefault(recipient, why)
        return refused


def describe(session: Session, describers: Mapping[str, Describer], about_kind: str | None,
             about_id: int | None) -> dict[str, str]:
    """What a message is about, in words, when its feature says (else nothing)."""
    describer = describers.get(about_kind or "")
    if describer is None or about_id is None:
        return {}
    return describer(session, about_id)


@dataclass(frozen=True)
class Claimed:
    """A row taken for sending: everything the SMTP side needs, detached from the session."""

    id: int
    message_id: str
    recipient: str
    raw: bytes
    kind: str = ""
    about: dict[str, str] = field(default_factory=dict)  # what it is about, for the log
    # Taken again after a lease ran out: it may have gone out already, so the sender marks
    # it sent the moment it is accepted rather than with the rest of its batch.
    retaken: bool = False
    # Claimed with `defer`: `raw` is empty and the sender writes the bytes from this, then
    # keeps them on the row when it marks it (if `keep_raw`).
    deferred: Deferred | None = None
    keep_raw: bool = False


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 60
    max_seconds: float = 6 * 3600

    def delay(self, attempts: int) -> timedelta:
        """Exponential back-off with jitter, so retries of one outage do not land together."""
        seconds = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1))
        return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


class About(NamedTuple):
    """What a message is about, in the sending feature's terms: ("target", 42)."""

    kind: str
    id: int


def new_message_id(domain: str) -> str:
    return make_msgid(domain=domain)


def enqueue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    now: datetime,
    message_id_domain: str,
    about: About | None = None,
    payload: dict[str, Any] | None = None,
    raw: bytes | None = None,
    send_window: SendWindow | None = None,
    not_before: datetime | None = None,
    priority: int = 0,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction; its Message-ID is fixed now."""
    row = OutboxMessage(
        message_id=new_message_id(message_id_domain),
        kind=kind,
        recipient=recipient,
        about_kind=about.kind if about else None,
        about_id=about.id if about else None,
        payload=payload or {},
        raw=raw,
        status=OutboxStatus.PENDING,
        priority=priority,
        not_before=not_before or now,
        send_window=send_window.to_json() if send_window else None,
        attempts=0,
        created_at=now,
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class NewMessage:
    """A message for `enqueue_many`: the same fields `enqueue` takes."""

    kind: str
    recipient: str
    about: About | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    send_window: SendWindow | None = None
    priority: int = 0


def enqueue_many(session: Session, messages: Sequence[NewMessage], *, now: datetime,
                 message_id_domain: str) -> None:
    """`enqueue` for many messages at once, in one statement (planning passes)."""
    if not messages:
        return
    windows = {w: w.to_json() for w in {m.send_window for m in messages} if w is not None}
    insert_rows(session, OutboxMessage, [
        {"message_id": new_message_id(message_id_domain), "kind": m.kind,
         "recipient": m.recipient, "about_kind": m.about.kind if m.about else None,
         "about_id": m.about.id if m.about else None, "payload": m.payload,
         "status": OutboxStatus.PENDING, "priority": m.priority, "not_before": now,
         "send_window": windows.get(m.send_window) if m.send_window else None,
         "attempts": 0, "created_at": now}
        for m in messages])


def _due(now: datetime) -> Any:
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
    )


def claim(
    factory: sessionmaker[Session],
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease: timedelta,
    hooks: OutboxHooks,
    defer: bool = False,
) -> list[Claimed]:
    """Take up to `limit` due rows for `worker`, composing late-bound kinds now (with
    `defer`, a composer's `Deferred` is left for the sender to write)."""
    claimed: list[Claimed] = []
    waiting: Counter[str] = Counter()
    with transaction(factory) as session:
        # Rows put off (closed window), cancelled or failed here leave the due set once
        # flushed, so select again until the batch is full: a page of rows waiting for their
        # window must not hide the due rows behind it.
        while len(claimed) < limit and _claim_page(session, claimed, waiting, worker=worker,
                                                   now=now, limit=limit - len(claimed),
                                                   lease=lease, hooks=hooks, defer=defer):
            pass
    for reason, count in waiting.items():
        log.info("%d message(s) wait: %s", count, reason,
                 extra={"waiting": count, "reason": reason})
    return claimed


def _claim_page(session: Session, claimed: list[Claimed], waiting: Counter[str], *,
                worker: str, now: datetime, limit: int, lease: timedelta,
                hooks: OutboxHooks, defer: bool) -> bool:
    """Handle up to `limit` due rows, adding the sendable ones to `claimed` and counting the
    ones put off by their window in `waiting`, by reason; False if there were none."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(_due(now))
        .order_by(OutboxMessage.priority.desc(),
                  case((OutboxMessage.status == OutboxStatus.SENDING, 1), else_=0),
                  OutboxMessage.not_before, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    refused = hooks.refused(session, sorted({row.recipient for row in rows})) if rows else {}
    preloaded = _preload(session, rows, hooks)
    untouched: list[int] = []
    for row in rows:
        if row.status == OutboxStatus.SENDING and row.resent_at is not None:
            _fail(session, row, now, "uncertain: two senders stopped while sending it, the "
                  f"second after handing it to SMTP at {row.resent_at.isoformat()}; it went "
                  "out once, twice or not at all, and is not sent a third time", hooks,
                  Failure.UNCERTAIN)
            continue
        if row.recipient in refused:
            row.status = OutboxStatus.CANCELLED
            row.last_error = f"cancelled: {refused[row.recipient]}"
            row.claimed_by = row.lease_until = None
            continue
        with session.no_autoflush:  # the page's updates go out in one flush
            window = window_of(session, row, hooks)
        if window is not None and not window.is_open(now):
            _wait_for(row, window, now)
            waiting[window.waiting_reason(now)] += 1
            continue
        if window is not None and row.send_window != window.to_json():
            row.send_window = window.to_json()
        composer = hooks.composers.get(row.kind)
        raw = row.raw
        deferred = None
        if composer is not None:
            try:
                with session.no_autoflush:  # the page's updates go out in one flush
                    message = composer(session, row, now)
                    if isinstance(message, Deferred) and not defer:
                        message = message.make()
            except Exception as exc:  # a broken template or vanished row must not stop the rest
                _fail(session, row, now, f"could not compose: {exc!r}", hooks,
                      Failure.UNSENDABLE)
                continue
            if message is None:
                row.status = OutboxStatus.CANCELLED
                row.claimed_by = row.lease_until = None
                continue
            if isinstance(message, Deferred):
                deferred, raw = message, b""
            else:
                raw = message if isinstance(message, bytes) else to_bytes(message)
                if row.kind not in hooks.unkept:
                    row.raw = raw
        if raw is None:
            _fail(session, row, now, "nothing to send: no message and no composer", hooks,
                  Failure.UNSENDABLE)
            continue
        retaken = row.status == OutboxStatus.SENDING
        if inspect(row).modified:  # its flush writes the claim too
            row.status = OutboxStatus.SENDING
            row.claimed_by = worker
            row.lease_until = now + lease
        else:
            untouched.append(row.id)
        with session.no_autoflush:
            about = describe(session, hooks.describers, row.about_kind, row.about_id)
        claimed.append(Claimed(row.id, row.message_id, row.recipient, raw, row.kind, about,
                               retaken, deferred,
                               deferred is not None and row.kind not in hooks.unkept))
    session.flush()
    if untouched:  # rows that change only by being claimed: one statement for the page
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(untouched))
            .values(status=OutboxStatus.SENDING, claimed_by=worker, lease_until=now + lease)
            .execution_options(synchronize_session=False))
    del preloaded  # referenced until here, so the session's weak identity map kept it
    return bool(rows)


def _preload(session: Session, rows: Sequence[OutboxMessage], hooks: OutboxHooks
             ) -> list[object]:
    """What the page's rows are about, loaded by their features' preloaders."""
    ids: dict[str, set[int]] = {}
    for row in rows:
        if row.about_kind in hooks.preloaders and row.about_id is not None:
            ids.setdefault(row.about_kind, set()).add(row.about_id)
    loaded: list[object] = []
    for about_kind, about_ids in ids.items():
        loaded.extend(hooks.preloaders[about_kind](session, sorted(about_ids)))
    return loaded


def window_of(session: Session, row: OutboxMessage, hooks: OutboxHooks) -> SendWindow | None:
    """The window `row` may go out in: its kind's, as the feature says now, else the one it
    was queued with."""
    current = hooks.windows.get(row.kind)
    window = current(session, row) if current is not None else None
    if window is None and row.send_window:
        return SendWindow.from_json(row.send_window)
    return window


def _wait_for(row: OutboxMessage, window: SendWindow, now: datetime) -> None:
    """Put `row` off until `window` next opens, remembering that it waits for it."""
    row.status = OutboxStatus.PENDING
    row.not_before = window.next_open(now)
    row.send_window = {**window.to_json(), WAITING: True}
    row.claimed_by = row.lease_until = None


def follow_window_changes(factory: sessionmaker[Session], hooks: OutboxHooks,
                          now: datetime) -> Counter[str]:
    """Look again at the rows waiting for their window, under the windows their kinds have
    now: a row whose window changed (its campaign's file was edited) waits for the new one,
    or is due at once if it is open. Returns how many rows still wait, by reason."""
    still: Counter[str] = Counter()
    with transaction(factory) as session:
        rows = session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before > now,
            OutboxMessage.kind.in_(list(hooks.windows)))).all()
        for row in rows:
            if not (row.send_window or {}).get(WAITING):
                continue  # put off for another reason (a retry's back-off)
            window = window_of(session, row, hooks)
            assert window is not None  # it has one stored, at least
            if {**window.to_json(), WAITING: True} != row.send_window:
                _wait_for(row, window, now)
            if row.not_before > now:
                still[window.waiting_reason(now)] += 1
    return still


def _mine(session: Session, message_id: int, worker: str) -> OutboxMessage | None:
    row = session.get(OutboxMessage, message_id, with_for_update=True)
    if row is None or row.status != OutboxStatus.SENDING or row.claimed_by != worker:
        return None
    return row


def _fail(session: Session, row: OutboxMessage, now: datetime, error: str,
          hooks: OutboxHooks, failure: Failure) -> None:
    row.status = OutboxStatus.FAILED
    row.last_error = error
    row.claimed_by = row.lease_until = None
    handler = hooks.on_failed.get(row.kind)
    if handler is not None:
        handler(session, row, now, failure)


def mark_sent(factory: sessionmaker[Session], message_id: int, *, worker: str,
              now: datetime, raw: bytes | None = None) -> None:
    """Mark a row sent (and keep `raw`, the bytes sent, when they were written after the
    claim)."""
    with transaction(factory) as session:
        row = _mine(session, message_id, worker)
        if row is None:
            return
        if raw is not None:
            row.raw = raw
        row.status = OutboxStatus.SENT
        row.sent_at = now
        row.attempts += 1
        row.claimed_by = row.lease_until = None
        row.last_error = None


def mark_resending(factory: sessionmaker[Session], message_id: int, *, worker: str,
                   now: datetime) -> bool:
    """Record, before a row taken again after a crash goes to SMTP, that it is being sent
    again; False if the row is no longer this worker's to send."""
    with transaction(factory) as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING,
                   OutboxMessage.claimed_by == worker)
            .values(resent_at=now)
            .execution_options(synchronize_session=False))
        return bool(getattr(result, "rowcount", 0))


def mark_sent_many(factory: sessionmaker[Session], message_ids: Sequence[int], *, worker: str,
                   now: datetime, raws: Mapping[int, bytes] | None = None) -> int:
    """`mark_sent` for the rows of a batch at once, in one UPDATE that still checks each is
    this worker's and being sent; returns how many it marked. `raws` are the bytes sent of
    those written after the claim, kept on their rows in the same transaction."""
    if not message_ids:
        return 0
    with transaction(factory) as session:
        if raws:
            _keep_raws(session, raws, worker)
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids),
                   OutboxMessage.status == OutboxStatus.SENDING,
                   OutboxMessage.claimed_by == worker)
            .values(status=OutboxStatus.SENT, sent_at=now, attempts=OutboxMessage.attempts + 1,
                    claimed_by=None, lease_until=None, last_error=None)
            .execution_options(synchronize_session=False))
        return int(getattr(result, "rowcount", 0) or 0)


def _keep_raws(session: Session, raws: Mapping[int, bytes], worker: str) -> None:
    """Write the bytes of rows still this worker's and being sent, in one statement."""
    table = cast(Table, OutboxMessage.__table__)
    session.execute(
        update(table)
        .where(table.c.id == bindparam("row_id"), table.c.status == OutboxStatus.SENDING,
               table.c.claimed_by == worker)
        .values(raw=bindparam("row_raw")),
        [{"row_id": row_id, "row_raw": raw} for row_id, raw in raws.items()])


def mark_temporary_failure(
    factory: sessionmaker[Session], message_id: int, *, worker: str, now: datetime,
    error: str, policy: RetryPolicy, hooks: OutboxHooks, count_attempt: bool = True,
    raw: bytes | None = None,
) -> bool:
    """Schedule a retry with back-off; returns False when the attempts are used up.

    `count_attempt=False` is for failures that are not the message's (our SMTP session
    could not be opened): the row waits and is retried, but never gives up because of them.
    """
    with transaction(factory) as session:
        row = _mine(session, message_id, worker)
        if row is None:
            return True
        if raw is not None:
            row.raw = raw
        if count_attempt:
            row.attempts += 1
        if count_attempt and row.attempts >= policy.max_attempts:
            _fail(session, row, now, f"gave up after {row.attempts} attempts: {error}", hooks,
                  Failure.EXPIRED)
            return False
        row.status = OutboxStatus.PENDING
        row.last_error = error
        row.not_before = now + policy.delay(row.attempts)
        row.claimed_by = row.lease_until = None
        row.resent_at = None  # this attempt is known to have failed
        return True


def mark_permanent_failure(factory: sessionmaker[Session], message_id: int, *, worker: str,
                           now: datetime, error: str, hooks: OutboxHooks,
                           failure: Failure = Failure.REJECTED,
                           raw: bytes | None = None) -> None:
    with transaction(factory) as session:
        row = _mine(session, message_id, worker)
        if row is not None:
            if raw is not None:
                row.raw = raw
            row.attempts += 1
            _fail(session, row, now, error, hooks, failure)


def release(factory: sessionmaker[Session], message_ids: Sequence[int], *, worker: str) -> int:
    """Give rows back unsent (on shutdown), so another sender can take them at once."""
    if not message_ids:
        return 0
    with transaction(factory) as session:
        result = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.claimed_by == worker,
            )
            .values(status=OutboxStatus.PENDING, claimed_by=None, lease_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def unsent_count(session: Session) -> int:
    """Rows still to go out: pending, or claimed and not yet marked."""
    return session.scalar(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        )
    ) or 0


def next_due(session: Session) -> datetime | None:
    """When the earliest unsent row becomes due (its retry time or its lease expiry)."""
    pending = session.scalar(
        select(func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    leased = session.scalar(
        select(func.min(OutboxMessage.lease_until)).where(
            OutboxMessage.status == OutboxStatus.SENDING
        )
    )
    times = [t for t in (pending, leased) if t is not None]
    return min(times) if times else None
