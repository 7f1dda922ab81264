"""Fixtures for the web app: the example campaign asked through the real SMTP server, and
the app over the same database, on a clock the tests move."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from outreach.app import App
from outreach.campaign.models import SignOn, Target
from outreach.db.session import transaction
from outreach.people.models import Contact
from outreach.web.app import create_web_app
from tests.helpers import Clock
from tests.smtpserver import SmtpServer

ASKED = "susana@communitywatercenter.example"  # Community Water Center, in the example
PUBLIC = "https://valleywater.org/letter"  # [public] base_url of the example config


def delivered(server: SmtpServer, recipient: str, kind: str = "ask") -> EmailMessage:
    """The newest message of `kind` the SMTP server received for `recipient`."""
    for received in reversed(list(server.messages)):
        message = received.message
        if recipient in received.rcpt_tos and _kind(message) == kind:
            return message
    raise AssertionError(f"no {kind} delivered to {recipient}")


def _kind(message: EmailMessage) -> str:
    subject = str(message["Subject"])
    if subject.startswith("Will "):
        return "ask"
    if "changed" in subject.lower() or "change" in subject.lower():
        return "change_notice"
    return "other"


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, path: str) -> str:
    """The personal `/<path>/<token>` link in the message's text."""
    match = re.search(rf"https?://\S+/{path}/[a-z0-9.]+", text_of(message))
    assert match, f"no /{path}/ link in:\n{text_of(message)}"
    return match.group(0)


def one_click_url(message: EmailMessage) -> str:
    header = " ".join(str(message["List-Unsubscribe"]).split())
    match = re.match(r"<(https?://[^>]+)>, <mailto:[^>]+>$", header)
    assert match, header
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return match.group(1)


def sign_ons(app: App) -> list[SignOn]:
    with transaction(app.factory) as session:
        return list(session.scalars(select(SignOn).order_by(SignOn.id)))


def target_for(app: App, email: str) -> Target:
    with transaction(app.factory) as session:
        contact = session.scalars(select(Contact).where(Contact.email == email)).one()
        return session.scalars(select(Target).where(Target.contact_id == contact.id)).one()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(asked: App, clock: Clock) -> Iterator[TestClient]:
    """The web app over the asked example campaign, at the example's public address."""
    with TestClient(create_web_app(asked, clock=clock), base_url="https://valleywater.org",
                    follow_redirects=False) as test_client:
        yield test_client
