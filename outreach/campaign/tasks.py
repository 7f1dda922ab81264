"""Tasks for people: phone calls, reviews, finding a new contact, check-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from outreach.db.models import Task, TaskStatus


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
