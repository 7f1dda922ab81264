"""`outreach tasks`: the organizers' task board (phone calls, finding contacts, reviews)."""

from __future__ import annotations

from pathlib import Path

import click

from outreach.campaign.config import CampaignConfig
from outreach.cli.common import app_for, by_option, campaign_configs, console, err
from outreach.cli.jsonout import json_option, print_json
from outreach.cli.output import print_tasks
from outreach.cli.slug import CampaignGroup, campaign_argument
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.tasks.assignment import find_organizer
from outreach.tasks.board import assign_task, complete_task, list_tasks
from outreach.tasks.calendar import tasks_to_ics


def _resolve_organizer(configs: dict[str, CampaignConfig], slug: str | None, name: str) -> str:
    """The listed name of the organizer `name` refers to (name, email or its local part)."""
    for config in ([configs[slug]] if slug in configs else configs.values()):
        organizer = find_organizer(config, name)
        if organizer is not None:
            return organizer.name
    return name


@click.group(cls=CampaignGroup, invoke_without_command=True)
@click.option("--assignee", default=None, help="Only tasks given to this organizer.")
@click.option("--all", "show_all", is_flag=True, help="Closed tasks too.")
@json_option("the tasks")
@click.pass_context
def tasks(ctx: click.Context, slug: str | None, assignee: str | None, show_all: bool,
          as_json: bool) -> None:
    """Tasks for organizers (phone calls, finding contacts, reviews), most important first.

    With SLUG, only that campaign's tasks.
    """
    ctx.obj["tasks_filter"] = (slug, assignee)
    if ctx.invoked_subcommand is not None:
        return
    app = app_for(ctx)
    if slug is not None:
        app.campaign(slug)  # an unknown campaign is an error, not an empty board
    configs = campaign_configs(app)
    who = _resolve_organizer(configs, slug, assignee) if assignee else None
    with transaction(app.factory) as session:
        views = list_tasks(session, campaign=slug, assignee=who, include_closed=show_all,
                           context=as_json)
    if as_json:
        print_json(views)
        return
    title = ("All tasks" if show_all else "Open tasks") + (f" for {who}" if who else "")
    print_tasks(console, views, zones={s: c.timezone for s, c in configs.items()},
                show_status=show_all, title=title)


@tasks.command("assign")
@click.argument("task_id", type=int)
@click.argument("name")
@by_option()
@click.pass_context
def tasks_assign(ctx: click.Context, task_id: int, name: str, by: str) -> None:
    """Give task TASK_ID to organizer NAME."""
    app = app_for(ctx)
    configs = campaign_configs(app)
    with transaction(app.factory) as session:
        task = assign_task(session, task_id, name, by=by, now=utc_now(), configs=configs)
        assignee = task.assignee
    console.print(f"task {task_id}: assigned to {assignee} by {by}", highlight=False)


@tasks.command("done")
@click.argument("task_id", type=int)
@click.option("--outcome", type=click.Choice(["done", "no_answer", "left_message", "cancelled"]),
              default="done", show_default=True, help="How it ended.")
@click.option("--note", default="", help="What happened, in a sentence (kept with the task; "
              "with --signed, it is the sign-on's evidence).")
@click.option("--signed", "signed_name", default=None, metavar="\"NAME AS LISTED\"",
              help="They said yes on the phone: record the sign-on under this name.")
@by_option("Who did it")
@click.pass_context
def tasks_done(ctx: click.Context, task_id: int, outcome: str, note: str,
               signed_name: str | None, by: str) -> None:
    """Close task TASK_ID; with --signed, record the sign-on you heard on the phone."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        task = complete_task(session, task_id, status=outcome, by=by, now=utc_now(),
                             note=note, signed_name=signed_name,
                             message_id_domain=app.settings.sender.reply_domain)
        status = task.status.value.replace("_", " ")
    console.print(f"task {task_id}: {status} by {by}", highlight=False)
    if signed_name:
        console.print(f"signed: {' '.join(signed_name.split())!r}, attested by organizer {by} "
                      "(phone); a confirmation is queued", highlight=False)


@tasks.command("export")
@click.option("--ics", "ics_file", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write an iCalendar file here.")
@click.option("--assignee", default=None, help="Only tasks given to this organizer.")
@campaign_argument(required=False)
@click.pass_context
def tasks_export(ctx: click.Context, ics_file: Path, slug: str | None,
                 assignee: str | None) -> None:
    """Export open tasks (of SLUG, or all) to an iCalendar (.ics) file: due tasks as
    30-minute events."""
    group_slug, group_assignee = ctx.obj.get("tasks_filter", (None, None))
    slug = slug or group_slug
    assignee = assignee or group_assignee
    app = app_for(ctx)
    configs = campaign_configs(app)
    who = _resolve_organizer(configs, slug, assignee) if assignee else None
    now = utc_now()
    with transaction(app.factory) as session:
        views = list_tasks(session, campaign=slug, assignee=who)
    name = "Outreach tasks" + (f": {slug}" if slug else "") + (f" ({who})" if who else "")
    ics_file.write_bytes(tasks_to_ics(views, domain=app.settings.sender.reply_domain, now=now,
                                      name=name))
    dated = sum(1 for v in views if v.due_at is not None)
    err.print(f"wrote {len(views)} task(s) to {ics_file} ({dated} with a due time as events, "
              f"{len(views) - dated} as to-dos)", highlight=False)
