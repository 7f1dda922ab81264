"""One truth about what was signed: the confirmation, the signers export and the change
notice name the same letter version (the one the signer was asked about) and the same
listing name; a sign-on accepted from review keeps the message's words and the
organizer's decision. End to end on both databases, the organizer on the command line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.targets import about_target
from outreach.db.session import transaction
from outreach.mail.outbox import enqueue
from outreach.review.models import ReviewItem
from tests.campaign.test_replies import (
    LATER,
    deliver,
    process,
    reply_to,
    sent_ask,
    target_of,
)
from tests.campaign.test_signers import body, change_letter, mail_of_kind
from tests.cli.test_cli import cli, write_server_config
from tests.helpers import send_due
from tests.smtpserver import SmtpServer

SLUG = "clean-water"
DONNA = "donna@eastporterville.example"  # East Porterville Water Committee
GARY = "gary@tehipite.example"  # Sierra Club Tehipite Chapter
HONORED = "We would be honored to be part of this, if our board agrees.\n\nDonna"


class Organizer:
    """The organizer's commands, run at a clock the test moves."""

    def __init__(self, campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.config = write_server_config(campaign_dir, smtp_server.port)
        self.database_url = database_url
        self.now = LATER
        for module in ("outreach.cli.campaign", "outreach.cli.review"):
            monkeypatch.setattr(f"{module}.utc_now", lambda: self.now)

    def __call__(self, *args: str) -> str:
        self.now += timedelta(minutes=1)
        code, out, err = cli(self.config, self.database_url, *args)
        assert code == 0, err
        return out

    def review_item(self, app: App) -> int:
        """The newest review item."""
        with app.factory() as session:
            newest = session.scalars(select(ReviewItem.id).order_by(ReviewItem.id.desc()))
            return newest.first() or 0

    def signers(self) -> dict[str, dict[str, Any]]:
        exported = json.loads(self("export", "signers", SLUG, "--format", "json"))
        return {s["name_as_listed"]: s for s in exported["signers"]}


@pytest.fixture
def organizer(campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
              monkeypatch: pytest.MonkeyPatch) -> Organizer:
    return Organizer(campaign_dir, database_url, smtp_server, monkeypatch)


def to(server: SmtpServer, address: str, subject: str, start: int) -> str:
    (message,) = [m for m in mail_of_kind(server, subject, start) if address in str(m["To"])]
    return body(message)


def test_accepted_from_review_around_a_new_version_one_version_everywhere(
        asked: App, smtp_server: SmtpServer, organizer: Organizer) -> None:
    # Donna's answer to the ask of version 1 is not a plain yes: it waits for review.
    deliver(asked, reply_to(sent_ask(smtp_server, DONNA), HONORED))
    assert process(asked) == {"review:unknown": 1}
    donna_item = organizer.review_item(asked)
    # Gary's too; his is accepted before the letter changes, Donna's after.
    deliver(asked, reply_to(sent_ask(smtp_server, GARY), "Happy to. Thanks, Gary"))
    assert process(asked) == {"review:unknown": 1}
    organizer("review", "accept", str(organizer.review_item(asked)), "--name",
              "Tehipite Chapter, Sierra Club", "--by", "maria")
    change_letter(asked)
    organizer("letter", "publish", SLUG, "--summary", "Three days, not seven.", "--by", "maria")
    organizer("review", "accept", str(donna_item), "--name", "Porterville Water Committee",
              "--by", "maria")

    start = len(smtp_server.messages)
    send_due(asked, organizer.now)
    for address, listed in ((DONNA, "Porterville Water Committee"),
                            (GARY, "Tehipite Chapter, Sierra Club")):
        confirmation = to(smtp_server, address, "Thank you:", start)
        assert f"We have added {listed} to the signers" in confirmation
        assert "for version 1 of the letter, the one we asked you about" in confirmation
        assert "version 2 is at https://valleywater.org/letter/draft-v2" in confirmation
        assert "draft-v1" not in confirmation  # every email links the current draft only

    signers = organizer.signers()
    assert {name: s["letter_version"] for name, s in signers.items()} == {
        "Porterville Water Committee": 1, "Tehipite Chapter, Sierra Club": 1}
    donna = signers["Porterville Water Committee"]
    assert (donna["evidence"], donna["decided_by"]) == ("reply", "organizer:maria")
    assert donna["quoted_text"] == HONORED  # the message's own words, never empty

    # Gary heard of version 2 when it was published; Donna hears on the next sweep.
    assert jobs.signer_mail(asked, organizer.now).change_notices == 1
    send_due(asked, organizer.now + timedelta(hours=1))
    assert len(mail_of_kind(smtp_server, "has changed", start)) == 2
    for address, listed, organization in (
            (DONNA, "Porterville Water Committee", "East Porterville Water Committee"),
            (GARY, "Tehipite Chapter, Sierra Club", "Sierra Club Tehipite Chapter")):
        notice = to(smtp_server, address, "has changed", start)
        assert f"{listed} signed" in notice
        assert organization not in notice
        assert "has changed since version 1" in notice and "draft-v2" in notice


def test_a_reconfirmation_is_confirmed_for_the_version_reconfirmed(
        asked: App, smtp_server: SmtpServer, organizer: Organizer) -> None:
    deliver(asked, reply_to(sent_ask(smtp_server, DONNA), HONORED))
    process(asked)
    organizer("review", "accept", str(organizer.review_item(asked)), "--name", "EPWC",
              "--by", "maria")
    send_due(asked, organizer.now)
    change_letter(asked)
    organizer("letter", "publish", SLUG, "--summary", "Three days, not seven.", "--by", "maria")
    start = len(smtp_server.messages)
    send_due(asked, organizer.now)
    (notice,) = mail_of_kind(smtp_server, "has changed", start)
    deliver(asked, reply_to(notice, "Yes, we confirm."))
    assert process(asked) == {"reconfirmed": 1}
    start = len(smtp_server.messages)
    send_due(asked, organizer.now + timedelta(hours=3))
    confirmation = to(smtp_server, DONNA, "Thank you:", start)
    assert "EPWC stays among the signers" in confirmation
    assert "for version 2 of the letter" in confirmation
    assert "You can read it at https://valleywater.org/letter/draft-v2" in confirmation


def test_the_version_is_the_one_the_answer_replied_to_not_the_last_one_sent(
        asked: App, smtp_server: SmtpServer, organizer: Organizer) -> None:
    """A mail linking version 2 went out after the answer to version 1 arrived: accepting
    the answer records version 1, the one it replied to."""
    deliver(asked, reply_to(sent_ask(smtp_server, DONNA), HONORED))
    process(asked)
    change_letter(asked)
    organizer("letter", "publish", SLUG, "--summary", "Three days, not seven.", "--by", "maria")
    after: datetime = LATER + timedelta(hours=1)
    with transaction(asked.factory) as session:
        target = target_of(session, "East Porterville Water Committee")
        enqueue(session, kind="more_time", recipient=DONNA, now=after,
                message_id_domain="valleywater.org", about=about_target(target.id))
    send_due(asked, after)
    organizer.now = after + timedelta(hours=1)
    organizer("review", "accept", str(organizer.review_item(asked)), "--by", "maria")
    assert organizer.signers()["East Porterville Water Committee"]["letter_version"] == 1
