"""Benchmark: one list post fanned out to N members, next to smtp-source's raw speed.

    .venv/bin/python bench/fanout.py --members 10000 [--database sqlite|postgresql]
                                     [--connections C] [--in-flight K]

Reuses bench/smtp.py's pieces (smtp-sink, the fresh database, the settings with rates so
high that they never wait, smtp-source as the reference). What one run does, all on
loopback and in a temporary directory:

1. copies the example config (with its list `coalition`), opens a fresh database and
   writes N subscribed members (each at its own domain), one stored post (a 4 KB
   multipart/alternative message from a poster whose domain publishes p=reject, so its
   From is rewritten) and its ListPost row;
2. times, from one start: `distribute` (one outbox row per member, committed), then
   `OutboxSender(...).run(until="empty")` into `smtp-sink`, which claims the rows,
   composes each copy (`ListCopyComposer`: the post prepared once, then per member a
   footer and List-Unsubscribe spliced into bytes), speaks SMTP and marks each row sent;
   the clock stops when the last copy is marked sent;
3. checks that every row is sent and that smtp-sink counted every copy;
4. runs `smtp-source -d -s C -m N -l SIZE` (C = the sender's connections, SIZE = the
   copies' average size) `--reference-repeats` times; the median is the reference.

stdout gets ONE JSON line: members, seconds, msgs_per_s, reference_msgs_per_s, ratio,
peak_rss_mb (ru_maxrss of this process: setup, distribution and drain) and the details,
among them where the drain's time went (`breakdown`, as in bench/smtp.py; timers of a few
microseconds a message, `--no-breakdown` turns them off). Everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import resource
import shutil
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import smtp as base  # noqa: E402  (bench/smtp.py)
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from outreach.app import App, open_app  # noqa: E402
from outreach.db.bulk import insert_rows  # noqa: E402
from outreach.db.session import transaction  # noqa: E402
from outreach.lists.config import load_lists  # noqa: E402
from outreach.lists.distribution import LIST_COPY, ListCopyComposer, distribute  # noqa: E402
from outreach.lists.models import ListMember, ListPost, PostStatus  # noqa: E402
from outreach.lists.registry import KnownDmarcPolicies, Lists  # noqa: E402
from outreach.mail.models import InboundMessage, OutboxMessage, OutboxStatus  # noqa: E402
from outreach.mail.sender import OutboxSender  # noqa: E402
from outreach.resources import bundled  # noqa: E402

LIST = "coalition"
POSTER = "dolores@strict-river.example"
PARAGRAPH = ("The county hearing on the groundwater plan moved to Thursday at 6 pm, room "
             "214 of the county building. Please come if you can, and bring a neighbour; "
             "written comments are due the same day.")


def post_message() -> bytes:
    """A post as a mail client writes one: text and HTML alternatives, about 4 KB."""
    text = "\n\n".join([PARAGRAPH] * 8) + "\n\nDolores\n"
    html = "".join(f"<p>{PARAGRAPH}</p>\n" for _ in range(8)) + "<p>Dolores</p>\n"
    return (
        "Return-Path: <dolores@strict-river.example>\n"
        "Received: from mail.strict-river.example by mx.valleywater.org; "
        "Tue, 08 Dec 2026 09:58:00 -0800\n"
        "DKIM-Signature: v=1; a=rsa-sha256; d=strict-river.example; s=s1; b=AbCdEf\n"
        "From: Dolores Estrada <dolores@strict-river.example>\n"
        "To: Valley Water Coalition <coalition@valleywater.org>\n"
        "Subject: Re: [coalition] Groundwater plan hearing moved to Thursday\n"
        "Date: Tue, 08 Dec 2026 09:57:00 -0800\n"
        "Message-ID: <hearing-moved@strict-river.example>\n"
        "In-Reply-To: <groundwater-plan@valleywater.org>\n"
        "References: <groundwater-plan@valleywater.org>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="alt-7f3a"\n\n'
        "--alt-7f3a\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: 7bit\n\n{text}\n"
        "--alt-7f3a\nContent-Type: text/html; charset=utf-8\n"
        f"Content-Transfer-Encoding: 7bit\n\n{html}\n"
        "--alt-7f3a--\n"
    ).encode()


def add_members(app: App, count: int) -> None:
    rows = [{"list_name": LIST, "address": f"member{i:06d}@org{i:06d}.example",
             "display_name": "", "status": "subscribed", "delivery": "all",
             "moderated": False, "source": "bench", "subscribed_at": base.NOW}
            for i in range(count)]
    with transaction(app.factory) as session:
        insert_rows(session, ListMember, rows)


def store_post(app: App) -> int:
    raw = post_message()
    with transaction(app.factory) as session:
        message = InboundMessage(folder="INBOX", raw=raw, received_at=base.NOW,
                                 sha256=hashlib.sha256(raw).hexdigest())
        session.add(message)
        session.flush()
        post = ListPost(list_name=LIST, inbound_message_id=message.id, poster=POSTER,
                        subject="Groundwater plan hearing moved to Thursday",
                        status=PostStatus.ACCEPTED, created_at=base.NOW)
        session.add(post)
        session.flush()
        return post.id


def fan_out(app: App, lists: Lists, post_id: int, args: argparse.Namespace
            ) -> tuple[float, float, dict[str, Any], int]:
    """Seconds to distribute, seconds from the start until the last copy was marked sent,
    the drain's breakdown, and the copies' average size in bytes (copies are not kept on
    their rows, so it is counted as they are composed)."""
    hooks = app.hooks()
    composer = ListCopyComposer(lists)  # this run's DMARC policies, not DNS
    sizes: list[int] = []

    def counted(session: Session, row: OutboxMessage, now: dt.datetime) -> bytes | None:
        raw = composer(session, row, now)
        if raw is not None:
            sizes.append(len(raw))
        return raw

    hooks.composers[LIST_COPY] = counted
    sender = OutboxSender(app.factory, app.settings, hooks, clock=lambda: base.NOW,
                          worker="bench")
    breakdown = base.Breakdown()
    with breakdown.installed(hooks) if args.breakdown else nullcontext():
        start = time.perf_counter()
        with transaction(app.factory) as session:
            queued = distribute(session, lists, lists.configs[LIST],
                                session.get_one(ListPost, post_id), base.NOW)
        distributed = time.perf_counter() - start
        try:
            stats = asyncio.run(asyncio.wait_for(sender.run(until="empty"), args.timeout))
        except TimeoutError:
            raise base.BenchError(f"the drain did not finish in {args.timeout}s") from None
        seconds = time.perf_counter() - start
    if queued != args.members or stats.sent != args.members:
        raise base.BenchError(f"queued {queued}, sent {stats.sent} ({stats}); expected "
                              f"{args.members}")
    report = breakdown.report(seconds - distributed) if args.breakdown else {}
    return distributed, seconds, report, round(sum(sizes) / max(1, len(sizes)))


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="outreach-bench-fanout-") as tmp:
        workdir = Path(tmp)
        config_dir = workdir / "config"
        shutil.copytree(bundled("config"), config_dir)
        sink = base.Sink(workdir)
        try:
            with base.database(args.database, workdir, args.postgres_url) as url:
                settings = base.make_settings(config_dir, url, sink.port, args)
                app = open_app(settings, load_all=False)
                try:
                    lists = Lists(settings, load_lists(settings.lists_dir),
                                  KnownDmarcPolicies({"strict-river.example": "reject"}))
                    add_members(app, args.members)
                    post_id = store_post(app)
                    print(f"{args.members} members and one post stored; fanning out",
                          file=sys.stderr)
                    before = sink.received()
                    distributed, seconds, breakdown, size = fan_out(app, lists, post_id, args)
                    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
                    received = sink.wait_received(before + args.members) - before
                    with transaction(app.factory) as session:
                        sent = session.scalar(select(func.count()).where(
                            OutboxMessage.status == OutboxStatus.SENT))
                finally:
                    app.close()
            if sent != args.members or received != args.members:
                raise base.BenchError(f"{sent} rows marked sent, smtp-sink received "
                                      f"{received}; expected {args.members}")
            reference = base.run_reference(sink, args.members, settings.smtp.connections,
                                           size, reuse=True, limit=args.timeout,
                                           repeats=args.reference_repeats)
        finally:
            sink.stop()
    rate = base.rate(args.members, seconds)
    return {
        "benchmark": "one list post to N members (distribute, claim, compose, SMTP, mark "
                     "sent) vs smtp-source -d",
        "members": args.members,
        "seconds": round(seconds, 4),
        "msgs_per_s": rate,
        "reference_msgs_per_s": reference["messages_per_s"],
        "ratio": round(rate / reference["messages_per_s"], 4),
        "peak_rss_mb": peak,
        "distribute_seconds": round(distributed, 4),
        "drain_seconds": round(seconds - distributed, 4),
        "breakdown": breakdown,
        "database": args.database,
        "message_bytes_avg": size,
        "connections": settings.smtp.connections,
        "in_flight": settings.smtp.in_flight,
        "reference": reference,
        **base.provenance(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--connections", type=int, default=None,
                        help="SMTP connections, and smtp-source sessions (default: the "
                             "example config's)")
    parser.add_argument("--in-flight", type=int, default=None,
                        help="rows claimed at once (default: the example config's)")
    parser.add_argument("--messages-per-connection", type=int, default=None)
    parser.add_argument("--postgres-url",
                        default=os.environ.get("OUTREACH_TEST_POSTGRES_URL",
                                               base.DEFAULT_POSTGRES_URL))
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="time limit in seconds for the drain and each smtp-source run")
    parser.add_argument("--reference-repeats", type=int, default=3)
    parser.add_argument("--no-breakdown", dest="breakdown", action="store_false",
                        help="do not time claim/compose/mark_sent separately")
    args = parser.parse_args(argv)
    if args.members < 1:
        parser.error("--members must be at least 1")
    if args.reference_repeats < 1:
        parser.error("--reference-repeats must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return base.report("bench/fanout.py", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
