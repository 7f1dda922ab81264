"""`outreach demo`: a whole example campaign on this machine, with no set-up.

It writes a config, a SQLite database and two Maildirs into one folder: `Maildir` gets
every message the daemon sends (an SMTP server on loopback files them there), `inbox` is
the campaign's mailbox. It imports the example organizations, runs the daemon until every
ask is sent, lets simulated recipients answer into `inbox` (yes, no, a question, more
time, a referral, an out-of-office, a bounce), and runs the daemon again until every reply
is acted on and every confirmation sent. Then the coalition list: the signers are
subscribed, a member's post goes to everyone, an outsider's post is held and a moderator
approves it by replying to the notice.
"""

from __future__ import annotations

import asyncio
import mailbox
import os
import secrets
import shutil
import sys
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from outreach.app import open_app
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.importer import import_csv
from outreach.cli.output import print_replies, print_review_queue, print_status
from outreach.clock import utc_now
from outreach.daemon import Daemon
from outreach.db.session import transaction
from outreach.demo_list import prepare_list, run_list_demo
from outreach.demo_people import answer_asks
from outreach.errors import OutreachError
from outreach.mail.models import OutboxMessage
from outreach.mail.sender import DrainStats
from outreach.mail.sink import MaildirSink, free_port
from outreach.resources import bundled
from outreach.settings import load_settings

MARKER = ".outreach-demo"
SLUG = "clean-water"


def prepare(directory: Path, smtp_port: int) -> Path:
    """Write the demo's config into `directory`; returns the server config path."""
    if directory.exists() and any(directory.iterdir()) and not (directory / MARKER).exists():
        raise OutreachError(f"{directory} is not empty and was not made by `outreach demo`; "
                            "choose another folder with --dir")
    if directory.exists():
        shutil.rmtree(directory)
    (directory / "campaigns").mkdir(parents=True)
    (directory / MARKER).write_text("made by outreach demo; safe to delete\n")
    example = bundled("config")
    shutil.copy(example / "campaigns" / f"{SLUG}.md", directory / "campaigns" / f"{SLUG}.md")
    shutil.copy(example / "targets" / f"{SLUG}.csv", directory / "targets.csv")
    now = utc_now()
    soft, hard = now + timedelta(days=21), now + timedelta(days=35)
    campaign = (example / "campaigns" / f"{SLUG}.toml").read_text(encoding="utf-8")
    campaign = campaign.replace("soft_deadline = 2027-01-15T17:00:00",
                                f"soft_deadline = {soft:%Y-%m-%dT17:00:00}")
    campaign = campaign.replace("hard_deadline = 2027-02-01T12:00:00",
                                f"hard_deadline = {hard:%Y-%m-%dT12:00:00}")
    # The demo sends whatever the day and hour, and asks every wave now.
    campaign = campaign.replace('days = ["mon", "tue", "wed", "thu"]',
                                'days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]')
    campaign = campaign.replace("start = 09:00:00", "start = 00:00:00")
    campaign = campaign.replace("end = 16:30:00", "end = 23:59:59")
    campaign = campaign.replace("opens = 2026-12-01\n", "")
    (directory / "campaigns" / f"{SLUG}.toml").write_text(campaign, encoding="utf-8")
    prepare_list(directory)
    config = directory / "outreach.toml"
    config.write_text(f"""\
campaigns_dir = "campaigns"
lists_dir = "lists"

[database]
url = "sqlite:///outreach.db"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"

[sender]
name = "Maria Alvarez, Valley Water Coalition"
address = "maria@valleywater.example"
reply_domain = "valleywater.example"

[rates]
global_per_second = 50
per_domain_per_minute = 6000

[outbox]
backoff_base_seconds = 1

[mailbox]
source = "maildir"
maildir = "inbox"
poll_seconds = 0.5

[daemon]
drain_interval_seconds = 0.5
plan_interval_seconds = 2
""", encoding="utf-8")
    mailbox.Maildir(directory / "inbox", create=True)
    return config


def run_demo(directory: Path, console: Console) -> None:
    directory = directory.resolve()
    maildir = directory / "Maildir"
    port = free_port()
    config_path = prepare(directory, port)
    with MaildirSink(maildir, port):
        key = secrets.token_urlsafe(32)
        (directory / "secret-key").write_text(key + "\n")
        environ = {**os.environ, "OUTREACH_SECRET_KEY": key}
        settings = load_settings(config_path, environ)
        app = open_app(settings)
        try:
            now = utc_now()
            with transaction(app.factory) as session:
                campaign = sync_campaign(session, app.campaign(SLUG), now)
                report = import_csv(session, directory / "targets.csv", now=now,
                                    campaign=campaign)
            console.print(f"Imported {report.accepted} contacts for "
                          f"{report.targets_created} organizations into campaign {SLUG!r}.")
            with Progress(TextColumn("sending asks"), BarColumn(), MofNCompleteColumn(),
                          console=console) as progress:
                task = progress.add_task("asks", total=None)

                def advance(stats: DrainStats) -> None:
                    with transaction(app.factory) as session:
                        total = session.query(OutboxMessage).count()
                    progress.update(task, completed=stats.sent + stats.failed, total=total)

                asyncio.run(Daemon(app, progress=advance).run(until_sent=True))
            asks = len(mailbox.Maildir(maildir, create=False))
            console.print(f"\n{asks} asks delivered to the Maildir at {maildir}/new")
            answered = answer_asks(maildir, directory / "inbox", utc_now())
            console.print(f"{answered} answers arrived in {directory / 'inbox'}; "
                          "the daemon reads and acts on them.")
            asyncio.run(Daemon(app).run(until_sent=True))
            delivered = len(mailbox.Maildir(maildir, create=False))
            console.print(f"{delivered - asks} confirmations and replies sent.\n")
            console.print(f"Look at one:  ls {maildir}/new | head -1 | "
                          f"xargs -I{{}} cat {maildir}/new/{{}}")
            console.print(f"Run more commands on this demo with:  "
                          f"OUTREACH_SECRET_KEY=$(cat {directory}/secret-key) "
                          f"{sys.executable} -m outreach --config {config_path} review\n")
            with transaction(app.factory) as session:
                print_status(console, session, None)
                print_replies(console, session)
                print_review_queue(console, session, None)
            run_list_demo(app, directory, maildir, console)
        finally:
            app.close()
