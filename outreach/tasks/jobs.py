"""The tasks' job: each organizer's morning email of open tasks."""

from __future__ import annotations

from datetime import datetime

from outreach.app import App
from outreach.db.session import transaction
from outreach.tasks.digest import DigestPass, send_task_digests


def task_digests(app: App, now: datetime) -> DigestPass:
    """Each organizer's daily email of open tasks (at most one a day, from the digest hour)."""
    with transaction(app.factory) as session:
        return send_task_digests(session, app.settings, app.campaigns, app.environments, now)
