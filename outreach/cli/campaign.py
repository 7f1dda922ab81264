"""Campaign commands: import, check, export, status, stakeholders, publish, letter, reissue,
withdraw."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

import click
from rich.console import Group
from rich.live import Live
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign import jobs
from outreach.campaign.campaigns import get_campaign, sync_campaign
from outreach.campaign.export import export_signers, export_signers_json, export_targets
from outreach.campaign.importer import import_csv
from outreach.campaign.letter_changes import publish_change
from outreach.campaign.models import Campaign, SignOn
from outreach.campaign.public_page import publish as publish_page
from outreach.campaign.queries import reissues, signature_of
from outreach.campaign.reissues import announce
from outreach.campaign.reissues import find as find_reissue
from outreach.campaign.signer_mailings import is_listed_publicly
from outreach.campaign.signons import withdraw as withdraw_sign_on
from outreach.campaign.stakeholders import stakeholder_map
from outreach.cli.common import (
    app_for,
    by_option,
    campaign_configs,
    console,
    err,
    organizer,
    parse_moment,
)
from outreach.cli.documents import stakeholders_document, status_document
from outreach.cli.jsonout import json_option, print_json
from outreach.cli.output import print_import_report, print_stakeholders, status_view
from outreach.cli.slug import campaign_argument
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.errors import OutreachError


@click.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@campaign_argument()
@click.pass_context
def import_command(ctx: click.Context, csv_file: Path, slug: str) -> None:
    """Load organizations and contacts from CSV_FILE; re-importing updates.

    They become targets of campaign SLUG.
    """
    app = app_for(ctx)
    config = app.campaign(slug)
    now = utc_now()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        report = import_csv(session, csv_file, now=now, campaign=campaign)
    print_import_report(console, err, report)
    if report.errors:
        sys.exit(1)


@click.command()
@click.argument("slug")
@click.pass_context
def check(ctx: click.Context, slug: str) -> None:
    """Render every template for every target of SLUG and report problems; sends nothing."""
    app = app_for(ctx)
    report = jobs.check(app, slug, utc_now())
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    for error in report.errors:
        err.print(f"[red]error:[/] {escape(error)}", highlight=False)
    verdict = "[green]ok[/]" if report.ok else f"[red]{len(report.errors)} problem(s)[/]"
    console.print(f"campaign {slug}: {report.targets_checked} target(s) checked: {verdict}")
    if not report.ok:
        sys.exit(1)


@click.command()
@click.argument("what", type=click.Choice(["targets", "signers"]))
@click.argument("slug")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="JSON is for signers: with the version and evidence.")
@click.option("--reissue", "reissue_id", default=None, metavar="ID|latest",
              help="Signers: the list of a reissue made (its id, or the latest).")
@click.pass_context
def export(ctx: click.Context, what: str, slug: str, out: Path | None, fmt: str,
           reissue_id: str | None) -> None:
    """Write the targets or signers of SLUG (signers: with the letter version signed, the
    date and the evidence)."""
    app = app_for(ctx)
    app.campaign(slug)  # an unknown SLUG: an error naming the campaigns there are
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


def _wait(seconds: float) -> None:
    """Between two refreshes of `status --watch`: `outreach.cli._wait`, which tests replace."""
    from outreach import cli

    cli._wait(seconds)


@click.command()
@click.argument("slug", required=False)
@click.option("--watch", type=click.FloatRange(min=0.5), is_flag=False, flag_value=5.0,
              default=None, metavar="[SECONDS]",
              help="Refresh every SECONDS (default 5) until Ctrl-C. Put it after SLUG.")
@json_option("the status")
@click.pass_context
def status(ctx: click.Context, slug: str | None, watch: float | None, as_json: bool) -> None:
    """The funnel, deadlines and signers of each campaign (or SLUG), its targets per state,
    and the outbox.

    Each campaign says when its next mail goes out, and why not sooner (the send window, a
    retry).
    """
    app = app_for(ctx)
    configs = campaign_configs(app)
    if slug is not None and slug not in configs:
        app.campaign(slug)  # names the campaigns there are
    if as_json:
        if watch is not None:
            raise OutreachError("--json prints the status once; it does not go with --watch")
        with transaction(app.factory) as session:
            print_json(status_document(session, slug, configs, utc_now()))
        return

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


@click.command()
@click.argument("slug")
@json_option("the map")
@click.pass_context
def stakeholders(ctx: click.Context, slug: str, as_json: bool) -> None:
    """The stakeholder map of SLUG: engagement level against kind, asked/signed per cell."""
    app = app_for(ctx)
    app.campaign(slug)  # an unknown SLUG: an error naming the campaigns there are
    with transaction(app.factory) as session:
        smap = stakeholder_map(session, get_campaign(session, slug))
    if as_json:
        print_json(stakeholders_document(smap))
        return
    print_stakeholders(console, smap)


@click.command()
@click.argument("slug")
@click.option("--out", "out_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Folder to publish into: new, empty, or published before (it is replaced).")
@click.option("--unlisted", is_flag=True, help="Ask search engines not to index the page "
              "(the default until the campaign's release date).")
@click.pass_context
def publish(ctx: click.Context, slug: str, out_dir: Path, unlisted: bool) -> None:
    """Build the public page of SLUG (the letter and every signer) into a folder, atomically."""
    app = app_for(ctx)
    config = app.campaign(slug)
    with transaction(app.factory) as session:
        campaign = get_campaign(session, slug)
        listed = not unlisted and is_listed_publicly(campaign, config)
        site = publish_page(session, config, app.environments[slug], campaign, out_dir,
                            utc_now(), listed=listed)
    console.print(f"published {slug}: {site / 'index.html'}")


@click.group()
def letter() -> None:
    """Letter versions."""


@letter.command("publish")
@click.argument("slug")
@click.option("--summary", required=True, help="What changed, in a sentence signers will read.")
@click.option("--resolves", "resolves", type=int, multiple=True, metavar="ITEM_ID",
              help="A change request (review item) this version answers; its requester is "
                   "told. Repeatable.")
@by_option("Who publishes")
@click.pass_context
def letter_publish(ctx: click.Context, slug: str, summary: str, resolves: tuple[int, ...],
                   by: str) -> None:
    """Record the letter file of SLUG as a new version: every email links it from now on,
    and everyone who signed an earlier version gets a change notice."""
    app = app_for(ctx)
    config = app.campaign(slug)
    now = utc_now()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        published = publish_change(session, campaign, config, summary=summary, now=now,
                                   by=by, resolves=list(resolves),
                                   message_id_domain=app.settings.sender.reply_domain)
        version, notices = published.version, published.notices
        where = version.draft_url or f"served by the web app at /d/{slug}/v{version.number}"
        console.print(f"{slug}: version {version.number} published ({where})")
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


@click.command()
@click.argument("slug")
@click.option("--on", "on", default=None, metavar="DATE",
              help="The reissue date (YYYY-MM-DD, midnight in the campaign's time zone, or "
                   "an ISO date and time). Without it: list this campaign's reissues.")
@by_option(resolve=False)  # listing the reissues needs nobody
@json_option("the list of reissues")
@click.pass_context
def reissue(ctx: click.Context, slug: str, on: str | None, by: str | None,
            as_json: bool) -> None:
    """Announce that SLUG's statement will be reissued ON a date: every signer is told now
    and may opt out by replying before then.

    Without --on, list SLUG's reissues.
    """
    if as_json and on is not None:
        raise OutreachError("--json lists the reissues; it does not go with --on")
    app = app_for(ctx)
    config = app.campaign(slug)
    now = utc_now()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        if as_json:
            print_json([{"id": row.id, "reissue_on": row.reissue_on,
                         "announced_at": row.announced_at, "announced_by": row.announced_by,
                         "made_at": row.made_at, "signer_count": row.signer_count}
                        for row in reissues(session, campaign)])
            return
        if on is None:
            for row in reissues(session, campaign):
                state = (f"made {row.made_at:%Y-%m-%d}: {row.signer_count} signer(s)"
                         if row.made_at else "announced, not yet made")
                console.print(f"reissue {row.id}: on {row.reissue_on:%Y-%m-%d}, {state}")
            return
        announced = announce(session, campaign, config, on=parse_moment(on, config.timezone),
                             now=now, by=organizer(by),
                             message_id_domain=app.settings.sender.reply_domain)
    console.print(f"{slug}: reissue {announced.reissue.id} on "
                  f"{announced.reissue.reissue_on:%Y-%m-%d %H:%M %Z}; "
                  f"{announced.notices.emailed} signer(s) will be told")
    for name in announced.notices.by_task:
        err.print(f"[yellow]no email for {name}[/] (unsubscribed or bounced): a task was "
                  "opened to tell them another way; without it they are left off",
                  highlight=False)


@click.command()
@click.argument("slug")
@click.argument("organization")
@click.option("--note", required=True, help="How they said so, in their words if you can "
              "(kept as the withdrawal's evidence).")
@by_option("Who records it")
@click.pass_context
def withdraw(ctx: click.Context, slug: str, organization: str, note: str, by: str) -> None:
    """Take ORGANIZATION's signature off SLUG, as they asked (say, on the phone)."""
    app = app_for(ctx)
    app.campaign(slug)  # an unknown SLUG: an error naming the campaigns there are
    with transaction(app.factory) as session:
        campaign = get_campaign(session, slug)
        sign_on = signature_of(session, campaign, organization)
        if sign_on is None:
            raise OutreachError(f"{organization!r} has no signature on {slug} to withdraw; "
                                f"{_standing_signatures(session, campaign)}")
        withdraw_sign_on(session, sign_on, now=utc_now(), by=f"organizer:{by}",
                         quoted_text=note, message_id_domain=app.settings.sender.reply_domain)
    console.print(f"{sign_on.name_as_listed} withdrawn from {slug} by {by}; "
                  "they will get a confirmation")


def _standing_signatures(session: Session, campaign: Campaign) -> str:
    """Who has a signature to withdraw, for a message that did not find one."""
    names = list(session.scalars(
        select(SignOn.name_as_listed).where(SignOn.campaign_id == campaign.id,
                                            SignOn.withdrawn_at.is_(None))
        .order_by(SignOn.sort_name)))
    if not names:
        return "nobody has signed it"
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return f"signed by: {', '.join(names[:10])}{more}"
