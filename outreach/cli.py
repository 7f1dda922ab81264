"""The command line: a thin layer over the jobs and domain functions."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from outreach import jobs
from outreach.app import App, open_app
from outreach.campaign.campaigns import get_campaign, sync_campaign
from outreach.campaign.export import export_signers, export_targets
from outreach.campaign.importer import import_csv
from outreach.cli_output import print_import_report, print_review_queue, print_status
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
@click.pass_context
@friendly_errors
def export(ctx: click.Context, what: str, slug: str, out: Path | None) -> None:
    """Write the targets or signers of SLUG as CSV."""
    app = _app(ctx)
    exporter = export_targets if what == "targets" else export_signers
    with transaction(app.factory) as session:
        campaign = get_campaign(session, slug)
        if out is None:
            exporter(session, campaign, sys.stdout)
            return
        with out.open("w", newline="", encoding="utf-8") as fh:
            count = exporter(session, campaign, fh)
    err.print(f"wrote {count} {what} to {out}")


@main.command()
@click.argument("slug", required=False)
@click.pass_context
@friendly_errors
def status(ctx: click.Context, slug: str | None) -> None:
    """Targets per state for each campaign (or SLUG), and the outbox."""
    app = _app(ctx)
    with transaction(app.factory) as session:
        print_status(console, session, slug)


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
