"""One command line: the campaign is a positional SLUG everywhere (the old `--campaign` still
works), every listing has `--json`, and every "not found" names what exists."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from outreach.app import open_app
from outreach.campaign import jobs
from outreach.cli import main
from outreach.sendwindow import DAY_NAMES
from outreach.settings import load_settings
from tests.cli.test_cli import cli, environ, write_server_config
from tests.smtpserver import SmtpServer

SLUG = "clean-water"


@pytest.fixture
def config(campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> Path:
    """A server config, and the example campaign imported the new way."""
    path = write_server_config(campaign_dir, smtp_server.port)
    code, _, err = cli(path, database_url, "import", str(targets(campaign_dir)), SLUG)
    assert code == 0, err
    return path


def targets(campaign_dir: Path) -> Path:
    return campaign_dir / "targets" / "clean-water.csv"


def as_json(config: Path, database_url: str, *args: str) -> Any:
    code, out, err = cli(config, database_url, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_the_campaign_is_a_positional_slug_and_the_old_option_still_works(
        config: Path, database_url: str, campaign_dir: Path) -> None:
    code, out, err = cli(config, database_url, "import", str(targets(campaign_dir)),
                         "--campaign", SLUG)
    assert code == 0, err
    assert "targets created" in out
    code, _, err = cli(config, database_url, "import", str(targets(campaign_dir)), SLUG,
                       "--campaign", "other")
    assert code == 2 and "two campaigns named: 'clean-water' and --campaign 'other'" in err
    code, _, err = cli(config, database_url, "import", str(targets(campaign_dir)))
    assert code == 2 and "Missing argument 'SLUG'" in err

    for listing in (["review"], ["tasks"]):
        assert as_json(config, database_url, *listing, SLUG) == []
        assert as_json(config, database_url, *listing, "--campaign", SLUG) == []
    ics = campaign_dir / "tasks.ics"
    code, _, err = cli(config, database_url, "tasks", "export", "--ics", str(ics), SLUG)
    assert code == 0 and "wrote 0 task(s)" in err and ics.exists()

    runner = CliRunner()
    for command, usage in (("import", "CSV_FILE SLUG"), ("review", "[SLUG] [COMMAND]"),
                           ("tasks", "[SLUG] [COMMAND]")):
        shown = runner.invoke(main, [command, "--help"]).stdout
        assert usage in shown and "--campaign" not in shown, command


def test_every_listing_command_prints_json(config: Path, database_url: str) -> None:
    status = as_json(config, database_url, "status", SLUG)
    (campaign,) = status["campaigns"]
    assert (campaign["slug"], campaign["total"], campaign["states"]["queued"]) == (SLUG, 23, 23)
    assert campaign["funnel"]["target_signers"] == 60
    assert campaign["next_mail"] is None  # nothing queued yet
    assert status["outbox"]["pending"] == 0
    datetime.fromisoformat(status["as_of"])

    smap = as_json(config, database_url, "stakeholders", SLUG)
    assert smap["slug"] == SLUG and "Core" in smap["levels"]
    assert sum(cell["targets"] for cell in smap["cells"]) == 23
    assert as_json(config, database_url, "review") == []
    assert as_json(config, database_url, "tasks", "--all") == []
    assert as_json(config, database_url, "reissue", SLUG) == []

    code, _, err = cli(config, database_url, "status", "--watch", "--json")
    assert code == 2 and "does not go with --watch" in err


@pytest.mark.parametrize("args", [
    ["check", "nosuch"], ["status", "nosuch"], ["stakeholders", "nosuch"],
    ["export", "targets", "nosuch"], ["publish", "nosuch", "--out", "site"],
    ["letter", "publish", "nosuch", "--summary", "s", "--by", "maria"],
    ["reissue", "nosuch"], ["withdraw", "nosuch", "Some Org", "--note", "n", "--by", "maria"],
    ["review", "nosuch"], ["tasks", "nosuch"], ["import", "{csv}", "nosuch"],
])
def test_a_campaign_not_found_names_the_campaigns_there_are(
        config: Path, database_url: str, campaign_dir: Path, args: list[str]) -> None:
    args = [arg.format(csv=targets(campaign_dir)) for arg in args]
    code, _, err = cli(config, database_url, *args)
    assert (code, err) == (2, "error: no campaign 'nosuch'; campaigns: clean-water\n")


def test_other_things_not_found_name_what_exists(config: Path, database_url: str) -> None:
    code, _, err = cli(config, database_url, "review", "accept", "99", "--by", "maria")
    assert (code, err) == (2, "error: no review item 99; the review queue is empty\n")
    code, _, err = cli(config, database_url, "tasks", "done", "99", "--by", "maria")
    assert (code, err) == (2, "error: no task 99; no task is open\n")
    code, _, err = cli(config, database_url, "withdraw", SLUG, "Nobody", "--note", "n",
                       "--by", "maria")
    assert (code, err) == (2, "error: 'Nobody' has no signature on clean-water to withdraw; "
                              "nobody has signed it\n")
    code, _, err = cli(config, database_url, "export", "signers", SLUG, "--reissue", "7")
    assert (code, err) == (2, "error: campaign 'clean-water' has no reissue 7\n")


def test_status_says_when_the_next_mail_goes_out_and_why(
        config: Path, database_url: str, campaign_dir: Path) -> None:
    """Whatever day it is: a window of every other day is closed today."""
    today = datetime.now(UTC).astimezone(ZoneInfo("America/Los_Angeles"))
    other_days = [DAY_NAMES[(today.weekday() + n) % 7] for n in range(1, 7)]
    path = campaign_dir / "campaigns" / "clean-water.toml"
    text = path.read_text(encoding="utf-8")
    for old, new in [('days = ["mon", "tue", "wed", "thu"]', f"days = {json.dumps(other_days)}"),
                     ("start = 09:00:00", "start = 00:00:00"),
                     ("end = 16:30:00", "end = 23:59:00")]:
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    app = open_app(load_settings(config, environ(database_url)))
    try:
        queued = jobs.plan(app, datetime.now(UTC)).plans[SLUG].queued
    finally:
        app.close()
    tomorrow = DAY_NAMES[(today.weekday() + 1) % 7].title()
    # the open days in the week's order, Monday first, a run of three or more joined: on a
    # Tuesday "Mon, Wed-Sun", on a Wednesday "Mon, Tue, Thu-Sun", on a Sunday "Mon-Sat"
    runs = (DAY_NAMES[:today.weekday()], DAY_NAMES[today.weekday() + 1:])
    days = ", ".join(f"{run[0].title()}\u2013{run[-1].title()}" if len(run) >= 3
                     else ", ".join(day.title() for day in run) for run in runs if run)
    says = (f"{queued} waiting: outside the send window: {days} 0\u201323:59 "
            f"America/Los_Angeles; next at {tomorrow} 00:00")

    code, out, err = cli(config, database_url, "status", SLUG)
    assert code == 0, err
    assert f"Next mail: {says}" in " ".join(out.split())
    (campaign,) = as_json(config, database_url, "status")["campaigns"]
    assert campaign["next_mail"]["says"] == says
    assert campaign["next_mail"]["due_now"] is False
