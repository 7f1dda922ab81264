"""`outreach review`: the replies the machine could not read with certainty, and a person's
decision on each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from outreach.campaign.decisions import accept, reclassify, reject
from outreach.campaign.intent import Intent
from outreach.cli.common import app_for, by_option, console
from outreach.cli.output import print_review_queue
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.settings import load_settings


@click.group(invoke_without_command=True)
@click.option("--campaign", "slug", default=None, help="Only this campaign's items.")
@click.pass_context
def review(ctx: click.Context, slug: str | None) -> None:
    """The review queue: replies the machine could not read with certainty."""
    if ctx.invoked_subcommand is not None:
        return
    app = app_for(ctx)
    with transaction(app.factory) as session:
        print_review_queue(console, session, slug)


def _decide(ctx: click.Context, decide: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    app = app_for(ctx)
    with transaction(app.factory) as session:
        item = decide(session, *args, now=utc_now(), **kwargs)
    console.print(f"review item {item.id}: {item.status.value} by {item.decided_by}")


@review.command("accept")
@click.argument("item_id", type=int)
@click.option("--name", default=None, help="The name to list (default: the one proposed).")
@click.option("--individual", is_flag=True, help="An individual, not an organization, signs.")
@by_option()
@click.pass_context
def review_accept(ctx: click.Context, item_id: int, name: str | None, individual: bool,
                  by: str) -> None:
    """Record ITEM_ID as a sign-on."""
    settings = load_settings(ctx.obj["config"])
    _decide(ctx, accept, item_id, by=by, name=name,
            signer_type="individual" if individual else "organization",
            message_id_domain=settings.sender.reply_domain)


@review.command("reject")
@click.argument("item_id", type=int)
@click.option("--note", default="", help="Why, for the log.")
@by_option()
@click.pass_context
def review_reject(ctx: click.Context, item_id: int, note: str, by: str) -> None:
    """Not a sign-on, nothing to do: follow-ups resume."""
    _decide(ctx, reject, item_id, by=by, note=note)


@review.command("reclassify")
@click.argument("item_id", type=int)
@click.argument("intent", type=click.Choice([i.value for i in Intent]))
@click.option("--name", default=None, help="With sign_on: the name to list.")
@by_option()
@click.pass_context
def review_reclassify(ctx: click.Context, item_id: int, intent: str, name: str | None,
                      by: str) -> None:
    """Say what ITEM_ID really meant, and act on it."""
    settings = load_settings(ctx.obj["config"])
    _decide(ctx, reclassify, item_id, Intent(intent), by=by, name=name,
            message_id_domain=settings.sender.reply_domain)
