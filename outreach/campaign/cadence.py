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

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from outreach.campaign.assignment import choose_assignee
from outreach.campaign.config import CampaignConfig
from outreach.campaign.targets import transition
from outreach.campaign.tasks import open_task
from outreach.db.models import (
    Campaign,
    Engagement,
    OutboxMessage,
    OutboxStatus,
    ReviewItem,
    ReviewStatus,
    SignOn,
    Size,
    Target,
    TargetState,
    Task,
    TaskStatus,
)
from outreach.mail.outbox import enqueue

S = TargetState
FOLLOW_UP, REMINDER, HARD_DEADLINE = "follow_up", "reminder", "hard_deadline"
STEP_KINDS = (FOLLOW_UP, REMINDER, HARD_DEADLINE)
STEPPING = (S.ASKED, S.FOLLOWED_UP)
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
    last_id: int = 0

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
        self.last_id = chunk.last_id


def plan_digest(config: CampaignConfig) -> str:
    """A fingerprint of everything the steps are planned from: a change replans them all."""
    parts = [config.cadence.model_dump_json(), config.soft_deadline.isoformat(),
             config.hard_deadline.isoformat(), str(config.target_signers)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def active_signers(session: Session, campaign_id: int) -> int:
    return session.scalar(select(func.count()).select_from(SignOn).where(
        SignOn.campaign_id == campaign_id, SignOn.withdrawn_at.is_(None))) or 0


def escalation_time(config: CampaignConfig) -> datetime:
    return config.hard_deadline - timedelta(days=config.cadence.escalate_days_before_hard_deadline)


def slow_to_decide(target: Target) -> bool:
    org = target.organization
    return org.size == Size.LARGE or org.needs_parent_approval


def steps_for(target: Target, config: CampaignConfig) -> list[Step]:
    """Every automated step this target could get, in time order. The hard-deadline notice
    goes out only if the soft deadline passes short of the signers hoped for."""
    cadence = config.cadence
    asked = target.asked_at or target.created_at
    lead = cadence.first_follow_up_after_days + (
        cadence.large_extra_days if slow_to_decide(target) else 0)
    steps = [Step(FOLLOW_UP, asked + timedelta(days=lead), config.soft_deadline)]
    if cadence.reminder_before_soft_deadline_days is not None:
        at = config.soft_deadline - timedelta(days=cadence.reminder_before_soft_deadline_days)
        steps.append(Step(REMINDER, max(at, asked), config.soft_deadline))
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


def plan_steps(session: Session, campaign: Campaign, config: CampaignConfig, now: datetime, *,
               message_id_domain: str, after_id: int = 0, limit: int = 1000) -> StepPlan:
    """One chunk of a planning pass: targets with id > `after_id` whose next action is due."""
    plan = StepPlan(last_id=after_id)
    if campaign.closed_at is not None or now >= config.hard_deadline:
        return plan
    targets = list(session.scalars(
        select(Target).where(
            Target.campaign_id == campaign.id, Target.state.in_(STEPPING),
            Target.next_action_at <= now, Target.id > after_id)
        .options(joinedload(Target.organization), joinedload(Target.contact))
        .order_by(Target.id).limit(limit)))
    if not targets:
        return plan
    plan.last_id = targets[-1].id
    ids = [t.id for t in targets]
    done: dict[int, set[str]] = {}
    unsent: set[int] = set()
    for target_id, kind, status in session.execute(
            select(OutboxMessage.target_id, OutboxMessage.kind, OutboxMessage.status)
            .where(OutboxMessage.target_id.in_(ids),
                   OutboxMessage.status != OutboxStatus.CANCELLED)):
        assert target_id is not None
        done.setdefault(target_id, set()).add(kind)
        if status in UNSENT:
            unsent.add(target_id)
    last_mail = last_emailed(session, [t.contact.email for t in targets])
    # Past the soft deadline with enough signers, nobody needs to hear of the hard one.
    settled = {HARD_DEADLINE} if now >= config.soft_deadline and \
        active_signers(session, campaign.id) >= config.target_signers else set()
    gap = timedelta(days=config.cadence.min_gap_days)
    for target in targets:
        if target.replied_at is not None or target.emails_sent >= \
                config.cadence.max_emails_per_target:
            target.next_action_at = None  # a person answered, or the cap is reached
            plan.finished += 1
            continue
        if target.id in unsent:  # its last message has not gone yet: look again later
            target.next_action_at = now + timedelta(hours=1)
            plan.postponed += 1
            continue
        step, following = choose_step(steps_for(target, config),
                                      done.get(target.id, set()) | settled, now)
        if step is None:
            target.next_action_at = following
            if following is None:
                plan.finished += 1
            continue
        free_at = (last_mail[target.contact.email] + gap
                   if target.contact.email in last_mail else now)
        together = step.kind == HARD_DEADLINE and \
            config.cadence.hard_deadline_notice == "together"
        if free_at > now and not together:
            target.next_action_at = free_at
            plan.postponed += 1
            continue
        enqueue(session, kind=step.kind, recipient=target.contact.email, now=now,
                message_id_domain=message_id_domain, target_id=target.id,
                send_window=config.window, priority=target.priority,
                payload={"valid_until": step.valid_until.isoformat()})
        transition(session, target, S.FOLLOWED_UP, now=now,
                   reason=f"{step.kind.replace('_', ' ')} queued",
                   next_action_at=max(following, now + gap) if following else None)
        target.emails_sent += 1
        plan.count(step.kind)
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
