"""Who makes a call: the organization's owner, or the organizer with the fewest open tasks.

A campaign lists its organizers (`organizers = [{name, email}]`). With
`task_assignment = "owner"` a task goes to the organization's owner when the owner names
one of them (by name, email or the email's local part, in any case); otherwise, and
always with `"round_robin"`, it goes to the organizer with the fewest open tasks (ties:
the one listed first). Open tasks are counted across every campaign, because one person's
load is the same whichever campaign it comes from.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.campaign.config import CampaignConfig, Organizer
from outreach.people.models import Organization
from outreach.tasks.models import Task, TaskStatus


def find_organizer(config: CampaignConfig, name: str | None) -> Organizer | None:
    """The configured organizer `name` refers to: their name, email or email local part."""
    if not name or not name.strip():
        return None
    wanted = name.strip().casefold()
    for organizer in config.organizers:
        email = organizer.email.casefold()
        if wanted in (organizer.name.strip().casefold(), email, email.split("@", 1)[0]):
            return organizer
    return None


def assign(config: CampaignConfig, org: Organization | None,
           open_counts: Mapping[str, int]) -> str | None:
    """The organizer (by configured name) a new task for `org` goes to; None without any."""
    if not config.organizers:
        return None
    if config.task_assignment == "owner" and org is not None:
        owner = find_organizer(config, org.owner)
        if owner is not None:
            return owner.name
    # min() keeps the first of equals: ties go to the organizer listed first.
    return min(config.organizers, key=lambda o: open_counts.get(o.name, 0)).name


def open_task_counts(session: Session, names: list[str]) -> dict[str, int]:
    """Open tasks per assignee among `names` (tasks added in this session included)."""
    if not names:
        return {}
    rows = session.execute(
        select(Task.assignee, func.count()).where(
            Task.status == TaskStatus.OPEN, Task.assignee.in_(names))
        .group_by(Task.assignee)).all()
    counts = dict.fromkeys(names, 0)
    for assignee, count in rows:
        if assignee is not None:
            counts[assignee] = count
    return counts


def choose_assignee(session: Session, config: CampaignConfig,
                    organization: Organization) -> str | None:
    """The organizer a new task about `organization` goes to, by the campaign's rule."""
    if not config.organizers:
        return None
    if config.task_assignment == "owner" and find_organizer(config, organization.owner):
        return assign(config, organization, {})
    names = [o.name for o in config.organizers]
    return assign(config, organization, open_task_counts(session, names))
