"""The organizers' task board: list open tasks with what a caller needs, assign, complete.

A task is closed once, by a named organizer, with an outcome (done, no answer, left a
message, cancelled) and a note. `complete_task(..., signed_name=...)` records the sign-on
the organizer heard on the phone: its evidence is the organizer and their note, against
the letter version the target was last sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.campaign import letters
from outreach.campaign.config import CampaignConfig
from outreach.campaign.decisions import version_asked
from outreach.campaign.models import Campaign, Target, TargetEvent, TargetState
from outreach.campaign.signons import Evidence, record_sign_on
from outreach.campaign.targets import ALLOWED, inbound_about
from outreach.errors import OutreachError
from outreach.inbound.message import load_message
from outreach.inbound.visible import visible_text
from outreach.mail.models import InboundMessage
from outreach.people.models import Contact, Organization
from outreach.tasks.assignment import find_organizer
from outreach.tasks.models import Task, TaskStatus

OUTCOMES = (TaskStatus.DONE, TaskStatus.NO_ANSWER, TaskStatus.LEFT_MESSAGE, TaskStatus.CANCELLED)
SAID_CHARS = 240
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class TaskView:
    """One task with everything needed to act on it, detached from the session."""

    id: int
    kind: str
    status: TaskStatus
    priority: int
    assignee: str | None
    title: str
    notes: str
    due_at: datetime | None
    created_at: datetime
    campaign: str | None
    campaign_id: int | None
    target_id: int | None
    organization: str | None
    contact: str | None
    email: str | None
    phone: str | None
    target_state: TargetState | None
    draft_url: str | None
    last_said: str | None


def shorten(text: str, limit: int = SAID_CHARS) -> str:
    """`text` on one line, cut at a word boundary to at most `limit` characters."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1].rsplit(" ", 1)[0] if " " in flat[:limit - 1] else flat[:limit - 1]
    return cut.rstrip(" ,;:.") + "…"


def last_said(session: Session, target_id: int) -> str | None:
    """The last thing said: the newest human reply's own words, else the last event's reason."""
    replies = session.scalars(
        select(InboundMessage).where(inbound_about(target_id), InboundMessage.kind == "human")
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc()).limit(3))
    for reply in replies:
        try:
            text = visible_text(load_message(reply.raw))
        except Exception:  # one unreadable message must not hide the task or stop a digest
            continue
        if text.strip():
            return f"{reply.received_at:%Y-%m-%d}, they wrote: \"{shorten(text)}\""
    event = session.scalars(
        select(TargetEvent).where(TargetEvent.target_id == target_id)
        .order_by(TargetEvent.at.desc(), TargetEvent.id.desc()).limit(1)).first()
    if event is None:
        return None
    return f"{event.at:%Y-%m-%d}: {shorten(event.reason)}"


def list_tasks(session: Session, *, campaign: str | None = None, assignee: str | None = None,
               include_closed: bool = False, context: bool = True) -> list[TaskView]:
    """Tasks by priority (highest first), then due time (soonest first, undated last).

    With `context`, each carries the current-draft link and the last thing said.
    """
    query = (select(Task, Campaign, Target, Organization, Contact)
             .outerjoin(Campaign, Campaign.id == Task.campaign_id)
             .outerjoin(Target, Target.id == Task.target_id)
             .outerjoin(Organization, Organization.id == Target.organization_id)
             .outerjoin(Contact, Contact.id == Target.contact_id)
             .order_by(Task.priority.desc(), Task.due_at.is_(None), Task.due_at, Task.id))
    if not include_closed:
        query = query.where(Task.status == TaskStatus.OPEN)
    if campaign is not None:
        query = query.where(Campaign.slug == campaign)
    if assignee is not None:
        query = query.where(func.lower(Task.assignee) == assignee.strip().lower())
    views = [
        TaskView(
            id=task.id, kind=task.kind, status=task.status, priority=task.priority,
            assignee=task.assignee, title=task.title, notes=task.notes, due_at=task.due_at,
            created_at=task.created_at, campaign=camp.slug if camp else None,
            campaign_id=camp.id if camp else None, target_id=task.target_id,
            organization=org.name if org else None, contact=contact.name if contact else None,
            email=contact.email if contact else None, phone=contact.phone if contact else None,
            target_state=target.state if target else None, draft_url=None, last_said=None)
        for task, camp, target, org, contact in session.execute(query).all()
    ]
    return with_context(session, views) if context else views


def with_context(session: Session, views: list[TaskView]) -> list[TaskView]:
    """`views` with the current-draft link and the last thing said filled in."""
    drafts: dict[int, str | None] = {}
    result = []
    for view in views:
        if view.campaign_id is not None and view.campaign_id not in drafts:
            version = letters.current_version(session, view.campaign_id)
            drafts[view.campaign_id] = version.draft_url if version is not None else None
        result.append(replace(
            view,
            draft_url=drafts.get(view.campaign_id) if view.campaign_id is not None else None,
            last_said=last_said(session, view.target_id) if view.target_id is not None
            else None))
    return result


def _task(session: Session, task_id: int) -> Task:
    task = session.get(Task, task_id, with_for_update=True)
    if task is None:
        open_ids = [str(i) for i in session.scalars(
            select(Task.id).where(Task.status == TaskStatus.OPEN).order_by(Task.id))]
        raise OutreachError(f"no task {task_id}; " + (f"open tasks: {', '.join(open_ids)}"
                                                      if open_ids else "no task is open"))
    return task


def _open_task(session: Session, task_id: int) -> Task:
    task = _task(session, task_id)
    if task.status != TaskStatus.OPEN:
        when = f" on {task.closed_at:%Y-%m-%d %H:%M} UTC" if task.closed_at else ""
        outcome = task.status.value.replace("_", " ")
        raise OutreachError(f"task {task_id} is already closed: {outcome} "
                            f"(by {task.closed_by or 'unknown'}{when})")
    return task


def _log(task: Task, now: datetime, line: str) -> None:
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    entry = f"[{stamp}] {line}"
    task.notes = f"{task.notes.rstrip()}\n{entry}" if task.notes.strip() else entry


def assign_task(session: Session, task_id: int, assignee: str, *, by: str, now: datetime,
                configs: Mapping[str, CampaignConfig] | None = None) -> Task:
    """Give open task `task_id` to `assignee`.

    When the task's campaign (in `configs`) lists organizers, `assignee` must name one of
    them (by name, email or the email's local part) and is stored as their listed name.
    """
    assignee = assignee.strip()
    if not assignee:
        raise OutreachError("say who the task goes to: a name")
    task = _open_task(session, task_id)
    campaign = session.get(Campaign, task.campaign_id) if task.campaign_id is not None else None
    config = (configs or {}).get(campaign.slug) if campaign is not None else None
    if config is not None and config.organizers:
        organizer = find_organizer(config, assignee)
        if organizer is None:
            names = ", ".join(o.name for o in config.organizers)
            raise OutreachError(f"{assignee!r} is not an organizer of {config.slug} "
                                f"(organizers: {names}; see {config.source})")
        assignee = organizer.name
    before = task.assignee
    task.assignee = assignee
    _log(task, now, f"assigned to {assignee} by {by}"
         + (f" (was {before})" if before and before != assignee else ""))
    return task


def complete_task(session: Session, task_id: int, *, status: TaskStatus | str, by: str,
                  now: datetime, note: str = "", signed_name: str | None = None,
                  message_id_domain: str) -> Task:
    """Close open task `task_id` with `status`, and with `signed_name` record the sign-on."""
    choices = ", ".join(o.value for o in OUTCOMES)
    try:
        outcome = TaskStatus(status)
    except ValueError:
        raise OutreachError(f"a task closes as one of {choices}, not {status!r}") from None
    if outcome not in OUTCOMES:
        raise OutreachError(f"a task closes as one of {choices}, not {outcome.value}")
    task = _open_task(session, task_id)
    if signed_name is not None:
        signed_name = " ".join(signed_name.split())
        if not signed_name:
            raise OutreachError("--signed needs the name to list, e.g. --signed "
                                "\"Friends of the River\"")
        if outcome != TaskStatus.DONE:
            raise OutreachError(f"a sign-on closes the task as done, not {outcome.value}")
    task.status = outcome
    task.closed_at = now
    task.closed_by = by
    if signed_name is not None:
        # Recording the sign-on also cancels the target's other open tasks: they are moot.
        _record_phone_sign_on(session, task, signed_name, by=by, now=now, note=note,
                              message_id_domain=message_id_domain)
    _log(task, now, f"{outcome.value.replace('_', ' ')} by {by}"
         + (f", signed as {signed_name!r}" if signed_name else "")
         + (f": {note.strip()}" if note.strip() else ""))
    return task


def _record_phone_sign_on(session: Session, task: Task, name: str, *, by: str, now: datetime,
                          note: str, message_id_domain: str) -> None:
    target = session.get(Target, task.target_id) if task.target_id is not None else None
    if target is None:
        raise OutreachError(f"task {task.id} is not about a target, so there is no one to "
                            "record as signed; use `outreach review` or import the "
                            "organization first")
    if target.state != TargetState.SIGNED and TargetState.SIGNED not in ALLOWED[target.state]:
        raise OutreachError(f"{target.organization.name} is {target.state.value}; "
                            "it cannot be recorded as signed")
    record_sign_on(
        session, target, name=name, signer_type="organization", now=now,
        message_id_domain=message_id_domain,
        evidence=Evidence(kind="phone", decided_by=f"organizer:{by}",
                          letter_version_id=version_asked(session, target),
                          quoted_text=note.strip() or None),
    )
