"""The command line, end to end: real processes, real database, real SMTP."""

from __future__ import annotations

import csv
import io
import json
import mailbox
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from click.testing import CliRunner
from sqlalchemy import func, select

from outreach.campaign.models import SignOn, Target, TargetState
from outreach.cli import main
from outreach.db.session import make_engine, make_session_factory
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus
from outreach.review.models import ReviewItem
from tests.conftest import SECRET
from tests.helpers import open_send_window
from tests.smtpserver import SmtpServer


def write_server_config(config_dir: Path, smtp_port: int, rate: float = 10_000) -> Path:
    path = config_dir / "test-outreach.toml"
    path.write_text(f"""\
campaigns_dir = "campaigns"
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
[sender]
name = "Maria Alvarez"
address = "maria@valleywater.example"
reply_domain = "valleywater.example"
[rates]
global_per_second = {rate}
per_domain_per_minute = 1000000
[outbox]
lease_seconds = 60
[daemon]
drain_interval_seconds = 0.2
plan_interval_seconds = 0.2
""", encoding="utf-8")
    return path


def environ(database_url: str) -> dict[str, str]:
    return {**os.environ, "OUTREACH_SECRET_KEY": SECRET, "OUTREACH_DATABASE_URL": database_url}


def cli(config: Path, database_url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--config", str(config), *args],
                                env=environ(database_url), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_import_check_export_status(campaign_dir: Path, database_url: str,
                                    smtp_server: SmtpServer) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    targets = campaign_dir / "targets" / "clean-water.csv"
    bad = campaign_dir / "bad.csv"
    bad.write_text(targets.read_text(encoding="utf-8")
                   + "Broken Org,small,Ally,,,,,,Al,nope,,,yes\n", encoding="utf-8")
    code, out, err = cli(config, database_url, "import", str(bad), "--campaign", "clean-water")
    assert code == 1
    assert f"{bad}:26: invalid email 'nope'" in err
    assert "targets created" in out and "23" in out

    code, out, err = cli(config, database_url, "import", str(targets), "--campaign",
                         "clean-water")
    assert code == 0, err
    code, out, err = cli(config, database_url, "check", "clean-water")
    assert code == 0, err
    assert "23 target(s) checked: ok" in out

    code, out, _ = cli(config, database_url, "export", "targets", "clean-water")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 23 and {r["state"] for r in rows} == {"queued"}

    code, out, _ = cli(config, database_url, "status", "clean-water")
    assert code == 0 and "queued" in out and "23" in out

    code, _, err = cli(config, database_url, "check", "no-such-campaign")
    assert code == 2 and "no campaign 'no-such-campaign'" in err


def test_run_stops_cleanly_on_sigterm_and_releases_its_rows(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    open_send_window(campaign_dir)
    config = write_server_config(campaign_dir, smtp_server.port, rate=4)
    code, _, err = cli(config, database_url, "import",
                       str(campaign_dir / "targets" / "clean-water.csv"), "--campaign",
                       "clean-water")
    assert code == 0, err
    process = subprocess.Popen(
        [sys.executable, "-m", "outreach", "--config", str(config), "run"],
        env=environ(database_url), stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(smtp_server.messages) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(smtp_server.messages) >= 2, "the daemon sent nothing"
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr
    assert "outreach daemon stopped" in stderr
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        counts = dict(session.execute(select(OutboxMessage.status, func.count())
                                      .group_by(OutboxMessage.status)).all())
    engine.dispose()
    assert counts.get(OutboxStatus.SENDING, 0) == 0
    assert counts.get(OutboxStatus.SENT) == len(smtp_server.messages)
    assert counts.get(OutboxStatus.PENDING, 0) > 0


def test_demo_runs_in_an_empty_folder(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "outreach", "demo", "--dir", "demo"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={k: v for k, v in os.environ.items() if k != "OUTREACH_CONFIG"})
    assert result.returncode == 0, result.stderr
    assert "21 asks delivered" in result.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'demo' / 'outreach.db'}")
    with make_session_factory(engine)() as session:
        outcomes = dict(session.execute(
            select(InboundMessage.kind, func.count()).group_by(InboundMessage.kind)).all())
        states = dict(session.execute(
            select(Target.state, func.count()).group_by(Target.state)).all())
        reviews = session.scalar(select(func.count()).select_from(ReviewItem))
        signers = session.scalar(select(func.count()).select_from(SignOn))
        confirmations = session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "confirmation", OutboxMessage.status == OutboxStatus.SENT))
    engine.dispose()
    assert outcomes["bounce"] == 1 and outcomes["auto_reply"] >= 1 and outcomes["human"] > 5
    assert states[TargetState.SIGNED] == signers == confirmations and signers >= 3
    assert states[TargetState.BOUNCED] == 1 and reviews is not None and reviews >= 1
    sent = len(mailbox.Maildir(tmp_path / "demo" / "Maildir", create=False))
    # Running it again starts afresh instead of piling up.
    again = subprocess.run([sys.executable, "-m", "outreach", "demo", "--dir", "demo"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert len(mailbox.Maildir(tmp_path / "demo" / "Maildir", create=False)) == sent


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.txt").write_text("precious")
    result = subprocess.run([sys.executable, "-m", "outreach", "demo", "--dir", "mine"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "is not empty and was not made by `outreach demo`" in result.stderr
    assert (tmp_path / "mine" / "thesis.txt").read_text() == "precious"


def test_classify_prints_one_json_object_per_file_and_never_a_traceback(tmp_path: Path) -> None:
    yes = tmp_path / "yes.eml"
    yes.write_bytes(b"From: Ana <ana@river.example>\r\nTo: reply@valleywater.example\r\n"
                    b"Subject: Re: Will Friends of the River sign on?\r\n\r\n"
                    b"Yes, please list us as Friends of the River.\r\n\r\n"
                    b"On Tue, Maria wrote:\r\n> Reply YES to sign on\r\n")
    ooo = tmp_path / "ooo.eml"
    ooo.write_bytes(b"From: bo@x.example\r\nSubject: Out of Office\r\nAuto-Submitted: "
                    b"auto-replied\r\nDate: Tue, 08 Dec 2026 10:00:00 -0800\r\n\r\n"
                    b"I am away until Monday, December 14, 2026.\r\n")
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.eml"
    result = CliRunner().invoke(main, ["classify", "--json", str(yes), str(ooo), str(empty),
                                       str(missing)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(yes), str(ooo), str(empty), str(missing)]
    keys = ["file", "kind", "intent", "signer_name", "signer_type", "referrals",
            "failed_recipients", "bounce_type", "return_date", "visible_text", "error"]
    assert all(sorted(line) == sorted(keys) for line in lines)
    assert (lines[0]["kind"], lines[0]["intent"], lines[0]["signer_name"]) == (
        "human", "sign_on", "Friends of the River")
    assert "Reply YES" not in lines[0]["visible_text"]
    assert (lines[1]["kind"], lines[1]["intent"], lines[1]["return_date"]) == (
        "auto_reply", None, "2026-12-14")
    assert lines[2]["error"] == "empty message"
    assert lines[3]["error"] and "No such file" in lines[3]["error"]


# --- The command line's own machinery: lazy commands, one error handler, `--by` -----------


def test_help_lists_every_command_without_importing_them() -> None:
    """`outreach --help` imports Click and the table, not the features (nor SQLAlchemy)."""
    probe = ("import sys\n"
             "from outreach.cli import main\n"
             "try:\n"
             "    main(['--help'], prog_name='outreach')\n"
             "except SystemExit:\n"
             "    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('outreach.', 'sqlalchemy'))))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.splitlines()[-1] == "['outreach.cli', 'outreach.errors']"
    for name in main.list_commands(click.Context(main)):
        assert f"\n  {name} " in result.stdout


def test_the_help_table_says_what_each_command_says() -> None:
    """The short help kept in `COMMANDS` is the first paragraph of each command's own help,
    so `outreach --help` reads the same before and after the commands load."""
    from outreach.cli import COMMANDS, OutreachGroup

    fresh = OutreachGroup(name="outreach", lazy=COMMANDS)
    ctx = click.Context(fresh)
    before = fresh.get_help(ctx)
    for name, lazy in COMMANDS.items():
        command = fresh.get_command(ctx, name)
        assert command is not None and command.help is not None
        assert " ".join(command.help.partition("\n\n")[0].split()) == lazy.summary, name
    assert fresh.get_help(ctx) == before


def test_an_error_a_person_can_fix_is_one_line_and_exit_2_in_every_command(
        tmp_path: Path) -> None:
    nobody = {"USER": None, "OUTREACH_ORGANIZER": None}
    for args in (["review", "accept", "1"], ["review", "reject", "1"],
                 ["review", "reclassify", "1", "sign_on"], ["tasks", "assign", "1", "ana"],
                 ["tasks", "done", "1"], ["letter", "publish", "x", "--summary", "s"],
                 ["withdraw", "x", "Some Org", "--note", "n"]):
        result = CliRunner().invoke(main, args, env=nobody, catch_exceptions=False)
        assert result.exit_code == 2, args
        assert result.stderr == ("error: say who decides: --by NAME (or set "
                                 "OUTREACH_ORGANIZER)\n"), args
    missing = tmp_path / "missing.toml"
    result = CliRunner().invoke(main, ["--config", str(missing), "db", "upgrade"],
                                catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {missing}: invalid configuration")
    assert "Traceback" not in result.output


def test_by_names_the_organizer_from_the_option_or_the_environment() -> None:
    from outreach.cli.common import by_option

    @click.command()
    @by_option("Who tries")
    def who(by: str) -> None:
        click.echo(by)

    runner = CliRunner()
    assert runner.invoke(who, ["--by", "ana"], env={"USER": "bo"}).stdout == "ana\n"
    assert runner.invoke(who, [], env={"OUTREACH_ORGANIZER": "cy", "USER": "bo"}).stdout \
        == "cy\n"
    assert runner.invoke(who, [], env={"OUTREACH_ORGANIZER": None, "USER": "bo"}).stdout \
        == "bo\n"
    assert "Who tries (default: $OUTREACH_ORGANIZER, $USER)." in \
        runner.invoke(who, ["--help"]).stdout


def test_listing_reissues_needs_no_organizer_but_announcing_one_does(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    nobody = {**environ(database_url), "USER": "", "OUTREACH_ORGANIZER": ""}

    def reissue(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, ["--config", str(config), "reissue", "clean-water",
                                           *args], env=nobody, catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    assert reissue() == (0, "", "")
    code, _, err = reissue("--on", "2099-01-01")
    assert code == 2 and "say who decides" in err
    code, _, err = reissue("--on", "soon", "--by", "maria")
    assert code == 2 and "--on 'soon': use YYYY-MM-DD or an ISO date and time" in err
