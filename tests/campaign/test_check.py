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


def test_an_undefined_variable_is_named_with_its_template_and_line(app: App) -> None:
    load_example(app)
    subject = campaign_templates(app) / "ask.subject.j2"
    subject.write_text("{{ organization.nickname }} — sign on?\n", encoding="utf-8")
    report = jobs.check(app, "clean-water", NOW)
    assert not report.ok
    (error,) = report.errors
    assert error.startswith(f"{subject}:1: 'dict object' has no attribute 'nickname'")
    assert "for 23 target(s)" in error


def test_every_undefined_variable_is_reported_in_one_run(app: App) -> None:
    load_example(app)
    folder = campaign_templates(app)
    (folder / "ask.subject.j2").write_text("{{ organization.nickname }}\n", encoding="utf-8")
    (folder / "ask.txt.j2").write_text(
        "Dear {{ contact.first }},\n\n{{ letter.draft_url }}\n"
        "{% for line in campaign.talking_points %}- {{ line }}\n{% endfor %}"
        "{{ signature }} {{ organization.nickname }}\n", encoding="utf-8")
    (folder / "follow_up.txt.j2").write_text("Still {{ deadline + 1 }}?\n", encoding="utf-8")

    report = jobs.check(app, "clean-water", NOW)

    found = sorted(error.split(" (for ")[0].removeprefix(f"{folder}/")
                   for error in report.errors)
    assert found == [
        "ask.subject.j2:1: 'dict object' has no attribute 'nickname'",
        "ask.txt.j2:1: 'dict object' has no attribute 'first'",
        "ask.txt.j2:4: 'dict object' has no attribute 'talking_points'",
        "ask.txt.j2:5: 'dict object' has no attribute 'nickname'",
        "ask.txt.j2:5: 'signature' is undefined",
        "follow_up.txt.j2:1: 'deadline' is undefined",
    ]
    assert all("for 23 target(s)" in error for error in report.errors)


def test_the_number_of_targets_checked_is_the_same_from_run_to_run(app: App) -> None:
    load_example(app)
    first = jobs.check(app, "clean-water", NOW).targets_checked
    jobs.plan(app, NOW)  # asks some, and excludes the one never to be asked
    assert [jobs.check(app, "clean-water", NOW).targets_checked for _ in range(2)] == \
        [first, first] == [23, 23]


def test_a_missing_password_the_config_needs_is_named(app: App) -> None:
    load_example(app)
    app.settings.smtp.username = "outreach@valleywater.org"
    app.settings.mailbox.source = "imap"
    app.settings.imap_password = None
    report = jobs.check(app, "clean-water", NOW)
    assert report.errors == ["OUTREACH_SMTP_PASSWORD is not set: [smtp] username = "
                             "'outreach@valleywater.org' needs it to send"]
    assert "OUTREACH_IMAP_PASSWORD is not set: [imap] username = 'outreach@valleywater.org' "\
        "needs it; replies are not read until it is" in report.warnings
    app.settings.smtp_password = app.settings.imap_password = "secret"
    report = jobs.check(app, "clean-water", NOW)
    assert report.ok and not any("PASSWORD" in w for w in report.warnings)


def test_a_syntax_error_is_named_with_its_line(app: App) -> None:
    load_example(app)
    (campaign_templates(app) / "ask.txt.j2").write_text(
        "Dear {{ contact.first_name }},\n\n{% if %}\n", encoding="utf-8")
    report = jobs.check(app, "clean-water", NOW)
    (error,) = report.errors
    assert "ask.txt.j2:3: syntax error" in error


def test_syntax_errors_in_several_files_are_all_reported(app: App) -> None:
    load_example(app)
    folder = campaign_templates(app)
    (folder / "ask.subject.j2").write_text("{{ }}\n", encoding="utf-8")
    (folder / "ask.txt.j2").write_text("Hi\n{% if %}\n", encoding="utf-8")
    report = jobs.check(app, "clean-water", NOW)
    assert sorted(e.split(": syntax error")[0] for e in report.errors) == [
        f"{folder}/ask.subject.j2:1", f"{folder}/ask.txt.j2:2"]


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
