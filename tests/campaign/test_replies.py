"""Replies to asks, end to end on both databases: match, classify, act, confirm."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach import mailbox
from outreach.app import App
from outreach.campaign import decisions
from outreach.campaign.export import export_signers_json
from outreach.campaign.intent import CLASSIFIER_VERSION, Intent
from outreach.campaign.models import (
    Campaign,
    MailLetter,
    SignOn,
    SuggestedContact,
    Target,
    TargetState,
)
from outreach.campaign.reading import classify_file
from outreach.campaign.targets import mail_about
from outreach.db.session import transaction
from outreach.mail.models import InboundMessage, InboundStatus, OutboxMessage
from outreach.people.models import Organization, Suppression
from outreach.people.organizations import org_key
from outreach.review.models import ReviewDecision, ReviewItem, ReviewStatus
from outreach.tasks.models import Task
from tests.conftest import NOW
from tests.dovecot import Dovecot
from tests.helpers import send_due
from tests.smtpserver import Received, SmtpServer

LATER = NOW + timedelta(hours=2)


def target_of(session: Session, name: str) -> Target:
    return session.scalars(
        select(Target).join(Organization).where(Organization.key == org_key(name))).one()


def sent_ask(server: SmtpServer, email_address: str) -> EmailMessage:
    for received in server.messages:
        if received.rcpt_tos == [email_address]:
            return received.message
    raise AssertionError(f"no ask was sent to {email_address}")


def reply_to(ask: EmailMessage, text: str, *, sender: str | None = None,
             to: str | None = None, quote: bool = True) -> bytes:
    """A reply as a mail client writes it: to the Reply-To, threaded, the ask quoted."""
    msg = EmailMessage()
    msg["From"] = sender or str(ask["To"])
    msg["To"] = to or str(ask["Reply-To"])
    msg["Subject"] = "Re: " + str(ask["Subject"])
    msg["Date"] = format_datetime(LATER)
    msg["Message-ID"] = make_msgid(domain="example.net")
    msg["In-Reply-To"] = str(ask["Message-ID"])
    body = ask.get_body(("plain",))
    assert body is not None
    quoted = "\n".join("> " + line for line in body.get_content().splitlines())
    content = f"{text}\n\nOn Tue, Dec 8, 2026 at 10:00 AM Maria Alvarez wrote:\n{quoted}\n"
    msg.set_content(content if quote else text + "\n")
    return msg.as_bytes()


def deliver(app: App, raw: bytes, folder: str = "INBOX") -> int:
    """Store a message as the mailbox reader does."""
    import hashlib

    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    with transaction(app.factory) as session:
        row = InboundMessage(message_id=str(parsed["Message-ID"] or "") or None, folder=folder,
                             raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                             status=InboundStatus.NEW, received_at=LATER)
        session.add(row)
        session.flush()
        return row.id


def process(app: App) -> dict[str, int]:
    return mailbox.act_on_mail(app, LATER).by_outcome


def test_a_yes_becomes_a_sign_on_with_its_evidence_and_a_confirmation(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "donna@eastporterville.example")
    deliver(asked, reply_to(ask, "Yes! Please list us as East Porterville Water Committee."))
    assert process(asked) == {"signed": 1}
    with asked.factory() as session:
        target = target_of(session, "East Porterville Water Committee")
        assert target.state == TargetState.SIGNED
        sign_on = session.scalars(select(SignOn)).one()
        inbound = session.scalars(select(InboundMessage)).one()
        ask_version = session.scalars(
            select(MailLetter.letter_version_id)
            .join(OutboxMessage, OutboxMessage.id == MailLetter.outbox_message_id)
            .where(mail_about(target.id), OutboxMessage.kind == "ask")).one()
    assert sign_on.name_as_listed == "East Porterville Water Committee"
    assert sign_on.quoted_text == "Yes!"
    assert sign_on.inbound_message_id == inbound.id
    assert sign_on.classifier_version == CLASSIFIER_VERSION
    assert sign_on.decided_by == "classifier"
    assert sign_on.letter_version_id == ask_version
    assert (inbound.status, inbound.kind, inbound.outcome, inbound.route) == (
        InboundStatus.PROCESSED, "human", "signed", "campaign.reply")

    before = len(smtp_server.messages)
    send_due(asked, LATER)
    (confirmation,) = [m.message for m in smtp_server.messages[before:]]
    assert confirmation["In-Reply-To"] == inbound.message_id
    text = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "We have added East Porterville Water Committee" in text
    assert "Who else should we ask?" in text


def test_the_quoted_ask_never_counts_as_a_yes(asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "gary@tehipite.example")
    deliver(asked, reply_to(ask, "Thanks Maria, I'll bring it to our chapter meeting."))
    assert process(asked) == {"review:unknown": 1}
    with asked.factory() as session:
        assert session.scalar(select(func.count()).select_from(SignOn)) == 0
        assert target_of(session, "Sierra Club Tehipite Chapter").state == TargetState.PAUSED


def test_a_yes_from_someone_else_goes_to_review(asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "susana@communitywatercenter.example")
    deliver(asked, reply_to(ask, "Yes, we sign!", sender="intern@gmail.example"))
    assert process(asked) == {"review:sign_on_doubt": 1}
    with asked.factory() as session:
        item = session.scalars(select(ReviewItem)).one()
        assert "intern@gmail.example" in item.summary
        assert session.scalar(select(func.count()).select_from(SignOn)) == 0


def test_review_accept_records_the_organizer_as_the_decider(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "praman@valleychildrens.example")
    deliver(asked, reply_to(ask, "Who else has signed so far?"))
    assert process(asked) == {"review:question": 1}
    with transaction(asked.factory) as session:
        item = session.scalars(select(ReviewItem)).one()
        decisions.accept(session, item.id, by="maria", now=LATER, name="Valley Children's",
                         message_id_domain="valleywater.example")
    with asked.factory() as session:
        sign_on = session.scalars(select(SignOn)).one()
        assert (sign_on.name_as_listed, sign_on.decided_by) == ("Valley Children's",
                                                                "organizer:maria")
        decision = session.scalars(select(ReviewDecision)).one()
        assert (decision.decision, decision.decided_by) == ("accept", "maria")
        assert session.scalars(select(ReviewItem)).one().status == ReviewStatus.ACCEPTED


def test_review_reject_resumes_follow_ups(asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "jclary@cleanwater.example")
    deliver(asked, reply_to(ask, "We'd like to see stronger language on enforcement."))
    assert process(asked) == {"review:change_request": 1}
    with transaction(asked.factory) as session:
        item = session.scalars(select(ReviewItem)).one()
        decisions.reject(session, item.id, by="james", now=LATER, note="handled by phone")
    with asked.factory() as session:
        assert target_of(session, "Clean Water Action California").state == TargetState.ASKED


def test_a_decline_closes_the_target_and_may_thank_them(
        asked: App, smtp_server: SmtpServer) -> None:
    asked.campaign("clean-water").thank_decliners = True
    ask = sent_ask(smtp_server, "cobrien@earthjustice.example")
    deliver(asked, reply_to(ask, "Unfortunately we cannot sign this letter."))
    assert process(asked) == {"declined": 1}
    before = len(smtp_server.messages)
    send_due(asked, LATER)
    (thanks,) = [m.message for m in smtp_server.messages[before:]]
    assert "in its own words" in thanks.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    with asked.factory() as session:
        assert target_of(session, "Earthjustice California").state == TargetState.DECLINED


def test_more_time_is_told_the_hard_deadline(asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "tdominguez@ccdof.example")
    deliver(asked, reply_to(ask, "We need more time to review."))
    assert process(asked) == {"more_time": 1}
    before = len(smtp_server.messages)
    send_due(asked, LATER)
    (notice,) = [m.message for m in smtp_server.messages[before:]]
    text = notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Monday 1 February 2027, 12:00 PM" in text


def test_referrals_are_suggested_never_emailed_until_approved(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "gruiz@vusdparents.example")
    deliver(asked, reply_to(ask, "Yes, we sign! Also ask Jorge Pérez <jorge@lanare.example>."))
    assert process(asked) == {"signed": 1}
    with asked.factory() as session:
        suggestion = session.scalars(select(SuggestedContact)).one()
        assert (suggestion.email, suggestion.name) == ("jorge@lanare.example", "Jorge Pérez")
        assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == "jorge@lanare.example")) == 0
    with transaction(asked.factory) as session:
        target = decisions.approve_referral(session, suggestion.id, by="maria", now=LATER,
                                            organization="Comité Progreso de Lanare")
        assert target.state == TargetState.QUEUED


def test_unsubscribe_by_the_list_unsubscribe_address(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "linda@lwvfresno.example")
    mailto = re.search(r"<mailto:([^?>]+)", str(ask["List-Unsubscribe"]))
    assert mailto is not None
    unsubscribe = mailto.group(1)
    msg = EmailMessage()
    msg["From"] = "linda@lwvfresno.example"
    msg["To"] = unsubscribe
    msg["Subject"] = "unsubscribe"
    msg["Message-ID"] = make_msgid(domain="example.net")
    msg.set_content("")
    deliver(asked, msg.as_bytes())
    assert process(asked) == {"unsubscribed": 1}
    with asked.factory() as session:
        target = target_of(session, "Fresno County League of Women Voters")
        assert target.state == TargetState.OPTED_OUT
        assert target.contact.suppression == Suppression.UNSUBSCRIBED


def test_a_hard_bounce_to_the_return_path_marks_the_contact(
        asked: App, smtp_server: SmtpServer) -> None:
    received: Received = next(m for m in smtp_server.messages
                              if m.rcpt_tos == ["rosa@kingsclinic.example"])
    dsn = EmailMessage()
    dsn["From"] = "MAILER-DAEMON@mx.kingsclinic.example"
    dsn["To"] = received.mail_from
    dsn["Subject"] = "Undelivered Mail Returned to Sender"
    dsn["Message-ID"] = make_msgid(domain="mx.kingsclinic.example")
    dsn.set_content("This is the mail system at host mx.kingsclinic.example.\n\n"
                    "I'm sorry to have to inform you that your message could not\n"
                    "be delivered to one or more recipients.\n\n"
                    "<rosa@kingsclinic.example>: host mx.kingsclinic.example said: 550 5.1.1 "
                    "<rosa@kingsclinic.example>: Recipient address rejected: User unknown\n")
    status = EmailMessage()
    status.set_content("Reporting-MTA: dns; mx.kingsclinic.example\n\n"
                       "Final-Recipient: rfc822; rosa@kingsclinic.example\nAction: failed\n"
                       "Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n")
    report = EmailMessage()
    for name in ("From", "To", "Subject", "Message-ID"):
        report[name] = dsn[name]
    report.make_mixed()
    report.set_type("multipart/report")
    report.set_param("report-type", "delivery-status")
    report.attach(dsn)
    delivery_status = email.message_from_string(
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.kingsclinic.example\n\n"
        "Final-Recipient: rfc822; rosa@kingsclinic.example\nAction: failed\n"
        "Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n",
        policy=email.policy.default)
    report.attach(delivery_status)  # type: ignore[arg-type]
    deliver(asked, report.as_bytes())
    assert process(asked) == {"bounce:hard": 1}
    with asked.factory() as session:
        target = target_of(session, "Kings County Farmworker Health Clinic")
        assert target.state == TargetState.BOUNCED
        assert target.contact.suppression == Suppression.BOUNCED
        assert session.scalars(select(Task).where(Task.target_id == target.id)).one().kind == \
            "find_contact"


def test_an_out_of_office_postpones_the_next_step(asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "nayamin@ccejn.example")
    msg = EmailMessage()
    msg["From"] = "nayamin@ccejn.example"
    msg["To"] = str(ask["Reply-To"])
    msg["Subject"] = "Automatic reply: " + str(ask["Subject"])
    msg["Auto-Submitted"] = "auto-replied"
    msg["Date"] = format_datetime(LATER)
    msg["Message-ID"] = make_msgid(domain="example.net")
    msg.set_content("I am out of the office and will be back on Monday, December 21, 2026.")
    deliver(asked, msg.as_bytes())
    assert process(asked) == {"auto_reply:postponed": 1}
    with asked.factory() as session:
        target = target_of(session, "Central California Environmental Justice Network")
        assert target.state == TargetState.ASKED
        assert target.next_action_at is not None
        assert target.next_action_at >= datetime(2026, 12, 22, tzinfo=UTC)


def test_unmatched_and_malformed_mail_is_kept_and_the_rest_goes_on(
        asked: App, smtp_server: SmtpServer) -> None:
    stranger = EmailMessage()
    stranger["From"] = "someone@elsewhere.example"
    stranger["To"] = asked.settings.sender.address
    stranger["Subject"] = "Hello"
    stranger["Message-ID"] = make_msgid(domain="elsewhere.example")
    stranger.set_content("Yes, we sign on!")
    deliver(asked, stranger.as_bytes())
    deliver(asked, b"")
    ask = sent_ask(smtp_server, "esoria@maderajustice.example")
    deliver(asked, reply_to(ask, "Count us in."))
    assert process(asked) == {"review:unmatched": 1, "quarantined": 1, "signed": 1}
    with asked.factory() as session:
        quarantined = session.scalars(select(InboundMessage).where(
            InboundMessage.status == InboundStatus.QUARANTINED)).one()
        assert quarantined.error == "empty message"
    assert process(asked) == {}


def test_a_reply_to_the_from_address_is_matched_by_in_reply_to(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "zach@firminc.example")
    deliver(asked, reply_to(ask, "Yes, we sign.", to=str(ask["From"])))
    assert process(asked) == {"signed": 1}


def test_reclassify_to_decline(asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "alockman@tularecounty.example")
    deliver(asked, reply_to(ask, "Hmm."))
    process(asked)
    with transaction(asked.factory) as session:
        item = session.scalars(select(ReviewItem)).one()
        decisions.reclassify(session, item.id, Intent.DECLINE, by="james", now=LATER,
                             message_id_domain="valleywater.example")
    with asked.factory() as session:
        assert target_of(session, "Tulare County Office of Emergency Services").state == \
            TargetState.DECLINED
        assert session.scalars(select(ReviewItem)).one().status == ReviewStatus.RECLASSIFIED


def test_replies_read_from_a_real_imap_server(asked: App, smtp_server: SmtpServer,
                                              dovecot: Dovecot) -> None:
    """The whole inbound pipe: Dovecot → reader → classifier → sign-on, nothing read twice."""
    asked.settings.imap = dovecot.settings()
    asked.settings.imap_password = dovecot.password
    asked.settings.mailbox.source = "imap"
    ask = sent_ask(smtp_server, "esoria@maderajustice.example")
    other = sent_ask(smtp_server, "zach@firminc.example")
    dovecot.append(reply_to(ask, "Yes, we sign. List us as Madera Coalition."),
                   reply_to(other, "We need more time."))
    source = mailbox.open_source(asked)
    assert source is not None
    try:
        first = mailbox.read_mail(asked, source, LATER)
        again = mailbox.read_mail(asked, source, LATER)
    finally:
        source.close()
    assert first.ingested is not None and first.ingested.stored == 2
    assert first.processed.by_outcome == {"signed": 1, "more_time": 1}
    assert again.ingested is not None and again.ingested.stored == 0
    assert again.processed.by_outcome == {}
    assert all(b"\\Seen" not in flags for flags in dovecot.flags().values())
    with asked.factory() as session:
        assert session.scalars(select(SignOn)).one().name_as_listed == "Madera Coalition"


def test_signers_export_with_their_evidence_in_page_order(
        asked: App, smtp_server: SmtpServer) -> None:
    for address, text in [("esoria@maderajustice.example", "Yes, list us as Élan Madera."),
                          ("zach@firminc.example", "Yes, list us as Abundant Fresno."),
                          ("susana@communitywatercenter.example", "Count us in.")]:
        deliver(asked, reply_to(sent_ask(smtp_server, address), text))
    assert process(asked) == {"signed": 3}
    out = io.StringIO()
    with asked.factory() as session:
        campaign = session.scalars(select(Campaign)).one()
        assert export_signers_json(session, campaign, out) == 3
    exported = json.loads(out.getvalue())
    names = [s["name_as_listed"] for s in exported["signers"]]
    assert names == ["Abundant Fresno", "Community Water Center", "Élan Madera"]
    first = exported["signers"][0]
    assert (first["evidence"], first["decided_by"], first["letter_version"]) == (
        "reply", "classifier", 1)
    assert first["quoted_text"] == "Yes, list us as Abundant Fresno."


def test_the_suggested_reply_above_the_quoted_ask_is_a_sign_on_and_classify_agrees(
        asked: App, smtp_server: SmtpServer, tmp_path: Path) -> None:
    ask = sent_ask(smtp_server, "esoria@maderajustice.example")
    body = ask.get_body(("plain",))
    assert body is not None
    suggested = re.search(r'for example: "([^"]+)"', " ".join(body.get_content().split()))
    assert suggested is not None
    raw = reply_to(ask, suggested.group(1))
    deliver(asked, raw)
    assert process(asked) == {"signed": 1}
    with asked.factory() as session:
        daemon_name = session.scalars(select(SignOn)).one().name_as_listed
    path = tmp_path / "reply.eml"
    path.write_bytes(raw)
    cli = classify_file(path)
    assert (cli["intent"], cli["signer_name"]) == ("sign_on", daemon_name)


@pytest.mark.parametrize(("text", "intent", "outcome"), [
    ("The board voted on Tuesday to endorse the letter. Please list us as "
     "\"Madera Coalition for Community Justice\".", "sign_on", "signed"),
    ("Gracias por la invitación, pero lamentablemente no podemos firmar esta vez.",
     "decline", "declined"),
    ("Unser Vorstand tagt erst am 26. Januar. Könnt ihr die Frist für uns verlängern?",
     "more_time", "more_time"),
    ("Oui, nous signerons si le paragraphe 2 est reformulé.", "change_request",
     "review:change_request"),
    ("Sim, com certeza! Mas na verdade, esperem: preciso confirmar com a diretoria.",
     "needs_approval", "review:needs_approval"),
])
def test_the_daemon_and_classify_read_the_same_file_the_same_way(
        asked: App, smtp_server: SmtpServer, tmp_path: Path, text: str, intent: str,
        outcome: str) -> None:
    raw = reply_to(sent_ask(smtp_server, "esoria@maderajustice.example"), text)
    deliver(asked, raw)
    assert process(asked) == {outcome: 1}
    path = tmp_path / "reply.eml"
    path.write_bytes(raw)
    cli = classify_file(path)
    assert cli["intent"] == intent
    if outcome == "signed":
        with asked.factory() as session:
            assert session.scalars(select(SignOn)).one().name_as_listed == cli["signer_name"]
