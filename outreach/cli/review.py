"""`outreach review`: the replies the machine could not read with certainty, and a person's
decision on each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from sqlalchemy.orm import Session

from outreach.campaign.decisions import accept, reclassify, reject
from outreach.campaign.intent import Intent
from outreach.campaign.queries import review_queue
from outreach.cli.common import app_for, by_option, console
from outreach.cli.jsonout import json_option, print_json
from outreach.cli.output import print_review_queue
from outreach.cli.slug import CampaignGroup
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.review.models import ReviewItem
from outreach.settings import load_settings


@click.group(cls=CampaignGroup, invoke_without_command=True)
@json_option("the open items")
@click.pass_context
def review(ctx: click.Context, slug: str | None, as_json: bool) -> None:
    """The review queue: replies the machine could not read with certainty.

    With SLUG, only that campaign's items.
    """
    if ctx.invoked_subcommand is not None:
        return
    app = app_for(ctx)
    if slug is not None:
        app.campaign(slug)  # an unknown campaign is an error, not an empty queue
    with transaction(app.factory) as session:
        if as_json:
            print_json(_items(session, slug))
        else:
            print_review_queue(console, session, slug)


def _items(session: Session, slug: str | None) -> list[dict[str, Any]]:
    """The open items as `--json` prints them."""
    return [{"id": item.id, "campaign": campaign.slug if campaign else None,
             "organization": org.name if org else None, "reason": item.reason,
             "their_words": item.quoted_text, "summary": item.summary,
             "proposed_name": item.proposed_name, "created_at": item.created_at}
            for item, org, campaign in review_queue(session, slug)]


def _open_ids(session: Session) -> str:
    ids = [str(item.id) for item, _, _ in review_queue(session)]
    return f"open items: {', '.join(ids)}" if ids else "the review queue is empty"


def _decide(ctx: click.Context, decide: Callable[..., Any], item_id: int, *args: Any,
            **kwargs: Any) -> None:
    app = app_for(ctx)
    with transaction(app.factory) as session:
        if session.get(ReviewItem, item_id) is None:
            raise OutreachError(f"no review item {item_id}; {_open_ids(session)}")
        item = decide(session, item_id, *args, now=utc_now(), **kwargs)
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
