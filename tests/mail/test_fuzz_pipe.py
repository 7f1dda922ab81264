"""Mutated real messages through the daemon's own path (store → route → act), on both
databases: no exception escapes, every message ends acted on or quarantined, and none
takes longer than a budget. Hostile input is normal input."""

from __future__ import annotations

import email.policy
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs
from outreach.mail.inbox import Fetched, IngestStats, store_batch
from outreach.mail.models import InboundMessage, InboundStatus
from outreach.mailbox import act_on_mail
from tests.campaign.test_replies import LATER, reply_to, sent_ask
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer

# Generous: the budget is for a message to be handled at all, not a speed target (the
# benchmarks measure speed); a stall or a quadratic blow-up is what it catches.
BUDGET_SECONDS = 5.0


@pytest.fixture
def seeds(app: App, smtp_server: SmtpServer) -> list[bytes]:
    """Real messages of every kind the door and handlers meet, answering a real ask."""
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    ask = sent_ask(smtp_server, "donna@eastporterville.example")
    yes = reply_to(ask, "Yes! Please list us as East Porterville Water Committee.")
    stranger = reply_to(ask, "No, we will not sign.", sender="mallory@evil.example")
    away = EmailMessage()
    away["From"] = str(ask["To"])
    away["To"] = str(ask["Reply-To"])
    away["Subject"] = "Out of office: " + str(ask["Subject"])
    away["Auto-Submitted"] = "auto-replied"
    away.set_content("I am away until 4 January 2027 and will reply when I am back.")
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@mail.eastporterville.example"
    bounce["To"] = "bounce+m1-aaaaaaaaaaaaaaaa@valleywater.org"
    bounce["Subject"] = "Undelivered Mail Returned to Sender"
    bounce.set_content("<donna@eastporterville.example>: host said: 550 5.1.1 User unknown\n"
                       f"Message-ID: {ask['Message-ID']}\n")
    unrouted = reply_to(ask, "Yes, count us in.", to="coalition@valleywater.org")
    return [yes, stranger, away.as_bytes(policy=email.policy.SMTP),
            bounce.as_bytes(policy=email.policy.SMTP), unrouted]


Mutation = Callable[[bytes, int, bytes], bytes]


def _insert(raw: bytes, at: int, junk: bytes) -> bytes:
    return raw[:at] + junk + raw[at:]


def _replace(raw: bytes, at: int, junk: bytes) -> bytes:
    return raw[:at] + junk + raw[at + len(junk):]


def _truncate(raw: bytes, at: int, junk: bytes) -> bytes:
    return raw[:at] + junk[:1]


def _repeat_header(raw: bytes, at: int, junk: bytes) -> bytes:
    header = b"X-Junk: " + junk[:20].replace(b"\n", b" ") + b"\r\n"
    return header + b"Received: from x by y\r\n" * (at % 3000) + raw


def _long_line(raw: bytes, at: int, junk: bytes) -> bytes:
    return _insert(raw, at, (junk[:1] or b"-") * (at * 7 % 60_000))


MUTATIONS: list[Mutation] = [_insert, _replace, _truncate, _repeat_header, _long_line]
JUNK = st.one_of(
    st.binary(min_size=1, max_size=64),
    st.sampled_from([b"\x00", b"\r\n\r\n", b"=?utf-8?q?a=00=0D=0AX:_y?=", b"\r\n--\r\n",
                     b"Content-Type: multipart/mixed; boundary=\"\"\r\n", b"\xff\xfe",
                     b"From: a@b.example, c@d.example\r\n", b"> > > > > > > >",
                     b"=?x?b?////?=", b"\r\n.\r\n", b"Message-ID: <>\r\n"]),
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_messages_are_acted_on_or_quarantined_in_time(
        app: App, seeds: list[bytes], data: st.DataObject) -> None:
    seed = data.draw(st.sampled_from(seeds))
    raw = seed
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        mutate = data.draw(st.sampled_from(MUTATIONS))
        at = data.draw(st.integers(min_value=0, max_value=max(0, len(raw))))
        raw = mutate(raw, at, data.draw(JUNK))
    raw = raw.replace(b"Message-ID: <", b"Message-ID: <" + make_msgid()[1:-1].encode() + b".", 1)
    uid = data.draw(st.integers(min_value=1, max_value=2**31))
    stats = IngestStats()
    start = time.perf_counter()
    store_batch(app.factory, [Fetched("fuzz", 1, uid, raw, cursor=False)], LATER, stats,
                app.door)
    for _ in range(3):  # a handler that fails is retried, then quarantined
        act_on_mail(app, LATER)
    elapsed = time.perf_counter() - start
    assert elapsed < BUDGET_SECONDS, f"{elapsed:.1f} s for a {len(raw)}-byte message"
    with app.factory() as session:
        left = session.scalars(select(InboundMessage).where(
            InboundMessage.status == InboundStatus.NEW)).all()
    assert left == [], [(r.id, r.route, r.error) for r in left]
