"""Tasks for people: phone calls, reviews, finding a new contact, check-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.tasks.models import Task, TaskStatus


def open_task(session: Session, *, kind: str, title: str, now: datetime,
              campaign_id: int | None = None, target_id: int | None = None,
              notes: str = "", priority: int = 0, due_at: datetime | None = None,
              assignee: str | None = None) -> Task:
    task = Task(
        campaign_id=campaign_id,
        target_id=target_id,
        kind=kind,
        status=TaskStatus.OPEN,
        priority=priority,
        assignee=assignee,
        title=title,
        notes=notes,
        due_at=due_at,
        created_at=now,
    )
    session.add(task)
    return task


def cancel_open_tasks(session: Session, target_id: int, *, now: datetime, reason: str,
                      by: str = "outreach") -> int:
    """Close a target's open tasks once they are moot (it signed or declined by email)."""
    tasks = list(session.scalars(select(Task).where(
        Task.target_id == target_id, Task.status == TaskStatus.OPEN)))
    for task in tasks:
        task.status = TaskStatus.CANCELLED
        task.closed_at = now
        task.closed_by = by
        task.notes = (task.notes + "\n" if task.notes else "") + f"Cancelled: {reason}"
    return len(tasks)
