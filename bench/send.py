"""Benchmark: the whole send path (plan, claim, compose, SMTP, mark sent) against smtp-source.

    .venv/bin/python bench/send.py --messages 20000 [--database sqlite|postgresql]
                                   [--processes P] [--connections C] [--in-flight K]

Reuses bench/smtp.py's pieces (smtp-sink, the fresh database, the synthetic targets, the
campaign setup and smtp-source as the reference). It imports N targets and plans N asks
with `jobs.plan` in this process, then times the drain: `OutboxSender.run(until="empty")`
in P sender processes (default 1; more than 1 needs PostgreSQL, SQLite has one writer)
that claim from the same outbox with `SELECT ... FOR UPDATE SKIP LOCKED`, each opened
beforehand, started together, timed from the start signal until the last one is done.
The senders run in processes of their own so that their memory is measured apart from the
benchmark's setup (importing 100,000 targets is not the send path). The reference is
`smtp-source -d -s C*P -m N -l SIZE` into the same sink in the same run (the median of
`--reference-repeats` runs).

stdout gets ONE JSON line: messages, seconds, msgs_per_s, reference_msgs_per_s, ratio,
peak_rss_mb (ru_maxrss of the sender process; with several, the largest one's), database,
processes and the details.
Everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO, REPO / "bench"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import smtp as base  # noqa: E402  (bench/smtp.py)
from sqlalchemy import func, select  # noqa: E402

from outreach.app import open_app  # noqa: E402
from outreach.campaign import jobs  # noqa: E402
from outreach.db.session import transaction  # noqa: E402
from outreach.mail.models import OutboxMessage, OutboxStatus  # noqa: E402
from outreach.mail.sender import OutboxSender  # noqa: E402
from outreach.resources import bundled  # noqa: E402


def rss_mb(kilobytes: int) -> float:
    """ru_maxrss is in KiB on Linux."""
    return round(kilobytes / 1024, 1)


def sender_process(config_dir: str, url: str, port: int, args: argparse.Namespace,
                   worker: str, planned: EventType, ready: EventType, go: EventType,
                   limit: float) -> None:
    """One sender process: open the app, wait for the asks to be planned, load the
    campaign, say ready, wait for the start, drain."""
    settings = base.make_settings(Path(config_dir), url, port, args)
    app = open_app(settings, load_all=False, migrate=False)
    try:
        planned.wait()
        app.campaign(base.CAMPAIGN)  # loads its config, as the parent's setup did
        sender = OutboxSender(app.factory, app.settings, app.hooks(),
                              clock=lambda: base.NOW, worker=worker)
        ready.set()
        go.wait()
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        stats = asyncio.run(asyncio.wait_for(sender.run(until="empty"), timeout=limit))
        cpu, wall = time.process_time() - cpu_before, time.perf_counter() - wall_before
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"{worker}: {stats}; {cpu:.2f} s of CPU in {wall:.2f} s; composing processes "
              f"{children.ru_utime + children.ru_stime:.2f} s", file=sys.stderr)
    finally:
        app.close()


class Senders:
    """`args.processes` sender processes, started while this process is still small: a
    child's ru_maxrss starts from its parent's size at the fork (Linux keeps it across
    exec), so they are forked before the import of N targets makes the parent big."""

    def __init__(self, config_dir: Path, url: str, port: int, args: argparse.Namespace
                 ) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited engines or sockets
        self.planned, self.go = context.Event(), context.Event()
        self.timeout = args.timeout
        self.workers = []
        for n in range(args.processes):
            ready = context.Event()
            # (not daemonic: a sender starts processes of its own to write a backlog)
            process = context.Process(target=sender_process, args=(
                str(config_dir), url, port, args, f"bench-{n}", self.planned, ready, self.go,
                args.timeout))
            process.start()
            self.workers.append((process, ready))

    def drain(self) -> float:
        """Wall seconds for the sender processes to empty the outbox together."""
        self.planned.set()
        for process, ready in self.workers:
            if not ready.wait(120):
                raise base.BenchError(f"sender process {process.pid} did not start")
        start = time.perf_counter()
        self.go.set()
        for process, _ in self.workers:
            process.join(self.timeout + 30)
        seconds = time.perf_counter() - start
        failed = [p.exitcode for p, _ in self.workers if p.exitcode != 0]
        if failed:
            raise base.BenchError(f"sender processes exited with {failed}")
        return seconds


def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="outreach-bench-send-") as tmp:
        workdir = Path(tmp)
        config_dir = workdir / "config"
        shutil.copytree(bundled("config"), config_dir)
        targets = workdir / "targets.csv"
        sink = base.Sink(workdir)
        try:
            with base.database(args.database, workdir, args.postgres_url) as url:
                settings = base.make_settings(config_dir, url, sink.port, args)
                app = open_app(settings, load_all=False)
                try:
                    senders = Senders(config_dir, url, sink.port, args)
                    # (only now: the targets file grows this process with N, and a child
                    # forked after that would start from that size)
                    base.write_targets(targets, args.messages)
                    base.setup_campaign(app, targets, args.messages)
                    start = time.perf_counter()
                    queued = jobs.plan(app, base.NOW, [base.CAMPAIGN]).queued
                    plan_seconds = time.perf_counter() - start
                    if queued != args.messages:
                        raise base.BenchError(f"planned {queued} asks of {args.messages}")
                    print(f"planned {queued} in {plan_seconds:.2f}s; draining",
                          file=sys.stderr)
                    before = sink.received()
                    seconds = senders.drain()
                    peak = rss_mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
                    received = sink.wait_received(before + queued) - before
                    with transaction(app.factory) as session:
                        sent, raw_bytes = session.execute(
                            select(func.count(), func.sum(func.length(OutboxMessage.raw)))
                            .where(OutboxMessage.status == OutboxStatus.SENT)).one()
                finally:
                    app.close()
            if sent != queued or received != queued:
                raise base.BenchError(f"{sent} rows marked sent, smtp-sink received "
                                      f"{received}; expected {queued}")
            size = round(int(raw_bytes or 0) / queued)
            sessions = settings.smtp.connections * args.processes
            reference = base.run_reference(sink, queued, sessions, size, reuse=True,
                                           limit=args.timeout,
                                           repeats=args.reference_repeats)
        finally:
            sink.stop()
    rate = base.rate(queued, seconds)
    return {
        "benchmark": "send path (plan, claim, compose, SMTP, mark sent) vs smtp-source -d",
        "messages": queued,
        "seconds": round(seconds, 4),
        "msgs_per_s": rate,
        "reference_msgs_per_s": reference["messages_per_s"],
        "ratio": round(rate / reference["messages_per_s"], 4),
        "peak_rss_mb": peak,
        "peak_rss_note": ("ru_maxrss of the sender process (the largest of them with several, "
                          "from RUSAGE_CHILDREN, read before smtp-source runs; they are "
                          "forked before the setup grows the parent); the import and "
                          "planning ran in the parent, see setup_peak_rss_mb"),
        "setup_peak_rss_mb": rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "database": args.database,
        "processes": args.processes,
        "plan_seconds": round(plan_seconds, 4),
        "message_bytes_avg": size,
        "connections_per_process": settings.smtp.connections,
        "in_flight": settings.smtp.in_flight,
        "reference": reference,
        **base.provenance(),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--processes", type=int, default=1,
                        help="sender processes (more than 1 needs --database postgresql)")
    parser.add_argument("--connections", type=int, default=None,
                        help="SMTP connections per process (default: the example config's)")
    parser.add_argument("--in-flight", type=int, default=None,
                        help="rows claimed at once (default: the example config's)")
    parser.add_argument("--messages-per-connection", type=int, default=None)
    parser.add_argument("--compose-processes", type=int, default=None,
                        help="processes writing a backlog's messages (default: the example "
                             "config's [outbox] compose_processes; 0 writes them in the claim)")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("OUTREACH_TEST_POSTGRES_URL",
                                               base.DEFAULT_POSTGRES_URL))
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="time limit in seconds for the drain and each smtp-source run")
    parser.add_argument("--reference-repeats", type=int, default=3)
    args = parser.parse_args(argv)
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.processes > 1 and args.database == "sqlite":
        parser.error("--processes above 1 needs --database postgresql: SQLite has a single "
                     "writer and no SKIP LOCKED, so several senders would only queue on its lock")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return base.report("bench/send.py", lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
