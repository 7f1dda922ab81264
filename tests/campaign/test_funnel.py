"""`outreach status` (the funnel, the deadlines, the signers) and `outreach stakeholders`,
on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach import cli as cli_module
from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.funnel import deadline, funnels
from outreach.campaign.models import Campaign, Target, TargetState
from outreach.campaign.stakeholders import STANDARD_KINDS, stakeholder_map
from outreach.campaign.targets import transition
from outreach.db.session import transaction
from outreach.people.models import Organization
from outreach.people.organizations import org_key
from outreach.tasks.models import TaskStatus
from outreach.tasks.task import open_task
from tests.campaign.test_replies import deliver, process, reply_to, sent_ask
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer

S = TargetState
EXTRA_ROWS = (
    "Westside Tenants Union,small,,Tenant Union,,,no,maria,Rosa Diaz,rosa@westside.example,,"
    "Organizer,yes\n"
    "Valley Bar Association,small,Ally,Legal,,,no,james,Tom Lee,tom@valleybar.example,,"
    "President,yes\n"
)


def add_rows(campaign_dir: Path) -> None:
    """Two more organizations: a kind nobody else is, with no level; and an Ally lawyer."""
    csv_path = campaign_dir / "targets" / "clean-water.csv"
    csv_path.write_text(csv_path.read_text(encoding="utf-8") + EXTRA_ROWS, encoding="utf-8")


def target(session: Session, name: str) -> Target:
    return session.scalars(select(Target).join(Organization)
                           .where(Organization.key == org_key(name))).one()


@pytest.fixture
def campaign(app: App, campaign_dir: Path, smtp_server: SmtpServer) -> App:
    """The example plus two organizations, asked at NOW; the tenants' union never."""
    add_rows(campaign_dir)
    app.campaign("clean-water").discretion.never_ask.append("Westside Tenants Union")
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    return app


def test_the_funnel_counts_every_stage(campaign: App, smtp_server: SmtpServer) -> None:
    app = campaign
    for email, words in [("donna@eastporterville.example", "Yes, we sign!"),
                         ("cobrien@earthjustice.example", "Unfortunately we cannot sign."),
                         ("praman@valleychildrens.example", "Who else has signed so far?")]:
        deliver(app, reply_to(sent_ask(smtp_server, email), words))
    assert process(app) == {"signed": 1, "declined": 1, "review:question": 1}
    later = NOW + timedelta(days=6)
    with transaction(app.factory) as session:
        for name in ("Fresno County League of Women Voters", "Sierra Club Tehipite Chapter",
                     "Clean Water Action California"):
            transition(session, target(session, name), S.FOLLOWED_UP, now=later,
                       reason="follow up queued")
        for name in ("Clean Water Action California", "Self-Help Enterprises"):
            t = target(session, name)
            transition(session, t, S.ESCALATED, now=later, reason="phone call")
            open_task(session, kind="phone_call", title=f"Call {name}", now=later,
                      campaign_id=t.campaign_id, target_id=t.id)
        open_task(session, kind="phone_call", title="Old call", now=later,
                  campaign_id=t.campaign_id, target_id=t.id).status = TaskStatus.DONE

    with app.factory() as session:
        (funnel,) = funnels(session, app.campaigns, later)
        (bare,) = funnels(session, {}, later, "clean-water")
        assert funnels(session, app.campaigns, later, "no-such") == []
    assert (funnel.targets, funnel.asked, funnel.followed_up, funnel.replied) == (25, 22, 3, 3)
    assert (funnel.signed, funnel.declined, funnel.escalated, funnel.open_tasks) == (1, 1, 2, 2)
    assert (funnel.signers, funnel.target_signers) == (1, 60)
    # 14 December, 10:00 in Los Angeles: 15 January is 32 days away, 1 February 49.
    assert funnel.soft_deadline is not None and funnel.hard_deadline is not None
    assert (funnel.soft_deadline.days_left, funnel.soft_deadline.passed) == (32, False)
    assert (funnel.hard_deadline.days_left, funnel.hard_deadline.passed) == (49, False)
    assert [s for s, _ in funnel.stages()] == ["asked", "followed up", "replied", "signed",
                                               "declined", "withdrawn", "escalated",
                                               "open tasks"]
    # Without the campaign's file: the counts, but no deadlines or target.
    assert bare.asked == 22 and bare.soft_deadline is None and bare.target_signers is None


def test_days_left_count_calendar_days_in_the_campaign_zone() -> None:
    soft = datetime(2027, 1, 16, 1, 0, tzinfo=UTC)  # 15 January, 17:00 in Los Angeles
    zone = "America/Los_Angeles"
    morning = deadline(soft, datetime(2027, 1, 15, 16, 0, tzinfo=UTC), zone)
    assert (morning.days_left, morning.passed) == (0, False)
    assert morning.describe(zone) == "Fri 15 Jan 2027 17:00 PST: today"
    evening = deadline(soft, datetime(2027, 1, 16, 2, 0, tzinfo=UTC), zone)  # 18:00 that day
    assert (evening.days_left, evening.passed) == (0, True)
    assert evening.describe(zone).endswith("passed today")
    later = deadline(soft, datetime(2027, 1, 20, 20, 0, tzinfo=UTC), zone)
    assert (later.days_left, later.passed) == (-5, True)
    assert later.describe(zone).endswith("passed 5 days ago")
    eve = deadline(soft, datetime(2027, 1, 14, 20, 0, tzinfo=UTC), zone)
    assert eve.describe(zone).endswith(": 1 day left")


def test_the_stakeholder_grid(app: App, campaign_dir: Path, smtp_server: SmtpServer) -> None:
    add_rows(campaign_dir)
    app.campaign("clean-water").discretion.never_ask.append("Westside Tenants Union")
    load_example(app)
    with app.factory() as session:
        grid = stakeholder_map(session, session.scalars(select(Campaign)).one())
    # Nobody asked yet: every kind is a gap.
    assert grid.unasked_kinds == [*STANDARD_KINDS, "tenant union"]

    jobs.plan(app, NOW)
    send_due(app)
    deliver(app, reply_to(sent_ask(smtp_server, "donna@eastporterville.example"),
                          "Yes, we sign!"))
    process(app)
    with app.factory() as session:
        grid = stakeholder_map(session, session.scalars(select(Campaign)).one())
    assert grid.levels == ["Core", "Comrade", "Ally", "Strategic Alliance", "Unlikely Ally",
                           "(none)"]
    assert grid.kinds == [*STANDARD_KINDS, "tenant union"]
    core = grid.cell("Core", "directly impacted")
    assert (core.targets, core.asked, core.signed) == (4, 4, 1)
    # The one Strategic Alliance service provider is asked only after others sign.
    alliance = grid.cell("Strategic Alliance", "service provider")
    assert (alliance.targets, alliance.asked, alliance.signed) == (1, 0, 0)
    lawyers = grid.cell("Ally", "legal")  # "Legal" in the file: the same kind
    assert (lawyers.targets, lawyers.asked) == (1, 1)
    tenants = grid.cell("(none)", "tenant union")
    assert (tenants.targets, tenants.asked) == (1, 0)
    assert grid.cell("Core", "emergency management").targets == 0
    legal = grid.kind_total("legal")
    assert (legal.targets, legal.asked) == (3, 3)
    assert grid.level_total("Unlikely Ally").targets == 3
    assert grid.unasked_kinds == ["tenant union"]


def test_status_and_stakeholders_on_the_command_line(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    add_rows(campaign_dir)
    config = write_server_config(campaign_dir, smtp_server.port)
    code, _, err = cli(config, database_url, "import",
                       str(campaign_dir / "targets" / "clean-water.csv"), "--campaign",
                       "clean-water")
    assert code == 0, err

    code, out, err = cli(config, database_url, "status", "clean-water")
    assert code == 0, err
    assert "(clean-water): funnel" in out and "followed up" in out and "open tasks" in out
    assert "Signers: 0 of 60 hoped for (0%)" in out
    assert "Soft deadline: Fri 15 Jan 2027 17:00 PST" in out
    assert "Hard deadline: Mon 1 Feb 2027 12:00 PST" in out
    assert "queued" in out and "25" in out and "Outbox" in out  # the tables kept

    # --watch refreshes until Ctrl-C; here the second wait is interrupted.
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "_wait", sleep)
    code, out, err = cli(config, database_url, "status", "clean-water", "--watch", "2")
    assert code == 0, err
    assert waits == [2.0, 2.0] and "funnel" in out
    waits.clear()
    code, out, err = cli(config, database_url, "status", "--watch")
    assert code == 0, err
    assert waits == [5.0, 5.0]
    code, _, err = cli(config, database_url, "status", "nope")
    assert code == 2 and "no campaign 'nope'" in err

    code, out, err = cli(config, database_url, "stakeholders", "clean-water")
    assert code == 0, err
    assert "stakeholders, asked/signed" in out and "tenant union" in out
    assert "Strategic Alliance" in out and "(none)" in out
    assert "Nobody asked yet from: directly impacted, service provider" in out
    code, _, err = cli(config, database_url, "stakeholders", "nope")
    assert code == 2 and "no campaign 'nope'" in err
