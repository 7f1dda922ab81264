"""Targets and their states. Every state change goes through `transition`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from outreach.db.models import Target, TargetEvent, TargetState

S = TargetState

# Which states a target may move to from each state. Closed states (signed, declined,
# opted out) can be reopened only by an organizer's explicit decision, recorded as such.
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
    S.SIGNED: frozenset({S.OPTED_OUT}),
    S.DECLINED: frozenset({S.SIGNED, S.QUEUED}),
    S.OPTED_OUT: frozenset({S.QUEUED}),
    S.BOUNCED: frozenset({S.QUEUED}),
}

CLOSED = frozenset({S.SIGNED, S.DECLINED, S.OPTED_OUT, S.EXCLUDED})


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
    if to not in ALLOWED[target.state]:
        raise IllegalTransition(
            f"target {target.id}: cannot go from {target.state.value} to {to.value} ({reason})"
        )
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
