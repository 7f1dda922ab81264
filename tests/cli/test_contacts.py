"""Tools for contacts: `outreach contacts show|block|unblock|import-blocklist|
export-blocklist|export|forget` (issue #12, item 8)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from outreach import mailbox
from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.models import SignOn, TargetEvent, TargetState
from outreach.cli import main
from outreach.db.base import Base
from outreach.db.session import transaction
from outreach.lists.models import ListPost, PostStatus
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus
from outreach.people.models import Contact, Suppression
from tests.campaign.test_replies import deliver, reply_to, sent_ask
from tests.cli.test_cli import cli, environ, write_server_config
from tests.conftest import NOW
from tests.helpers import enqueue_raw, load_example, send_due, target_of
from tests.smtpserver import SmtpServer

LATER = NOW + timedelta(hours=2)
SUSANA = "susana@communitywatercenter.example"
DONNA = "donna@eastporterville.example"
TARGETS_CSV = "targets/clean-water.csv"


def test_block_stops_all_mail_closes_the_targets_and_unblock_reopens_them(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    config = write_server_config(campaign_dir, smtp_server.port)

    code, out, err = cli(config, database_url, "contacts", "show", SUSANA.upper())
    assert code == 0, err
    assert f"Susana De Anda <{SUSANA}>" in out
    assert "organization: Community Water Center" in out and "mail: may be emailed" in out
    assert "campaign clean-water: asked" in out

    code, out, err = cli(config, database_url, "contacts", "block", SUSANA, "--reason",
                         "phoned: please no more email", "--by", "maria")
    assert code == 0, err
    assert f"{SUSANA} blocked by maria" in out and "no longer asking Community Water Center" \
        in out
    target, contact, _ = target_of(app, SUSANA)
    assert contact.suppression == Suppression.BLOCKED
    assert contact.suppression_reason == "blocked by maria: phoned: please no more email"
    assert target.state == TargetState.OPTED_OUT
    with app.factory() as session:
        event = session.scalars(select(TargetEvent).where(TargetEvent.target_id == target.id)
                                .order_by(TargetEvent.id.desc())).first()
        assert event is not None and event.actor == "organizer:maria"

    # Her ask, queued before the block, never goes out.
    send_due(app)
    assert SUSANA not in {rcpt for m in smtp_server.messages for rcpt in m.rcpt_tos}
    with app.factory() as session:
        ask = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == SUSANA)
                              ).one()
        assert (ask.status, ask.last_error) == (OutboxStatus.CANCELLED,
                                                "cancelled: the recipient is blocked")

    code, out, _ = cli(config, database_url, "contacts", "block", SUSANA, "--reason", "again",
                       "--by", "ana")
    assert code == 0 and "was already blocked: nothing changed" in out
    code, out, _ = cli(config, database_url, "contacts", "show", SUSANA)
    assert "mail: blocked since" in out and "phoned: please no more email" in out

    code, out, err = cli(config, database_url, "contacts", "unblock", SUSANA, "--by", "ana")
    assert code == 0, err
    assert "unblocked by ana" in out and "Community Water Center will be asked again" in out
    target, contact, _ = target_of(app, SUSANA)
    assert (contact.suppression, target.state) == (Suppression.NONE, TargetState.QUEUED)
    assert "unblocked by ana" in (contact.suppression_reason or "")

    code, _, err = cli(config, database_url, "contacts", "unblock", SUSANA, "--by", "ana")
    assert code == 2 and f"{SUSANA} is not blocked but none" in err
    with transaction(app.factory) as session:
        session.scalars(select(Contact).where(Contact.email == DONNA)).one().suppression = \
            Suppression.UNSUBSCRIBED
    code, _, err = cli(config, database_url, "contacts", "unblock", DONNA, "--by", "ana")
    assert code == 2 and "is not blocked but unsubscribed; only a block can be lifted" in err
    code, _, err = cli(config, database_url, "contacts", "show", "nobody@example.net")
    assert code == 2 and "no contact has the address nobody@example.net" in err


def test_an_address_blocked_before_it_is_imported_is_refused_until_unblocked(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    code, out, err = cli(config, database_url, "contacts", "block", SUSANA, "--reason",
                         "asked at a meeting", "--by", "maria")
    assert code == 0, err
    code, out, _ = cli(config, database_url, "contacts", "show", SUSANA)
    assert "organization: Blocked addresses (no organization)" in out

    targets = campaign_dir / TARGETS_CSV
    code, out, err = cli(config, database_url, "import", str(targets), "--campaign",
                         "clean-water")
    assert code == 1
    assert (f"{targets}:2: {SUSANA} is already a contact of Blocked addresses "
            "(no organization)") in err

    code, _, err = cli(config, database_url, "contacts", "unblock", SUSANA, "--by", "maria")
    assert code == 0, err
    code, _, err = cli(config, database_url, "contacts", "show", SUSANA)
    assert code == 2 and "no contact has the address" in err
    code, _, err = cli(config, database_url, "import", str(targets), "--campaign",
                       "clean-water")
    assert code == 0, err


def test_blocklists_import_by_line_or_csv_with_bad_lines_numbered_and_export_again(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
        tmp_path: Path) -> None:
    load_example(app)
    config = write_server_config(campaign_dir, smtp_server.port)
    lines = tmp_path / "phoned.txt"
    lines.write_text(f"ana@one.example\n# from the phone log\n\nnot-an-address\n"
                     f"{SUSANA.title()}\nana@one.example\n", encoding="utf-8")
    code, out, err = cli(config, database_url, "contacts", "import-blocklist", str(lines),
                         "--by", "maria")
    assert code == 1
    assert err.startswith(f"{lines}:4: invalid address 'not-an-address'")
    assert "2 address(es) blocked, 0 already suppressed, 1 bad line(s); 1 target(s) no " \
           "longer asked" in out

    table = tmp_path / "partner.csv"
    table.write_text("name,Email\nBo,bo@two.example\nBroken\nAna,ana@one.example\n",
                     encoding="utf-8")
    code, out, err = cli(config, database_url, "contacts", "import-blocklist", str(table),
                         "--reason", "the partner's list", "--by", "maria")
    assert code == 1
    assert f"{table}:3: expected 2 fields, found 1" in err
    assert "1 address(es) blocked, 1 already suppressed" in out
    with transaction(app.factory) as session:
        session.scalars(select(Contact).where(Contact.email == DONNA)).one().suppression = \
            Suppression.UNSUBSCRIBED

    out_file = tmp_path / "blocklist.csv"
    code, _, err = cli(config, database_url, "contacts", "export-blocklist", "--out",
                       str(out_file))
    assert code == 0 and f"wrote 4 address(es) to {out_file}" in err
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert [(r["address"], r["suppression"]) for r in rows] == [
        ("ana@one.example", "blocked"), ("bo@two.example", "blocked"),
        (DONNA, "unsubscribed"), (SUSANA, "blocked")]
    assert rows[1]["reason"] == "blocked by maria: the partner's list"
    assert rows[3]["reason"] == "blocked by maria: listed in phoned.txt"

    code, out, err = cli(config, database_url, "contacts", "import-blocklist", str(out_file),
                         "--by", "maria")
    assert code == 0, err
    assert "0 address(es) blocked, 4 already suppressed, 0 bad line(s)" in out
    code, out, _ = cli(config, database_url, "contacts", "export-blocklist")
    assert out == out_file.read_text(encoding="utf-8")


def _signed_by_email(app: App, smtp_server: SmtpServer, address: str, name: str) -> None:
    deliver(app, reply_to(sent_ask(smtp_server, address), f"Yes, please list us as {name}."))
    assert mailbox.act_on_mail(app, LATER).by_outcome == {"signed": 1}
    send_due(app, LATER)


def _everything_stored(app: App) -> str:
    """Every value in every table, as one text to search."""
    parts: list[str] = []
    with app.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                for value in row:
                    parts.append(value.decode("utf-8", "replace") if isinstance(value, bytes)
                                 else str(value))
    return "\n".join(parts)


def test_export_holds_everything_about_a_person_and_forget_erases_it_but_the_hash(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    _signed_by_email(app, smtp_server, SUSANA, "Community Water Center")
    config = write_server_config(campaign_dir, smtp_server.port)

    code, out, err = cli(config, database_url, "contacts", "export", SUSANA)
    assert code == 0, err
    held = json.loads(out)
    assert held["forgotten"] is None
    assert (held["contact"]["name"], held["contact"]["phone"]) == ("Susana De Anda",
                                                                   "+1 559 733 0219")
    assert held["organization"]["name"] == "Community Water Center"
    [target] = held["targets"]
    assert (target["campaign"], target["state"]) == ("clean-water", "signed")
    assert [e["to_state"] for e in target["events"]] == ["asked", "signed"]
    assert [m["kind"] for m in held["messages_sent"]] == ["ask", "confirmation"]
    assert held["messages_sent"][0]["headers"]["subject"].startswith(
        "Will Community Water Center sign on?")
    [received] = held["messages_received"]
    assert (received["outcome"], received["headers"]["from"]) == (
        "signed", f"Susana De Anda <{SUSANA}>")
    [sign_on] = held["sign_ons"]
    assert sign_on["quoted_text"].startswith("Yes, please list us")
    assert held["review_items"] == [] and held["tasks"] == []

    assert "susana" in _everything_stored(app).lower()
    code, out, err = cli(config, database_url, "contacts", "forget", SUSANA, "--yes", "--by",
                         "maria")
    assert code == 0, err
    assert "forgotten (kept: the hash" in out and "3 message(s) erased" in out
    assert "1 sign-on(s) kept under the organization's name" in out

    stored = _everything_stored(app).lower()
    for trace in ("susana", "de anda", "733 0219", "yes, please list us"):
        assert trace not in stored, trace
    digest = hashlib.sha256(SUSANA.encode()).hexdigest()
    assert f"forgotten+{digest}@invalid" in stored
    with app.factory() as session:
        contact = session.scalars(select(Contact).where(
            Contact.email == f"forgotten+{digest}@invalid")).one()
        assert contact.suppression == Suppression.FORGOTTEN
        assert "SHA-256 of the lower-cased address" in (contact.suppression_reason or "")
        sign_on_row = session.scalars(select(SignOn)).one()
        assert (sign_on_row.name_as_listed, sign_on_row.quoted_text,
                sign_on_row.withdrawn_at) == ("Community Water Center", "[forgotten]", None)
        assert all(row.raw is None for row in session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == contact.email)))
        assert all(row.raw == b"" for row in session.scalars(select(InboundMessage)))

    code, out, _ = cli(config, database_url, "contacts", "show", SUSANA)
    assert code == 0 and f"{SUSANA}: forgotten; only its hash is kept" in out
    code, out, _ = cli(config, database_url, "contacts", "export", SUSANA)
    assert json.loads(out)["forgotten"]["address_hash"] == digest
    code, out, _ = cli(config, database_url, "contacts", "forget", SUSANA, "--yes", "--by",
                       "maria")
    assert code == 0 and out.startswith("forgotten again")

    # Never imported again, never emailed again.
    targets = campaign_dir / TARGETS_CSV
    code, _, err = cli(config, database_url, "import", str(targets), "--campaign",
                       "clean-water")
    assert code == 1
    assert f"{targets}:2: {SUSANA} asked to be forgotten and may not be imported again" in err
    [row_id] = enqueue_raw(app, [SUSANA], now=LATER)
    before = len(smtp_server.messages)
    send_due(app, LATER)
    assert len(smtp_server.messages) == before
    with app.factory() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None and (row.status, row.last_error) == (
            OutboxStatus.CANCELLED, "cancelled: the recipient asked to be forgotten")
    code, _, err = cli(config, database_url, "contacts", "export-blocklist")
    assert "1 forgotten person(s) are kept only as hashes and not listed" in err


def test_forgetting_an_individual_takes_the_signature_off_and_an_unknown_address_is_kept(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    _signed_by_email(app, smtp_server, DONNA, "East Porterville Water Committee")
    with transaction(app.factory) as session:
        session.scalars(select(SignOn)).one().signer_type = "individual"
    config = write_server_config(campaign_dir, smtp_server.port)
    code, out, err = cli(config, database_url, "contacts", "forget", DONNA, "--yes", "--by",
                         "maria")
    assert code == 0, err
    assert "1 individual sign-on(s) withdrawn" in out
    target, _, _ = target_of(app, f"forgotten+{hashlib.sha256(DONNA.encode()).hexdigest()}"
                                  "@invalid")
    assert target.state == TargetState.WITHDRAWN
    with app.factory() as session:
        sign_on = session.scalars(select(SignOn)).one()
        assert sign_on.withdrawn_at is not None and sign_on.withdrawn_by == "organizer:maria"
        assert sign_on.name_as_listed == "East Porterville Water Committee"

    code, out, err = cli(config, database_url, "contacts", "forget", "New.Person@Example.org",
                         "--yes", "--by", "maria")
    assert code == 0, err
    extra = campaign_dir / "extra.csv"
    extra.write_text("organization,contact_name,email\nNew Group,New Person,"
                     "new.person@example.org\n", encoding="utf-8")
    code, _, err = cli(config, database_url, "import", str(extra), "--campaign", "clean-water")
    assert code == 1 and "new.person@example.org asked to be forgotten" in err

    asked_first = CliRunner().invoke(main, ["--config", str(config), "contacts", "forget",
                                            "new.person@example.org", "--by", "maria"],
                                     env=environ(database_url), input="n\n")
    assert asked_first.exit_code == 1 and "Erase everything held about this person?" in \
        asked_first.output


def test_a_list_member_is_exported_and_forgotten_with_their_posts(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer) -> None:
    """The coalition list holds people too: their export lists their memberships and
    posts, and forgetting them takes them off every list and erases what they posted."""
    member = "lupe@tooleville.example"
    config = write_server_config(campaign_dir, smtp_server.port)
    code, _, err = cli(config, database_url, "list", "add", "coalition", member,
                       "--name", "Lupe Ortiz", "--no-welcome")
    assert code == 0, err
    raw = (f"From: Lupe Ortiz <{member}>\r\nTo: coalition@valleywater.org\r\n"
           "Subject: Hearing moved\r\n\r\nThe hearing moved to Thursday. Lupe\r\n").encode()
    with transaction(app.factory) as session:
        message = InboundMessage(folder="INBOX", raw=raw, received_at=NOW,
                                 sha256=hashlib.sha256(raw).hexdigest())
        session.add(message)
        session.flush()
        session.add(ListPost(list_name="coalition", inbound_message_id=message.id,
                             poster=member, subject="Hearing moved",
                             status=PostStatus.ACCEPTED, created_at=NOW))

    code, out, err = cli(config, database_url, "contacts", "export", member)
    assert code == 0, err
    held = json.loads(out)["lists"]
    assert [(m["list"], m["name"], m["status"]) for m in held["memberships"]] == [
        ("coalition", "Lupe Ortiz", "subscribed")]
    assert [(p["list"], p["subject"], p["status"]) for p in held["posts"]] == [
        ("coalition", "Hearing moved", "accepted")]

    assert member in _everything_stored(app).lower()
    code, out, err = cli(config, database_url, "contacts", "forget", member, "--yes", "--by",
                         "maria")
    assert code == 0, err
    assert "1 list membership(s) and 0 list request(s) removed, 1 list post(s) erased" in out
    stored = _everything_stored(app).lower()
    for trace in (member, "lupe ortiz", "hearing moved to thursday"):
        assert trace not in stored, trace
    code, out, _ = cli(config, database_url, "list", "members", "coalition")
    assert code == 0 and member not in out
