"""Text that decodes to a NUL byte is stored (as U+FFFD) on both databases: a subject or
body crafted that way must not stop the pipe (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

from sqlalchemy import select

from outreach.app import App
from outreach.mail.models import InboundMessage, InboundStatus
from outreach.review.models import ReviewItem
from tests.campaign.test_replies import deliver, process, reply_to, sent_ask
from tests.smtpserver import SmtpServer


def test_a_reply_whose_subject_and_body_decode_to_nul_is_acted_on(
        asked: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "donna@eastporterville.example")
    raw = reply_to(ask, "Who else\x00 has signed?", quote=False)
    raw = raw.replace(b"Subject: ", b"Subject: =?utf-8?q?a=00b?= ", 1)
    raw = raw.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: 8bit")
    deliver(asked, raw)
    assert process(asked) == {"review:question": 1}
    with asked.factory() as session:
        row = session.scalars(select(InboundMessage)).one()
        assert row.status == InboundStatus.PROCESSED
        assert b"\x00" in row.raw  # the original bytes are kept as they came
        item = session.scalars(select(ReviewItem)).one()
        assert "\x00" not in item.summary and "\ufffd" in item.summary
