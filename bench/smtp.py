"""Benchmark: drain the outbox to Postfix's smtp-sink, next to smtp-source's raw speed.

    .venv/bin/python bench/smtp.py --messages 2000 [--connections 2] [--in-flight 20]
                                   [--database sqlite|postgresql]

What it does, all on loopback and in a temporary directory:

1. starts `smtp-sink` (which counts and discards mail) on a free 127.0.0.1 port;
2. builds a real outreach setup: a copy of the example config, a fresh database (a SQLite
   file, or a new schema in the local PostgreSQL that is dropped afterwards), N synthetic
   organizations with one decision-maker each imported with `import_csv`;
3. plans the asks with `jobs.plan` at a moment inside the campaign's send window (timed);
4. times `OutboxSender.run(until="empty")` only: the drain, which claims rows, composes
   each ask from its Jinja templates at claim time, speaks SMTP and marks each row sent;
5. runs `smtp-source` with the same message count, sessions and a payload of the same
   size as the reference (the ceiling for raw SMTP on this machine);
6. prints one JSON object to stdout.

The drain and each smtp-source run are bounded by --timeout (default 120 s); smtp-sink
is stopped, the PostgreSQL schema dropped and the temporary directory removed even when
a phase fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import csv
import datetime as dt
import io
import json
import os
import platform
import pstats
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text

from outreach.app import App, open_app
from outreach.campaign import jobs
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.importer import import_csv
from outreach.db.session import transaction
from outreach.mail import outbox
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.mail.outbox import OutboxHooks
from outreach.mail.sender import OutboxSender
from outreach.resources import bundled
from outreach.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SMTP_SINK = "/usr/sbin/smtp-sink"
SMTP_SOURCE = "/usr/sbin/smtp-source"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CAMPAIGN = "clean-water"
# A Tuesday, 10:00 in the example campaign's time zone (America/Los_Angeles): inside its
# send window (Mon-Thu 09:00-16:30), after its last wave opens, before its hard deadline.
NOW = dt.datetime(2026, 12, 8, 18, 0, tzinfo=dt.UTC)
SECRET = "bench-secret-key-not-for-production"
ENGAGEMENTS = ("Core", "Comrade", "Ally", "Strategic Alliance", "Unlikely Ally", "")
SIZES = ("small", "medium", "large")
KINDS = ("directly impacted", "service provider", "public health", "civic leader")
FIRST = ("Ana", "Ben", "Chen", "Dolores", "Emeka", "Farah", "Gus", "Hana", "Ivan", "Jo")
LAST = ("Alvarez", "Brown", "Castillo", "Dang", "Estrada", "Fischer", "Garcia", "Huang")


class BenchError(Exception):
    """The benchmark could not run; the message says why."""


# ---------------------------------------------------------------------------- smtp-sink


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


_COUNTER = re.compile(rb"mesg=(\d+)")


class Sink:
    """smtp-sink on 127.0.0.1, counting (`-c`) and discarding every message."""

    def __init__(self, workdir: Path, backlog: int = 256) -> None:
        self.port = free_port()
        self.log = workdir / "smtp-sink.out"
        command = [SMTP_SINK, "-c"]
        if os.geteuid() == 0:
            command += ["-u", "postfix"]  # required as root: it drops to this user
        command += [f"127.0.0.1:{self.port}", str(backlog)]
        self.command = command
        self._out = self.log.open("wb")
        self.process = subprocess.Popen(command, stdout=self._out, stderr=subprocess.PIPE,
                                        stdin=subprocess.DEVNULL)
        self._wait_ready()

    def _wait_ready(self, seconds: float = 5.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode(errors="replace") \
                    if self.process.stderr else ""
                raise BenchError(f"smtp-sink exited at start ({self.command}): {err.strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    if conn.recv(100).startswith(b"220"):
                        return
            except OSError:
                time.sleep(0.05)
        raise BenchError(f"smtp-sink did not answer on 127.0.0.1:{self.port} in {seconds}s")

    def received(self) -> int:
        """Messages accepted so far (the last `mesg=` counter smtp-sink printed)."""
        counts = _COUNTER.findall(self.log.read_bytes())
        return int(counts[-1]) if counts else 0

    def wait_received(self, expected: int, seconds: float = 5.0) -> int:
        """The counter, once it reaches `expected` (it is written as sessions end)."""
        deadline = time.monotonic() + seconds
        while (count := self.received()) < expected and time.monotonic() < deadline:
            time.sleep(0.02)
        return count

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stderr is not None:
            self.process.stderr.close()
        self._out.close()


# ---------------------------------------------------------------------------- databases


@contextlib.contextmanager
def database(kind: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a new PostgreSQL schema (dropped after)."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'outreach.db'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        raise BenchError(f"PostgreSQL at {postgres_url} is not usable: {exc}") from exc
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


# ---------------------------------------------------------------------------- setup


def write_targets(path: Path, count: int) -> None:
    """`count` organizations, each with one decision-maker at its own domain."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["organization", "size", "engagement", "stakeholder_kind", "tags",
                     "contact_name", "email", "role", "decision_maker"])
    for i in range(1, count + 1):
        first, last = FIRST[i % len(FIRST)], LAST[i % len(LAST)]
        writer.writerow([
            f"Bench Coalition Member {i:06d}", SIZES[i % len(SIZES)],
            ENGAGEMENTS[i % len(ENGAGEMENTS)], KINDS[i % len(KINDS)], "bench;water",
            f"{first} {last}", f"{first.lower()}.{last.lower()}{i}@member{i:06d}.example",
            "Executive Director", "yes",
        ])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def make_settings(config_dir: Path, database_url: str, port: int,
                  args: argparse.Namespace) -> Settings:
    environ = {"OUTREACH_SECRET_KEY": SECRET, "OUTREACH_DATABASE_URL": database_url}
    settings = load_settings(config_dir / "outreach.toml", environ)
    settings.smtp.host = "127.0.0.1"
    settings.smtp.port = port
    settings.smtp.security = "none"
    settings.smtp.username = None
    settings.smtp.timeout_seconds = 10
    if args.connections is not None:
        settings.smtp.connections = args.connections
    if args.in_flight is not None:
        settings.smtp.in_flight = args.in_flight
    if args.messages_per_connection is not None:
        settings.smtp.messages_per_connection = args.messages_per_connection
    if getattr(args, "compose_processes", None) is not None:
        settings.outbox.compose_processes = args.compose_processes
    # So high that the token buckets never make the drain wait.
    settings.rates.global_per_second = 1_000_000
    settings.rates.per_domain_per_minute = 60_000_000
    return settings


# ---------------------------------------------------------------------------- breakdown


@dataclass
class Breakdown:
    """Wall time spent in the synchronous (event-loop blocking) parts of the drain."""

    seconds: dict[str, float] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start
                self.calls[name] = self.calls.get(name, 0) + 1
        return timed

    @contextlib.contextmanager
    def installed(self, hooks: OutboxHooks) -> Iterator[None]:
        """Time outbox.claim (and, within it, the composers and to_bytes) and marking rows
        sent (one by one, or a batch at once)."""
        saved = {name: getattr(outbox, name)
                 for name in ("claim", "mark_sent", "mark_sent_many", "to_bytes")}
        composers = dict(hooks.composers)
        try:
            for name, fn in saved.items():
                setattr(outbox, name, self.wrap(name, fn))
            for kind, composer in composers.items():
                hooks.composers[kind] = self.wrap("compose", composer)
            yield
        finally:
            for name, fn in saved.items():
                setattr(outbox, name, fn)
            hooks.composers.clear()
            hooks.composers.update(composers)

    def report(self, total: float) -> dict[str, Any]:
        claim = self.seconds.get("claim", 0.0)
        compose = self.seconds.get("compose", 0.0)
        serialize = self.seconds.get("to_bytes", 0.0)
        mark = self.seconds.get("mark_sent", 0.0) + self.seconds.get("mark_sent_many", 0.0)
        return {
            "claim_seconds": round(claim, 4),
            "claim_calls": self.calls.get("claim", 0),
            "of_claim_compose_seconds": round(compose, 4),
            "of_claim_to_bytes_seconds": round(serialize, 4),
            "of_claim_db_and_rest_seconds": round(claim - compose - serialize, 4),
            "mark_sent_seconds": round(mark, 4),
            "mark_sent_calls": (self.calls.get("mark_sent", 0)
                                + self.calls.get("mark_sent_many", 0)),
            "rest_seconds": round(total - claim - mark, 4),
            "note": ("claim and marking sent are synchronous DB work that blocks the event loop "
                     "(mark_sent_calls counts transactions: one per batch, or per message); "
                     "rest = SMTP round trips, envelope tokens, asyncio and idle checks"),
        }


# ---------------------------------------------------------------------------- phases


def rate(messages: int, seconds: float) -> float:
    return round(messages / seconds, 1) if seconds > 0 else 0.0


def setup_campaign(app: App, targets: Path, count: int) -> float:
    config = app.campaign(CAMPAIGN)
    start = time.perf_counter()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, NOW)
        report = import_csv(session, targets, now=NOW, campaign=campaign)
    seconds = time.perf_counter() - start
    if report.errors or report.targets_created != count:
        raise BenchError(f"import went wrong: {report.targets_created} targets of {count}, "
                         f"errors {report.errors[:3]}")
    return seconds


async def drain(sender: OutboxSender, limit: float) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one `run(until="empty")` (CPU: this process, all threads)."""
    cpu, start = time.process_time(), time.perf_counter()
    stats = await asyncio.wait_for(sender.run(until="empty"), timeout=limit)
    return time.perf_counter() - start, time.process_time() - cpu, stats


def run_outreach(app: App, args: argparse.Namespace, sink: Sink) -> dict[str, Any]:
    cpu, start = time.process_time(), time.perf_counter()
    planned = jobs.plan(app, NOW, [CAMPAIGN])
    plan_seconds, plan_cpu = time.perf_counter() - start, time.process_time() - cpu
    queued = planned.queued
    if queued != args.messages:
        raise BenchError(f"planning queued {queued} asks, expected {args.messages}: "
                         f"{planned.plans}, {planned.skipped}")

    hooks = app.hooks()
    sender = OutboxSender(app.factory, app.settings, hooks, clock=lambda: NOW, worker="bench")
    breakdown = Breakdown()
    profiler = cProfile.Profile() if args.profile else None
    before = sink.received()
    with breakdown.installed(hooks) if args.breakdown else contextlib.nullcontext():
        if profiler is not None:
            profiler.enable()
        try:
            seconds, cpu_seconds, stats = asyncio.run(drain(sender, args.timeout))
        except TimeoutError:
            raise BenchError(f"the drain did not finish in {args.timeout}s") from None
        finally:
            if profiler is not None:
                profiler.disable()
    received = sink.wait_received(before + queued) - before

    with transaction(app.factory) as session:
        sent_rows, raw_bytes = session.execute(
            select(func.count(), func.sum(func.length(OutboxMessage.raw)))
            .where(OutboxMessage.status == OutboxStatus.SENT)
        ).one()
    if stats.sent != queued or sent_rows != queued or received != queued:
        raise BenchError(f"sent {stats.sent} ({stats}), {sent_rows} rows marked sent, "
                         f"smtp-sink received {received}; expected {queued}")
    if profiler is not None:
        profiler.dump_stats(args.profile)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue(), file=sys.stderr)
    result: dict[str, Any] = {
        "what": ("OutboxSender(...).run(until='empty'): claim due rows, compose each ask from "
                 "its Jinja templates at claim time, SMTP to smtp-sink, mark each row sent"),
        "messages": queued,
        "seconds": round(seconds, 4),
        "messages_per_s": rate(queued, seconds),
        "cpu_seconds": round(cpu_seconds, 4),
        "sink_received": received,
        "retried": stats.retried,
        "failed": stats.failed,
        "message_bytes_avg": round(int(raw_bytes or 0) / queued),
        "planning": {"what": "jobs.plan: choose targets, write one outbox row each, commit",
                     "messages": queued, "seconds": round(plan_seconds, 4),
                     "messages_per_s": rate(queued, plan_seconds),
                     "cpu_seconds": round(plan_cpu, 4)},
        "profiled": profiler is not None,
    }
    if args.breakdown:
        result["breakdown"] = breakdown.report(seconds)
    return result


def run_reference(sink: Sink, messages: int, sessions: int, size: int, *, reuse: bool,
                  limit: float, repeats: int) -> dict[str, Any]:
    """smtp-source into the same sink, `repeats` times; the median run is reported."""
    command = [SMTP_SOURCE, "-s", str(sessions), "-m", str(messages), "-l", str(size),
               "-f", "from@source.example", "-t", "to@sink.example"]
    if reuse:
        command.insert(1, "-d")  # keep each session's connection, as the sender does
    command.append(f"127.0.0.1:{sink.port}")
    runs: list[float] = []
    for _ in range(repeats):
        before = sink.received()
        start = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, timeout=limit, check=False)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{' '.join(command)} did not finish in {limit}s") from None
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise BenchError(f"{' '.join(command)} failed: "
                             f"{done.stderr.decode(errors='replace')}")
        received = sink.wait_received(before + messages) - before
        if received != messages:
            raise BenchError(f"smtp-sink received {received} of {messages} from smtp-source")
        runs.append(seconds)
    seconds = statistics.median(runs)
    return {"command": " ".join(command), "messages": messages, "seconds": round(seconds, 4),
            "messages_per_s": rate(messages, seconds), "payload_bytes": size,
            "runs_seconds": [round(r, 4) for r in runs]}


def code_version() -> str:
    """`git describe --always --dirty` of the checkout, or "unknown"."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() or "unknown"


def provenance() -> dict[str, Any]:
    """When, on what code, Python and cores a figure was measured: the closing keys of
    every benchmark's JSON line."""
    return {"date": dt.date.today().isoformat(), "code": code_version(),
            "python": platform.python_version(), "nproc": len(os.sched_getaffinity(0))}


def run(args: argparse.Namespace) -> dict[str, Any]:
    for program in (SMTP_SINK, SMTP_SOURCE):
        if not os.access(program, os.X_OK):
            raise BenchError(f"{program} is missing: install the Debian package postfix")
    with tempfile.TemporaryDirectory(prefix="outreach-bench-") as tmp:
        workdir = Path(tmp)
        config_dir = workdir / "config"
        shutil.copytree(bundled("config"), config_dir)
        targets = workdir / "targets.csv"
        write_targets(targets, args.messages)
        sink = Sink(workdir)
        try:
            with database(args.database, workdir, args.postgres_url) as url:
                settings = make_settings(config_dir, url, sink.port, args)
                app = open_app(settings, load_all=False)
                try:
                    import_seconds = setup_campaign(app, targets, args.messages)
                    result = run_outreach(app, args, sink)
                    result["import"] = {
                        "what": "import_csv of the synthetic targets (setup, not the drain)",
                        "rows": args.messages, "seconds": round(import_seconds, 4)}
                finally:
                    app.close()
            size = result["message_bytes_avg"]
            sessions = settings.smtp.connections
            reference = run_reference(sink, args.messages, sessions, size, reuse=True,
                                      limit=args.timeout, repeats=args.reference_repeats)
            per_message = run_reference(sink, args.messages, sessions, size, reuse=False,
                                        limit=args.timeout,
                                        repeats=args.reference_repeats)
        finally:
            sink.stop()
    return {
        "benchmark": "smtp outbox drain vs smtp-source, both into smtp-sink on loopback",
        "date": dt.date.today().isoformat(),
        "outreach": result,
        "reference": reference,
        "reference_connection_per_message": per_message,
        "ratio": round(result["messages_per_s"] / reference["messages_per_s"], 4),
        "settings": {
            "messages": args.messages,
            "connections": settings.smtp.connections,
            "in_flight": settings.smtp.in_flight,
            "messages_per_connection": settings.smtp.messages_per_connection,
            "database": args.database,
            "message_bytes": size,
            "reference_sessions": sessions,
            "rates": {"global_per_second": settings.rates.global_per_second,
                      "per_domain_per_minute": settings.rates.per_domain_per_minute},
            "breakdown_timers": args.breakdown,
            "sink": " ".join(sink.command),
        },
        "code": code_version(),
        "python": platform.python_version(),
        "machine": {"nproc": len(os.sched_getaffinity(0)), "cpus": os.cpu_count(),
                    "platform": platform.platform(), "processor": platform.machine()},
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="asks to send (default 2000)")
    parser.add_argument("--connections", type=int, default=None,
                        help="SMTP connections, and smtp-source sessions (default: the example "
                             "config's smtp.connections)")
    parser.add_argument("--in-flight", type=int, default=None,
                        help="rows claimed at once (default: the example config's in_flight)")
    parser.add_argument("--messages-per-connection", type=int, default=None,
                        help="reconnect after this many (default: the example config's)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url",
                        default=os.environ.get("OUTREACH_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help="server for --database postgresql; a fresh schema is made and "
                             "dropped (default $OUTREACH_TEST_POSTGRES_URL or %(default)s)")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="time limit in seconds for the drain and for each smtp-source run")
    parser.add_argument("--reference-repeats", type=int, default=5,
                        help="smtp-source runs per reference; the median is reported "
                             "(default %(default)s)")
    parser.add_argument("--no-breakdown", dest="breakdown", action="store_false",
                        help="do not time claim/compose/mark_sent separately")
    parser.add_argument("--profile", metavar="FILE",
                        help="run the drain under cProfile, write the stats to FILE and print "
                             "the top functions to stderr (slows the drain)")
    args = parser.parse_args(argv)
    if args.messages < 1:
        parser.error("--messages must be at least 1")
    if args.reference_repeats < 1:
        parser.error("--reference-repeats must be at least 1")
    return args


def report(program: str, run: Callable[[], dict[str, Any]], *,
           needs_postfix: bool = True) -> int:
    """Run a benchmark of the send or reply path: its result as ONE JSON line on stdout,
    anything wrong on stderr with exit status 1."""
    for tool in (SMTP_SINK, SMTP_SOURCE) if needs_postfix else ():
        if not os.access(tool, os.X_OK):
            print(f"{program}: {tool} is missing (Debian package postfix)", file=sys.stderr)
            return 1
    try:
        result = run()
    except BenchError as exc:
        print(f"{program}: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        result = run(args)
    except BenchError as exc:
        print(f"bench/smtp.py: {exc}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
