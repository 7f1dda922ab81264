"""bench/send.py and bench/ingest.py run end to end on a few messages and print one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import need
from tests.dovecot import DOVECOT

REPO = Path(__file__).resolve().parents[2]
SMTP_SINK = Path("/usr/sbin/smtp-sink")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_send_refuses_several_processes_on_sqlite() -> None:
    done = _run("bench/send.py", "--messages", "10", "--processes", "2")
    assert done.returncode == 2
    assert "needs --database postgresql" in done.stderr
    assert done.stdout == ""


def test_send_prints_one_json_line() -> None:
    if not SMTP_SINK.exists():
        need("Postfix", "smtp-sink is not installed (Debian package postfix)")
    done = _run("bench/send.py", "--messages", "40", "--reference-repeats", "1")
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert result["messages"] == 40 and result["processes"] == 1
    assert result["database"] == "sqlite"
    assert result["msgs_per_s"] > 0 and result["reference_msgs_per_s"] > 0
    assert 0 < result["ratio"] < 1
    assert 0 < result["peak_rss_mb"] < 1000


def test_ingest_prints_one_json_line() -> None:
    if not DOVECOT.exists():
        need("Dovecot", f"{DOVECOT} is not installed (Debian package dovecot-imapd)")
    done = _run("bench/ingest.py", "--messages", "20", "--idle-replies", "3")
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert result["messages"] == 20 and sum(result["outcomes"].values()) == 20
    assert result["outcomes"]["signed"] == 8  # 40 % of the replies are plain yeses
    assert 0 < result["idle_latency_p50_s"] <= result["idle_latency_p95_s"]
    assert 0 < result["ratio"] < 1
