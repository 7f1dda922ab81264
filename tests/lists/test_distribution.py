"""A post distributed to the members: one row each, composed when claimed, sent through a
real SMTP server; on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

import pytest
from sqlalchemy import event, select

from outreach.app import App
from outreach.db.session import transaction
from outreach.lists.config import load_lists
from outreach.lists.distribution import LIST_COPY, ListCopyComposer, distribute
from outreach.lists.models import Delivery, ListMember, ListPost, MemberStatus, PostStatus
from outreach.lists.notices import POST
from outreach.lists.registry import (
    KnownDmarcPolicies,
    Lists,
    leave_address,
    member_token,
    unsubscribe_url,
)
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus
from tests.conftest import NOW
from tests.helpers import send_due
from tests.smtpserver import SmtpServer

POSTING = "coalition@valleywater.org"
MEMBERS = ["ana@river.example", "ben@lake.example", "chen@valley.example"]


def post_bytes(sender: str, subject: str = "Re: [coalition] Hearing moved",
               text: str = "The hearing moved to Thursday.\n") -> bytes:
    return (f"From: {sender}\nTo: {POSTING}\nSubject: {subject}\n"
            "Date: Tue, 08 Dec 2026 10:00:00 -0800\nMessage-ID: <hearing@river.example>\n"
            "Received: from mx.river.example by mx.valleywater.org\n"
            "DKIM-Signature: v=1; d=river.example; b=x\nMIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=utf-8\n\n{text}").encode()


@pytest.fixture
def lists(app: App, monkeypatch: pytest.MonkeyPatch) -> Lists:
    """The app's lists with DMARC policies known up front, and the sender composing list
    copies with them."""
    lists = Lists(app.settings, load_lists(app.settings.lists_dir),
                  KnownDmarcPolicies({"strict.example": "reject"}))
    hooks = app.hooks()
    hooks.composers[LIST_COPY] = ListCopyComposer(lists)
    monkeypatch.setattr(app, "hooks", lambda: hooks)
    return lists


def add_members(app: App, *addresses: str, status: MemberStatus = MemberStatus.SUBSCRIBED,
                delivery: Delivery = Delivery.ALL) -> list[int]:
    with transaction(app.factory) as session:
        members = [ListMember(list_name="coalition", address=address, source="test",
                              subscribed_at=NOW, status=status, delivery=delivery)
                   for address in addresses]
        session.add_all(members)
        session.flush()
        return [member.id for member in members]


def store_post(app: App, raw: bytes, poster: str) -> int:
    with transaction(app.factory) as session:
        message = InboundMessage(folder="INBOX", raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                                 received_at=NOW)
        session.add(message)
        session.flush()
        post = ListPost(list_name="coalition", inbound_message_id=message.id, poster=poster,
                        status=PostStatus.ACCEPTED, created_at=NOW)
        session.add(post)
        session.flush()
        return post.id


def run_distribute(app: App, lists: Lists, post_id: int) -> int:
    with transaction(app.factory) as session:
        post = session.get_one(ListPost, post_id)
        return distribute(session, lists, lists.configs["coalition"], post, NOW)


def copies(server: SmtpServer) -> dict[str, EmailMessage]:
    found: dict[str, EmailMessage] = {}
    for received in server.messages:
        [recipient] = received.rcpt_tos
        assert recipient not in found, f"two copies to {recipient}"
        found[recipient] = received.message
    return found


def outbox_rows(app: App) -> list[OutboxMessage]:
    with app.factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_each_member_gets_one_copy_with_the_list_headers_and_their_own_footer(
        app: App, lists: Lists, smtp_server: SmtpServer) -> None:
    member_ids = add_members(app, *MEMBERS)
    post_id = store_post(app, post_bytes("Ana <ana@river.example>"), "ana@river.example")
    assert run_distribute(app, lists, post_id) == 3
    assert send_due(app).sent == 3
    received = copies(smtp_server)
    assert sorted(received) == sorted(MEMBERS)
    config = lists.configs["coalition"]
    for member_id, address in zip(member_ids, MEMBERS, strict=True):
        copy = received[address]
        token = member_token(lists.key, member_id)
        link, leave = unsubscribe_url(app.settings, token), leave_address(config, token)
        assert str(copy["List-Unsubscribe"]) == f"<{link}>, <mailto:{leave}>"
        assert str(copy["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        assert str(copy["List-Id"]) == "Valley Water Coalition <coalition.valleywater.org>"
        assert str(copy["List-Post"]) == f"<mailto:{POSTING}>"
        assert str(copy["Precedence"]) == "list"
        assert str(copy["X-BeenThere"]) == POSTING
        assert str(copy["Subject"]) == "[coalition] Re: Hearing moved"
        assert str(copy["From"]) == "Ana <ana@river.example>"
        assert str(copy["Message-ID"]) == "<hearing@river.example>"
        assert copy["Received"] is None and copy["DKIM-Signature"] is None
        text = str(copy.get_content())
        assert text.startswith("The hearing moved to Thursday.")
        assert config.footer in text and link in text and leave in text
        others = [member_token(lists.key, other) for other in member_ids if other != member_id]
        assert not any(other in text for other in others)
    with app.factory() as session:
        post = session.get_one(ListPost, post_id)
        assert post.recipients == 3 and post.distributed_at is not None
    rows = outbox_rows(app)
    assert {(r.kind, r.about_kind, r.about_id, r.status) for r in rows} == {
        (LIST_COPY, POST, post_id, OutboxStatus.SENT)}


def test_members_who_leave_or_pause_after_distribution_get_nothing(
        app: App, lists: Lists, smtp_server: SmtpServer) -> None:
    _, ben, chen = add_members(app, *MEMBERS)
    add_members(app, "gone@river.example", status=MemberStatus.UNSUBSCRIBED)
    add_members(app, "away@lake.example", delivery=Delivery.NONE)
    post_id = store_post(app, post_bytes("ana@river.example"), "ana@river.example")
    assert run_distribute(app, lists, post_id) == 3  # the two others are not queued
    with transaction(app.factory) as session:
        session.get_one(ListMember, ben).status = MemberStatus.UNSUBSCRIBED
        session.get_one(ListMember, chen).delivery = Delivery.NONE
    assert send_due(app).sent == 1
    assert list(copies(smtp_server)) == ["ana@river.example"]
    statuses = {r.recipient: r.status for r in outbox_rows(app)}
    assert statuses == {"ana@river.example": OutboxStatus.SENT,
                        "ben@lake.example": OutboxStatus.CANCELLED,
                        "chen@valley.example": OutboxStatus.CANCELLED}


def test_a_post_is_distributed_once(app: App, lists: Lists, smtp_server: SmtpServer) -> None:
    add_members(app, *MEMBERS)
    post_id = store_post(app, post_bytes("ana@river.example"), "ana@river.example")
    assert run_distribute(app, lists, post_id) == 3
    assert run_distribute(app, lists, post_id) == 0
    assert len(outbox_rows(app)) == 3
    send_due(app)
    assert len(smtp_server.messages) == 3


def test_a_strict_dmarc_posters_copies_come_from_the_list_with_the_poster_in_reply_to(
        app: App, lists: Lists, smtp_server: SmtpServer) -> None:
    add_members(app, *MEMBERS)
    strict = store_post(app, post_bytes("Dee Park <dee@strict.example>", "Rally"),
                        "dee@strict.example")
    relaxed = store_post(app, post_bytes("Ana <ana@river.example>", "Notes",
                                         text="Notes.\n").replace(b"<hearing@", b"<notes@"),
                         "ana@river.example")
    run_distribute(app, lists, strict)
    run_distribute(app, lists, relaxed)
    send_due(app)
    to_ben = [r.message for r in smtp_server.messages if r.rcpt_tos == ["ben@lake.example"]]
    by_subject = {str(m["Subject"]): m for m in to_ben}
    rally = by_subject["[coalition] Rally"]
    assert getaddresses([str(rally["From"])]) == [("Dee Park via Valley Water Coalition",
                                                   POSTING)]
    assert getaddresses([str(rally["Reply-To"])]) == [("Dee Park", "dee@strict.example")]
    notes = by_subject["[coalition] Notes"]
    assert getaddresses([str(notes["From"])]) == [("Ana", "ana@river.example")]
    assert notes["Reply-To"] is None


def test_a_post_that_cannot_be_read_fails_its_copies_with_the_reason(
        app: App, lists: Lists, smtp_server: SmtpServer) -> None:
    add_members(app, *MEMBERS)
    post_id = store_post(app, b"   \n", "ana@river.example")
    run_distribute(app, lists, post_id)
    stats = send_due(app)
    assert stats.sent == 0 and smtp_server.messages == []
    rows = outbox_rows(app)
    assert {r.status for r in rows} == {OutboxStatus.FAILED}
    assert all("cannot be prepared" in (r.last_error or "") for r in rows)


def test_a_claimed_page_reads_its_members_in_one_query(
        app: App, lists: Lists, smtp_server: SmtpServer) -> None:
    count = 45
    add_members(app, *(f"m{i}@org{i}.example" for i in range(count)))
    post_id = store_post(app, post_bytes("ana@river.example"), "ana@river.example")
    run_distribute(app, lists, post_id)
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM list_member" in statement:
            statements.append(statement)

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        assert send_due(app).sent == count
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
    pages = -(-count // app.settings.smtp.in_flight)
    assert len(statements) == pages
