"""`outreach outbox`: the messages that failed, bounced or still wait, and why."""

from __future__ import annotations

from datetime import datetime

import click
from rich.table import Table
from rich.text import Text

from outreach.campaign.campaigns import get_campaign
from outreach.campaign.targets import campaign_mail
from outreach.cli.common import app_for, console, err
from outreach.cli.jsonout import json_option, print_json
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.mail.outbox_view import OutboxEntry, list_outbox


def _local(at: datetime | None) -> str:
    return at.astimezone().strftime("%a %-d %b %H:%M %Z") if at is not None else ""


def _table(entries: list[OutboxEntry], title: str) -> Table:
    table = Table(title=title)
    for column in ("#", "kind", "to", "state", "attempts", "next attempt", "reason"):
        table.add_column(column, justify="right" if column in ("#", "attempts") else "left",
                         overflow="fold")
    for entry in entries:
        table.add_row(str(entry.id), entry.kind, Text(entry.recipient), entry.state,
                      str(entry.attempts), _local(entry.next_attempt), Text(entry.reason))
    return table


@click.command()
@click.argument("slug", required=False)
@click.option("--failed", is_flag=True, help="Only messages that failed for good or bounced.")
@click.option("--waiting", is_flag=True, help="Only messages not sent yet.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True,
              help="List at most this many messages.")
@json_option("the messages")
@click.pass_context
def outbox(ctx: click.Context, slug: str | None, failed: bool, waiting: bool, limit: int,
           as_json: bool) -> None:
    """Messages that failed, bounced or wait to be sent (of SLUG, or all), with the reason,
    the attempts and the next attempt.

    Without --failed or --waiting, both are listed: failures newest first, then the
    messages waiting, in the order they are due.
    """
    app = app_for(ctx)
    both = not failed and not waiting
    with transaction(app.factory) as session:
        about = campaign_mail(get_campaign(session, slug).id) if slug is not None else None
        listing = list_outbox(session, now=utc_now(), failed=failed or both,
                              waiting=waiting or both, about=about, limit=limit)
    if as_json:
        print_json(listing.entries)
    elif listing.entries:
        console.print(_table(listing.entries, f"Outbox{f' of {slug}' if slug else ''}: "
                                              f"{listing.total} message(s)"))
    else:
        console.print("No message to list.")
    hidden = listing.total - len(listing.entries)
    if hidden:
        err.print(f"{hidden} more not shown (--limit)", highlight=False)
