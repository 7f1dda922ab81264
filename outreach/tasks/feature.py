"""Tasks as a feature: the organizers' morning digest is its one job."""

from __future__ import annotations

from datetime import datetime

from outreach.app import App
from outreach.feature import Contribution, Job, PersonalData
from outreach.tasks.jobs import task_digests


class TasksFeature:
    name = "tasks"
    # A task names people only in its text, which the campaign's forgetting redacts.
    personal_data: tuple[PersonalData, ...] = ()

    def contribute(self, app: App) -> Contribution:
        del app
        return Contribution(jobs=[Job("tasks.digests", _digests)])

    def start(self, app: App, now: datetime) -> None:
        del app, now


def _digests(app: App, now: datetime) -> int:
    return len(task_digests(app, now).queued)
