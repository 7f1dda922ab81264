"""Running the service: the database schema, the daemon, the demo, and the classifier on its
own.

`classify` needs no database: the heavier imports wait inside the commands that use them.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click

from outreach.cli import log_format_option
from outreach.cli.common import app_for, console, err
from outreach.settings import load_settings


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply every pending migration (the daemon also does this on start)."""
    from outreach.db.session import make_engine, upgrade

    settings = load_settings(ctx.obj["config"])
    engine = make_engine(settings.database.url)
    upgrade(engine)
    engine.dispose()
    console.print(f"database at {settings.database.url} is up to date")


@click.command()
@log_format_option(None)
@click.pass_context
def run(ctx: click.Context, log_format: str | None) -> None:
    """Run the daemon: plan asks and drain the outbox until SIGTERM or Ctrl-C.

    It logs one line per message sent or received (its kind, campaign, organization and
    outcome), and says when mail waits for a send window and until when. With [web]
    with_daemon = true it also serves the web app (as `outreach web` does).
    """
    from outreach.daemon import Daemon
    from outreach.logs import configure

    if log_format is not None:
        configure(verbose=ctx.obj["verbose"], json_lines=log_format == "json")
    app = app_for(ctx, load_all=True)
    app.settings.require_secret_key()
    daemon = Daemon(app)
    if app.settings.web.with_daemon:
        from outreach.web.server import run_with_daemon

        asyncio.run(run_with_daemon(app, daemon))
    else:
        asyncio.run(daemon.run())


@click.command()
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("outreach-demo"), show_default=True,
              help="Folder for the demo's database, config and Maildir.")
def demo(directory: Path) -> None:
    """Run a whole example campaign locally: nothing leaves this machine."""
    from outreach.demo import run_demo

    run_demo(directory, console)


@click.command()
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per file, in order.")
def classify(files: tuple[Path, ...], as_json: bool) -> None:
    """Classify message FILES (bounce, automatic reply, or a person's intent); no database."""
    from outreach.campaign.reading import classify_file

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
