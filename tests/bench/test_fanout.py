"""bench/fanout.py runs end to end on a few members and prints one JSON line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import need

REPO = Path(__file__).resolve().parents[2]
SMTP_SINK = Path("/usr/sbin/smtp-sink")


def test_fanout_prints_one_json_line() -> None:
    if not SMTP_SINK.exists():
        need("Postfix", "smtp-sink is not installed (Debian package postfix)")
    done = subprocess.run([sys.executable, "bench/fanout.py", "--members", "30",
                           "--reference-repeats", "1"], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert {"members", "seconds", "msgs_per_s", "reference_msgs_per_s", "ratio",
            "peak_rss_mb"} <= set(result)
    assert result["members"] == 30 and result["database"] == "sqlite"
    assert result["seconds"] > 0 and result["msgs_per_s"] > 0
    assert result["reference_msgs_per_s"] > 0 and 0 < result["ratio"] < 1
    assert 0 < result["peak_rss_mb"] < 1000
    assert 1 <= result["breakdown"]["mark_sent_calls"] <= 30  # transactions, not messages
