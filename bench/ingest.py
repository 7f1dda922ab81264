"""Benchmark: the reply path (IMAP fetch, store, classify, act) against a bare IMAP FETCH.

    .venv/bin/python bench/ingest.py --messages 10000 [--database sqlite|postgresql]
                                     [--idle-replies 50]

What one run does (all on 127.0.0.1, in temporary directories):

1. starts a real Dovecot (tests/dovecot.py's `Dovecot`) and a fresh database with N + 50
   synthetic organizations (bench/smtp.py's setup), plans an ask to each with `jobs.plan`
   and marks those outbox rows sent (the send path is bench/send.py's business);
2. APPENDs N replies built with `email.message`, each from an asked contact to that
   target's own signed reply address (or, for bounces, a DSN to the ask's VERP return
   path): 40 % yes, 20 % no, 15 % questions, 15 % out-of-office, 10 % hard bounces;
3. times a bare imapclient `SEARCH ALL` + one `FETCH <all> BODY.PEEK[]` (the reference), then the
   daemon's path, `mailbox.read_mail` (ImapSource fetch, inbox store with its dedup, then
   handling: classify and act, committing sign-ons, declines, review items, bounces);
4. idle latency: the daemon's mail loop (read_mail, then `source.wait`, which IDLEs) runs
   in a thread while 50 yes-replies to the other 50 targets are APPENDed one at a time;
   for each, the time from just before the APPEND to its sign-on row being visible in the
   database (polled every 2 ms), i.e. committed.

stdout gets ONE JSON line; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import smtp as base  # noqa: E402  (bench/smtp.py)
from sqlalchemy import select, update  # noqa: E402

from outreach import mailbox  # noqa: E402
from outreach.app import App, open_app  # noqa: E402
from outreach.campaign import jobs  # noqa: E402
from outreach.campaign.models import SignOn  # noqa: E402
from outreach.db.session import transaction  # noqa: E402
from outreach.mail.models import OutboxMessage, OutboxStatus  # noqa: E402
from outreach.mail.tokens import make_token, tagged_address  # noqa: E402
from outreach.resources import bundled  # noqa: E402
from tests.dovecot import Dovecot  # noqa: E402

LATER = base.NOW + timedelta(hours=2)
QUOTE = ("\n\nOn Tue, Dec 8, 2026 at 10:00 AM Maria Alvarez wrote:\n"
         "> Dear colleague,\n>\n> Would your organization sign on to our letter, Safe\n"
         "> Drinking Water for Every Valley Community? The current draft is linked below.\n"
         "> Reply to this email with a plain yes and how your organization should be listed.\n")
KINDS = (["yes"] * 8 + ["no"] * 4 + ["question"] * 3 + ["ooo"] * 3 + ["bounce"] * 2)


class Ask:
    """An ask that went out: its outbox row, target and recipient."""

    def __init__(self, row_id: int, target_id: int, recipient: str) -> None:
        self.row_id, self.target_id, self.recipient = row_id, target_id, recipient


def asks_sent(app: App) -> list[Ask]:
    """Mark every planned ask sent, as the drain would; the asks, in target order."""
    with transaction(app.factory) as session:
        session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT,
                                                     sent_at=base.NOW, attempts=1))
        rows = session.execute(select(OutboxMessage.id, OutboxMessage.about_id,
                                      OutboxMessage.recipient)
                               .order_by(OutboxMessage.about_id)).all()
    return [Ask(row_id, int(target_id), recipient) for row_id, target_id, recipient in rows]


def reply(app: App, ask: Ask, kind: str, n: int) -> bytes:
    key = app.settings.require_secret_key()
    sender = app.settings.sender
    msg = EmailMessage()
    msg["Date"] = format_datetime(LATER)
    msg["Message-ID"] = f"<bench-reply-{n}@replies.example>"
    if kind == "bounce":
        host = ask.recipient.rpartition("@")[2]
        msg["From"] = f"MAILER-DAEMON@mx.{host}"
        msg["To"] = tagged_address("bounce", make_token(key, "m", ask.row_id),
                                   sender.reply_domain)
        msg["Subject"] = "Undelivered Mail Returned to Sender"
        msg.set_content(f"This is the mail system at host mx.{host}.\n\nI'm sorry to have to "
                        "inform you that your message could not\nbe delivered to one or more "
                        f"recipients.\n\n<{ask.recipient}>: host mx.{host} said: 550 5.1.1 "
                        f"<{ask.recipient}>: Recipient address rejected: User unknown\n")
        return msg.as_bytes()
    msg["From"] = ask.recipient
    msg["To"] = tagged_address(sender.reply_local_part, make_token(key, "t", ask.target_id),
                               sender.reply_domain)
    msg["Subject"] = "Re: Will you sign on? Safe Drinking Water for Every Valley Community"
    if kind == "ooo":
        msg.replace_header("Subject", "Automatic reply: Will you sign on?")
        msg["Auto-Submitted"] = "auto-replied"
        msg.set_content("I am out of the office and will be back on Monday, "
                        "December 21, 2026. For urgent matters call the front desk.\n")
        return msg.as_bytes()
    text = {"yes": "Yes, we sign on. Thank you for organizing this!",
            "no": "Sorry, we will not sign this letter. Our board decided against it.",
            "question": "Who else has signed so far? And when is the deadline?"}[kind]
    msg.set_content(text + QUOTE)
    return msg.as_bytes()


def append_all(dovecot: Dovecot, messages: list[bytes]) -> None:
    with dovecot.client() as client:
        for raw in messages:
            client.append("INBOX", raw)


def bare_fetch(dovecot: Dovecot, expected: int) -> float:
    """Seconds for a bare imapclient FETCH of every message's body (the reference)."""
    start = time.perf_counter()
    with dovecot.client() as client:
        client.select_folder("INBOX", readonly=True)
        fetched = client.fetch(client.search(), ["BODY.PEEK[]"])
    seconds = time.perf_counter() - start
    if len(fetched) != expected:
        raise base.BenchError(f"bare FETCH got {len(fetched)} messages of {expected}")
    return seconds


def daemon_path(app: App, expected: int) -> tuple[float, dict[str, int]]:
    """Seconds for `mailbox.read_mail`, called again and again as the daemon's mail loop
    would (without its waits), to fetch, store and act on every message."""
    source = mailbox.open_source(app)
    assert source is not None
    outcomes: dict[str, int] = {}
    stored = handled = 0
    start = time.perf_counter()
    try:
        while stored < expected or handled < expected:
            result = mailbox.read_mail(app, source, LATER)
            assert result.ingested is not None
            if result.ingested.new_rows == 0 and not result.processed.by_outcome:
                raise base.BenchError(f"the reader stopped after storing {stored} and "
                                      f"handling {handled} of {expected}")
            stored += result.ingested.new_rows
            for outcome, count in result.processed.by_outcome.items():
                outcomes[outcome] = outcomes.get(outcome, 0) + count
                handled += count
    finally:
        source.close()
    return time.perf_counter() - start, outcomes


def signed(app: App, target_id: int) -> bool:
    with app.factory() as session:
        return session.scalar(select(SignOn.id).where(SignOn.target_id == target_id)) \
            is not None


def idle_latencies(app: App, dovecot: Dovecot, asks: list[Ask], first: int) -> list[float]:
    """APPEND to sign-on committed, for one yes at a time while the mail loop IDLEs."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def mail_loop() -> None:  # what Daemon._mail_loop does, with the IMAP source
        source = mailbox.open_source(app)
        assert source is not None
        try:
            while not stop.is_set():
                mailbox.read_mail(app, source, LATER)
                source.wait(app.settings.mailbox.poll_seconds, stop)
        except BaseException as exc:
            errors.append(exc)
        finally:
            source.close()

    thread = threading.Thread(target=mail_loop, daemon=True)
    thread.start()
    latencies: list[float] = []
    try:
        with dovecot.client() as client:
            time.sleep(0.5)  # let the loop reach IDLE
            for n, ask in enumerate(asks):
                raw = reply(app, ask, "yes", first + n)
                start = time.perf_counter()
                client.append("INBOX", raw)
                while not signed(app, ask.target_id):
                    if errors or time.perf_counter() - start > 30:
                        raise base.BenchError(f"no sign-on for target {ask.target_id} after "
                                              f"30 s: {errors}")
                    time.sleep(0.002)
                latencies.append(time.perf_counter() - start)
                time.sleep(0.05)  # back to IDLE before the next one
    finally:
        stop.set()
        thread.join(10)
    return latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> dict[str, Any]:
    total = args.messages + args.idle_replies
    with tempfile.TemporaryDirectory(prefix="outreach-bench-ingest-") as tmp, \
            Dovecot() as dovecot:
        workdir = Path(tmp)
        config_dir = workdir / "config"
        shutil.copytree(bundled("config"), config_dir)
        targets = workdir / "targets.csv"
        base.write_targets(targets, total)
        with base.database(args.database, workdir, args.postgres_url) as url:
            settings = base.make_settings(config_dir, url, base.free_port(), args)
            settings.imap = dovecot.settings()
            settings.imap_password = dovecot.password
            settings.mailbox.source = "imap"
            app = open_app(settings, load_all=False)
            try:
                base.setup_campaign(app, targets, total)
                if jobs.plan(app, base.NOW, [base.CAMPAIGN]).queued != total:
                    raise base.BenchError("planning did not queue an ask to every target")
                asks = asks_sent(app)
                bulk = [reply(app, ask, KINDS[n % len(KINDS)], n)
                        for n, ask in enumerate(asks[:args.messages])]
                start = time.perf_counter()
                append_all(dovecot, bulk)
                print(f"appended {len(bulk)} in {time.perf_counter() - start:.1f}s",
                      file=sys.stderr)
                reference = min(bare_fetch(dovecot, len(bulk)) for _ in range(3))
                seconds, outcomes = daemon_path(app, len(bulk))
                print(f"daemon path {seconds:.2f}s: {outcomes}", file=sys.stderr)
                latencies = idle_latencies(app, dovecot, asks[args.messages:], len(bulk))
            finally:
                app.close()
    rate = base.rate(len(bulk), seconds)
    reference_rate = base.rate(len(bulk), reference)
    return {
        "benchmark": "reply path (read_mail: IMAP fetch, store, classify, act) vs bare FETCH",
        "messages": len(bulk),
        "seconds": round(seconds, 4),
        "msgs_per_s": rate,
        "reference_seconds": round(reference, 4),
        "reference_msgs_per_s": reference_rate,
        "ratio": round(rate / reference_rate, 4),
        "idle_latency_p50_s": round(statistics.median(latencies), 4),
        "idle_latency_p95_s": round(percentile(latencies, 0.95), 4),
        "idle_latency_max_s": round(max(latencies), 4),
        "idle_replies": len(latencies),
        "outcomes": outcomes,
        "database": args.database,
        "reference": "imapclient SEARCH ALL, then one FETCH of every UID's BODY.PEEK[], best of 3",
        **base.provenance(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--idle-replies", type=int, default=50)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("OUTREACH_TEST_POSTGRES_URL",
                                               base.DEFAULT_POSTGRES_URL))
    args = parser.parse_args(argv)
    if args.messages < 1 or args.idle_replies < 1:
        parser.error("--messages and --idle-replies must be at least 1")
    # bench/smtp.py's make_settings reads these; the sink is not used here.
    args.connections = args.in_flight = args.messages_per_connection = None
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return base.report("bench/ingest.py", lambda: run(args), needs_postfix=False)


if __name__ == "__main__":
    sys.exit(main())
