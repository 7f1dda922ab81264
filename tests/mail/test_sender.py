"""The outbox sender against a real SMTP server on loopback, on SQLite and PostgreSQL.

The server (aiosmtpd, in this process) is scripted per recipient: RCPT replies, a dropped
connection mid-DATA. Time is the sender's `clock`, moved by the tests; only the rate
tests measure wall time, since pacing is what they check.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import trustme

from outreach.app import App
from outreach.campaign.models import TargetState
from outreach.db.session import transaction as outbox_transaction
from outreach.mail import outbox
from outreach.mail import sender as sender_module
from outreach.mail.models import OutboxStatus
from outreach.mail.outbox import OutboxHooks
from outreach.mail.sink import free_port
from outreach.people.models import Suppression
from tests.conftest import NOW
from tests.helpers import (
    Clock,
    drain,
    enqueue_raw,
    plan_example,
    received,
    row_for,
    rows,
    sender,
    target_of,
)
from tests.smtpserver import SmtpServer, password_authenticator

S = OutboxStatus
BASE = 60  # settings.outbox.backoff_base_seconds in tests (conftest.make_settings)


def send_order(app: App) -> list[str]:
    """Recipients in the order the outbox hands them out (priority, then age, then id)."""
    ordered = sorted(rows(app), key=lambda r: (-r.priority, r.not_before, r.id))
    return [r.recipient for r in ordered]


def test_a_4xx_reply_defers_the_row_with_back_off_and_it_is_sent_later(
        app: App, smtp_server: SmtpServer) -> None:
    queued = plan_example(app)
    busy = "susana@communitywatercenter.example"
    smtp_server.script.rcpt_replies[busy] = "450 4.2.1 mailbox busy"
    clock = Clock(NOW)

    stats = drain(app, clock)

    assert (stats.sent, stats.retried, stats.failed) == (queued - 1, 1, 0)
    row = row_for(app, busy)
    assert row.status == S.PENDING and row.attempts == 1 and row.claimed_by is None
    assert row.last_error is not None and "450 4.2.1 mailbox busy" in row.last_error
    # Back-off: base seconds with +-20% jitter after the first attempt.
    assert NOW + timedelta(seconds=0.8 * BASE) <= row.not_before \
        <= NOW + timedelta(seconds=1.2 * BASE)
    counts = received(smtp_server)
    assert busy not in counts and len(counts) == queued - 1 and set(counts.values()) == {1}

    # Not due before its time, even with the mailbox free again.
    smtp_server.script.rcpt_replies.clear()
    clock.now = row.not_before - timedelta(seconds=1)
    assert drain(app, clock).sent == 0
    clock.now = row.not_before
    assert drain(app, clock).sent == 1

    row = row_for(app, busy)
    assert (row.status, row.attempts, row.last_error, row.sent_at) == (S.SENT, 2, None,
                                                                        clock.now)
    assert received(smtp_server)[busy] == 1
    target, contact, tasks = target_of(app, busy)
    assert target.state == TargetState.ASKED and contact.suppression == Suppression.NONE
    assert tasks == []


def test_a_5xx_reply_to_the_message_pauses_the_target_but_keeps_the_address(
        app: App, smtp_server: SmtpServer) -> None:
    plan_example(app)
    refused = "zach@firminc.example"
    smtp_server.script.data_replies[refused] = "554 5.6.0 message content rejected"

    stats = drain(app, Clock(NOW))

    assert stats.failed == 1
    assert row_for(app, refused).status == S.FAILED
    target, contact, tasks = target_of(app, refused)
    assert contact.suppression == Suppression.NONE
    assert target.state == TargetState.PAUSED
    assert [t.kind for t in tasks] == ["review"]
    assert "refused by the receiving server" in tasks[0].title


def test_a_5xx_reply_fails_the_row_bounces_the_contact_and_opens_a_task(
        app: App, smtp_server: SmtpServer) -> None:
    queued = plan_example(app)
    gone = "zach@firminc.example"
    smtp_server.script.rcpt_replies[gone] = "550 5.1.1 no such user"
    clock = Clock(NOW)

    stats = drain(app, clock)

    assert (stats.sent, stats.retried, stats.failed) == (queued - 1, 0, 1)
    row = row_for(app, gone)
    assert row.status == S.FAILED and row.attempts == 1 and row.claimed_by is None
    assert row.last_error is not None and "550 5.1.1 no such user" in row.last_error
    target, contact, tasks = target_of(app, gone)
    assert contact.suppression == Suppression.BOUNCED
    assert contact.suppression_reason is not None and "550" in contact.suppression_reason
    assert target.state == TargetState.BOUNCED
    assert [t.kind for t in tasks] == ["find_contact"]
    assert "rejected" in tasks[0].notes and "550 5.1.1" in tasks[0].notes

    # No retry, ever: a week later nothing more goes to that address.
    smtp_server.script.rcpt_replies.clear()
    clock.advance(days=7)
    assert drain(app, clock).sent == 0
    assert gone not in received(smtp_server)
    assert row_for(app, gone).attempts == 1


def test_a_connection_dropped_mid_data_is_retried_and_the_rest_still_go_out(
        app: App, smtp_server: SmtpServer) -> None:
    queued = plan_example(app)
    app.settings.smtp.connections = 1  # one connection: the sender must reconnect itself
    order = send_order(app)
    dropped = order[5]
    smtp_server.script.drop_data[dropped] = 1
    clock = Clock(NOW)

    stats = drain(app, clock)

    assert (stats.sent, stats.retried, stats.failed) == (queued - 1, 1, 0)
    row = row_for(app, dropped)
    assert row.status == S.PENDING and row.attempts == 1
    assert row.last_error is not None and row.last_error.startswith("connection")
    # Five messages on the first connection, the other fifteen on a new one.
    peers = [m.peer for m in smtp_server.messages]
    assert [m.rcpt_tos[0] for m in smtp_server.messages] == [r for r in order if r != dropped]
    assert peers[:5] == [peers[0]] * 5 and peers[5:] == [peers[5]] * 15
    assert peers[0] != peers[5]

    clock.now = row.not_before
    assert drain(app, clock).sent == 1
    assert row_for(app, dropped).status == S.SENT
    counts = received(smtp_server)
    assert counts[dropped] == 1 and len(counts) == queued and set(counts.values()) == {1}


def test_a_connection_is_reused_then_renewed_after_messages_per_connection(
        app: App, smtp_server: SmtpServer) -> None:
    app.settings.smtp.connections = 1
    app.settings.smtp.messages_per_connection = 5
    enqueue_raw(app, [f"r{i}@d{i}.example" for i in range(12)])

    assert drain(app).sent == 12

    peers = [m.peer for m in smtp_server.messages]
    chunks = [peers[:5], peers[5:10], peers[10:]]
    assert [len(set(chunk)) for chunk in chunks] == [1, 1, 1]
    assert len({chunk[0] for chunk in chunks}) == 3


def test_when_attempts_run_out_the_target_bounces_but_the_contact_is_kept(
        app: App, smtp_server: SmtpServer) -> None:
    plan_example(app)
    app.settings.outbox.max_attempts = 2
    busy = "pseaton@leadershipcounsel.example"
    smtp_server.script.rcpt_replies[busy] = "451 4.3.0 try again later"
    clock = Clock(NOW)

    drain(app, clock)
    row = row_for(app, busy)
    assert row.status == S.PENDING and row.attempts == 1
    clock.now = row.not_before
    stats = drain(app, clock)

    assert (stats.sent, stats.retried, stats.failed) == (0, 0, 1)
    row = row_for(app, busy)
    assert row.status == S.FAILED and row.attempts == 2
    assert row.last_error is not None
    assert row.last_error.startswith("gave up after 2 attempts") and "451 4.3.0" in row.last_error
    target, contact, tasks = target_of(app, busy)
    assert target.state == TargetState.BOUNCED
    assert contact.suppression == Suppression.NONE  # temporary failures prove no bad address
    assert [t.kind for t in tasks] == ["find_contact"] and "expired" in tasks[0].notes
    clock.advance(days=1)
    assert drain(app, clock).sent == 0 and busy not in received(smtp_server)


# --- TLS and AUTH ----------------------------------------------------------------------

USER, PASSWORD = "outreach@valleywater.org", "correct horse battery staple"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


def client_context(ca: trustme.CA | None) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if ca is not None:
        ca.configure_trust(context)
    return context


def secure_server(ca: trustme.CA, security: str) -> SmtpServer:
    """A server that insists on TLS (STARTTLS or implicit) and on AUTH."""
    tls: dict[str, Any] = (
        {"tls_context": server_context(ca), "require_starttls": True}
        if security == "starttls"
        # aiosmtpd only counts STARTTLS as TLS for AUTH; this socket is TLS from the start.
        else {"ssl_context": server_context(ca), "auth_require_tls": False}
    )
    return SmtpServer(authenticator=password_authenticator(USER, PASSWORD),
                      auth_required=True, **tls)


def use(app: App, port: int, security: str, password: str) -> None:
    smtp = app.settings.smtp
    smtp.port, smtp.security, smtp.username = port, security, USER  # type: ignore[assignment]
    app.settings.smtp_password = password


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_sends_over_tls_with_auth(app: App, ca: trustme.CA, security: str) -> None:
    queued = plan_example(app)
    with secure_server(ca, security) as server:
        use(app, server.port, security, PASSWORD)
        stats = drain(app, tls_context=client_context(ca))
    assert stats.sent == queued
    assert len(server.messages) == queued
    assert all(m.tls and m.login == USER for m in server.messages)
    assert all(r.status == S.SENT for r in rows(app))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize(("problem", "error"), [
    ("wrong password", "535"),
    ("untrusted certificate", "CERTIFICATE_VERIFY_FAILED"),
    ("no login", "530"),  # the server wants AUTH; we are configured without a username
    ("no server", "Error connecting"),
])
def test_a_session_that_cannot_open_defers_mail_and_bounces_nobody(
        app: App, ca: trustme.CA, caplog: pytest.LogCaptureFixture, problem: str,
        error: str) -> None:
    """Our own configuration or relay failing is not the recipients' fault: mail waits."""
    queued = plan_example(app)
    with secure_server(ca, "starttls") as server:
        trusted = client_context(ca)
        use(app, server.port, "starttls", PASSWORD)
        app.settings.smtp.timeout_seconds = 5  # a hang would fail the test, not stall it
        context = trusted
        if problem == "wrong password":
            app.settings.smtp_password = "wrong"
        elif problem == "untrusted certificate":
            context = client_context(None)
        elif problem == "no login":
            app.settings.smtp.username = None
        else:
            app.settings.smtp.port = free_port()
        clock = Clock(NOW)
        with caplog.at_level(logging.INFO, logger="outreach.mail.sender"):
            stats = drain(app, clock, tls_context=context)

        assert (stats.sent, stats.retried, stats.failed) == (0, queued, 0)
        assert server.messages == []
        for row in rows(app):
            assert row.status == S.PENDING and row.attempts == 0 and row.claimed_by is None
            assert row.last_error is not None and error in row.last_error, row.last_error
            assert row.not_before >= NOW + timedelta(seconds=0.8 * BASE)
            target, contact, tasks = target_of(app, row.recipient)
            assert target.state == TargetState.ASKED
            assert contact.suppression == Suppression.NONE and tasks == []
        errors = [r for r in caplog.records
                  if r.name == "outreach.mail.sender" and r.levelno == logging.ERROR]
        assert errors and all(error in r.getMessage() for r in errors)
        # One error per connection and batch, not one per row.
        assert len(errors) <= 2 * app.settings.smtp.connections

        # Once the configuration is fixed, everything goes out, attempts counted from one.
        use(app, server.port, "starttls", PASSWORD)
        clock.advance(hours=1)
        assert drain(app, clock, tls_context=trusted).sent == queued
    assert all(r.status == S.SENT and r.attempts == 1 for r in rows(app))
    assert len(server.messages) == queued


@pytest.mark.parametrize("reply", ["554 5.7.1 Relay access denied",
                                   "454 4.7.1 Relay access denied"])
def test_a_relay_refusing_to_relay_for_us_bounces_nobody(
        app: App, smtp_server: SmtpServer, reply: str) -> None:
    """What Postfix answers at RCPT when we forgot to log in: our problem, not theirs."""
    queued = plan_example(app)
    for row in rows(app):
        smtp_server.script.rcpt_replies[row.recipient] = reply
    clock = Clock(NOW)

    stats = drain(app, clock)

    assert (stats.sent, stats.retried, stats.failed) == (0, queued, 0)
    for row in rows(app):
        assert row.status == S.PENDING and row.attempts == 0
        assert row.last_error is not None and "Relay access denied" in row.last_error
        target, contact, tasks = target_of(app, row.recipient)
        assert target.state == TargetState.ASKED
        assert contact.suppression == Suppression.NONE and tasks == []
    smtp_server.script.rcpt_replies.clear()
    clock.advance(hours=1)
    assert drain(app, clock).sent == queued


# --- Send window -------------------------------------------------------------------------

# The example window is Mon-Thu 09:00-16:30 in Los Angeles (UTC-8 in December).
def test_a_closed_send_window_holds_rows_until_it_opens(
        app: App, smtp_server: SmtpServer) -> None:
    closed = datetime(2026, 12, 11, 1, 0, tzinfo=UTC)  # Thursday 17:00, after the window
    opens = datetime(2026, 12, 14, 17, 0, tzinfo=UTC)  # Monday 09:00
    queued = plan_example(app)
    # Fewer rows a claim than asks waiting for the window: the row behind them, which has
    # no window, must still go out in the same drain.
    app.settings.smtp.in_flight = 5
    enqueue_raw(app, ["someone@elsewhere.example"])
    clock = Clock(closed)

    stats = drain(app, clock)

    assert stats.sent == 1 and received(smtp_server) == {"someone@elsewhere.example": 1}
    asks = [r for r in rows(app) if r.kind == "ask"]
    assert len(asks) == queued
    for row in asks:
        assert (row.status, row.not_before, row.attempts, row.claimed_by) == (
            S.PENDING, opens, 0, None)

    clock.now = opens - timedelta(seconds=1)
    assert drain(app, clock).sent == 0
    clock.now = opens
    assert drain(app, clock).sent == queued
    counts = received(smtp_server)
    assert len(counts) == queued + 1 and set(counts.values()) == {1}
    assert all(r.sent_at == opens for r in rows(app) if r.kind == "ask")


# --- Rates -------------------------------------------------------------------------------

def assert_paced(times: list[float], rate: float, burst: float, slack: int = 2) -> None:
    """No stretch of arrivals holds more than the burst plus the rate times its length."""
    times = sorted(times)
    for i in range(len(times)):
        for j in range(i, len(times)):
            allowed = burst + rate * (times[j] - times[i]) + slack
            assert j - i + 1 <= allowed, (
                f"{j - i + 1} messages in {times[j] - times[i]:.3f} s at {rate}/s, "
                f"burst {burst}")


def test_the_global_rate_paces_the_drain(app: App, smtp_server: SmtpServer) -> None:
    app.settings.rates.global_per_second = 20  # a burst of one second's worth, then 20/s
    recipients = [f"r{i}@d{i}.example" for i in range(30)]
    enqueue_raw(app, recipients)

    started = time.monotonic()
    stats = drain(app)
    elapsed = time.monotonic() - started

    assert stats.sent == 30 and set(received(smtp_server)) == set(recipients)
    assert elapsed >= (30 - 20) / 20 * 0.9, elapsed
    assert_paced([m.received_at for m in smtp_server.messages], rate=20, burst=20)


def test_the_per_domain_rate_paces_one_domain(app: App, smtp_server: SmtpServer) -> None:
    app.settings.rates.per_domain_per_minute = 120  # 2/s, a burst of ten seconds' worth
    slow = [f"r{i}@slow.example" for i in range(22)]
    others = [f"r{i}@d{i}.example" for i in range(8)]
    enqueue_raw(app, slow + others)

    started = time.monotonic()
    stats = drain(app)
    elapsed = time.monotonic() - started

    assert stats.sent == 30 and set(received(smtp_server)) == set(slow + others)
    assert elapsed >= (22 - 20) / 2 * 0.9, elapsed
    assert_paced([m.received_at for m in smtp_server.messages
                  if m.rcpt_tos[0].endswith("@slow.example")], rate=2, burst=20)


# --- Stopping --------------------------------------------------------------------------

def test_stopping_releases_the_claimed_rows_not_yet_sent(
        app: App, smtp_server: SmtpServer) -> None:
    queued = plan_example(app)
    app.settings.smtp.in_flight = 20  # fewer than the example's 21 asks
    app.settings.rates.global_per_second = 2  # slow enough to stop it mid-batch
    the_sender = sender(app, Clock(NOW), worker="stopper")

    async def run_until_first_message() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(the_sender.run(stop))
        while not smtp_server.messages:
            await asyncio.sleep(0.005)
        stop.set()
        await asyncio.wait_for(task, 10)

    asyncio.run(run_until_first_message())

    stats = the_sender.stats
    sent = len(smtp_server.messages)
    in_flight = app.settings.smtp.in_flight
    assert 1 <= stats.sent == sent < in_flight
    assert stats.released == in_flight - sent  # the 21st row was never claimed
    by_status = {s: [r for r in rows(app) if r.status == s] for s in S}
    assert by_status[S.SENDING] == []
    assert len(by_status[S.SENT]) == sent and len(by_status[S.PENDING]) == queued - sent
    for row in by_status[S.PENDING]:  # free for any sender at once, no attempt counted
        assert (row.claimed_by, row.lease_until, row.attempts, row.not_before) == (
            None, None, 0, NOW)

    app.settings.rates.global_per_second = 10_000
    assert drain(app, Clock(NOW)).sent == queued - sent
    assert set(received(smtp_server).values()) == {1}


def test_cancelling_mid_message_releases_the_rest_at_once(
        app: App, smtp_server: SmtpServer) -> None:
    plan_example(app)
    app.settings.smtp.connections = 1
    app.settings.smtp.in_flight = 20  # fewer than the example's 21 asks
    first = send_order(app)[0]
    smtp_server.script.stall_data[first] = 3  # the server sits on the first message's DATA
    the_sender = sender(app, Clock(NOW), worker="cancelled")

    async def cancel_mid_message() -> float:
        task = asyncio.create_task(the_sender.run())
        while not smtp_server.handler.stalled:
            await asyncio.sleep(0.005)
        cancelled = time.monotonic()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - cancelled

    # No QUIT on a connection cut mid-transaction: that would wait for the server.
    assert asyncio.run(cancel_mid_message()) < 1
    in_flight = app.settings.smtp.in_flight
    assert the_sender.stats.released == in_flight - 1
    by_status = {s: [r for r in rows(app) if r.status == s] for s in S}
    # The message the server has may have gone out: it stays claimed until its lease ends.
    assert [(r.recipient, r.claimed_by) for r in by_status[S.SENDING]] == [(first, "cancelled")]
    assert by_status[S.SENT] == []
    assert all(r.claimed_by is None and r.attempts == 0 for r in by_status[S.PENDING])


# --- Several senders ---------------------------------------------------------------------

def test_concurrent_claims_never_take_a_row_twice(app: App) -> None:
    ids = enqueue_raw(app, [f"r{i}@d{i % 7}.example" for i in range(200)])
    barrier = threading.Barrier(4)
    taken: dict[str, list[int]] = {}

    def claim_all(worker: str) -> None:
        mine: list[int] = []
        barrier.wait()
        while batch := outbox.claim(app.factory, worker=worker, now=NOW, limit=7,
                                    lease=timedelta(minutes=5), hooks=OutboxHooks()):
            mine.extend(c.id for c in batch)
        taken[worker] = mine

    threads = [threading.Thread(target=claim_all, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    everything = [i for mine in taken.values() for i in mine]
    assert sorted(everything) == ids  # all claimed, none twice
    by_id = {r.id: r for r in rows(app)}
    for worker, mine in taken.items():
        assert all(by_id[i].claimed_by == worker and by_id[i].status == S.SENDING for i in mine)


def test_two_senders_draining_one_outbox_send_each_row_once(
        app: App, smtp_server: SmtpServer) -> None:
    recipients = [f"r{i}@d{i % 5}.example" for i in range(150)]
    enqueue_raw(app, recipients)
    app.settings.smtp.in_flight = 4  # many small claims, so the two really interleave
    senders = [sender(app, Clock(NOW), worker=f"sender-{i}") for i in (1, 2)]
    barrier = threading.Barrier(2)

    def run(index: int) -> None:
        barrier.wait()
        asyncio.run(senders[index].run(until="idle"))

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert received(smtp_server) == {r: 1 for r in recipients}
    assert all(r.status == S.SENT and r.attempts == 1 for r in rows(app))
    sent = [s.stats.sent for s in senders]
    assert sum(sent) == len(recipients) and min(sent) > 0, sent


def test_a_recipient_that_cannot_go_on_the_command_line_fails_and_the_next_goes_out(
        app: App, smtp_server: SmtpServer) -> None:
    """A recipient the SMTP path cannot write (non-ASCII, whitespace, brackets) fails for
    good before its transaction opens, so the next message on the same connection is not
    met with '503 nested MAIL'."""
    app.settings.smtp.connections = 1
    enqueue_raw(app, ["ok1@example.net"])
    with outbox_transaction(app.factory) as session:
        bad = outbox.enqueue(session, kind="note", recipient="müller@example.net", now=NOW,
                             message_id_domain="test.example")
        bad.raw = b"Subject: x\r\n\r\nhello\r\n"
    enqueue_raw(app, ["ok2@example.net"])
    drain(app)
    assert {r.rcpt_tos[0] for r in smtp_server.messages} == {"ok1@example.net",
                                                              "ok2@example.net"}
    assert row_for(app, "ok2@example.net").status == OutboxStatus.SENT
    failed = row_for(app, "müller@example.net")
    assert failed.status == OutboxStatus.FAILED
    assert "cannot be written on an SMTP command line" in (failed.last_error or "")


def test_accepted_rows_are_marked_sent_during_a_slow_batch_not_only_at_its_end(
        app: App, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash resends at most what was accepted since the last marking: while the server
    sits on the third message, the first two are already marked sent."""
    monkeypatch.setattr(sender_module, "MARK_SENT_WITHIN_SECONDS", 0.2)
    plan_example(app)
    app.settings.smtp.connections = 1
    first, second, third = send_order(app)[:3]
    smtp_server.script.stall_data[third] = 3
    the_sender = sender(app, Clock(NOW), worker="slow")

    async def statuses_while_stalled() -> dict[str, OutboxStatus]:
        task = asyncio.create_task(the_sender.run())
        while not smtp_server.handler.stalled:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.5)
        statuses = {r.recipient: r.status for r in rows(app)}
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return statuses

    statuses = asyncio.run(statuses_while_stalled())
    assert statuses[first] == statuses[second] == S.SENT
    assert statuses[third] == S.SENDING


def test_a_large_batch_is_marked_sent_every_few_messages(
        app: App, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sender_module, "MARK_SENT_EVERY", 5)
    marked: list[int] = []
    mark_sent_many = outbox.mark_sent_many

    def counting(factory: Any, message_ids: Any, **kwargs: Any) -> int:
        if message_ids:
            marked.append(len(message_ids))
        return mark_sent_many(factory, message_ids, **kwargs)

    monkeypatch.setattr(outbox, "mark_sent_many", counting)
    queued = plan_example(app)
    app.settings.smtp.in_flight = 20
    assert drain(app).sent == queued == 21
    assert marked == [5, 5, 5, 5, 1]
    assert all(r.status == S.SENT for r in rows(app))


def test_a_row_resent_after_a_crash_and_found_in_flight_again_goes_to_a_person(
        app: App, smtp_server: SmtpServer) -> None:
    """A row in flight when its sender died is taken again and recorded as being resent
    before it goes to SMTP. If that sender dies too, the row went out once, twice or not at
    all: it is never sent a third time, it fails as uncertain, and for an ask the organizer
    gets a task and the target is paused."""
    queued = plan_example(app)
    lease = timedelta(minutes=1)
    first = outbox.claim(app.factory, worker="a", now=NOW, limit=50, lease=lease,
                         hooks=app.hooks())
    assert len(first) == queued  # "a" dies with every row in flight
    later = NOW + timedelta(minutes=2)
    second = outbox.claim(app.factory, worker="b", now=later, limit=50, lease=lease,
                          hooks=app.hooks())
    assert all(row.retaken for row in second)
    doubtful = second[0]
    assert outbox.mark_resending(app.factory, doubtful.id, worker="b", now=later)
    # "b" dies after handing that one row to SMTP; a third sender finds them all in flight

    drain(app, Clock(NOW + timedelta(minutes=4)))
    assert doubtful.recipient not in received(smtp_server)
    assert len(received(smtp_server)) == queued - 1
    row = row_for(app, doubtful.recipient)
    assert row.status == S.FAILED and (row.last_error or "").startswith("uncertain: ")
    target, _, tasks = target_of(app, doubtful.recipient)
    assert target.state == TargetState.PAUSED
    assert [task.title for task in tasks if "may not have gone out" in task.title], tasks


def test_resending_is_recorded_only_by_the_sender_that_holds_the_row(app: App) -> None:
    plan_example(app)
    [row] = outbox.claim(app.factory, worker="a", now=NOW, limit=1,
                         lease=timedelta(minutes=1), hooks=app.hooks())
    assert not outbox.mark_resending(app.factory, row.id, worker="b", now=NOW)
    assert outbox.mark_resending(app.factory, row.id, worker="a", now=NOW)


@pytest.mark.parametrize("recipient", [
    "a@b.example>\r\nRCPT TO:<victim@evil.example",  # a second command smuggled in
    "a@b.example> NOTIFY=NEVER",  # an ESMTP parameter smuggled in
    "two words@b.example",
    "<a@b.example>",
    "quoted\"local@b.example",
])
def test_a_recipient_that_could_inject_smtp_commands_never_reaches_the_server(
        app: App, smtp_server: SmtpServer, recipient: str) -> None:
    app.settings.smtp.connections = 1
    with outbox_transaction(app.factory) as session:
        bad = outbox.enqueue(session, kind="note", recipient=recipient, now=NOW,
                             message_id_domain="test.example")
        bad.raw = b"Subject: x\r\n\r\nhello\r\n"
    enqueue_raw(app, ["ok@example.net"])
    drain(app)
    assert [r.rcpt_tos for r in smtp_server.messages] == [["ok@example.net"]]
    failed = row_for(app, recipient)
    assert failed.status == OutboxStatus.FAILED
    assert "cannot be written on an SMTP command line" in (failed.last_error or "")


def test_an_envelope_sender_that_could_inject_commands_is_our_problem_not_the_recipients(
        ) -> None:
    failure = sender_module.classify(sender_module.UnsafeAddress("x> SIZE=1", "sender"))
    assert isinstance(failure, sender_module.SessionFailure)
    failure = sender_module.classify(sender_module.UnsafeAddress("x y@z", "recipient"))
    assert isinstance(failure, sender_module.PermanentFailure)
    assert failure.failure == outbox.Failure.UNSENDABLE
