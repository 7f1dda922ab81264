"""Posts to the list, through the door to distribution: who may post, loops, machines."""

from __future__ import annotations

from email.utils import getaddresses

from sqlalchemy import select

from outreach.app import App
from outreach.campaign.models import SignOn
from outreach.lists.models import PostStatus
from outreach.mail.models import OutboxMessage
from tests.dovecot import Dovecot
from tests.helpers import send_due
from tests.lists.support import (
    LATER,
    MODERATORS,
    POSTING,
    add_members,
    deliver,
    held_notices,
    post,
    posts,
    process,
    received_by,
    the_lists,
)
from tests.smtpserver import SmtpServer

MEMBERS = ["ana@river.example", "ben@lake.example", "chen@valley.example"]


def test_a_member_post_goes_once_to_every_member_with_list_headers_and_their_own_footer(
        app: App, smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    the_lists(app)
    add_members(app, *MEMBERS)
    app.settings.imap = dovecot.settings()
    app.settings.imap_password = dovecot.password
    app.settings.mailbox.source = "imap"
    from outreach import mailbox

    dovecot.append(post("ana@river.example", "Re: [coalition] Hearing moved",
                        "The hearing moved to Thursday."))
    source = mailbox.open_source(app)
    assert source is not None
    try:
        first = mailbox.read_mail(app, source, LATER)
        again = mailbox.read_mail(app, source, LATER)
    finally:
        source.close()
    assert first.processed.by_outcome == {"list:accepted": 1}
    assert again.processed.by_outcome == {}
    send_due(app, LATER)
    links = set()
    for member in MEMBERS:
        copies = received_by(smtp_server, member)
        assert len(copies) == 1, member
        copy = copies[0]
        assert str(copy["Subject"]) == "[coalition] Re: Hearing moved"
        assert str(copy["List-Id"]) == "Valley Water Coalition <coalition.valleywater.org>"
        assert str(copy["List-Post"]) == f"<mailto:{POSTING}>"
        assert "coalition-request@valleywater.org" in str(copy["List-Help"])
        assert str(copy["Precedence"]) == "list"
        assert str(copy["X-BeenThere"]) == POSTING
        unsubscribe = str(copy["List-Unsubscribe"])
        assert "https://" in unsubscribe and "mailto:coalition-leave+" in unsubscribe
        assert str(copy["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        link = unsubscribe.split("<", 1)[1].split(">", 1)[0]
        body = copy.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert "The hearing moved to Thursday." in text
        assert link in text  # the footer carries this member's own link
        links.add(link)
    assert len(links) == len(MEMBERS)
    assert [p.status for p in posts(app)] == [PostStatus.ACCEPTED]
    assert posts(app)[0].recipients == len(MEMBERS)


def test_a_known_contact_saying_yes_to_the_list_posts_and_never_signs(
        asked: App, smtp_server: SmtpServer) -> None:
    the_lists(asked)
    contact = "esoria@maderajustice.example"
    add_members(asked, contact)
    deliver(asked, post(contact, "Count us in", "Yes, count us in."))
    assert process(asked) == {"list:accepted": 1}
    with asked.factory() as session:
        assert session.scalars(select(SignOn)).all() == []


def test_a_message_carrying_this_lists_id_is_a_loop_and_is_dropped(
        app: App, smtp_server: SmtpServer) -> None:
    the_lists(app)
    add_members(app, *MEMBERS)
    deliver(app, post("ana@river.example", "[coalition] Hi", "again",
                      headers={"List-Id": "Valley Water Coalition <coalition.valleywater.org>"}))
    deliver(app, post("ben@lake.example", "Hi", "again",
                      headers={"X-BeenThere": POSTING}))
    assert process(app) == {"list:dropped": 2}
    send_due(app, LATER)
    assert smtp_server.messages == []
    assert all(p.reason.startswith("loop") for p in posts(app))


def test_an_autoresponder_answering_the_list_is_not_distributed(
        app: App, smtp_server: SmtpServer) -> None:
    the_lists(app)
    add_members(app, *MEMBERS)
    deliver(app, post("ana@river.example", "Out of office", "I am away until Monday.",
                      headers={"Auto-Submitted": "auto-replied"}))
    assert process(app) == {"list:dropped": 1}
    send_due(app, LATER)
    assert smtp_server.messages == []


def test_a_post_that_only_reads_like_an_autoreply_waits_for_a_person(
        app: App, smtp_server: SmtpServer) -> None:
    the_lists(app)
    add_members(app, *MEMBERS)
    deliver(app, post("ana@river.example", "Out of Office: away until 14 December",
                      "I am out of the office until 14 December with no access to email."))
    assert process(app) == {"list:held": 1}
    assert "automatic reply" in posts(app)[0].reason


def test_a_dmarc_strict_posters_post_goes_out_from_the_list_with_the_poster_in_reply_to(
        app: App, smtp_server: SmtpServer) -> None:
    the_lists(app, {"strict.example": "reject"})
    add_members(app, "dee@strict.example", *MEMBERS)
    deliver(app, post("Dee Park <dee@strict.example>", "Rally", "See you there."))
    assert process(app) == {"list:accepted": 1}
    send_due(app, LATER)
    copy = received_by(smtp_server, "ana@river.example")[0]
    (name, address), = getaddresses([str(copy["From"])])
    assert address == POSTING
    assert name == "Dee Park via Valley Water Coalition"
    assert "dee@strict.example" in str(copy["Reply-To"])


def test_a_relaxed_posters_from_is_kept(app: App, smtp_server: SmtpServer) -> None:
    the_lists(app, {"lake.example": "none"})
    add_members(app, *MEMBERS)
    deliver(app, post("Ben Ode <ben@lake.example>", "Rally", "See you there."))
    assert process(app) == {"list:accepted": 1}
    send_due(app, LATER)
    copy = received_by(smtp_server, "ana@river.example")[0]
    assert getaddresses([str(copy["From"])])[0][1] == "ben@lake.example"


def test_a_member_whose_mail_failed_dmarc_at_our_server_is_held_with_the_reason(
        app: App, smtp_server: SmtpServer) -> None:
    lists = the_lists(app)
    lists.settings.mailbox.trusted_authserv_id = "mx.valleywater.org"
    add_members(app, *MEMBERS)
    deliver(app, post("ana@river.example", "Urgent", "Wire money now", headers={
        "Authentication-Results": "mx.valleywater.org; dmarc=fail header.from=river.example"}))
    assert process(app) == {"list:held": 1}
    assert "dmarc=fail" in posts(app)[0].reason
    send_due(app, LATER)
    assert all(len(held_notices(smtp_server, m)) == 1 for m in MODERATORS)
    # The From may be forged: its owner is told nothing.
    assert received_by(smtp_server, "ana@river.example") == []


def test_a_moderated_member_and_an_announce_list_hold_posts(
        app: App, smtp_server: SmtpServer) -> None:
    lists = the_lists(app)
    add_members(app, "ana@river.example", moderated=True)
    add_members(app, "ben@lake.example")
    deliver(app, post("ana@river.example", "One", "text"))
    assert process(app) == {"list:held": 1}
    lists.configs["coalition"].posting = "announce"
    deliver(app, post("ben@lake.example", "Two", "text"))
    deliver(app, post("maria@valleywater.org", "From a moderator", "text"))
    assert process(app) == {"list:held": 1, "list:accepted": 1}
    assert [p.reason for p in posts(app)][1] == "only moderators post to this announcement list"


def test_non_member_posts_are_rejected_or_discarded_as_the_list_says(
        app: App, smtp_server: SmtpServer) -> None:
    lists = the_lists(app)
    add_members(app, *MEMBERS)
    lists.configs["coalition"].non_members = "reject"
    deliver(app, post("stranger@elsewhere.example", "Hello", "text"))
    assert process(app) == {"list:rejected": 1}
    lists.configs["coalition"].non_members = "discard"
    deliver(app, post("spam@elsewhere.example", "Buy", "text"))
    assert process(app) == {"list:discarded": 1}
    send_due(app, LATER)
    told = received_by(smtp_server, "stranger@elsewhere.example")
    assert len(told) == 1 and "only members" in told[0].get_body(("plain",)).get_content()
    assert received_by(smtp_server, "spam@elsewhere.example") == []
    with app.factory() as session:
        assert session.query(OutboxMessage).filter_by(kind="list_copy").count() == 0


def test_a_post_over_the_size_limit_is_held(app: App, smtp_server: SmtpServer) -> None:
    lists = the_lists(app)
    add_members(app, *MEMBERS)
    lists.configs["coalition"].max_message_kb = 1
    deliver(app, post("ana@river.example", "Big", "x" * 5000))
    assert process(app) == {"list:held": 1}
    assert "more than the list's limit of 1 KB" in posts(app)[0].reason
