"""What the running daemon says, and how fast it stops: a real `outreach run` process."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from outreach.cli import main
from outreach.logs import JsonFormatter
from tests.campaign.test_replies import reply_to
from tests.cli.test_cli import cli, environ, write_server_config
from tests.helpers import open_send_window
from tests.smtpserver import SmtpServer

POLL_SECONDS = 60  # the mailbox wait a stop must cut short


class Lines:
    """The daemon's stderr, read as it comes, each line parsed as the JSON it must be."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.entries: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        assert process.stderr is not None
        self.reader = threading.Thread(target=self._read, args=(process.stderr,), daemon=True)
        self.reader.start()

    def _read(self, stream: Any) -> None:
        for line in stream:
            entry = json.loads(line)  # every line is one JSON object
            with self.lock:
                self.entries.append(entry)

    def where(self, **fields: Any) -> list[dict[str, Any]]:
        with self.lock:
            return [e for e in self.entries if all(e.get(k) == v for k, v in fields.items())]

    def wait_for(self, count: int, timeout: float = 60, **fields: Any) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.where(**fields)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        found = self.where(**fields)
        assert len(found) >= count, f"waited for {count} lines with {fields}: {self.entries}"
        return found


def test_the_daemon_logs_each_message_as_json_and_stops_at_once_on_sigterm(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    open_send_window(campaign_dir)
    config = write_server_config(campaign_dir, smtp_server.port)
    maildir = campaign_dir / "Maildir"
    for sub in ("new", "cur", "tmp"):
        (maildir / sub).mkdir(parents=True)
    with config.open("a", encoding="utf-8") as fh:
        fh.write(f'[mailbox]\nsource = "maildir"\nmaildir = "{maildir}"\n'
                 f"poll_seconds = {POLL_SECONDS}\n")
    code, _, err = cli(config, database_url, "import",
                       str(campaign_dir / "targets" / "clean-water.csv"), "clean-water")
    assert code == 0, err
    process = subprocess.Popen(
        [sys.executable, "-m", "outreach", "--config", str(config), "run", "--log-format",
         "json"], env=environ(database_url), stderr=subprocess.PIPE, text=True)
    try:
        lines = Lines(process)
        sent = lines.wait_for(21, outcome="sent", kind="ask")
        assert all(e["level"] == "INFO" and e["logger"] == "outreach.mail.sender"
                   and e["campaign"] == "clean-water" and e["organization"]
                   and e["message"].startswith("sent ask to ") for e in sent)
        assert len({e["organization"] for e in sent}) == 21
        assert {e["recipient"] for e in sent} == {r for m in smtp_server.messages
                                                  for r in m.rcpt_tos}

        ask = smtp_server.messages[0].message
        asked = str(ask["To"])
        (maildir / "new" / "1.reply").write_bytes(
            reply_to(ask, "Yes, please add us to the letter."))
        (received,) = lines.wait_for(1, logger="outreach.mail.handling")
        (organization,) = [e["organization"] for e in sent if e["recipient"] in asked]
        assert (received["kind"], received["campaign"], received["organization"],
                received["outcome"]) == ("human", "clean-water", organization, "signed")
        lines.wait_for(1, outcome="sent", kind="confirmation")
        lines.wait_for(1, message="outreach daemon running (features: lists, campaign, tasks)")
        time.sleep(0.5)  # the mailbox thread is back in its wait, nothing is in flight

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=POLL_SECONDS)
        stopped_in = time.monotonic() - started
        lines.reader.join(timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert lines.where(logger="outreach.daemon", level="INFO")[-1]["message"].startswith(
        "outreach daemon stopped")
    # Before, the stop waited for the mailbox's poll (up to POLL_SECONDS); a loaded machine
    # needs well under 5 s to leave the wait, release, and exit.
    assert stopped_in < 5, f"SIGTERM took {stopped_in:.1f} s"


def test_json_log_lines_carry_the_event_fields() -> None:
    record = logging.LogRecord("outreach.mail.sender", logging.INFO, __file__, 1,
                               "sent %s to %s", ("ask", "ana@river.example"), None)
    record.__dict__.update({"kind": "ask", "campaign": "clean-water",
                            "organization": "Friends of the River", "outcome": "sent"})
    entry = json.loads(JsonFormatter().format(record))
    assert entry.pop("time").endswith("+00:00")
    assert entry == {"level": "INFO", "logger": "outreach.mail.sender",
                     "message": "sent ask to ana@river.example", "kind": "ask",
                     "campaign": "clean-water", "organization": "Friends of the River",
                     "outcome": "sent"}


def test_log_format_is_an_option_of_the_group_and_of_run() -> None:
    for args in (["--help"], ["run", "--help"]):
        result = CliRunner().invoke(main, args)
        assert "--log-format [text|json]" in result.stdout, args
    result = CliRunner().invoke(main, ["--log-format", "xml", "run"])
    assert result.exit_code == 2 and "'xml' is not one of 'text', 'json'" in result.stderr


def test_help_answers_well_under_a_second() -> None:
    """`outreach --help` costs about what importing Click costs: it loads no command."""

    def seconds(*args: str) -> float:
        started = time.monotonic()
        subprocess.run([sys.executable, *args], check=True, capture_output=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k != "OUTREACH_CONFIG"})
        return time.monotonic() - started

    baseline = min(seconds("-c", "import click") for _ in range(3))
    helped = min(seconds("-m", "outreach", "--help") for _ in range(3))
    assert helped < baseline * 3 + 0.2, (helped, baseline)
