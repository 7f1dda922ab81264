"""Held posts and moderators' decisions by plain email reply (and from the command line)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.app import App
from outreach.db.session import transaction
from outreach.lists import moderation
from outreach.lists.models import ModerationAction, PostStatus
from outreach.mail.models import OutboxMessage
from tests.cli.test_cli import cli, write_server_config
from tests.dovecot import Dovecot
from tests.helpers import send_due
from tests.lists.support import (
    LATER,
    MODERATORS,
    add_members,
    deliver,
    held_notices,
    post,
    posts,
    process,
    received_by,
    reply_to_notice,
    the_lists,
)
from tests.smtpserver import SmtpServer

MEMBERS = ["ana@river.example", "ben@lake.example"]
OUTSIDER = "reporter@news.example"


def hold_one(app: App, smtp_server: SmtpServer) -> None:
    the_lists(app)
    add_members(app, *MEMBERS)
    deliver(app, post(OUTSIDER, "Interview request", "Can I talk to members?"))
    assert process(app) == {"list:held": 1}
    send_due(app, LATER)


def copies(app: App) -> int:
    with app.factory() as session:
        return session.query(OutboxMessage).filter_by(kind="list_copy").count()


def test_a_non_member_post_is_held_the_poster_told_and_a_moderators_emailed_approve_sends_it(
        app: App, smtp_server: SmtpServer, dovecot: Dovecot) -> None:
    hold_one(app, smtp_server)
    told = received_by(smtp_server, OUTSIDER)
    assert len(told) == 1 and "waiting for a moderator" in str(told[0]["Subject"])
    notices = {m: held_notices(smtp_server, m) for m in MODERATORS}
    assert all(len(n) == 1 for n in notices.values())
    notice = notices["maria@valleywater.org"][0]
    attached = [p for p in notice.iter_attachments() if p.get_content_type() == "message/rfc822"]
    assert len(attached) == 1
    assert "Can I talk to members?" in attached[0].as_string()
    assert str(notice["Reply-To"]).count("coalition-moderate+") == 1
    # The moderator's reply travels through a real IMAP server.
    app.settings.imap = dovecot.settings()
    app.settings.imap_password = dovecot.password
    app.settings.mailbox.source = "imap"
    from outreach import mailbox

    dovecot.append(reply_to_notice(notice, "Approve", sender="maria@valleywater.org"))
    source = mailbox.open_source(app)
    assert source is not None
    try:
        assert mailbox.read_mail(app, source, LATER).processed.by_outcome == {
            "list:moderation_approve": 1}
    finally:
        source.close()
    send_due(app, LATER)
    for member in MEMBERS:
        assert [str(m["Subject"]) for m in received_by(smtp_server, member)] == [
            "[coalition] Interview request"]
    assert [p.status for p in posts(app)] == [PostStatus.ACCEPTED]
    assert any("was sent to the list" in str(m["Subject"])
               for m in received_by(smtp_server, OUTSIDER))
    with app.factory() as session:
        action = session.scalars(select(ModerationAction)).one()
        assert (action.actor, action.action, action.via, action.outcome) == (
            "maria@valleywater.org", "approve", "email", "applied")


def test_two_moderators_approving_distribute_once_and_the_second_is_told(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    for moderator in MODERATORS:
        deliver(app, reply_to_notice(held_notices(smtp_server, moderator)[0], "approve",
                                     sender=moderator))
    assert process(app) == {"list:moderation_approve": 1, "list:moderation_too_late": 1}
    assert copies(app) == len(MEMBERS)
    send_due(app, LATER)
    late = [m for m in received_by(smtp_server, "james@valleywater.org")
            if "Already decided" in str(m["Subject"])]
    assert len(late) == 1
    assert "already accepted by maria@valleywater.org" in \
        " ".join(late[0].get_body(("plain",)).get_content().split())


def test_moderators_deciding_at_the_same_moment_distribute_once(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    lists = the_lists(app)
    config = lists.configs["coalition"]
    post_id = posts(app)[0].id
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def approve(moderator: str) -> None:
        start.wait()
        with transaction(app.factory) as session:
            outcomes.append(moderation.decide(session, lists, config, post_id, "approve",
                                              actor=moderator, via="cli", now=LATER))

    threads = [threading.Thread(target=approve, args=(m,)) for m in MODERATORS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o == "applied" for o in outcomes) == [False, True]
    assert copies(app) == len(MEMBERS)


def test_a_forged_or_reused_token_does_nothing(app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    notice = held_notices(smtp_server, "maria@valleywater.org")[0]
    forged = reply_to_notice(notice, "approve", sender="maria@valleywater.org").replace(
        b"coalition-moderate+", b"coalition-moderate+aaaa", 1)
    deliver(app, forged)
    assert process(app) == {"list:moderation_forged": 1}
    assert copies(app) == 0
    deliver(app, reply_to_notice(notice, "discard", sender="maria@valleywater.org"))
    assert process(app) == {"list:moderation_discard": 1}
    deliver(app, reply_to_notice(notice, "approve", sender="maria@valleywater.org"))
    assert process(app) == {"list:moderation_too_late": 1}
    assert copies(app) == 0
    assert [p.status for p in posts(app)] == [PostStatus.DISCARDED]


def test_only_a_moderator_may_decide_even_with_the_token(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    notice = held_notices(smtp_server, "maria@valleywater.org")[0]
    deliver(app, reply_to_notice(notice, "approve", sender="ana@river.example"))
    assert process(app) == {"list:moderation_refused": 1}
    assert copies(app) == 0 and posts(app)[0].status == PostStatus.HELD


def test_an_expired_token_does_nothing_and_the_post_is_dropped_with_the_poster_told(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    notice = held_notices(smtp_server, "maria@valleywater.org")[0]
    late = LATER + timedelta(days=15)
    deliver(app, reply_to_notice(notice, "approve", sender="maria@valleywater.org"), late)
    assert process(app, late) == {"list:moderation_expired": 1}
    assert copies(app) == 0
    with transaction(app.factory) as session:
        assert moderation.expire_held(session, the_lists(app), late) == 1
    assert posts(app)[0].status == PostStatus.DISCARDED


def test_a_rejection_carries_the_moderators_private_note_to_the_poster(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    notice = held_notices(smtp_server, "maria@valleywater.org")[0]
    deliver(app, reply_to_notice(notice, "Reject: please write to maria@valleywater.org "
                                         "directly instead.", sender="maria@valleywater.org"))
    assert process(app) == {"list:moderation_reject": 1}
    send_due(app, LATER)
    answer = [m for m in received_by(smtp_server, OUTSIDER)
              if "was not sent" in str(m["Subject"])]
    assert len(answer) == 1
    assert "please write to maria@valleywater.org directly instead." in \
        answer[0].get_body(("plain",)).get_content()
    assert copies(app) == 0


def test_reject_offtopic_sends_the_polite_off_topic_note(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    notice = held_notices(smtp_server, "james@valleywater.org")[0]
    deliver(app, reply_to_notice(notice, "reject offtopic", sender="james@valleywater.org"))
    assert process(app) == {"list:moderation_reject": 1}
    send_due(app, LATER)
    answer = [m for m in received_by(smtp_server, OUTSIDER) if "About your message" in
              str(m["Subject"])]
    assert len(answer) == 1
    assert "outside what the list is for" in \
        " ".join(answer[0].get_body(("plain",)).get_content().split())


def test_a_reply_without_a_decision_changes_nothing_and_says_so(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    notice = held_notices(smtp_server, "maria@valleywater.org")[0]
    deliver(app, reply_to_notice(notice, "Who is this reporter? I'd rather we approve "
                                         "after we check.", sender="maria@valleywater.org"))
    assert process(app) == {"list:moderation_unclear": 1}
    assert posts(app)[0].status == PostStatus.HELD


def test_an_out_of_office_answering_a_notice_decides_nothing(
        app: App, smtp_server: SmtpServer) -> None:
    hold_one(app, smtp_server)
    notice = held_notices(smtp_server, "maria@valleywater.org")[0]
    raw = reply_to_notice(notice, "approve", sender="maria@valleywater.org")
    raw = raw.replace(b"Subject:", b"Auto-Submitted: auto-replied\nSubject:", 1)
    deliver(app, raw)
    assert process(app) == {"list:moderation_ignored_auto_reply": 1}
    assert posts(app)[0].status == PostStatus.HELD


@pytest.mark.parametrize(("text", "action", "note", "off_topic"), [
    ("approve", "approve", "", False),
    ("Approved.\n\nThanks", "approve", "", False),
    ("Hi,\nreject - not for this list\nBest", "reject", "not for this list\nBest", False),
    ("REJECT offtopic", "reject", "", True),
    ("discard", "discard", "", False),
    ("rechazar", "reject", "", False),
    ("I would approve it later", None, "", False),
    ("", None, "", False),
])
def test_the_moderators_word_is_read_from_the_first_lines(
        text: str, action: str | None, note: str, off_topic: bool) -> None:
    command = moderation.read_command(text)
    if action is None:
        assert command is None
        return
    assert command is not None
    assert (command.action, command.note, command.off_topic) == (action, note, off_topic)


def test_held_posts_are_listed_and_approved_from_the_command_line_once(
        app: App, smtp_server: SmtpServer, campaign_dir: Path, database_url: str) -> None:
    hold_one(app, smtp_server)
    config = write_server_config(campaign_dir, smtp_server.port)
    code, out, err = cli(config, database_url, "list", "held", "--json")
    assert code == 0, err
    (held,) = [json.loads(line) for line in out.splitlines()]
    assert (held["list"], held["from"], held["subject"]) == (
        "coalition", OUTSIDER, "Interview request")
    code, out, err = cli(config, database_url, "list", "approve", "coalition",
                         str(held["id"]), "--by", "maria")
    assert code == 0, err
    assert "approved and sent to the members" in out
    code, _, err = cli(config, database_url, "list", "discard", "coalition", str(held["id"]),
                       "--by", "james")
    assert code == 2 and "already accepted by cli:maria" in err
    assert copies(app) == len(MEMBERS)
    code, _, err = cli(config, database_url, "list", "approve", "nosuch", "1")
    assert code == 2 and "no list 'nosuch'; lists: coalition" in err
    with app.factory() as session:
        logged = [(a.actor, a.action, a.via, a.outcome[:16])
                  for a in session.scalars(select(ModerationAction).order_by(
                      ModerationAction.id))]
    assert logged == [("cli:maria", "approve", "cli", "applied"),
                      ("cli:james", "discard", "cli", "already accepted")]
