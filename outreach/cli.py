"""The command line: a thin layer over the jobs and domain functions."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TextIO, TypeVar
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from sqlalchemy import select

from outreach import jobs
from outreach.app import App, open_app
from outreach.campaign.campaigns import get_campaign, sync_campaign
from outreach.campaign.config import CampaignConfig
from outreach.campaign.export import export_signers, export_signers_json, export_targets
from outreach.campaign.importer import import_csv
from outreach.cli_output import print_import_report, print_review_queue
from outreach.clock import utc_now
from outreach.daemon import Daemon
from outreach.db.session import make_engine, transaction, upgrade
from outreach.errors import OutreachError
from outreach.inbound.intent import Intent
from outreach.settings import load_settings

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Errors a person can fix are printed as they are, without a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OutreachError as exc:
            err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


def _app(ctx: click.Context, *, load_all: bool = False) -> App:
    settings = load_settings(ctx.obj["config"])
    app = open_app(settings, load_all=load_all)
    ctx.call_on_close(app.close)
    return app


@click.group()
@click.option("--config", "config", type=click.Path(path_type=Path), default=None,
              help="Server config file (default: $OUTREACH_CONFIG or config/outreach.toml).")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to stderr.")
@click.pass_context
def main(ctx: click.Context, config: Path | None, verbose: bool) -> None:
    """Outreach: coalition sign-on campaigns by email."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO, stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for chatty in ("mail.log", "alembic"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    # "skipped: maximum number of running instances" is the design, not a problem.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
@friendly_errors
def db_upgrade(ctx: click.Context) -> None:
    """Apply every pending migration (the daemon also does this on start)."""
    settings = load_settings(ctx.obj["config"])
    engine = make_engine(settings.database.url)
    upgrade(engine)
    engine.dispose()
    console.print(f"database at {settings.database.url} is up to date")


@main.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--campaign", "slug", required=True, help="Campaign to add the organizations to.")
@click.pass_context
@friendly_errors
def import_command(ctx: click.Context, csv_file: Path, slug: str) -> None:
    """Load organizations and contacts from CSV_FILE; re-importing updates."""
    app = _app(ctx)
    config = app.campaign(slug)
    now = utc_now()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        report = import_csv(session, csv_file, now=now, campaign=campaign)
    print_import_report(console, err, report)
    if report.errors:
        sys.exit(1)


@main.command()
@click.argument("slug")
@click.pass_context
@friendly_errors
def check(ctx: click.Context, slug: str) -> None:
    """Render every template for every target of SLUG and report problems; sends nothing."""
    app = _app(ctx)
    report = jobs.check(app, slug, utc_now())
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {warning}", highlight=False)
    for error in report.errors:
        err.print(f"[red]error:[/] {error}", highlight=False)
    verdict = "[green]ok[/]" if report.ok else f"[red]{len(report.errors)} problem(s)[/]"
    console.print(f"campaign {slug}: {report.targets_checked} target(s) checked: {verdict}")
    if not report.ok:
        sys.exit(1)


@main.command()
@click.argument("what", type=click.Choice(["targets", "signers"]))
@click.argument("slug")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="JSON is for signers: with the version and evidence.")
@click.option("--reissue", "reissue_id", default=None, metavar="ID|latest",
              help="Signers: the list of a reissue made (its id, or the latest).")
@click.pass_context
@friendly_errors
def export(ctx: click.Context, what: str, slug: str, out: Path | None, fmt: str,
           reissue_id: str | None) -> None:
    """Write the targets or signers of SLUG (signers: with the letter version signed, the
    date and the evidence)."""
    from outreach.campaign.reissues import find as find_reissue

    app = _app(ctx)
    if fmt == "json" and what != "signers":
        raise OutreachError("--format json is for signers; targets export as CSV")
    if reissue_id is not None and what != "signers":
        raise OutreachError("--reissue is for signers")
    if reissue_id not in (None, "latest") and not str(reissue_id).isdigit():
        raise OutreachError(f"--reissue {reissue_id!r}: give a reissue id or 'latest'")
    with transaction(app.factory) as session:
        campaign = get_campaign(session, slug)
        chosen = None if reissue_id is None else find_reissue(
            session, campaign, None if reissue_id == "latest" else int(reissue_id))

        def write(fh: TextIO) -> int:
            if what == "targets":
                return export_targets(session, campaign, fh)
            exporter = export_signers_json if fmt == "json" else export_signers
            return exporter(session, campaign, fh, chosen)

        if out is None:
            write(sys.stdout)
            return
        with out.open("w", newline="", encoding="utf-8") as fh:
            count = write(fh)
    err.print(f"wrote {count} {what} to {out}")


@main.command()
@click.argument("slug", required=False)
@click.option("--watch", type=click.FloatRange(min=0.5), is_flag=False, flag_value=5.0,
              default=None, metavar="[SECONDS]",
              help="Refresh every SECONDS (default 5) until Ctrl-C. Put it after SLUG.")
@click.pass_context
@friendly_errors
def status(ctx: click.Context, slug: str | None, watch: float | None) -> None:
    """The funnel, deadlines and signers of each campaign (or SLUG), its targets per state,
    and the outbox."""
    from rich.console import Group
    from rich.live import Live

    from outreach.cli_output import status_view

    app = _app(ctx)
    configs = _campaign_configs(app)

    def view() -> Group:
        with transaction(app.factory) as session:
            return status_view(session, slug, configs, utc_now())

    if watch is None:
        console.print(view())
        return
    try:
        with Live(view(), console=console, auto_refresh=False) as live:
            while True:
                _wait(watch)
                live.update(view(), refresh=True)
    except KeyboardInterrupt:
        pass


@main.command()
@click.pass_context
@friendly_errors
def run(ctx: click.Context) -> None:
    """Run the daemon: plan asks and drain the outbox until SIGTERM or Ctrl-C."""
    app = _app(ctx, load_all=True)
    app.settings.require_secret_key()
    asyncio.run(Daemon(app).run())


@main.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("outreach-demo"), show_default=True,
              help="Folder for the demo's database, config and Maildir.")
@friendly_errors
def demo(directory: Path) -> None:
    """Run a whole example campaign locally: nothing leaves this machine."""
    from outreach.demo import run_demo

    run_demo(directory, console)


@main.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, in order.")
@friendly_errors
def classify(files: tuple[Path, ...], as_json: bool) -> None:
    """Classify message FILES (bounce, automatic reply, or a person's intent); no database."""
    from outreach.inbound.classify import classify_file

    for path in files:
        result = classify_file(path)
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
            continue
        if result["error"]:
            err.print(f"{path}: [red]{result['error']}[/]", highlight=False)
            continue
        detail = result["intent"] or result["bounce_type"] or ""
        extra = ""
        if result["failed_recipients"]:
            extra = " failed: " + ", ".join(result["failed_recipients"])
        if result["return_date"]:
            extra += f" back on {result['return_date']}"
        if result["signer_name"]:
            extra += f" name: {result['signer_name']!r}"
        console.print(f"{path}: {result['kind']} {detail}{extra}", highlight=False)


def _organizer(by: str | None) -> str:
    name = by or os.environ.get("OUTREACH_ORGANIZER") or os.environ.get("USER") or ""
    if not name:
        raise OutreachError("say who decides: --by NAME (or set OUTREACH_ORGANIZER)")
    return name


@main.group(invoke_without_command=True)
@click.option("--campaign", "slug", default=None, help="Only this campaign's items.")
@click.pass_context
@friendly_errors
def review(ctx: click.Context, slug: str | None) -> None:
    """The review queue: replies the machine could not read with certainty."""
    if ctx.invoked_subcommand is not None:
        return
    app = _app(ctx)
    with transaction(app.factory) as session:
        print_review_queue(console, session, slug)


def _decide(ctx: click.Context, decide: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    app = _app(ctx)
    with transaction(app.factory) as session:
        item = decide(session, *args, now=utc_now(), **kwargs)
    console.print(f"review item {item.id}: {item.status.value} by {item.decided_by}")


@review.command("accept")
@click.argument("item_id", type=int)
@click.option("--name", default=None, help="The name to list (default: the one proposed).")
@click.option("--individual", is_flag=True, help="An individual, not an organization, signs.")
@click.option("--by", default=None, help="Who decides (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def review_accept(ctx: click.Context, item_id: int, name: str | None, individual: bool,
                  by: str | None) -> None:
    """Record ITEM_ID as a sign-on."""
    from outreach.campaign.decisions import accept

    settings = load_settings(ctx.obj["config"])
    _decide(ctx, accept, item_id, by=_organizer(by), name=name,
            signer_type="individual" if individual else "organization",
            message_id_domain=settings.sender.reply_domain)


@review.command("reject")
@click.argument("item_id", type=int)
@click.option("--note", default="", help="Why, for the log.")
@click.option("--by", default=None, help="Who decides (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def review_reject(ctx: click.Context, item_id: int, note: str, by: str | None) -> None:
    """Not a sign-on, nothing to do: follow-ups resume."""
    from outreach.campaign.decisions import reject

    _decide(ctx, reject, item_id, by=_organizer(by), note=note)


@review.command("reclassify")
@click.argument("item_id", type=int)
@click.argument("intent", type=click.Choice([i.value for i in Intent]))
@click.option("--name", default=None, help="With sign_on: the name to list.")
@click.option("--by", default=None, help="Who decides (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def review_reclassify(ctx: click.Context, item_id: int, intent: str, name: str | None,
                      by: str | None) -> None:
    """Say what ITEM_ID really meant, and act on it."""
    from outreach.campaign.decisions import reclassify

    settings = load_settings(ctx.obj["config"])
    _decide(ctx, reclassify, item_id, Intent(intent), by=_organizer(by), name=name,
            message_id_domain=settings.sender.reply_domain)


# --- Tasks and the stakeholder map (issue 4) -----------------------------------------------


def _wait(seconds: float) -> None:
    """Between two refreshes of `status --watch` (tests replace it)."""
    import time

    time.sleep(seconds)


def _campaign_configs(app: App) -> dict[str, CampaignConfig]:
    """Every campaign file that loads; one with a mistake is skipped with a warning here."""
    from outreach.campaign.config import list_campaigns, load_campaign
    from outreach.errors import ConfigError

    configs = dict(app.campaigns)
    for path in list_campaigns(app.settings.campaigns_dir):
        if path.stem in configs:
            continue
        try:
            configs[path.stem] = load_campaign(path)
        except ConfigError as exc:
            err.print(f"[yellow]warning:[/] {exc}", highlight=False)
    return configs


def _resolve_organizer(configs: dict[str, CampaignConfig], slug: str | None, name: str) -> str:
    """The listed name of the organizer `name` refers to (name, email or its local part)."""
    from outreach.campaign.assignment import find_organizer

    for config in ([configs[slug]] if slug in configs else configs.values()):
        organizer = find_organizer(config, name)
        if organizer is not None:
            return organizer.name
    return name


@main.group(invoke_without_command=True)
@click.option("--campaign", "slug", default=None, help="Only this campaign's tasks.")
@click.option("--assignee", default=None, help="Only tasks given to this organizer.")
@click.option("--all", "show_all", is_flag=True, help="Closed tasks too.")
@click.pass_context
@friendly_errors
def tasks(ctx: click.Context, slug: str | None, assignee: str | None, show_all: bool) -> None:
    """Tasks for organizers (phone calls, finding contacts, reviews), most important first."""
    ctx.obj["tasks_filter"] = (slug, assignee)
    if ctx.invoked_subcommand is not None:
        return
    from outreach.campaign.task_board import list_tasks
    from outreach.cli_output import print_tasks

    app = _app(ctx)
    configs = _campaign_configs(app)
    who = _resolve_organizer(configs, slug, assignee) if assignee else None
    with transaction(app.factory) as session:
        views = list_tasks(session, campaign=slug, assignee=who, include_closed=show_all,
                           context=False)
    title = ("All tasks" if show_all else "Open tasks") + (f" for {who}" if who else "")
    print_tasks(console, views, zones={s: c.timezone for s, c in configs.items()},
                show_status=show_all, title=title)


@tasks.command("assign")
@click.argument("task_id", type=int)
@click.argument("name")
@click.option("--by", default=None, help="Who decides (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def tasks_assign(ctx: click.Context, task_id: int, name: str, by: str | None) -> None:
    """Give task TASK_ID to organizer NAME."""
    from outreach.campaign.task_board import assign_task

    app = _app(ctx)
    configs = _campaign_configs(app)
    who = _organizer(by)
    with transaction(app.factory) as session:
        task = assign_task(session, task_id, name, by=who, now=utc_now(), configs=configs)
        assignee = task.assignee
    console.print(f"task {task_id}: assigned to {assignee} by {who}", highlight=False)


@tasks.command("done")
@click.argument("task_id", type=int)
@click.option("--outcome", type=click.Choice(["done", "no_answer", "left_message", "cancelled"]),
              default="done", show_default=True, help="How it ended.")
@click.option("--note", default="", help="What happened, in a sentence (kept with the task; "
              "with --signed, it is the sign-on's evidence).")
@click.option("--signed", "signed_name", default=None, metavar="\"NAME AS LISTED\"",
              help="They said yes on the phone: record the sign-on under this name.")
@click.option("--by", default=None, help="Who did it (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def tasks_done(ctx: click.Context, task_id: int, outcome: str, note: str,
               signed_name: str | None, by: str | None) -> None:
    """Close task TASK_ID; with --signed, record the sign-on you heard on the phone."""
    from outreach.campaign.task_board import complete_task

    app = _app(ctx)
    who = _organizer(by)
    with transaction(app.factory) as session:
        task = complete_task(session, task_id, status=outcome, by=who, now=utc_now(),
                             note=note, signed_name=signed_name,
                             message_id_domain=app.settings.sender.reply_domain)
        status = task.status.value.replace("_", " ")
    console.print(f"task {task_id}: {status} by {who}", highlight=False)
    if signed_name:
        console.print(f"signed: {' '.join(signed_name.split())!r}, attested by organizer {who} "
                      "(phone); a confirmation is queued", highlight=False)


@tasks.command("export")
@click.option("--ics", "ics_file", required=True,
              type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write an iCalendar file here.")
@click.option("--campaign", "slug", default=None, help="Only this campaign's tasks.")
@click.option("--assignee", default=None, help="Only tasks given to this organizer.")
@click.pass_context
@friendly_errors
def tasks_export(ctx: click.Context, ics_file: Path, slug: str | None,
                 assignee: str | None) -> None:
    """Export open tasks to an iCalendar (.ics) file: due tasks as 30-minute events."""
    from outreach.campaign.task_board import list_tasks
    from outreach.campaign.task_calendar import tasks_to_ics

    group_slug, group_assignee = ctx.obj.get("tasks_filter", (None, None))
    slug = slug or group_slug
    assignee = assignee or group_assignee
    app = _app(ctx)
    configs = _campaign_configs(app)
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


@main.command()
@click.argument("slug")
@click.pass_context
@friendly_errors
def stakeholders(ctx: click.Context, slug: str) -> None:
    """The stakeholder map of SLUG: engagement level against kind, asked/signed per cell."""
    from outreach.campaign.stakeholders import stakeholder_map
    from outreach.cli_output import print_stakeholders

    app = _app(ctx)
    with transaction(app.factory) as session:
        smap = stakeholder_map(session, get_campaign(session, slug))
    print_stakeholders(console, smap)



@main.command()
@click.argument("slug")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to publish into: new, empty, or published before (it is replaced).")
@click.option("--unlisted", is_flag=True, help="Ask search engines not to index the page "
              "(the default until the campaign's release date).")
@click.pass_context
@friendly_errors
def publish(ctx: click.Context, slug: str, out_dir: Path, unlisted: bool) -> None:
    """Build the public page of SLUG (the letter and every signer) into a folder, atomically."""
    from outreach.campaign.public_page import publish as publish_page
    from outreach.campaign.signer_mailings import is_listed_publicly

    app = _app(ctx)
    config = app.campaign(slug)
    with transaction(app.factory) as session:
        campaign = get_campaign(session, slug)
        listed = not unlisted and is_listed_publicly(campaign, config)
        site = publish_page(session, config, app.environments[slug], campaign, out_dir,
                            utc_now(), listed=listed)
    console.print(f"published {slug}: {site / 'index.html'}")



@main.group()
def letter() -> None:
    """Letter versions."""


@letter.command("publish")
@click.argument("slug")
@click.option("--summary", required=True, help="What changed, in a sentence signers will read.")
@click.option("--resolves", "resolves", type=int, multiple=True, metavar="ITEM_ID",
              help="A change request (review item) this version answers; its requester is "
                   "told. Repeatable.")
@click.option("--by", default=None, help="Who publishes (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def letter_publish(ctx: click.Context, slug: str, summary: str, resolves: tuple[int, ...],
                   by: str | None) -> None:
    """Record the letter file of SLUG as a new version: every email links it from now on,
    and everyone who signed an earlier version gets a change notice."""
    from outreach.campaign.letter_changes import publish_change

    app = _app(ctx)
    config = app.campaign(slug)
    now = utc_now()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        published = publish_change(session, campaign, config, summary=summary, now=now,
                                   by=_organizer(by), resolves=list(resolves),
                                   message_id_domain=app.settings.sender.reply_domain)
        version, notices = published.version, published.notices
        console.print(f"{slug}: version {version.number} published ({version.draft_url})")
        console.print(version.diff, highlight=False, markup=False)
    after = ("their signature stays unless they reply WITHDRAW"
             if config.changes.after_change == "signature_stays"
             else "they stay off the list until they say yes again")
    console.print(f"change notices: {notices.emailed} queued to earlier signers ({after})")
    for name in notices.by_task:
        err.print(f"[yellow]no email for {name}[/] (unsubscribed or bounced): a task was "
                  "opened to tell them another way", highlight=False)
    if resolves:
        console.print(f"{len(resolves)} change request(s) resolved; "
                      f"{published.requesters_told} requester(s) told")


@main.command()
@click.argument("slug")
@click.option("--on", "on", default=None, metavar="DATE",
              help="The reissue date (YYYY-MM-DD, midnight in the campaign's time zone, or "
                   "an ISO date and time). Without it: list this campaign's reissues.")
@click.option("--by", default=None, help="Who decides (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def reissue(ctx: click.Context, slug: str, on: str | None, by: str | None) -> None:
    """Announce that SLUG's statement will be reissued ON a date: every signer is told now
    and may opt out by replying before then."""
    from outreach.campaign.reissues import announce
    from outreach.db.models import Reissue

    app = _app(ctx)
    config = app.campaign(slug)
    now = utc_now()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        if on is None:
            for row in session.scalars(select(Reissue).where(Reissue.campaign_id == campaign.id)
                                       .order_by(Reissue.id)):
                state = (f"made {row.made_at:%Y-%m-%d}: {row.signer_count} signer(s)"
                         if row.made_at else "announced, not yet made")
                console.print(f"reissue {row.id}: on {row.reissue_on:%Y-%m-%d}, {state}")
            return
        announced = announce(session, campaign, config, on=_moment(on, config.timezone),
                             now=now, by=_organizer(by),
                             message_id_domain=app.settings.sender.reply_domain)
    console.print(f"{slug}: reissue {announced.reissue.id} on "
                  f"{announced.reissue.reissue_on:%Y-%m-%d %H:%M %Z}; "
                  f"{announced.notices.emailed} signer(s) will be told")
    for name in announced.notices.by_task:
        err.print(f"[yellow]no email for {name}[/] (unsubscribed or bounced): a task was "
                  "opened to tell them another way; without it they are left off",
                  highlight=False)


@main.command()
@click.argument("slug")
@click.argument("organization")
@click.option("--note", required=True, help="How they said so, in their words if you can "
              "(kept as the withdrawal's evidence).")
@click.option("--by", default=None, help="Who records it (default: $OUTREACH_ORGANIZER, $USER).")
@click.pass_context
@friendly_errors
def withdraw(ctx: click.Context, slug: str, organization: str, note: str,
             by: str | None) -> None:
    """Take ORGANIZATION's signature off SLUG, as they asked (say, on the phone)."""
    from outreach.campaign.organizations import org_key
    from outreach.campaign.signons import active_sign_on
    from outreach.campaign.signons import withdraw as withdraw_sign_on
    from outreach.db.models import Organization, Target

    app = _app(ctx)
    who = _organizer(by)
    with transaction(app.factory) as session:
        campaign = get_campaign(session, slug)
        target = session.scalars(select(Target).join(Organization).where(
            Target.campaign_id == campaign.id,
            Organization.key == org_key(organization))).first()
        sign_on = active_sign_on(session, target) if target is not None else None
        if sign_on is None:
            raise OutreachError(f"{organization!r} has no signature on {slug} to withdraw")
        withdraw_sign_on(session, sign_on, now=utc_now(), by=f"organizer:{who}",
                         quoted_text=note, message_id_domain=app.settings.sender.reply_domain)
    console.print(f"{sign_on.name_as_listed} withdrawn from {slug} by {who}; "
                  "they will get a confirmation")


def _moment(value: str, timezone: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise OutreachError(f"--on {value!r}: use YYYY-MM-DD or an ISO date and time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed.astimezone(UTC)
