"""Asks: choosing who to ask now, and writing each ask when it is about to be sent.

`plan_asks` moves queued targets to `asked` in the transaction that writes their outbox
rows. The text itself is composed by `mailings.TargetMailComposer` when the outbox claims
the row, so the draft link is always the letter version current at send time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.cadence import last_emailed
from outreach.campaign.config import CampaignConfig, Wave
from outreach.campaign.models import Campaign, SignOn, Target, TargetState
from outreach.campaign.targets import Move, about_target, target_id_of, transition, transition_many
from outreach.db.bulk import update_by_id
from outreach.mail.models import OutboxMessage
from outreach.mail.outbox import Failure, NewMessage, enqueue_many
from outreach.people.contacts import suppress
from outreach.people.models import Contact, Engagement, Organization, Size, Suppression
from outreach.people.organizations import org_key
from outreach.tasks.task import open_task

ASK = "ask"  # the outbox kind; composed by outreach.campaign.mailings


@dataclass
class AskPlan:
    """What one planning pass did, for logs and status."""

    queued: int = 0
    excluded: int = 0
    requeued: int = 0
    suppressed: int = 0
    waiting: dict[str, int] = field(default_factory=dict)
    last_id: int = 0
    seen: int = 0

    def wait(self, reason: str) -> None:
        self.waiting[reason] = self.waiting.get(reason, 0) + 1

    def merge(self, chunk: AskPlan) -> None:
        self.queued += chunk.queued
        self.excluded += chunk.excluded
        self.requeued += chunk.requeued
        self.suppressed += chunk.suppressed
        for reason, count in chunk.waiting.items():
            self.waiting[reason] = self.waiting.get(reason, 0) + count
        self.last_id = chunk.last_id
        self.seen += chunk.seen


class _Candidate(NamedTuple):
    """What deciding on one queued target needs, read as a plain row."""

    id: int
    state: TargetState
    emails_sent: int
    key: str
    size: Size
    engagement: Engagement | None
    tags: list[str]
    needs_parent_approval: bool
    email: str
    suppression: Suppression


def wave_for(config: CampaignConfig, org: _Candidate | Organization) -> tuple[int, Wave] | None:
    for index, wave in enumerate(config.waves):
        if wave.matches(org.size, org.engagement, org.tags, org.needs_parent_approval):
            return index, wave
    return None


_SIZE_WEIGHT = {Size.LARGE: 2, Size.MEDIUM: 1, Size.SMALL: 0}
_ENGAGEMENT_WEIGHT = {Engagement.CORE: 2, Engagement.COMRADE: 1}


def ask_priority(config: CampaignConfig, wave_index: int,
                 org: _Candidate | Organization) -> int:
    """Earlier waves first; within a wave, large organizations and Core/Comrade first."""
    engagement = _ENGAGEMENT_WEIGHT.get(org.engagement, 0) if org.engagement else 0
    return (len(config.waves) - wave_index) * 10 + _SIZE_WEIGHT[org.size] + engagement


def signed_org_keys(session: Session, campaign_id: int) -> set[str]:
    rows = session.execute(
        select(Organization.key)
        .join(SignOn, SignOn.organization_id == Organization.id)
        .where(SignOn.campaign_id == campaign_id, SignOn.withdrawn_at.is_(None))
    )
    return {key for (key,) in rows}


def plan_asks(session: Session, campaign: Campaign, config: CampaignConfig, now: datetime, *,
              message_id_domain: str, after_id: int = 0, limit: int | None = None) -> AskPlan:
    """Queue an ask for every queued target whose turn has come; apply the discretion rules.

    With `limit`, handles one chunk of targets (ids after `after_id`): the caller loops
    on `plan.last_id` until `plan.seen` is short of the limit, a transaction per chunk.
    Reads plain rows and writes in bulk, like the follow-up planning.
    """
    plan = AskPlan(last_id=after_id)
    if now >= config.hard_deadline or campaign.closed_at is not None:
        return plan
    never = {org_key(name) for name in config.discretion.never_ask}
    signed = signed_org_keys(session, campaign.id)
    blocked: set[str] = set()
    for rule in config.discretion.after:
        if not {org_key(n) for n in rule.after_signed} <= signed:
            blocked |= {org_key(n) for n in rule.ask}
    # First the chunk's ids, from the index alone; then what deciding needs, by id.
    ids = list(session.scalars(
        select(Target.id)
        .where(Target.campaign_id == campaign.id, Target.id > after_id,
               Target.state.in_([TargetState.QUEUED, TargetState.EXCLUDED]))
        .order_by(Target.id).limit(limit)
        .with_for_update(skip_locked=True)))
    candidates = [_Candidate._make(row) for row in session.execute(
        select(Target.id, Target.state, Target.emails_sent, Organization.key, Organization.size,
               Organization.engagement, Organization.tags, Organization.needs_parent_approval,
               Contact.email, Contact.suppression)
        .join(Organization, Organization.id == Target.organization_id)
        .join(Contact, Contact.id == Target.contact_id)
        .where(Target.id.in_(ids)).order_by(Target.id))] if ids else []
    plan.seen = len(candidates)
    if candidates:
        plan.last_id = candidates[-1].id
    last_mail = last_emailed(session, [c.email for c in candidates])
    gap = timedelta(days=config.cadence.min_gap_days)
    moves: list[Move] = []
    columns: dict[int, dict[str, Any]] = {}
    messages: list[NewMessage] = []
    for target in candidates:
        if target.key in never:
            if target.state == TargetState.QUEUED:
                moves.append(Move(target.id, target.state, TargetState.EXCLUDED,
                                  "discretion: never ask"))
                plan.excluded += 1
            continue
        state = target.state
        if state == TargetState.EXCLUDED:
            moves.append(Move(target.id, state, TargetState.QUEUED,
                              "no longer on the never-ask list"))
            plan.requeued += 1
            state = TargetState.QUEUED
        if target.suppression != Suppression.NONE:
            to = (TargetState.BOUNCED if target.suppression == Suppression.BOUNCED
                  else TargetState.OPTED_OUT)
            moves.append(Move(target.id, state, to, f"contact {target.suppression.value}"))
            plan.suppressed += 1
            continue
        if target.key in blocked:
            plan.wait("waiting for other organizations to sign first")
            continue
        placed = wave_for(config, target)
        if placed is None:
            plan.wait("in no wave")
            continue
        index, wave = placed
        priority = ask_priority(config, index, target)
        columns[target.id] = {"wave": wave.name, "priority": priority}
        opens = config.wave_opens(wave)
        if opens is not None and opens > now:
            plan.wait(f"wave {wave.name} opens later")
            continue
        if target.email in last_mail and last_mail[target.email] + gap > now:
            plan.wait("written to recently (minimum gap between emails)")
            continue
        messages.append(NewMessage(ASK, target.email, about_target(target.id), {}, config.window,
                                   priority))
        moves.append(Move(target.id, state, TargetState.ASKED, f"ask queued ({wave.name})",
                          next_action_at=now))
        columns[target.id] |= {"emails_sent": target.emails_sent + 1, "asked_at": now}
        plan.queued += 1
    moved = {m.target_id for m in moves}
    unmoved = [{"id": target_id, **values} for target_id, values in columns.items()
               if target_id not in moved]
    if unmoved:
        update_by_id(session, Target, unmoved)
    enqueue_many(session, messages, now=now, message_id_domain=message_id_domain)
    _apply_moves(session, moves, now, columns)
    return plan


def _apply_moves(session: Session, moves: list[Move], now: datetime,
                 columns: dict[int, dict[str, Any]]) -> None:
    """A requeued target may move twice in one pass (excluded → queued → asked): apply the
    moves in order, one batch per round, so each event records its own step."""
    while moves:
        seen: set[int] = set()
        batch: list[Move] = []
        rest: list[Move] = []
        for move in moves:
            (rest if move.target_id in seen else batch).append(move)
            seen.add(move.target_id)
        transition_many(session, batch, now=now,
                        also={m.target_id: columns.get(m.target_id, {}) for m in batch})
        moves = rest


def ask_failed(session: Session, row: OutboxMessage, now: datetime, failure: Failure) -> None:
    """The outbox gave up on an ask: mark why, and ask an organizer to find another way in."""
    target_id = target_id_of(row)
    target = session.get(Target, target_id) if target_id is not None else None
    if target is None:
        return
    contact: Contact = target.contact
    if failure in (Failure.UNSENDABLE, Failure.REFUSED, Failure.UNCERTAIN):
        what = {Failure.UNSENDABLE: "could not be composed",
                Failure.REFUSED: "was refused by the receiving server",
                Failure.UNCERTAIN: "may not have gone out (or went out twice)"}[failure]
        if target.state == TargetState.ASKED:
            transition(session, target, TargetState.PAUSED, now=now,
                       reason=f"ask {what}: {row.last_error}")
        open_task(session, kind="review", campaign_id=target.campaign_id, target_id=target.id,
                  title=f"Ask to {target.organization.name} {what}",
                  notes=row.last_error or "", now=now)
        return
    if failure == Failure.REJECTED:
        suppress(contact, Suppression.BOUNCED, reason=row.last_error or "rejected", now=now)
    if target.state in (TargetState.ASKED, TargetState.FOLLOWED_UP):
        transition(session, target, TargetState.BOUNCED, now=now,
                   reason=f"mail to {contact.email} {failure.value}: {row.last_error}")
    open_task(session, kind="find_contact", campaign_id=target.campaign_id, target_id=target.id,
              title=f"Find another contact for {target.organization.name}",
              notes=f"Mail to {contact.email} failed ({failure.value}): {row.last_error}",
              now=now)
