"""`outreach history`: one target's story, in time order."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from outreach.campaign.campaigns import get_campaign
from outreach.campaign.history import target_history
from outreach.campaign.queries import target_of
from outreach.cli.common import app_for, console
from outreach.cli.jsonout import json_option, print_json
from outreach.db.session import transaction
from outreach.errors import OutreachError


@click.command()
@click.argument("slug")
@click.argument("organization")
@json_option("the events")
@click.pass_context
def history(ctx: click.Context, slug: str, organization: str, as_json: bool) -> None:
    """What happened with ORGANIZATION in SLUG, oldest first: mail sent and received, state
    changes, reviews and decisions, sign-ons and tasks, and who did each."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        target = target_of(session, get_campaign(session, slug), organization)
        if target is None:
            raise OutreachError(f"{organization!r} is not a target of {slug}")
        name = target.organization.name
        entries = target_history(session, target)
    if as_json:
        print_json(entries)
        return
    table = Table(title=f"{name} in {slug}: {len(entries)} event(s)")
    for column in ("when (UTC)", "what", "detail", "by"):
        table.add_column(column)
    for entry in entries:
        table.add_row(f"{entry.at:%Y-%m-%d %H:%M}", entry.what, Text(entry.detail),
                      Text(entry.by))
    console.print(table)
