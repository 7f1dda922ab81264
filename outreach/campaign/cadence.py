"""Follow-ups that never nag, the hard-deadline notice, and escalation to phone calls.

`plan_steps` is a pure function of the stored state and `now`. For each asked target whose
`next_action_at` has come it picks at most one step: the follow-up, the reminder before the
soft deadline, or (when the soft deadline passed short of the signers hoped for) the
notice of the hard deadline. A daemon that was down for days therefore sends one step,
the latest still valid, never a burst, and never a reminder for a deadline that passed.
Any human reply stops the automated steps; every email counts against the cap; two emails
to one person are at least `min_gap_days` apart across every campaign.

`escalate` turns every target that has not signed or declined into a phone-call task a
few days before the hard deadline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import Session, joinedload

from outreach.campaign.config import CampaignConfig
from outreach.campaign.models import Campaign, SignOn, Target, TargetState
from outreach.campaign.signons import listed
from outreach.campaign.targets import (
    STEPPING,
    TARGET,
    Move,
    about_target,
    transition,
    transition_many,
)
from outreach.db.bulk import update_by_id
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.mail.outbox import NewMessage, enqueue_many
from outreach.people.models import Contact, Engagement, Organization, Size
from outreach.review.models import ReviewItem, ReviewStatus
from outreach.tasks.assignment import choose_assignee
from outreach.tasks.models import Task, TaskStatus
from outreach.tasks.task import open_task

S = TargetState
FOLLOW_UP, REMINDER, HARD_DEADLINE = "follow_up", "reminder", "hard_deadline"
STEP_KINDS = (FOLLOW_UP, REMINDER, HARD_DEADLINE)
ESCALATING = (S.ASKED, S.FOLLOWED_UP, S.PAUSED)
UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)


@dataclass(frozen=True)
class Step:
    kind: str
    at: datetime
    valid_until: datetime


@dataclass
class StepPlan:
    """What one pass did, for logs, status and tests."""

    sent: dict[str, int] = field(default_factory=dict)
    postponed: int = 0
    finished: int = 0
    escalated: int = 0
    closed: bool = False
    # Where the chunk ended, as (next_action_at, id): the next chunk starts after it.
    last: tuple[datetime, int] | None = None

    def count(self, kind: str) -> None:
        self.sent[kind] = self.sent.get(kind, 0) + 1

    @property
    def queued(self) -> int:
        return sum(self.sent.values())

    def merge(self, chunk: StepPlan) -> None:
        for kind, count in chunk.sent.items():
            self.sent[kind] = self.sent.get(kind, 0) + count
        self.postponed += chunk.postponed
        self.finished += chunk.finished
        self.escalated += chunk.escalated
        self.last = chunk.last


def plan_digest(config: CampaignConfig) -> str:
    """A fingerprint of everything the steps are planned from: a change replans them all."""
    parts = [config.cadence.model_dump_json(), config.soft_deadline.isoformat(),
             config.hard_deadline.isoformat(), str(config.target_signers)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def active_signers(session: Session, campaign_id: int) -> int:
    return session.scalar(select(func.count()).select_from(SignOn).where(
        listed(campaign_id))) or 0


def escalation_time(config: CampaignConfig) -> datetime:
    return config.hard_deadline - timedelta(days=config.cadence.escalate_days_before_hard_deadline)


def steps_for(asked_at: datetime, slow: bool, config: CampaignConfig) -> list[Step]:
    """Every automated step a target asked at `asked_at` could get, in time order. `slow`:
    a large organization, or a chapter needing its parent's approval, gets a longer lead.
    The hard-deadline notice goes out only if the soft deadline passes short of signers."""
    cadence = config.cadence
    lead = cadence.first_follow_up_after_days + (cadence.large_extra_days if slow else 0)
    steps = [Step(FOLLOW_UP, asked_at + timedelta(days=lead), config.soft_deadline)]
    if cadence.reminder_before_soft_deadline_days is not None:
        at = config.soft_deadline - timedelta(days=cadence.reminder_before_soft_deadline_days)
        steps.append(Step(REMINDER, max(at, asked_at), config.soft_deadline))
    steps.append(Step(HARD_DEADLINE, config.soft_deadline, config.hard_deadline))
    return sorted(steps, key=lambda s: s.at)


def choose_step(steps: Iterable[Step], done: set[str], now: datetime
                ) -> tuple[Step | None, datetime | None]:
    """The step to take now (the latest due and still valid: catching up sends one), and
    when the next one falls due."""
    pending = [s for s in steps if s.kind not in done and now < s.valid_until]
    due = [s for s in pending if s.at <= now]
    later = [s.at for s in pending if s.at > now]
    return (due[-1] if due else None), (min(later) if later else None)


class _Due(NamedTuple):
    id: int
    state: TargetState
    asked_at: datetime | None
    created_at: datetime
    emails_sent: int
    replied_at: datetime | None
    priority: int
    email: str
    size: Size
    needs_parent_approval: bool


def plan_steps(session: Session, campaign: Campaign, config: CampaignConfig, now: datetime, *,
               message_id_domain: str, after: tuple[datetime, int] | None = None,
               limit: int = 1000) -> StepPlan:
    """One chunk of a planning pass: due targets, in order of their next action, after
    `after` (the previous chunk's `last`). The order follows the index on next actions, so
    a chunk costs the same however many targets the campaign has.

    Reads plain rows and writes in bulk (`transition_many`, `enqueue_many`): a pass over a
    hundred thousand targets must take seconds, not minutes.
    """
    plan = StepPlan(last=after)
    if campaign.closed_at is not None or now >= config.hard_deadline:
        return plan
    # First the chunk's ids, from the index alone; then what deciding needs, by id.
    query = (
        select(Target.id, Target.next_action_at)
        .where(Target.campaign_id == campaign.id, Target.state.in_(STEPPING),
               Target.next_action_at <= now)
        .order_by(Target.next_action_at, Target.id).limit(limit)
        .with_for_update(skip_locked=True))
    if after is not None:
        query = query.where(tuple_(Target.next_action_at, Target.id) > tuple_(*after))
    found = session.execute(query).all()
    if not found:
        return plan
    last_id, last_at = found[-1]
    assert last_at is not None
    plan.last = (last_at, last_id)
    rows = [_Due._make(row) for row in session.execute(
        select(Target.id, Target.state, Target.asked_at, Target.created_at, Target.emails_sent,
               Target.replied_at, Target.priority, Contact.email, Organization.size,
               Organization.needs_parent_approval)
        .join(Contact, Contact.id == Target.contact_id)
        .join(Organization, Organization.id == Target.organization_id)
        .where(Target.id.in_([target_id for target_id, _ in found])).order_by(Target.id))]
    ids = [r.id for r in rows]
    done: dict[int, set[str]] = {}
    unsent: set[int] = set()
    for target_id, kind, status in session.execute(
            select(OutboxMessage.about_id, OutboxMessage.kind, OutboxMessage.status)
            .where(OutboxMessage.about_kind == TARGET, OutboxMessage.about_id.in_(ids),
                   OutboxMessage.status != OutboxStatus.CANCELLED)):
        assert target_id is not None
        done.setdefault(target_id, set()).add(kind)
        if status in UNSENT:
            unsent.add(target_id)
    last_mail = last_emailed(session, [r.email for r in rows])
    # Past the soft deadline with enough signers, nobody needs to hear of the hard one.
    settled = {HARD_DEADLINE} if now >= config.soft_deadline and \
        active_signers(session, campaign.id) >= config.target_signers else set()
    gap = timedelta(days=config.cadence.min_gap_days)
    cap = config.cadence.max_emails_per_target
    together = config.cadence.hard_deadline_notice == "together"
    later: list[dict[str, Any]] = []  # targets only to look at again at some time
    moves: list[Move] = []
    counts: dict[int, dict[str, Any]] = {}
    messages: list[NewMessage] = []
    window = config.window
    for row in rows:
        if row.replied_at is not None or row.emails_sent >= cap:
            later.append({"id": row.id, "next_action_at": None})  # answered, or cap reached
            plan.finished += 1
            continue
        if row.id in unsent:  # its last message has not gone yet: look again later
            later.append({"id": row.id, "next_action_at": now + timedelta(hours=1)})
            plan.postponed += 1
            continue
        slow = row.size == Size.LARGE or row.needs_parent_approval
        step, following = choose_step(steps_for(row.asked_at or row.created_at, slow, config),
                                      done.get(row.id, set()) | settled, now)
        if step is None:
            later.append({"id": row.id, "next_action_at": following})
            plan.finished += following is None
            continue
        free_at = last_mail[row.email] + gap if row.email in last_mail else now
        if free_at > now and not (together and step.kind == HARD_DEADLINE):
            later.append({"id": row.id, "next_action_at": free_at})
            plan.postponed += 1
            continue
        messages.append(NewMessage(step.kind, row.email, about_target(row.id),
                                   {"valid_until": step.valid_until.isoformat()}, window,
                                   row.priority))
        moves.append(Move(row.id, row.state, S.FOLLOWED_UP,
                          f"{step.kind.replace('_', ' ')} queued",
                          max(following, now + gap) if following else None))
        counts[row.id] = {"emails_sent": row.emails_sent + 1}
        plan.count(step.kind)
    if later:
        update_by_id(session, Target, later)
    enqueue_many(session, messages, now=now, message_id_domain=message_id_domain)
    transition_many(session, moves, now=now, also=counts)
    return plan


def last_emailed(session: Session, addresses: list[str]) -> dict[str, datetime]:
    """When each address was last written to, by any campaign (unsent mail included)."""
    if not addresses:
        return {}
    rows = session.execute(
        select(OutboxMessage.recipient, func.max(OutboxMessage.created_at))
        .where(OutboxMessage.recipient.in_(set(addresses)),
               OutboxMessage.status != OutboxStatus.CANCELLED,
               OutboxMessage.status != OutboxStatus.FAILED)
        .group_by(OutboxMessage.recipient))
    return {recipient: at for recipient, at in rows}


def replan_if_changed(session: Session, campaign: Campaign, config: CampaignConfig,
                      now: datetime) -> bool:
    """When deadlines or cadence changed, every stepping target is looked at again now."""
    digest = plan_digest(config)
    if campaign.plan_digest == digest:
        return False
    if campaign.plan_digest is not None:
        session.execute(update(Target).where(
            Target.campaign_id == campaign.id, Target.state.in_(STEPPING),
            Target.replied_at.is_(None)).values(next_action_at=now))
    campaign.plan_digest = digest
    return True


def close_if_target_reached(session: Session, campaign: Campaign, config: CampaignConfig,
                            now: datetime) -> bool:
    if campaign.closed_at is not None:
        return True
    if not config.cadence.close_at_soft_deadline_if_target_reached or now < config.soft_deadline:
        return False
    signers = active_signers(session, campaign.id)
    if signers < config.target_signers:
        return False
    campaign.closed_at = now
    campaign.closed_reason = (f"{signers} signers at the soft deadline, "
                              f"{config.target_signers} hoped for")
    return True


_URGENT_LEVELS = (Engagement.CORE, Engagement.COMRADE)


def call_priority(target: Target, open_question: bool) -> int:
    """Large organizations and Core/Comrade first, then open questions, then the rest."""
    org = target.organization
    if org.size == Size.LARGE or org.engagement in _URGENT_LEVELS:
        return 30
    return 20 if open_question else 10


def escalate(session: Session, campaign: Campaign, config: CampaignConfig, now: datetime, *,
             limit: int = 1000) -> int:
    """Turn up to `limit` unanswered targets into phone-call tasks once escalation time came."""
    if campaign.closed_at is not None or not escalation_time(config) <= now < config.hard_deadline:
        return 0
    targets = list(session.scalars(
        select(Target).where(Target.campaign_id == campaign.id, Target.state.in_(ESCALATING))
        .options(joinedload(Target.organization), joinedload(Target.contact))
        .order_by(Target.id).limit(limit)))
    questions = set(session.scalars(select(ReviewItem.target_id).where(
        ReviewItem.target_id.in_([t.id for t in targets]),
        ReviewItem.status == ReviewStatus.OPEN,
        ReviewItem.reason.in_(["question", "change_request"]))))
    due = min(now + timedelta(days=1), config.hard_deadline)
    for target in targets:
        contact, org = target.contact, target.organization
        has_phone = bool(contact.phone)
        already = session.scalar(select(func.count()).select_from(Task).where(
            Task.target_id == target.id, Task.status == TaskStatus.OPEN,
            Task.kind.in_(["phone_call", "find_phone"])))
        if not already:
            open_task(
                session, kind="phone_call" if has_phone else "find_phone",
                campaign_id=campaign.id, target_id=target.id, now=now, due_at=due,
                priority=call_priority(target, target.id in questions),
                assignee=choose_assignee(session, config, org),
                title=(f"Call {contact.name} at {org.name}" if has_phone else
                       f"Find a phone number (or another contact) for {org.name}"),
                notes=(f"{contact.phone}. " if has_phone else "")
                + f"No answer yet; the hard deadline is {config.hard_deadline:%Y-%m-%d}.",
            )
        transition(session, target, S.ESCALATED, now=now, actor="outreach",
                   reason="hard deadline near: a phone call")
    return len(targets)
