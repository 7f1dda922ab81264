"""`outreach stakeholders` reads at 80 columns: every level and kind written out whole on
its line, nothing past the edge (both databases)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.stakeholders import STANDARD_KINDS
from outreach.cli import main
from outreach.people.models import Engagement
from tests.campaign.test_funnel import add_rows
from tests.campaign.test_replies import deliver, process, reply_to, sent_ask
from tests.cli.test_cli import environ, write_server_config
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer


@pytest.mark.parametrize("columns", ["80", "200"])
def test_the_stakeholder_map_reads_at_80_columns(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
        columns: str) -> None:
    add_rows(campaign_dir)
    app.campaign("clean-water").discretion.never_ask.append("Westside Tenants Union")
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    deliver(app, reply_to(sent_ask(smtp_server, "donna@eastporterville.example"),
                          "Yes, we sign!"))
    assert process(app) == {"signed": 1}

    config = write_server_config(campaign_dir, smtp_server.port)
    result = CliRunner().invoke(
        main, ["--config", str(config), "stakeholders", "clean-water"],
        env={**environ(database_url), "COLUMNS": columns}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert lines[:2] == ["Safe Drinking Water for Every Valley Community",
                         "clean-water: stakeholders, asked/signed"]
    header = next(line for line in lines if "engagement" in line)
    assert header.split() == ["kind", "engagement", "asked/signed", "not", "asked", "yet"]
    for name in [*STANDARD_KINDS, "tenant union", *(level.value for level in Engagement)]:
        assert any(name in line for line in lines), name
    # Each kind starts a group; its levels follow, each with asked/signed and those left.
    row = re.compile(r"^(?P<kind>.*?)\s{2,}(?P<level>Core|Comrade|Ally|Strategic Alliance|"
                     r"Unlikely Ally|\(none\)|all)\s+(?P<counts>\d+/\d+)\s+(?P<left>\d+|·)$")
    rows = [m.groupdict() for line in lines if (m := row.match(line.strip()))]
    directly = next(i for i, r in enumerate(rows) if r["kind"] == "directly impacted")
    assert rows[directly] == {"kind": "directly impacted", "level": "Core", "counts": "4/1",
                              "left": "·"}
    tenants = next(r for r in rows if r["kind"] == "tenant union")
    assert (tenants["level"], tenants["counts"], tenants["left"]) == ("(none)", "0/0", "1")
    assert "emergency management" in result.stdout
    assert any(line.startswith("Nobody asked yet from: ") for line in lines)
