"""The door and the consent rule, through the daemon's own path (store → route → act).

Only the person asked can sign, decline, withdraw or unsubscribe: mail to any other of our
addresses, a failed token, a stranger, or a bounce that proves nothing goes to review or
is only recorded, never acted on.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from sqlalchemy import select

from outreach.app import App
from outreach.campaign.models import SignOn, TargetState
from outreach.mail.models import InboundMessage
from outreach.people.models import Contact, Suppression
from outreach.review.models import ReviewItem
from tests.campaign.test_replies import deliver, process, reply_to, sent_ask, target_of
from tests.smtpserver import SmtpServer

ASKED = "donna@eastporterville.example"
ORG = "East Porterville Water Committee"


def _state(app: App) -> tuple[TargetState, int, list[ReviewItem]]:
    with app.factory() as session:
        target = target_of(session, ORG)
        signed = len(session.scalars(select(SignOn)).all())
        items = list(session.scalars(select(ReviewItem).order_by(ReviewItem.id)))
        return target.state, signed, items


def _route(app: App) -> str | None:
    with app.factory() as session:
        return session.scalars(select(InboundMessage.route)
                               .order_by(InboundMessage.id.desc())).first()


@pytest.mark.parametrize("address", ["letter@valleywater.org", "ana@valleywater.org",
                                     "list@lists.valleywater.org"])
def test_a_yes_to_an_address_that_is_not_a_reply_address_is_never_a_sign_on(
        asked: App, smtp_server: SmtpServer, address: str) -> None:
    ask = sent_ask(smtp_server, ASKED)
    raw = reply_to(ask, "Yes, count us in.", to=address, quote=False)
    deliver(asked, raw.replace(b"In-Reply-To:", b"X-Was-In-Reply-To:"))
    assert process(asked) == {"review:unrouted": 1}
    state, signed, items = _state(asked)
    assert signed == 0 and state == TargetState.ASKED
    assert items[-1].reason == "unrouted" and address in items[-1].summary
    assert _route(asked) == "unrouted"


def test_a_yes_to_the_coalition_list_is_a_post_to_the_list_never_a_sign_on(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, ASKED)
    raw = reply_to(ask, "Yes, count us in.", to="coalition@valleywater.org", quote=False)
    deliver(asked, raw)  # threaded under the ask, even: the list's address decides
    assert process(asked) == {"list:held": 1}  # the asked contact is not a member
    state, signed, _ = _state(asked)
    assert signed == 0 and state == TargetState.ASKED
    assert _route(asked) == "list.post"


def test_a_tampered_token_from_the_asked_contact_is_not_matched_by_sender(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, ASKED)
    reply_address = str(ask["Reply-To"])
    local, domain = reply_address.split("@")
    tampered = local[:-3] + ("aaa" if not local.endswith("aaa") else "bbb") + "@" + domain
    deliver(asked, reply_to(ask, "Yes, count us in.", to=tampered))
    assert process(asked) == {"review:unmatched": 1}
    _, signed, items = _state(asked)
    assert signed == 0
    assert "token does not check out" in items[-1].summary
    assert _route(asked) == "campaign.reply"


def test_a_yes_matched_by_the_sender_alone_goes_to_review(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, ASKED)
    raw = reply_to(ask, "Yes, count us in.", to="maria@valleywater.org")
    deliver(asked, raw.replace(b"In-Reply-To:", b"X-Was-In-Reply-To:"))
    assert process(asked) == {"review:sign_on_doubt": 1}
    _, signed, items = _state(asked)
    assert signed == 0 and "sender's address alone" in items[-1].summary


def test_a_yes_threaded_to_our_ask_but_sent_to_the_from_address_is_a_sign_on(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, ASKED)
    deliver(asked, reply_to(ask, "Yes, count us in.", to="maria@valleywater.org"))
    assert process(asked) == {"signed": 1}
    assert _route(asked) == "campaign.sender"


@pytest.mark.parametrize(("text", "outcome"), [
    ("Yes, count us in.", "review:sign_on_doubt"),
    ("No, we will not sign this letter.", "review:decline_doubt"),
    ("Unsubscribe", "review:unsubscribe_doubt"),
])
def test_a_stranger_with_the_reply_token_cannot_act_for_the_organization(
        asked: App, smtp_server: SmtpServer, text: str, outcome: str) -> None:
    ask = sent_ask(smtp_server, ASKED)
    deliver(asked, reply_to(ask, text, sender="mallory@evil.example", quote=False))
    assert process(asked) == {outcome: 1}
    state, signed, _ = _state(asked)
    assert signed == 0 and state in (TargetState.ASKED, TargetState.PAUSED)
    with asked.factory() as session:
        contact = session.scalars(select(Contact).where(Contact.email == ASKED)).one()
        assert contact.suppression == Suppression.NONE


@pytest.mark.parametrize("header", [
    ("From", f"{ASKED}, mallory@evil.example"),
    ("Sender", "mallory@evil.example"),
    ("Authentication-Results",
     "mx.valleywater.org; dmarc=fail (p=reject) header.from=eastporterville.example"),
])
def test_doubt_about_the_author_sends_a_yes_to_review(
        asked: App, smtp_server: SmtpServer, header: tuple[str, str]) -> None:
    asked.settings.mailbox.trusted_authserv_id = "mx.valleywater.org"
    ask = sent_ask(smtp_server, ASKED)
    msg = _parse(reply_to(ask, "Yes, count us in."))
    del msg[header[0]]
    msg[header[0]] = header[1]
    deliver(asked, msg.as_bytes())
    assert process(asked) == {"review:sign_on_doubt": 1}
    assert _state(asked)[1] == 0


def test_authentication_results_from_another_server_prove_nothing(
        asked: App, smtp_server: SmtpServer) -> None:
    asked.settings.mailbox.trusted_authserv_id = "mx.valleywater.org"
    ask = sent_ask(smtp_server, ASKED)
    msg = _parse(reply_to(ask, "Yes, count us in."))
    msg["Authentication-Results"] = "evil.example; dmarc=fail header.from=x"
    deliver(asked, msg.as_bytes())
    assert process(asked) == {"signed": 1}


def test_a_bounce_that_proves_nothing_suppresses_nobody(
        asked: App, smtp_server: SmtpServer) -> None:
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@mail.evil.example"
    bounce["To"] = "maria@valleywater.org"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = "<bounce-1@mail.evil.example>"
    bounce.set_content(f"This is the mail system.\n\n<{ASKED}>: host said: 550 5.1.1 "
                       "User unknown\n")
    deliver(asked, bounce.as_bytes())
    (outcome,) = process(asked)
    assert outcome.startswith("bounce:") and outcome.endswith(":unproven")
    with asked.factory() as session:
        contact = session.scalars(select(Contact).where(Contact.email == ASKED)).one()
        assert contact.suppression == Suppression.NONE
        assert target_of(session, ORG).state == TargetState.ASKED


def test_a_bounce_that_returns_our_ask_bounces_the_contact(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, ASKED)
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@mail.eastporterville.example"
    bounce["To"] = "maria@valleywater.org"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce["Message-ID"] = "<bounce-2@mail.eastporterville.example>"
    bounce.set_content(f"This is the mail system.\n\n<{ASKED}>: host said: 550 5.1.1 "
                       f"User unknown\n\n--- returned message ---\nMessage-ID: "
                       f"{ask['Message-ID']}\nSubject: {ask['Subject']}\n")
    deliver(asked, bounce.as_bytes())
    assert process(asked) == {"bounce:hard": 1}
    with asked.factory() as session:
        assert target_of(session, ORG).state == TargetState.BOUNCED


def _parse(raw: bytes) -> EmailMessage:
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg
