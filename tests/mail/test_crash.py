"""A sender killed with SIGKILL at random moments loses no mail and resends little.

From the issue: a child process sends 2,000 asks and is killed with SIGKILL at random
moments, restarted each time, until the outbox is empty. Every target got its ask, or a
person has been asked to check (below); no target got more than 2; the total number of
duplicates is no larger than the in-flight limit times the number of kills. Run with `-s`
to see the figures.

Each child is a fresh process forked from multiprocessing's fork server with the app's
modules preloaded (so a restart costs milliseconds, not a second of imports); it opens the
app from the same config and database and drains with a one-second lease. A duplicate
needs a kill between the server's 250 and the row's marking. A row taken again after a
kill is recorded as being resent before it goes to SMTP; if that sender is killed too
before marking it, the row went out once, twice or not at all: the outbox never sends it a
third time, it fails as uncertain and the organizer gets a task for that target (the
target is paused). Such rows are rare (a kill in one resend's few milliseconds) and
counted in the figures.

It runs on SQLite; on PostgreSQL too when OUTREACH_TEST_CRASH_POSTGRES=1 (it takes as
long again: composing 2,000 asks is most of the time).
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.importer import import_csv
from outreach.campaign.models import Target, TargetState
from outreach.db.session import transaction
from outreach.mail import outbox
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.tasks.models import Task
from tests import crash_child
from tests.conftest import NOW
from tests.helpers import received
from tests.smtpserver import SmtpServer

TARGETS = 2_000
IN_FLIGHT = 20
MAX_KILLS = 40
KILL_PHASE_SECONDS = 30  # then the last child runs until the outbox is empty
SEED = 20261208
DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("OUTREACH_TEST_CRASH_POSTGRES")
                          else [])


def import_targets(app: App, campaign_dir: Path) -> list[str]:
    """2,000 organizations with one decision-maker each, imported from a CSV file."""
    path = campaign_dir / "targets" / "crash.csv"
    emails = [f"director{i}@org{i % 97}.example" for i in range(TARGETS)]
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["organization", "size", "contact_name", "email", "decision_maker"])
        for i, email in enumerate(emails):
            writer.writerow([f"Organization {i:04d}", "small", f"Director {i}", email, "yes"])
    config = app.campaign("clean-water")
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, NOW)
        report = import_csv(session, path, now=NOW, campaign=campaign)
    assert report.errors == [] and report.targets_created == TARGETS
    return emails


def unsent(app: App) -> int:
    with transaction(app.factory) as session:
        return outbox.unsent_count(session)


@pytest.mark.parametrize("database_url", DATABASES, indirect=True)
def test_killed_senders_lose_nothing_and_resend_at_most_the_in_flight_rows(
        app: App, smtp_server: SmtpServer, campaign_dir: Path) -> None:
    emails = import_targets(app, campaign_dir)
    assert jobs.plan(app, NOW).plans["clean-water"].queued == TARGETS

    settings = app.settings.model_copy(deep=True)
    settings.smtp.in_flight = IN_FLIGHT
    settings.outbox.lease_seconds = 1  # a restarted child takes a dead child's rows soon
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.crash_child"])
    rng = random.Random(SEED)
    epoch = time.time()
    kills = children = 0
    started = time.monotonic()

    while unsent(app):
        parent_end, child_end = context.Pipe(duplex=False)
        child = context.Process(target=crash_child.run, args=(settings, NOW, epoch, child_end),
                                daemon=True)
        child.start()
        children += 1
        child_end.close()
        try:
            assert parent_end.poll(30), "the child did not start"
            parent_end.recv()  # it is about to drain: kill it at a random moment from now
            if kills < MAX_KILLS and time.monotonic() - started < KILL_PHASE_SECONDS:
                child.join(rng.uniform(0.05, 0.5))
                if child.is_alive():
                    child.kill()
                    child.join(10)
                    kills += 1
            else:  # the last one runs until the outbox is empty
                child.join(120)
                assert not child.is_alive(), "the last child did not empty the outbox in 120 s"
        finally:
            if child.is_alive():
                child.kill()
                child.join(10)
            parent_end.close()
        assert child.exitcode in (0, -9), f"the child failed (exit code {child.exitcode})"
    elapsed = time.monotonic() - started

    counts = received(smtp_server)
    duplicates = sum(n - 1 for n in counts.values())
    with transaction(app.factory) as session:
        uncertain = {row.recipient for row in session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.FAILED))}
        assert all((row.last_error or "").startswith("uncertain: ") for row in session.scalars(
            select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)))
        statuses = dict(session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        states = dict(session.execute(
            select(Target.state, func.count()).group_by(Target.state)).all())
        checks = session.scalar(select(func.count()).select_from(Task).where(
            Task.title.contains("may not have gone out"))) or 0
    print(f"\ncrash test on {app.engine.dialect.name}: {TARGETS} asks, {children} children, "
          f"{kills} killed, {duplicates} duplicates (bound {IN_FLIGHT} x {kills} = "
          f"{IN_FLIGHT * kills}), at most {max(counts.values())} per target, "
          f"{len(uncertain)} uncertain (a person checks), {elapsed:.1f} s")

    assert set(counts) | uncertain == set(emails), "every target got its ask or a check"
    assert max(counts.values()) <= 2, "no target got more than two"
    assert duplicates <= IN_FLIGHT * kills
    assert kills >= 5, "too few kills to test anything"
    assert statuses == {OutboxStatus.SENT: TARGETS - len(uncertain),
                        **({OutboxStatus.FAILED: len(uncertain)} if uncertain else {})}
    assert states == {TargetState.ASKED: TARGETS - len(uncertain),
                      **({TargetState.PAUSED: len(uncertain)} if uncertain else {})}
    assert checks == len(uncertain)
