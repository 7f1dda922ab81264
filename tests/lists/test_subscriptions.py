"""Joining and leaving by email, end to end on both databases: the request, the
confirmation as the SMTP server received it, the reply to it, the welcome or goodbye; and
everything that must not subscribe or unsubscribe anyone."""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from datetime import datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from outreach import mailbox
from outreach.app import App
from outreach.db.session import transaction
from outreach.lists import members
from outreach.lists.config import ListConfig, load_lists
from outreach.lists.models import ListMember, ListRequest, MemberStatus, RequestKind
from outreach.lists.registry import (
    KnownDmarcPolicies,
    Lists,
    confirm_address,
    member_token,
    request_token,
)
from outreach.lists.subscriptions import JoinAddress, LeaveAddress, RequestAddress
from outreach.mail.handling import Handler, handle_one
from outreach.mail.models import InboundMessage, InboundStatus, OutboxMessage
from tests.conftest import NOW
from tests.helpers import send_due
from tests.lists.support import post
from tests.smtpserver import SmtpServer

LATER = NOW + timedelta(hours=2)
JOIN = "coalition-join@valleywater.org"
LEAVE = "coalition-leave@valleywater.org"
REQUEST = "coalition-request@valleywater.org"
ANA = "ana@river.example"


def the_lists(app: App) -> Lists:
    return Lists(app.settings, load_lists(app.settings.lists_dir), KnownDmarcPolicies({}))


def coalition(lists: Lists) -> ListConfig:
    config = lists.get("coalition")
    assert config is not None
    return config


def handler_for(app: App, to: str) -> Handler:
    lists = the_lists(app)
    if "-join@" in to:
        return JoinAddress(lists)
    if "-leave" in to:
        return LeaveAddress(lists)
    return RequestAddress(lists)


def store(app: App, raw: bytes, when: datetime = LATER, route: str | None = None) -> int:
    """Store `raw` as the mailbox reader does (with `route`, as if the door had routed it)."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    with transaction(app.factory) as session:
        row = InboundMessage(message_id=str(parsed["Message-ID"] or "") or None,
                             folder="INBOX", raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                             status=InboundStatus.NEW, received_at=when, route=route)
        session.add(row)
        session.flush()
        return row.id


def act(app: App, raw: bytes, when: datetime = LATER) -> str | None:
    """Hand `raw` to the handler of the list address it is sent to; the outcome."""
    row_id = store(app, raw, when, route="list.test")
    to = str(email.message_from_bytes(raw, policy=email.policy.default)["To"] or "")
    return handle_one(app.factory, {"list.test": handler_for(app, to)}, row_id, when)


def mail(sender: str | None, to: str, subject: str = "", text: str = "",
         headers: dict[str, str] | None = None) -> bytes:
    return post(sender, subject, text, to=to, headers=headers)


def reply(message: EmailMessage, text: str = "Yes, please.", *, sender: str = ANA,
          headers: dict[str, str] | None = None) -> bytes:
    """An answer to `message` as a mail client writes it: to its Reply-To, quoting it."""
    body = message.get_body(("plain",))
    assert body is not None
    quoted = "\n".join("> " + line for line in body.get_content().splitlines())
    return mail(sender, str(message["Reply-To"]), "Re: " + str(message["Subject"]),
                f"{text}\n\nOn Tue, Dec 8, 2026, Valley Water Coalition wrote:\n{quoted}\n",
                {"In-Reply-To": str(message["Message-ID"]), **(headers or {})})


def received_by(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [r.message for r in server.messages if r.rcpt_tos == [address]]


def newest(app: App, server: SmtpServer, address: str, when: datetime = LATER) -> EmailMessage:
    send_due(app, when)
    found = received_by(server, address)
    assert found, f"nothing was sent to {address}"
    return found[-1]


def words(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def member(app: App, address: str = ANA) -> ListMember | None:
    with app.factory() as session:
        return members.find_member(session, "coalition", address)


def is_member(app: App, address: str = ANA) -> bool:
    with app.factory() as session:
        return members.is_member(session, "coalition", address)


def subscribed(app: App, address: str = ANA) -> ListMember:
    lists = the_lists(app)
    with transaction(app.factory) as session:
        return members.subscribe(session, lists, coalition(lists), address, source="cli",
                                 now=NOW)


def outbox_count(app: App) -> int:
    with app.factory() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


# Joining -----------------------------------------------------------------------------------


def test_joining_by_email_takes_a_confirmation_then_welcomes_with_the_rules(
        app: App, smtp_server: SmtpServer) -> None:
    assert act(app, mail(f"Ana Reyes <{ANA.upper()}>", JOIN, "subscribe")) == \
        "list:join_requested"
    assert not is_member(app)
    confirmation = newest(app, smtp_server, ANA)
    assert confirmation["Subject"] == "Confirm: join Valley Water Coalition"
    assert confirmation["Auto-Submitted"] == "auto-replied"
    reply_to = str(confirmation["Reply-To"])
    assert re.fullmatch(r"Valley Water Coalition <coalition-request\+q\d+-[a-z2-7]{16}"
                        r"@valleywater\.org>", reply_to), reply_to
    assert "If you did not ask to join, do not reply" in words(confirmation)

    assert act(app, reply(confirmation)) == "list:joined"
    joined = member(app)
    assert joined is not None
    assert (joined.status, joined.display_name, joined.source, joined.subscribed_at) == (
        MemberStatus.SUBSCRIBED, "Ana Reyes", "email", LATER)
    with app.factory() as session:
        request = session.scalars(select(ListRequest)).one()
        inbound = session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc())
                                  ).first()
    assert (request.kind, request.done_at, request.outcome) == (RequestKind.JOIN, LATER,
                                                                 "confirmed")
    assert inbound is not None
    assert (inbound.kind, inbound.outcome, inbound.about_kind, inbound.about_id) == (
        "human", "list:joined", "list_member", joined.id)
    welcome = newest(app, smtp_server, ANA)
    assert welcome["Subject"] == "Welcome to Valley Water Coalition"
    assert "No fundraising appeals or advertising." in words(welcome)

    assert act(app, reply(confirmation, "Yes again")) == "list:join_already_done"
    send_due(app, LATER)
    assert len(received_by(smtp_server, ANA)) == 2


def test_the_door_hands_each_list_address_to_its_handler(app: App,
                                                        smtp_server: SmtpServer) -> None:
    """The same flow through the mailbox pipe: stored without a route, routed by address."""
    store(app, mail(ANA, JOIN))
    store(app, mail("ben@river.example", REQUEST, "help"))
    assert mailbox.act_on_mail(app, LATER).by_outcome == {"list:join_requested": 1,
                                                          "list:help": 1}
    store(app, reply(newest(app, smtp_server, ANA)))
    assert mailbox.act_on_mail(app, LATER).by_outcome == {"list:joined": 1}
    assert is_member(app)


def test_an_out_of_office_answering_the_confirmation_subscribes_nobody(
        app: App, smtp_server: SmtpServer) -> None:
    act(app, mail(ANA, JOIN))
    confirmation = newest(app, smtp_server, ANA)
    vacation = reply(confirmation, "I am away until January with no access to email.",
                     headers={"Auto-Submitted": "auto-replied"})
    assert act(app, vacation) == "list:ignored_auto"
    out_of_office = mail(ANA, str(confirmation["Reply-To"]),
                         "Out of Office: " + str(confirmation["Subject"]),
                         "I am out of the office until 4 January and will reply when I "
                         "return.")
    assert act(app, out_of_office) == "list:ignored_auto"
    assert not is_member(app)
    assert act(app, reply(confirmation)) == "list:joined"


def test_a_confirmation_that_comes_too_late_does_nothing(app: App,
                                                        smtp_server: SmtpServer) -> None:
    act(app, mail(ANA, JOIN))
    confirmation = newest(app, smtp_server, ANA)
    late = LATER + timedelta(days=7, minutes=1)
    assert act(app, reply(confirmation), late) == "list:join_expired"
    assert not is_member(app)
    note = newest(app, smtp_server, ANA, late)
    assert note["Subject"] == "Your request to join Valley Water Coalition has expired"
    assert act(app, reply(confirmation), late) == "list:join_already_done"
    assert not is_member(app)


def test_forged_and_borrowed_tokens_confirm_nothing(app: App, smtp_server: SmtpServer) -> None:
    act(app, mail(ANA, JOIN))
    confirmation = newest(app, smtp_server, ANA)
    token = re.search(r"\+([^@]+)@", str(confirmation["Reply-To"]))
    assert token is not None
    config = coalition(the_lists(app))
    key = the_lists(app).key
    forged = token.group(1)[:-1] + ("a" if token.group(1)[-1] != "a" else "b")
    for address in (f"coalition-request+{forged}@valleywater.org",
                    f"coalition-request+{token.group(1).replace('q', 'q9', 1)}@valleywater.org",
                    confirm_address(config, member_token(key, 1)),
                    confirm_address(config, request_token(key, 999)),
                    "coalition-request+garbage\u00e9@valleywater.org"):
        assert act(app, mail(ANA, address, "Re: confirm")) == "list:confirm_token_not_ours"
    assert not is_member(app)


def test_a_member_asking_to_join_is_told_so_once_a_day(app: App,
                                                      smtp_server: SmtpServer) -> None:
    subscribed(app)
    assert act(app, mail(ANA, JOIN)) == "list:already_member"
    assert act(app, mail(ANA, JOIN)) == "list:already_member"
    send_due(app, LATER)
    notes = [m for m in received_by(smtp_server, ANA) if "already" in str(m["Subject"])]
    assert [str(m["Subject"]) for m in notes] == ["You are already on Valley Water Coalition"]
    with app.factory() as session:
        assert session.scalars(select(ListRequest)).all() == []


def test_repeated_requests_send_one_confirmation_a_day(app: App,
                                                      smtp_server: SmtpServer) -> None:
    assert act(app, mail(ANA, JOIN)) == "list:join_requested"
    for _ in range(3):
        assert act(app, mail(ANA, JOIN)) == "list:join_pending"
    send_due(app, LATER)
    assert len(received_by(smtp_server, ANA)) == 1
    next_day = LATER + timedelta(days=1, minutes=1)
    assert act(app, mail(ANA, JOIN), next_day) == "list:join_requested"


# Leaving -----------------------------------------------------------------------------------


def test_one_mail_to_the_members_own_leave_address_unsubscribes_at_once(
        app: App, smtp_server: SmtpServer) -> None:
    subscribed(app)
    welcome = newest(app, smtp_server, ANA, NOW)
    leave = re.search(r"coalition-leave\+\S+@valleywater\.org", words(welcome))
    assert leave is not None
    assert act(app, mail(ANA, leave.group(0), "unsubscribe")) == "list:left"
    gone = member(app)
    assert gone is not None
    assert (gone.status, gone.unsubscribed_by) == (MemberStatus.UNSUBSCRIBED, "email")
    goodbye = newest(app, smtp_server, ANA)
    assert goodbye["Subject"] == "You have left Valley Water Coalition"
    assert act(app, mail(ANA, leave.group(0), "unsubscribe")) == "list:already_left"
    send_due(app, LATER)
    assert len(received_by(smtp_server, ANA)) == 2


def test_a_forged_leave_token_unsubscribes_nobody(app: App) -> None:
    ana = subscribed(app)
    key = the_lists(app).key
    genuine = member_token(key, ana.id)
    for token in (genuine[:-1] + ("a" if genuine[-1] != "a" else "b"),
                  request_token(key, ana.id), "l1-", "x" * 300):
        assert act(app, mail("mallory@evil.example", f"coalition-leave+{token}@valleywater.org")
                   ) == "list:leave_token_not_ours"
    assert is_member(app)


def test_leaving_by_the_bare_address_takes_a_confirmation(app: App,
                                                         smtp_server: SmtpServer) -> None:
    subscribed(app)
    assert act(app, mail(f"Ana <{ANA}>", LEAVE)) == "list:leave_requested"
    assert is_member(app)
    confirmation = newest(app, smtp_server, ANA)
    assert confirmation["Subject"] == "Confirm: leave Valley Water Coalition"
    assert act(app, reply(confirmation, "yes")) == "list:left"
    assert not is_member(app)
    assert newest(app, smtp_server, ANA)["Subject"] == "You have left Valley Water Coalition"


def test_a_stranger_asking_to_leave_is_told_they_are_not_on_the_list(
        app: App, smtp_server: SmtpServer) -> None:
    assert act(app, mail(ANA, LEAVE)) == "list:not_member"
    note = newest(app, smtp_server, ANA)
    assert note["Subject"] == "You are not on Valley Water Coalition"
    with app.factory() as session:
        assert session.scalars(select(ListRequest)).all() == []


# Commands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("subject", "text", "outcome"), [
    ("subscribe", "", "list:join_requested"),
    ("Re: JOIN", "", "list:join_requested"),
    ("", "\nSubscribe.\n", "list:join_requested"),
    ("hello", "Hi!\n\njoin\n", "list:join_requested"),
    ("help", "", "list:help"),
    ("What is this list?", "Tell me more.", "list:help"),
])
def test_the_request_address_reads_a_command_from_the_subject_or_the_first_lines(
        app: App, smtp_server: SmtpServer, subject: str, text: str, outcome: str) -> None:
    assert act(app, mail(ANA, REQUEST, subject, text)) == outcome
    sent = newest(app, smtp_server, ANA)
    expected = ("Confirm: join Valley Water Coalition" if outcome == "list:join_requested"
                else "How to use Valley Water Coalition")
    assert sent["Subject"] == expected
    if outcome == "list:help":
        assert f"send any message to {JOIN}" in words(sent)


def test_a_quoted_command_is_not_the_senders(app: App) -> None:
    assert act(app, mail(ANA, REQUEST, "Re: your list",
                         "Thanks.\n\nOn Mon, Dec 7, 2026, Maria wrote:\n> unsubscribe\n")
               ) == "list:help"


def test_unsubscribe_by_command_takes_a_confirmation(app: App,
                                                    smtp_server: SmtpServer) -> None:
    subscribed(app)
    assert act(app, mail(ANA, REQUEST, "", "unsubscribe\n")) == "list:leave_requested"
    assert is_member(app)
    assert act(app, mail(ANA, REQUEST, "leave")) == "list:leave_pending"


# Machines and hostile mail -----------------------------------------------------------------


def test_bounces_and_automatic_replies_never_act(app: App) -> None:
    subscribed(app)
    auto = {"Auto-Submitted": "auto-replied"}
    assert act(app, mail(ANA, JOIN, "Out of office", "Away.", auto)) == "list:ignored_auto"
    assert act(app, mail(ANA, LEAVE, "Automatic reply: leave", "Away.", auto)) == \
        "list:ignored_auto"
    bounce = mail("MAILER-DAEMON@mx.river.example", REQUEST,
                  "Undelivered Mail Returned to Sender",
                  "This is the mail system at host mx.river.example.\n\nI'm sorry to have to "
                  "inform you that your message could not be delivered to one or more "
                  "recipients.\n\n<ana@river.example>: host said: 550 5.1.1 User unknown\n")
    with app.factory() as session:
        before = session.scalar(select(func.count()).select_from(OutboxMessage))
    assert act(app, bounce) == "list:ignored_auto"
    assert outbox_count(app) == before
    assert is_member(app)


@pytest.mark.parametrize(("sender", "outcome"), [
    (None, "list:no_single_from"),
    ("ana@river.example, ben@river.example", "list:no_single_from"),
    ("undisclosed-recipients:;", "list:no_single_from"),
    ("coalition@valleywater.org", "list:from_a_list_address"),
    ("Coalition <coalition-owner@valleywater.org>", "list:from_a_list_address"),
    ("ana@localhost", "list:unusable_from_address"),
    ("\u00e1na@river.example", "list:unusable_from_address"),
])
def test_without_one_usable_from_nothing_is_done(app: App, sender: str | None,
                                                 outcome: str) -> None:
    for to in (JOIN, LEAVE, REQUEST):
        assert act(app, mail(sender, to, "subscribe")) == outcome
    assert outbox_count(app) == 0
    with app.factory() as session:
        assert session.scalars(select(ListRequest)).all() == []


def test_a_line_break_in_the_name_given_reaches_no_header(app: App,
                                                         smtp_server: SmtpServer) -> None:
    raw = (b"From: =?utf-8?q?Ana=0D=0ABcc=3A_victim=40evil=2Eexample?= <ana@river.example>\r\n"
           b"To: coalition-join@valleywater.org\r\n"
           b"Subject: subscribe\r\nMessage-ID: <x1@river.example>\r\n\r\nplease\r\n")
    assert act(app, raw) == "list:join_requested"
    confirmation = newest(app, smtp_server, ANA)
    assert [r.rcpt_tos for r in smtp_server.messages] == [[ANA]]
    assert confirmation["Bcc"] is None
    with app.factory() as session:
        (name,) = session.scalars(select(ListRequest.display_name))
    assert "\n" not in name and "\r" not in name


def test_the_name_given_is_kept_on_one_short_line(app: App, smtp_server: SmtpServer) -> None:
    name = "Ana\tReyes   " + "x" * 300
    assert act(app, mail(f'"{name}" <{ANA}>', JOIN)) == "list:join_requested"
    confirmation = newest(app, smtp_server, ANA)
    assert [r.rcpt_tos for r in smtp_server.messages] == [[ANA]]
    assert str(confirmation["To"]) == ANA
    assert act(app, reply(confirmation)) == "list:joined"
    joined = member(app)
    assert joined is not None
    assert joined.display_name.startswith("Ana Reyes xxx")
    assert len(joined.display_name) == 200


@pytest.mark.parametrize("raw", [
    b"To: coalition-join@valleywater.org\r\n\r\n\x00\xff\xfe garbage",
    b"From: <>\r\nTo: coalition-request@valleywater.org\r\nSubject: =?x?q?=FF?=\r\n\r\nhelp",
    b"From: ana@river.example\r\nTo: coalition-request@valleywater.org\r\n"
    b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\n"
    b"\r\n<p>" + b"<div>" * 5000 + b"subscribe\r\n",
    b"From: ana@river.example\r\nTo: coalition-request@valleywater.org\r\nSubject: "
    + b"x" * 20000 + b"\r\n\r\n" + b"subscribe " * 10000,
])
def test_crafted_messages_never_crash_the_handlers(app: App, raw: bytes) -> None:
    outcome = act(app, raw)
    assert outcome is not None and outcome.startswith("list:"), outcome
