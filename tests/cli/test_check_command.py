"""`outreach check` says everything at once, through the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import cli, write_server_config
from tests.smtpserver import SmtpServer

SLUG = "clean-water"


@pytest.fixture
def config(campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> Path:
    path = write_server_config(campaign_dir, smtp_server.port)
    code, _, err = cli(path, database_url, "import",
                       str(campaign_dir / "targets" / "clean-water.csv"), SLUG)
    assert code == 0, err
    return path


def test_check_lists_every_undefined_variable_with_file_and_line_in_one_run(
        config: Path, database_url: str, campaign_dir: Path) -> None:
    templates = campaign_dir / "campaigns" / "templates"
    templates.mkdir()
    (templates / "ask.txt.j2").write_text(
        "Dear {{ contact.first }},\n\n{{ letter.draft_url }}\n{{ closing }}\n", encoding="utf-8")
    (templates / "reminder.subject.j2").write_text("{{ deadline }} is near\n",
                                                   encoding="utf-8")

    runs = [cli(config, database_url, "check", SLUG) for _ in range(2)]

    assert runs[0] == runs[1]
    code, out, err = runs[0]
    assert code == 1
    assert out.strip() == f"campaign {SLUG}: 23 target(s) checked: 3 problem(s)"
    problems = sorted(line.split(" (for ")[0] for line in err.splitlines()
                      if line.startswith("error:"))
    assert problems == [
        f"error: {templates / 'ask.txt.j2'}:1: 'dict object' has no attribute 'first'",
        f"error: {templates / 'ask.txt.j2'}:4: 'closing' is undefined",
        f"error: {templates / 'reminder.subject.j2'}:1: 'deadline' is undefined",
    ]


def test_check_names_a_missing_smtp_password(config: Path, database_url: str) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('security = "none"\n',
                                   'security = "none"\nusername = "maria"\n'), encoding="utf-8")
    code, out, err = cli(config, database_url, "check", SLUG)
    assert code == 1
    assert ("error: OUTREACH_SMTP_PASSWORD is not set: [smtp] username = 'maria' needs it to "
            "send") in err
    assert "23 target(s) checked: 1 problem(s)" in out


def test_check_names_the_field_and_line_of_a_bad_date(
        config: Path, database_url: str, campaign_dir: Path) -> None:
    path = campaign_dir / "campaigns" / "clean-water.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("hard_deadline = 2027-02-01T12:00:00",
                                 "hard_deadline = 2027-02-31T12:00:00"), encoding="utf-8")
    code, _, err = cli(config, database_url, "check", SLUG)
    assert code == 2
    assert f"error: {path}: invalid configuration" in err
    assert "  - hard_deadline: not valid TOML: Invalid date or datetime (at line 7, " in err
