"""`outreach list held|approve|reject|discard`: moderating held posts from the terminal.

Added to the `outreach list` group (`outreach.cli.lists`). The same decision as a
moderator's emailed reply (`outreach.lists.moderation.decide`): the
first decision wins, the poster is told, the act is logged with who and when.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.lists import moderation


@click.command("held")
@click.argument("list_name", metavar="LIST", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per held post.")
@click.pass_context
def held(ctx: click.Context, list_name: str | None, as_json: bool) -> None:
    """Posts waiting for a moderator (of LIST, or of every list), oldest first."""
    from outreach.cli.common import console
    from outreach.cli.lists import list_config, lists_for

    app, lists = lists_for(ctx)
    name = list_config(lists, list_name).slug if list_name else None
    with app.factory() as session:
        rows: list[dict[str, Any]] = [
            {"id": p.id, "list": p.list_name, "from": p.poster or "", "subject": p.subject,
             "reason": p.reason, "held_at": p.created_at.isoformat(),
             "expires_at": p.token_expires_at.isoformat() if p.token_expires_at else None}
            for p in moderation.held_posts(session, name)]
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        console.print("No post is waiting for a moderator.")
        return
    table = Table("id", "list", "from", "subject", "why held", "held at")
    for row in rows:
        table.add_row(str(row["id"]), row["list"], row["from"], row["subject"], row["reason"],
                      row["held_at"][:16].replace("T", " "))
    console.print(table)


def _decision(action: str) -> click.Command:
    @click.command(action, help=f"{action.capitalize()} the held post POST_ID of LIST.")
    @click.argument("list_name", metavar="LIST")
    @click.argument("post_id", type=int)
    @click.option("--by", "by", default=None,
                  help="Who decides (default: $OUTREACH_ORGANIZER, else your login name).")
    @click.option("--note", default="", help="For reject: a private note to the poster.")
    @click.option("--off-topic", is_flag=True,
                  help="For reject: send the poster the polite off-topic note.")
    @click.pass_context
    def command(ctx: click.Context, list_name: str, post_id: int, by: str | None, note: str,
                off_topic: bool) -> None:
        from outreach.cli.common import console, organizer
        from outreach.cli.lists import list_config, lists_for

        if action != "reject" and (note or off_topic):
            raise OutreachError("--note and --off-topic go with reject only")
        app, lists = lists_for(ctx)
        config = list_config(lists, list_name)
        with transaction(app.factory) as session:
            outcome = moderation.decide(session, lists, config, post_id, action,
                                        actor=f"cli:{organizer(by)}", via="cli",
                                        now=utc_now(), note=note, off_topic=off_topic)
        if outcome != "applied":
            raise OutreachError(f"post {post_id} of {config.slug}: nothing done, {outcome}")
        done = {"approve": "approved and sent to the members", "reject": "rejected",
                "discard": "discarded"}[action]
        console.print(f"post {post_id} of {config.slug}: {done}")

    return command


approve = _decision("approve")
reject = _decision("reject")
discard = _decision("discard")
