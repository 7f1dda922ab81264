"""Failures are visible: `outreach outbox`, soft bounces counted per target, and what
`outreach status` and `outreach history` show of them (issue #12, item 7)."""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from outreach import mailbox
from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.models import TargetState
from outreach.campaign.targets import about_target
from outreach.db.session import transaction
from outreach.mail.models import InboundMessage, InboundStatus
from outreach.mail.outbox import enqueue
from outreach.people.models import Suppression
from outreach.review.models import ReviewItem
from tests.campaign.test_replies import deliver, reply_to, sent_ask
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW
from tests.helpers import load_example, send_due, target_of
from tests.smtpserver import Received, SmtpServer

LATER = NOW + timedelta(hours=2)
DONNA = "donna@eastporterville.example"
ROSA = "rosa@kingsclinic.example"


def dsn(received: Received, status: str, diagnostic: str) -> bytes:
    """The receiving server's report that the message `received` failed, sent back to its
    return path (our VERP address)."""
    recipient = received.rcpt_tos[0]
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@mx.example.net"
    report["To"] = received.mail_from
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report["Message-ID"] = make_msgid(domain="mx.example.net")
    report.set_content(f"Your message to <{recipient}> could not be delivered.\n")
    report.make_mixed()
    report.set_type("multipart/report")
    report.set_param("report-type", "delivery-status")
    report.attach(email.message_from_string(  # type: ignore[arg-type]
        "Content-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: {status}\n"
        f"Diagnostic-Code: smtp; {diagnostic}\n", policy=email.policy.default))
    return report.as_bytes()


def bounce(app: App, *reports: bytes) -> dict[str, int]:
    """Store the reports as the mailbox reader does, then act on them."""
    with transaction(app.factory) as session:
        for raw in reports:
            session.add(InboundMessage(message_id=None, folder="INBOX", raw=raw,
                                       sha256=hashlib.sha256(raw).hexdigest(),
                                       status=InboundStatus.NEW, received_at=LATER))
    return mailbox.act_on_mail(app, LATER).by_outcome


def listed(out: str) -> list[dict[str, Any]]:
    """What `--json` printed: one JSON document, a list."""
    document = json.loads(out)
    assert isinstance(document, list)
    return document


def test_outbox_lists_failed_and_waiting_mail_with_reason_attempts_and_next_attempt(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    smtp_server.script.rcpt_replies[ROSA] = "550 5.1.1 no such user"
    smtp_server.script.rcpt_replies[DONNA] = "450 4.2.1 mailbox busy"
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    config = write_server_config(campaign_dir, smtp_server.port)

    code, out, err = cli(config, database_url, "outbox", "clean-water", "--json")
    assert code == 0, err
    rows = listed(out)
    assert [(r["recipient"], r["state"], r["kind"], r["attempts"]) for r in rows] == [
        (ROSA, "failed", "ask", 1), (DONNA, "waiting", "ask", 1)]
    failed, waiting = rows
    assert "550 5.1.1 no such user" in failed["reason"] and failed["next_attempt"] is None
    assert "450 4.2.1 mailbox busy" in waiting["reason"]
    assert datetime.fromisoformat(waiting["next_attempt"]) > NOW
    assert (failed["about_kind"], waiting["about_kind"]) == ("target", "target")

    assert [r["recipient"] for r in listed(cli(config, database_url, "outbox", "--failed",
                                                   "--json")[1])] == [ROSA]
    assert [r["recipient"] for r in listed(cli(config, database_url, "outbox",
                                                   "clean-water", "--waiting",
                                                   "--json")[1])] == [DONNA]
    code, out, err = cli(config, database_url, "outbox", "--limit", "1")
    assert code == 0 and "failed" in out and "550 5.1.1" in out
    assert "1 more not shown (--limit)" in err

    code, out, err = cli(config, database_url, "status", "clean-water")
    assert code == 0, err
    assert "Failed: 1 message(s); bounced: 0 hard, 0 soft, 0 unclassified" in out

    code, _, err = cli(config, database_url, "outbox", "no-such-campaign")
    assert code == 2 and "no campaign 'no-such-campaign'" in err


def test_soft_bounces_of_three_messages_stop_the_asking_and_show_everywhere(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    target_id = target_of(app, DONNA)[0].id
    with transaction(app.factory) as session:
        for _ in range(2):
            enqueue(session, kind="more_time", recipient=DONNA, now=NOW, priority=100,
                    message_id_domain="valleywater.org", about=about_target(target_id))
    send_due(app)
    first, second, third = [m for m in smtp_server.messages if m.rcpt_tos == [DONNA]]

    # A full mailbox: the first message comes back twice (say a delay warning, then the
    # failure), which is one message of ours bounced, not two.
    full = ("5.2.2", "552 5.2.2 Mailbox full")
    assert bounce(app, dsn(first, *full), dsn(first, *full), dsn(second, *full)) == \
        {"bounce:soft": 3}
    target, contact, tasks = target_of(app, DONNA)
    assert target.state == TargetState.ASKED and contact.suppression == Suppression.NONE
    assert tasks == []

    # A third message refused as spam (5.7.1, unclassified) makes three: asking stops.
    assert bounce(app, dsn(third, "5.7.1", "550 5.7.1 Message rejected as spam")) == \
        {"bounce:unknown:repeated": 1}
    target, contact, tasks = target_of(app, DONNA)
    assert target.state == TargetState.BOUNCED and contact.suppression == Suppression.BOUNCED
    assert [task.kind for task in tasks] == ["find_contact"]
    assert "3 messages bounced" in (contact.suppression_reason or "")

    config = write_server_config(campaign_dir, smtp_server.port)
    code, out, err = cli(config, database_url, "status", "clean-water")
    assert code == 0, err
    assert "Failed: 0 message(s); bounced: 0 hard, 3 soft, 1 unclassified" in out

    code, out, err = cli(config, database_url, "outbox", "clean-water", "--failed", "--json")
    assert code == 0, err
    assert sorted((row["state"], row["reason"]) for row in listed(out)) == [
        ("bounced", "bounced (soft): 5.2.2 552 5.2.2 Mailbox full"),
        ("bounced", "bounced (soft): 5.2.2 552 5.2.2 Mailbox full"),
        ("bounced", "bounced (unclassified): 5.7.1 550 5.7.1 Message rejected as spam")]

    code, out, err = cli(config, database_url, "history", "clean-water",
                         "East Porterville Water Committee", "--json")
    assert code == 0, err
    entries = listed(out)
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    received = [e for e in entries if e["what"] == "received"]
    assert [e["detail"].rsplit(": ", 1)[1] for e in received] == [
        "bounce:soft", "bounce:soft", "bounce:soft", "bounce:unknown:repeated"]
    assert all(e["by"] == "MAILER-DAEMON@mx.example.net" for e in received)
    states = [e["detail"].split(":")[0] for e in entries if e["what"] == "state"]
    assert states == ["queued → asked", "asked → bounced"]
    assert [e["what"] for e in entries].count("mail") == 3
    assert any(e["what"] == "task" and "find_contact" in e["detail"] for e in entries)


def test_history_shows_a_reply_the_decision_on_it_and_who_decided(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    ask = sent_ask(smtp_server, DONNA)
    deliver(app, reply_to(ask, "Could you tell us who else has signed?"))
    mailbox.act_on_mail(app, LATER)
    config = write_server_config(campaign_dir, smtp_server.port)
    with app.factory() as session:
        item = session.scalars(select(ReviewItem)).one()
    code, _, err = cli(config, database_url, "review", "reject", str(item.id), "--by", "maria")
    assert code == 0, err

    code, out, err = cli(config, database_url, "history", "clean-water",
                         "east porterville water committee", "--json")
    assert code == 0, err
    lines = listed(out)
    assert [e["at"] for e in lines] == sorted(e["at"] for e in lines)
    entries = [(e["what"], e["by"]) for e in lines]
    # The organizer's decision, on the real clock, and the follow-ups it resumed.
    assert ("decision", "maria") in entries and ("state", "organizer:maria") in entries
    # On the test's clock: asked and the ask queued; her reply and the review it opened.
    assert [e for e in entries if "maria" not in e[1]][:4] == [
        ("state", "outreach"), ("mail", "outreach"), ("received", f"Donna Johnson <{DONNA}>"),
        ("review", "outreach")]

    code, out, err = cli(config, database_url, "history", "clean-water",
                         "East Porterville Water Committee")
    assert code == 0 and "decision" in out and "maria" in out
    code, _, err = cli(config, database_url, "history", "clean-water", "Nobody Inc")
    assert code == 2 and "'Nobody Inc' is not a target of clean-water" in err
