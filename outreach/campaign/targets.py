"""Targets and their states. Every state change goes through `transition`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign.models import Target, TargetEvent, TargetState
from outreach.db.bulk import insert_rows, update_by_id
from outreach.mail.models import InboundMessage, OutboxMessage
from outreach.mail.outbox import About

S = TargetState

# Which states a target may move to from each state. Closed states (signed, declined,
# withdrawn, opted out) can be reopened only by an organizer's explicit decision, recorded as such.
ALLOWED: dict[TargetState, frozenset[TargetState]] = {
    S.QUEUED: frozenset({S.ASKED, S.EXCLUDED, S.OPTED_OUT, S.BOUNCED, S.SIGNED, S.DECLINED}),
    S.EXCLUDED: frozenset({S.QUEUED}),
    S.ASKED: frozenset(
        {S.FOLLOWED_UP, S.ESCALATED, S.PAUSED, S.SIGNED, S.DECLINED, S.OPTED_OUT, S.BOUNCED}
    ),
    S.FOLLOWED_UP: frozenset(
        {S.FOLLOWED_UP, S.ESCALATED, S.PAUSED, S.SIGNED, S.DECLINED, S.OPTED_OUT, S.BOUNCED}
    ),
    S.ESCALATED: frozenset({S.PAUSED, S.SIGNED, S.DECLINED, S.OPTED_OUT, S.BOUNCED}),
    S.PAUSED: frozenset({S.ASKED, S.FOLLOWED_UP, S.ESCALATED, S.SIGNED, S.DECLINED,
                         S.OPTED_OUT, S.BOUNCED}),
    S.SIGNED: frozenset({S.OPTED_OUT, S.WITHDRAWN}),
    S.WITHDRAWN: frozenset({S.SIGNED}),
    S.DECLINED: frozenset({S.SIGNED, S.QUEUED}),
    S.OPTED_OUT: frozenset({S.QUEUED}),
    S.BOUNCED: frozenset({S.QUEUED}),
}

CLOSED = frozenset({S.SIGNED, S.WITHDRAWN, S.DECLINED, S.OPTED_OUT, S.EXCLUDED})
# Asked and not yet answered for good: what replies, notices and escalation act on.
OPEN = frozenset({S.ASKED, S.FOLLOWED_UP, S.ESCALATED, S.PAUSED})
# Where the automated follow-up steps apply.
STEPPING = frozenset({S.ASKED, S.FOLLOWED_UP})


# How mail in the pipes names a target as what it is about.
TARGET = "target"


def about_target(target_id: int) -> About:
    return About(TARGET, target_id)


def mail_about(target_id: int) -> ColumnElement[bool]:
    """Outbox rows about one target."""
    return and_(OutboxMessage.about_kind == TARGET, OutboxMessage.about_id == target_id)


def campaign_mail(campaign_id: int) -> ColumnElement[bool]:
    """Outbox rows about any target of one campaign."""
    return and_(OutboxMessage.about_kind == TARGET, OutboxMessage.about_id.in_(
        select(Target.id).where(Target.campaign_id == campaign_id)))


def target_id_of(row: OutboxMessage | InboundMessage) -> int | None:
    """The target a message in the pipes is about, if it is about one."""
    return row.about_id if row.about_kind == TARGET else None


def describe_target(session: Session, target_id: int) -> dict[str, str]:
    """A target in words, for the log: its campaign and organization."""
    target = session.get(Target, target_id)
    if target is None:
        return {}
    return {"campaign": target.campaign.slug, "organization": target.organization.name}


def preload_targets(session: Session, target_ids: Sequence[int]) -> list[Target]:
    """The targets of a page of outbox rows, with contact, organization and campaign, in one
    query (the outbox's `Preloader` for TARGET)."""
    return list(session.scalars(
        select(Target).where(Target.id.in_(target_ids))
        .options(joinedload(Target.contact), joinedload(Target.organization),
                 joinedload(Target.campaign))).unique())


def inbound_about(target_id: int) -> ColumnElement[bool]:
    """Stored messages about one target."""
    return and_(InboundMessage.about_kind == TARGET, InboundMessage.about_id == target_id)


class IllegalTransition(ValueError):
    pass


def transition(
    session: Session,
    target: Target,
    to: TargetState,
    *,
    now: datetime,
    reason: str,
    actor: str = "outreach",
    next_action_at: datetime | None = None,
) -> TargetEvent:
    """Move `target` to `to`, recording who, why and when; refuses moves the model forbids."""
    _check(target.id, target.state, to, reason)
    event = TargetEvent(
        target_id=target.id,
        at=now,
        from_state=target.state,
        to_state=to,
        reason=reason,
        actor=actor,
    )
    session.add(event)
    target.state = to
    target.state_reason = reason
    target.state_changed_at = now
    target.next_action_at = None if to in CLOSED else next_action_at
    return event


def _check(target_id: int, state: TargetState, to: TargetState, reason: str) -> None:
    if to not in ALLOWED[state]:
        raise IllegalTransition(
            f"target {target_id}: cannot go from {state.value} to {to.value} ({reason})"
        )


@dataclass(frozen=True)
class Move:
    """One target's move in `transition_many`; `from_state` is what the caller read (locked)."""

    target_id: int
    from_state: TargetState
    to: TargetState
    reason: str
    next_action_at: datetime | None = None


def transition_many(session: Session, moves: Sequence[Move], *, now: datetime,
                    actor: str = "outreach",
                    also: Mapping[int, dict[str, Any]] | None = None) -> None:
    """`transition` for many targets at once (planning passes): the same rules and the same
    audit trail, written in two statements. `also` adds columns to set per target id."""
    if not moves:
        return
    for move in moves:
        _check(move.target_id, move.from_state, move.to, move.reason)
    insert_rows(session, TargetEvent, [
        {"target_id": m.target_id, "at": now, "from_state": m.from_state, "to_state": m.to,
         "reason": m.reason, "actor": actor} for m in moves])
    extra = also or {}
    update_by_id(session, Target, [
        {"id": m.target_id, "state": m.to, "state_reason": m.reason, "state_changed_at": now,
         "next_action_at": None if m.to in CLOSED else m.next_action_at,
         **extra.get(m.target_id, {})} for m in moves])
