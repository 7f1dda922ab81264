"""The organizers' daily email: their open tasks, most important first.

Each organizer (one person per email address, whatever campaigns list them) gets at most
one digest per local day, at or after the campaign's `task_digest_hour`, and none when
they have no open task. The day, the hour and the templates are those of the first
campaign (by slug) that lists them. A digest already queued since local midnight (found
in the outbox) means no second one that day, so the job may run as often as it likes, in
as many daemons as share the database: on PostgreSQL the pass holds a transaction-level
advisory lock, and SQLite's write lock serializes it anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import jinja2
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig, Organizer
from outreach.mail.compose import Draft, mailbox
from outreach.mail.models import OutboxMessage
from outreach.mail.outbox import enqueue
from outreach.settings import Settings
from outreach.tasks.assignment import find_organizer
from outreach.tasks.board import TaskView, list_tasks, shorten, with_context
from outreach.tasks.models import TaskStatus
from outreach.templating import TemplateProblem, make_environment, render_set

log = logging.getLogger(__name__)

KIND = "task_digest"
TEMPLATE = "task_digest"
# pg_advisory_xact_lock key for the digest pass ("outreach task digest", folded to int64).
_LOCK_KEY = 0x6F75747265616368 & 0x7FFFFFFFFFFFFFFF


@dataclass(frozen=True)
class QueuedDigest:
    organizer: str
    email: str
    local_date: str
    task_ids: list[int]
    outbox_id: int
    message_id: str


@dataclass
class DigestPass:
    queued: list[QueuedDigest] = field(default_factory=list)
    # Organizers whose digest could not be composed: (email, the template problem).
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Desk:
    """One organizer's share: who, where their day is kept, and their tasks."""

    organizer: Organizer
    home: CampaignConfig
    tasks: list[TaskView] = field(default_factory=list)


def send_task_digests(session: Session, settings: Settings,
                      configs: Mapping[str, CampaignConfig],
                      envs: Mapping[str, jinja2.Environment], now: datetime) -> DigestPass:
    """Queue today's digest for every organizer who has open tasks and none yet today."""
    result = DigestPass()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
    desks = _desks(configs)
    if not desks:
        return result
    for view in list_tasks(session, context=False):
        if view.campaign is None or view.campaign not in configs:
            continue
        organizer = find_organizer(configs[view.campaign], view.assignee)
        if organizer is not None:
            desks[_address(organizer.email)].tasks.append(view)
    for address, desk in sorted(desks.items()):
        if not desk.tasks:
            continue
        zone = ZoneInfo(desk.home.timezone)
        local = now.astimezone(zone)
        if local.hour < desk.home.task_digest_hour:
            continue
        midnight = datetime.combine(local.date(), time(0, 0), tzinfo=zone).astimezone(UTC)
        if _already_sent(session, address, midnight):
            continue
        env = envs.get(desk.home.slug) or make_environment([])
        tasks = with_context(session, desk.tasks)
        try:
            queued = _queue(session, settings, env, desk, address, tasks, configs, now, local)
        except TemplateProblem as exc:
            log.error("task digest for %s: %s", address, exc)
            result.problems.append((address, str(exc)))
            continue
        result.queued.append(queued)
    return result


def _address(email: str) -> str:
    return email.strip().lower()


def _desks(configs: Mapping[str, CampaignConfig]) -> dict[str, _Desk]:
    desks: dict[str, _Desk] = {}
    for slug in sorted(configs):
        for organizer in configs[slug].organizers:
            desks.setdefault(_address(organizer.email), _Desk(organizer, configs[slug]))
    return desks


def _already_sent(session: Session, address: str, since: datetime) -> bool:
    return session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == KIND, OutboxMessage.recipient == address,
            OutboxMessage.created_at >= since).limit(1)) is not None


def _local_due(view: TaskView, configs: Mapping[str, CampaignConfig]) -> str:
    if view.due_at is None:
        return ""
    config = configs.get(view.campaign or "")
    zone = ZoneInfo(config.timezone if config is not None else "UTC")
    return view.due_at.astimezone(zone).strftime("%a %-d %b %H:%M %Z")


def task_context(view: TaskView, configs: Mapping[str, CampaignConfig],
                 now: datetime) -> dict[str, object]:
    """What the digest template sees of one task."""
    config = configs.get(view.campaign or "")
    return {
        "id": view.id,
        "kind": view.kind,
        "title": view.title,
        "priority": view.priority,
        "campaign": view.campaign or "",
        "campaign_title": config.title if config is not None else (view.campaign or ""),
        "organization": view.organization or "",
        "contact": view.contact or "",
        "email": view.email or "",
        "phone": view.phone or "",
        "draft_url": view.draft_url or "",
        "last_said": view.last_said or "",
        "notes": shorten(view.notes) if view.notes.strip() else "",
        "due": _local_due(view, configs),
        "overdue": view.due_at is not None and view.due_at < now,
    }


def digest_context(organizer: Organizer, date: str, tasks: list[dict[str, object]],
                   sender_name: str, sender_address: str) -> dict[str, object]:
    """Everything the digest templates may use."""
    return {
        "organizer": {"name": organizer.name, "first_name": (organizer.name.split() or [""])[0],
                      "email": organizer.email},
        "date": date,
        "tasks": tasks,
        "sender": {"name": sender_name, "address": sender_address},
    }


def check_digest_template(env: jinja2.Environment, now: datetime) -> list[str]:
    """Problems rendering the digest with a sample task (for `outreach check`), or none."""
    sample = TaskView(
        id=1, kind="phone_call", status=TaskStatus.OPEN, priority=30, assignee="Maria Alvarez",
        title="Call Ana Ruiz at Friends of the River", notes="", due_at=now, created_at=now,
        campaign=None, campaign_id=None, target_id=None, organization="Friends of the River",
        contact="Ana Ruiz", email="ana@river.example", phone="+1 555 0100",
        target_state=None, draft_url="https://example.org/draft-v1",
        last_said='they wrote: "Maybe"')
    context = digest_context(Organizer(name="Maria Alvarez", email="maria@example.org"),
                             f"{now:%A %-d %B %Y}", [task_context(sample, {}, now)],
                             "Outreach", "outreach@example.org")
    try:
        render_set(env, TEMPLATE, context)
    except TemplateProblem as exc:
        return [str(exc)]
    return []


def _queue(session: Session, settings: Settings, env: jinja2.Environment, desk: _Desk,
           address: str, tasks: list[TaskView], configs: Mapping[str, CampaignConfig],
           now: datetime, local: datetime) -> QueuedDigest:
    organizer = desk.organizer
    local_date = local.date().isoformat()
    context = digest_context(organizer, local.strftime("%A %-d %B %Y"),
                             [task_context(view, configs, now) for view in tasks],
                             settings.sender.name, settings.sender.address)
    rendered = render_set(env, TEMPLATE, context)
    row = enqueue(session, kind=KIND, recipient=address, now=now,
                  message_id_domain=settings.sender.reply_domain, priority=50,
                  payload={"organizer": organizer.name, "local_date": local_date,
                           "task_ids": [view.id for view in tasks]})
    row.raw = Draft(
        sender=mailbox(settings.sender.name, settings.sender.address),
        to=mailbox(organizer.name, organizer.email),
        subject=rendered.subject, text=rendered.text, html=rendered.html,
        message_id=row.message_id, date=now,
        extra_headers={"Auto-Submitted": "auto-generated"},
    ).as_bytes()
    session.flush()
    return QueuedDigest(organizer=organizer.name, email=address, local_date=local_date,
                        task_ids=[view.id for view in tasks], outbox_id=row.id,
                        message_id=row.message_id)
