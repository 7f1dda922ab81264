"""Open tasks as an iCalendar file, for the organizers' own calendars.

A task with a due time becomes a VEVENT starting then and lasting 30 minutes (what
calendar apps show on the day); one without becomes a VTODO (what they show in a task
list). Each keeps the UID `task-<id>@<domain>`, so importing a fresh export updates
the entries instead of duplicating them. PRIORITY follows iCalendar (1 is the most
important): the tasks' distinct priorities, highest first, map to 1, 2, 3… up to 9.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event, Todo

from outreach.tasks.board import TaskView

DURATION = timedelta(minutes=30)
PRODID = "-//Outreach//Organizer tasks//EN"


def task_uid(task_id: int, domain: str) -> str:
    return f"task-{task_id}@{domain}"


def _description(view: TaskView) -> str:
    contact = view.contact or ""
    if view.email:
        contact = f"{contact} <{view.email}>".strip()
    lines = [
        f"Organization: {view.organization or '(none)'}",
        f"Contact: {contact or '(none)'}",
        f"Phone: {view.phone or 'none on file: find one, or another contact'}",
        f"Draft: {view.draft_url or '(no letter yet)'}",
        f"Last said: {view.last_said or 'nothing yet'}",
    ]
    if view.notes.strip():
        lines.append(f"Notes: {view.notes.strip()}")
    lines.append(f"Task {view.id} ({view.kind.replace('_', ' ')}, campaign "
                 f"{view.campaign or '-'}). When done: outreach tasks done {view.id} "
                 "--outcome done|no_answer|left_message --note \"...\"")
    return "\n".join(lines)


def tasks_to_ics(views: Sequence[TaskView], *, domain: str, now: datetime,
                 name: str = "Outreach tasks") -> bytes:
    """The calendar of `views`, stamped `now`."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    ranks = {p: min(9, i + 1)
             for i, p in enumerate(sorted({v.priority for v in views}, reverse=True))}
    stamp = now.astimezone(UTC)
    for view in views:
        item: Event | Todo = Event() if view.due_at is not None else Todo()
        item.add("uid", task_uid(view.id, domain))
        item.add("dtstamp", stamp)
        item.add("created", view.created_at.astimezone(UTC))
        item.add("summary", view.title)
        item.add("description", _description(view))
        item.add("priority", ranks[view.priority])
        item.add("categories", [view.kind.replace("_", " ")])
        if view.draft_url:
            item.add("url", view.draft_url)
        if view.due_at is not None:
            item.add("dtstart", view.due_at.astimezone(UTC))
            item.add("duration", DURATION)
            item.add("status", "CONFIRMED")
            if view.phone:
                item.add("location", view.phone)
        else:
            item.add("status", "NEEDS-ACTION")
        calendar.add_component(item)
    return bytes(calendar.to_ical())
