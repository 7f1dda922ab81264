"""`outreach check` finds broken templates before any mail goes out."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.feature import CampaignFeature
from outreach.daemon import Daemon
from outreach.mail.models import OutboxMessage
from tests.conftest import NOW
from tests.helpers import load_example
from tests.smtpserver import SmtpServer


def campaign_templates(app: App) -> Path:
    folder = app.campaign("clean-water").source.parent / "templates"
    folder.mkdir(exist_ok=True)
    return folder


def test_the_example_campaign_passes(app: App) -> None:
    load_example(app)
    report = jobs.check(app, "clean-water", NOW)
    assert report.ok, report.errors
    assert report.targets_checked == 23


def test_an_undefined_variable_is_named_with_its_template(app: App) -> None:
    load_example(app)
    (campaign_templates(app) / "ask.subject.j2").write_text(
        "{{ organization.nickname }} — sign on?\n", encoding="utf-8")
    report = jobs.check(app, "clean-water", NOW)
    assert not report.ok
    (error,) = report.errors
    assert error.startswith("ask.subject.j2: 'dict object' has no attribute 'nickname'")
    assert "for 23 target(s)" in error


def test_a_syntax_error_is_named_with_its_line(app: App) -> None:
    load_example(app)
    (campaign_templates(app) / "ask.txt.j2").write_text(
        "Dear {{ contact.first_name }},\n\n{% if %}\n", encoding="utf-8")
    report = jobs.check(app, "clean-water", NOW)
    (error,) = report.errors
    assert "ask.txt.j2:3: syntax error" in error


def test_discretion_names_that_match_nobody_are_warned(app: App) -> None:
    load_example(app)
    app.campaign("clean-water").discretion.never_ask.append("Valley Agribusness Council")
    report = jobs.check(app, "clean-water", NOW)
    assert report.ok
    assert any("'Valley Agribusness Council', which matches no imported organization" in w
               for w in report.warnings)


def test_the_daemon_sends_nothing_for_a_campaign_that_fails_its_check(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    (campaign_templates(app) / "ask.html.j2").write_text("{{ nope }}", encoding="utf-8")
    app.settings.daemon.plan_interval_seconds = 0.1
    app.settings.daemon.drain_interval_seconds = 0.1
    daemon = Daemon(app, clock=lambda: NOW)

    async def run_briefly() -> None:
        task = asyncio.create_task(daemon.run())
        await asyncio.sleep(0.5)
        daemon.stop.set()
        await task

    asyncio.run(run_briefly())
    (campaign,) = [f for f in app.features if isinstance(f, CampaignFeature)]
    assert campaign.plannable == []
    assert smtp_server.messages == []
    with app.factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
