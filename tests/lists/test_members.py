"""Membership, on both databases: subscribing (with the welcome as sent), leaving, the
member's settings, and importing members from CSV."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.app import App
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.lists import members
from outreach.lists.config import ListConfig, load_lists
from outreach.lists.members import MembershipError
from outreach.lists.models import Delivery, ListMember, MemberStatus
from outreach.lists.registry import (
    KnownDmarcPolicies,
    Lists,
    member_of_token,
    unsubscribe_url,
)
from outreach.people.models import Contact, Organization, Suppression
from tests.conftest import NOW
from tests.helpers import send_due
from tests.smtpserver import SmtpServer

LATER = NOW + timedelta(hours=1)


def the_lists(app: App) -> Lists:
    return Lists(app.settings, load_lists(app.settings.lists_dir), KnownDmarcPolicies({}))


def coalition(lists: Lists) -> ListConfig:
    config = lists.get("coalition")
    assert config is not None
    return config


def received_by(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [r.message for r in server.messages if r.rcpt_tos == [address]]


def text_of(message: EmailMessage) -> str:
    """The message's text, its lines (wrapped when sent) joined by single spaces."""
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


def row(app: App, address: str) -> ListMember | None:
    with app.factory() as session:
        return members.find_member(session, "coalition", address)


def subscribe(app: App, address: str, *, name: str = "", source: str = "cli",
              now: datetime = NOW, welcome: bool = True) -> ListMember:
    lists = the_lists(app)
    with transaction(app.factory) as session:
        return members.subscribe(session, lists, coalition(lists), address, name=name,
                                 source=source, now=now, welcome=welcome)


def unsubscribe(app: App, address: str, *, by: str = "cli",
                goodbye: bool = True) -> ListMember | None:
    lists = the_lists(app)
    with transaction(app.factory) as session:
        return members.unsubscribe(session, lists, coalition(lists), address, by=by,
                                   now=LATER, goodbye=goodbye)


# Subscribing ------------------------------------------------------------------------------


def test_a_new_member_is_welcomed_with_the_rules_and_their_own_ways_out(
        app: App, smtp_server: SmtpServer) -> None:
    member = subscribe(app, "  Ana.Reyes@River.Example ", name="Ana Reyes")
    assert (member.address, member.display_name, member.source) == (
        "ana.reyes@river.example", "Ana Reyes", "cli")
    assert (member.status, member.delivery, member.moderated) == (
        MemberStatus.SUBSCRIBED, Delivery.ALL, False)
    send_due(app)
    (welcome,) = received_by(smtp_server, "ana.reyes@river.example")
    text = text_of(welcome)
    assert welcome["Subject"] == "Welcome to Valley Water Coalition"
    assert str(welcome["From"]) == "Valley Water Coalition <coalition-owner@valleywater.org>"
    assert welcome["List-Id"] == "Valley Water Coalition <coalition.valleywater.org>"
    assert "Dear Ana Reyes," in text
    assert "Be kind; disagree with ideas, not people." in text
    assert "send your message to coalition@valleywater.org" in text
    leave = re.search(r"coalition-leave\+(\S+)@valleywater\.org", text)
    assert leave is not None
    assert member_of_token(the_lists(app).key, leave.group(1)) == member.id
    assert unsubscribe_url(app.settings, leave.group(1)) in text


def test_subscribing_a_member_again_changes_nothing_and_sends_nothing(
        app: App, smtp_server: SmtpServer) -> None:
    first = subscribe(app, "ana@river.example")
    again = subscribe(app, "ANA@river.example", name="Someone Else", source="import")
    assert again.id == first.id
    assert (again.display_name, again.source) == ("", "cli")
    send_due(app)
    assert len(received_by(smtp_server, "ana@river.example")) == 1


def test_an_address_that_is_no_address_is_refused(app: App) -> None:
    for bad in ("ana", "ana@", "ana@river.example\r\nBcc: x@y.example", "an a@river.example",
                "josé@river.example"):
        with pytest.raises(MembershipError, match="not an email address"):
            subscribe(app, bad)
    with app.factory() as session:
        assert members.members(session, "coalition", None) == []


def test_a_list_is_never_subscribed_to_a_list(app: App) -> None:
    for address in ("coalition@valleywater.org", "coalition-join@valleywater.org",
                    "Coalition-Owner@valleywater.org"):
        with pytest.raises(MembershipError, match="an address of a list"):
            subscribe(app, address)


def test_someone_who_may_get_no_mail_at_all_is_not_subscribed(app: App) -> None:
    with transaction(app.factory) as session:
        org = Organization(key="river", name="River", sort_name="River", tags=[],
                           created_at=NOW, updated_at=NOW)
        session.add(org)
        session.flush()
        session.add(Contact(organization_id=org.id, name="Ana", greeting_name="Ana",
                            email="ana@river.example", suppression=Suppression.UNSUBSCRIBED,
                            created_at=NOW, updated_at=NOW))
    with pytest.raises(MembershipError, match="the recipient is unsubscribed"):
        subscribe(app, "ana@river.example")


def test_a_known_contact_is_linked(app: App) -> None:
    with transaction(app.factory) as session:
        org = Organization(key="river", name="River", sort_name="River", tags=[],
                           created_at=NOW, updated_at=NOW)
        session.add(org)
        session.flush()
        contact = Contact(organization_id=org.id, name="Ana", greeting_name="Ana",
                          email="ana@river.example", created_at=NOW, updated_at=NOW)
        session.add(contact)
        session.flush()
        contact_id = contact.id
    assert subscribe(app, "ana@river.example").contact_id == contact_id


# Leaving -----------------------------------------------------------------------------------


def test_leaving_says_goodbye_once_and_keeps_the_row(app: App, smtp_server: SmtpServer) -> None:
    subscribe(app, "ana@river.example", welcome=False)
    left = unsubscribe(app, "Ana@River.example", by="email")
    assert left is not None
    assert (left.status, left.unsubscribed_at, left.unsubscribed_by) == (
        MemberStatus.UNSUBSCRIBED, LATER, "email")
    again = unsubscribe(app, "ana@river.example", by="cli")
    assert again is not None and again.unsubscribed_by == "email"
    assert unsubscribe(app, "nobody@river.example") is None
    send_due(app, LATER)
    (goodbye,) = received_by(smtp_server, "ana@river.example")
    assert goodbye["Subject"] == "You have left Valley Water Coalition"
    assert "coalition-join@valleywater.org" in text_of(goodbye)
    with app.factory() as session:
        assert not members.is_member(session, "coalition", "ana@river.example")
        assert members.members(session, "coalition") == []
        assert [m.address for m in members.members(session, "coalition", None)] == [
            "ana@river.example"]


def test_leaving_without_a_goodbye_sends_nothing(app: App, smtp_server: SmtpServer) -> None:
    subscribe(app, "ana@river.example", welcome=False)
    unsubscribe(app, "ana@river.example", goodbye=False)
    send_due(app, LATER)
    assert received_by(smtp_server, "ana@river.example") == []


def test_an_explicit_subscription_brings_back_who_left_with_their_settings(
        app: App, smtp_server: SmtpServer) -> None:
    first = subscribe(app, "ana@river.example", welcome=False)
    with transaction(app.factory) as session:
        members.set_moderated(session, "coalition", "ana@river.example", True)
    unsubscribe(app, "ana@river.example", goodbye=False)
    back = subscribe(app, "ana@river.example", source="email", now=LATER)
    assert back.id == first.id
    assert (back.status, back.subscribed_at, back.unsubscribed_at, back.unsubscribed_by,
            back.source, back.moderated) == (MemberStatus.SUBSCRIBED, LATER, None, None,
                                             "email", True)
    send_due(app, LATER)
    assert len(received_by(smtp_server, "ana@river.example")) == 1


# Settings ----------------------------------------------------------------------------------


def test_delivery_and_moderation_are_set_per_member(app: App) -> None:
    subscribe(app, "ana@river.example", welcome=False)
    with transaction(app.factory) as session:
        members.set_delivery(session, "coalition", "ANA@river.example", Delivery.NONE)
        members.set_moderated(session, "coalition", "ana@river.example", True)
    member = row(app, "ana@river.example")
    assert member is not None
    assert (member.delivery, member.moderated) == (Delivery.NONE, True)
    with transaction(app.factory) as session, pytest.raises(
            MembershipError, match=r"nobody@river\.example is not on list 'coalition'"):
        members.set_delivery(session, "coalition", "nobody@river.example", Delivery.ALL)


def test_members_are_listed_by_address_and_status(app: App) -> None:
    for address in ("zoe@river.example", "ana@river.example", "max@river.example"):
        subscribe(app, address, welcome=False)
    unsubscribe(app, "max@river.example", goodbye=False)
    with app.factory() as session:
        assert [m.address for m in members.members(session, "coalition")] == [
            "ana@river.example", "zoe@river.example"]
        assert [m.address for m in members.members(
            session, "coalition", MemberStatus.UNSUBSCRIBED)] == ["max@river.example"]
        assert members.members(session, "other") == []


# Importing ---------------------------------------------------------------------------------


def import_file(app: App, path: Path, *, welcome: bool = True) -> members.MemberImport:
    lists = the_lists(app)
    with transaction(app.factory) as session:
        return members.import_members(session, lists, coalition(lists), path, now=NOW,
                                      welcome=welcome)


def test_an_import_keeps_the_good_rows_and_names_the_bad_ones(
        app: App, smtp_server: SmtpServer, tmp_path: Path) -> None:
    subscribe(app, "old@river.example", welcome=False)
    subscribe(app, "gone@river.example", welcome=False)
    unsubscribe(app, "gone@river.example", goodbye=False, by="one-click")
    path = tmp_path / "members.csv"
    path.write_text("\ufeffEmail,Name\n"
                    "ana@river.example,Ana Reyes\n"
                    "not-an-address,Nobody\n"
                    "\n"
                    "ANA@river.example,Ana Again\n"
                    "old@river.example,Old Member\n"
                    "gone@river.example,Gone Member\n"
                    "coalition@valleywater.org,The List\n"
                    "ben@river.example,Ben,extra\n"
                    "\"ben@river.example\",\"Ben \"\"B\"\" Ortiz\"\n", encoding="utf-8")
    report = import_file(app, path)
    assert (report.rows, report.subscribed, report.already) == (8, 2, 1)
    problems = [str(e) for e in report.errors]
    assert problems == [
        f"{path}:3: not an email address: 'not-an-address' (An email address must have an "
        "@-sign.)",
        f"{path}:5: duplicate: ana@river.example already on line 2",
        f"{path}:7: gone@river.example left the list on 2026-12-08 (one-click); not "
        "subscribed again",
        f"{path}:8: coalition@valleywater.org is an address of a list, not of a person",
        f"{path}:9: expected 2 fields, found 3",
    ]
    ben = row(app, "ben@river.example")
    assert ben is not None and (ben.display_name, ben.source) == ('Ben "B" Ortiz', "import")
    gone = row(app, "gone@river.example")
    assert gone is not None and gone.status == MemberStatus.UNSUBSCRIBED
    send_due(app)
    assert len(received_by(smtp_server, "ana@river.example")) == 1
    assert len(received_by(smtp_server, "ben@river.example")) == 1
    assert received_by(smtp_server, "old@river.example") == []


def test_an_import_without_welcomes_sends_nothing(app: App, smtp_server: SmtpServer,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("email\nana@river.example\n", encoding="utf-8")
    assert import_file(app, path, welcome=False).subscribed == 1
    send_due(app)
    assert received_by(smtp_server, "ana@river.example") == []


@pytest.mark.parametrize(("content", "problem"), [
    (b"", ": the file is empty"),
    (b"name\nAna\n", ":1: the column 'email' is required"),
    (b"email,organization\nana@river.example,River\n", ":1: unknown column(s) ['organization']"),
    (b"email\nana@river.example\nb\xe9n@river.example\n", ":3: not UTF-8"),
])
def test_a_file_that_cannot_be_read_is_an_error_naming_it(
        app: App, tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    with pytest.raises(OutreachError) as raised:
        import_file(app, path)
    assert str(raised.value).startswith(f"{path}{problem}")
    with app.factory() as session:
        assert session.scalars(select(ListMember)).all() == []
