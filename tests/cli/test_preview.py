"""`outreach preview` and `outreach send-test`: a campaign's mail seen before it goes out,
touching no target (issue #12, item 6)."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from outreach.app import App
from outreach.campaign.mailings import KINDS
from outreach.campaign.models import Target, TargetEvent
from outreach.db.session import transaction
from outreach.mail.models import OutboxMessage
from outreach.people.models import Contact, Suppression
from outreach.review.models import ReviewItem
from tests.cli.test_cli import cli, write_server_config
from tests.helpers import load_example
from tests.smtpserver import SmtpServer


def _untouched(app: App) -> None:
    """No outbox row, no target event, no review item; every target still queued."""
    with app.factory() as session:
        for table in (OutboxMessage, TargetEvent, ReviewItem):
            assert session.scalar(select(func.count()).select_from(table)) == 0, table
        assert {t.state.value for t in session.scalars(select(Target))} == {"queued"}


def test_preview_prints_headers_and_text_and_writes_the_html_to_a_file(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
        tmp_path: Path) -> None:
    load_example(app)
    config = write_server_config(campaign_dir, smtp_server.port)
    html = tmp_path / "ask.html"
    code, out, err = cli(config, database_url, "preview", "clean-water", "--org",
                         "community water center", "--html", str(html))
    assert code == 0, err
    assert "Subject: Will Community Water Center sign on?" in out
    assert "To: Susana De Anda <susana@communitywatercenter.example>" in out
    assert re.search(r"List-Unsubscribe: <https?://\S+/unsubscribe/u0\.0\.[a-z2-7]+>,\s+"
                     r"<mailto:unsubscribe\+c0-", out)
    assert "Dear Susana," in out
    assert f"HTML: {html}" in out
    assert "Community Water Center" in html.read_text(encoding="utf-8")

    code, out, err = cli(config, database_url, "preview", "clean-water", "--kind", "follow_up")
    assert code == 0, err
    assert "Subject: Following up: will" in out
    assert "HTML: none (the follow_up mail has no HTML template)" in out

    code, out, err = cli(config, database_url, "preview", "clean-water", "--kind",
                         "change_notice")
    assert code == 0, err
    assert "Sample" in out  # the made-up change `outreach check` renders notices with

    code, _, err = cli(config, database_url, "preview", "clean-water", "--org", "Nobody Inc")
    assert code == 2 and "'Nobody Inc' is not a target of clean-water" in err
    _untouched(app)


def test_preview_before_anything_is_imported_uses_a_made_up_organization(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    code, out, err = cli(config, database_url, "preview", "clean-water", "--kind", "reminder")
    assert code == 0, err
    assert "To: Sam Sample <sam@example.org>" in out and "Dear Sam," in out


def test_send_test_sends_every_kind_to_the_organizer_marked_and_touches_no_target(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    load_example(app)
    config = write_server_config(campaign_dir, smtp_server.port)
    code, out, err = cli(config, database_url, "send-test", "clean-water", "--to",
                         "Maria@ValleyWater.example", "--org", "Community Water Center")
    assert code == 0, err
    assert f"sent {len(KINDS)} test message(s) to maria@valleywater.example" in out
    assert len(smtp_server.messages) == len(KINDS)
    kinds = set()
    for received in smtp_server.messages:
        assert received.rcpt_tos == ["maria@valleywater.example"]
        msg = received.message
        assert str(msg["To"]) == "maria@valleywater.example"
        assert str(msg["Subject"]).startswith("[TEST] ")
        kinds.add(str(msg["X-Outreach-Test"]).split(";")[0])
        # Its reply address names no target: a reply to a test changes nothing.
        assert "reply+t0-" in str(msg["Reply-To"])
    assert kinds == set(KINDS)
    _untouched(app)

    code, out, err = cli(config, database_url, "send-test", "clean-water", "--to",
                         "maria@valleywater.example", "--kind", "ask")
    assert code == 0, err
    assert len(smtp_server.messages) == len(KINDS) + 1
    assert "Will Community Water Center sign on?" in str(smtp_server.messages[-1].message[
        "Subject"])  # the first target imported stands in when --org is not given


def test_send_test_refuses_a_suppressed_address_and_reports_smtp_failures(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    load_example(app)
    config = write_server_config(campaign_dir, smtp_server.port)
    with transaction(app.factory) as session:
        session.scalars(select(Contact).where(
            Contact.email == "susana@communitywatercenter.example")).one().suppression = \
            Suppression.UNSUBSCRIBED
    code, _, err = cli(config, database_url, "send-test", "clean-water", "--to",
                       "susana@communitywatercenter.example")
    assert code == 2 and "no mail may go there (the recipient is unsubscribed)" in err

    code, _, err = cli(config, database_url, "send-test", "clean-water", "--to", "not an address")
    assert code == 2 and "Invalid value for '--to'" in err

    smtp_server.script.rcpt_replies["maria@valleywater.example"] = "550 5.1.1 no such user"
    code, _, err = cli(config, database_url, "send-test", "clean-water", "--to",
                       "maria@valleywater.example")
    assert code == 2
    assert "failed after 0 of" in err and "550 5.1.1 no such user" in err
    assert smtp_server.messages == []
