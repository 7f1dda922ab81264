"""Processes that write messages for the sender while it is busy with SMTP.

When a backlog waits (a claimed page as large as `[smtp] in_flight`), the claim leaves each
message's writing to a `Deferred` (everything it needs was read in the claim, the draft link
among it), and the sender hands a page of them to these processes and sends each message
the moment its bytes are back. Each process talks over two pipes that the sender's event
loop watches, for reading its replies and for writing pages when the pipe has room: no
thread in between, because a thread handing work over waits for the GIL (milliseconds at a
time) while the event loop runs, and no blocking write, because a sender stuck writing a
page would stop reading the replies the process is stuck writing.

A process that dies, or a message it could not write, never loses a message: the first is
written in the sender itself (`Composers.write` resolves to `None`), the second fails with
its reason, as a message the claim could not write does.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import importlib
import itertools
import logging
import multiprocessing
import os
import pickle
import struct
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from outreach.mail.compose import Deferred, make_all

log = logging.getLogger(__name__)

# Messages written before the first of them is sent back: enough to pay for the hand-over,
# few enough that the first of a page goes out soon.
CHUNK = 10

# A message's bytes, why they could not be written, or None: its process is gone and the
# sender writes it itself.
Written = bytes | str | None


# What a pipe holds unread (Linux allows a megabyte without privileges): a few pages of
# messages, so that a process is not held up while the sender is busy claiming.
PIPE_BYTES = 1 << 20


def _widen(connection: Connection) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _framed(data: bytes) -> bytes:
    """`data` as `Connection.recv_bytes` reads it: its length, then itself."""
    return struct.pack("!i", len(data)) + data


def serve(requests: Connection, replies: Connection, modules: Sequence[str]) -> None:
    """A composing process: import what its messages are written with, say it is ready (an
    empty message), then write each page it is sent, a chunk at a time, until the pipe
    closes or an empty message says stop."""
    for module in modules:
        importlib.import_module(module)
    replies.send_bytes(b"")
    while True:
        try:
            request = requests.recv_bytes()
        except (EOFError, OSError):
            return
        if not request:
            return
        page, deferred = pickle.loads(request)
        for start in range(0, len(deferred), CHUNK):
            made = make_all(deferred[start:start + CHUNK])
            try:
                replies.send_bytes(pickle.dumps((page, start, made),
                                                protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:  # the sender is gone or stopped reading
                return


class _Worker:
    """One composing process, its ends of the pipes, the pages it owes, and what is still
    to be written to it (written as the pipe has room, never blocking the event loop)."""

    def __init__(self, context: multiprocessing.context.SpawnContext,
                 modules: Sequence[str]) -> None:
        requests, self.requests = context.Pipe(duplex=False)
        self.connection, replies = context.Pipe(duplex=False)
        for end in (self.requests, replies):
            _widen(end)
        self.process: BaseProcess = context.Process(
            target=serve, args=(requests, replies, modules), name="outreach-composer")
        self.process.start()
        requests.close()
        replies.close()
        os.set_blocking(self.requests.fileno(), False)
        self.pages: dict[int, list[asyncio.Future[Written]]] = {}
        self.ready = False
        self.unsent = bytearray()
        self.waiting_for_room = False


class Composers:
    """`processes` composing processes, started now (each imports `modules`, those that
    write the messages, before it says it is ready); `close` stops them."""

    def __init__(self, processes: int, modules: Sequence[str]) -> None:
        context = multiprocessing.get_context("spawn")  # no inherited engines or sockets
        self._workers = [_Worker(context, modules) for _ in range(processes)]
        self._pages = itertools.count()
        self._watched: asyncio.AbstractEventLoop | None = None

    def ready(self) -> bool:
        """Whether a process is ready to write (until then the sender writes itself)."""
        self._watch(asyncio.get_running_loop())
        return any(worker.ready for worker in self._workers)

    def write(self, deferred: Sequence[Deferred]) -> list[asyncio.Future[Written]]:
        """A future for each message's bytes, in order, the page shared out among the
        processes."""
        loop = asyncio.get_running_loop()
        self._watch(loop)
        futures: list[asyncio.Future[Written]] = [loop.create_future() for _ in deferred]
        alive = [worker for worker in self._workers if worker.ready]
        if not alive:
            for future in futures:
                future.set_result(None)
            return futures
        share = -(-len(deferred) // len(alive))
        for number, worker in enumerate(alive):
            part = slice(number * share, (number + 1) * share)
            if not deferred[part]:
                break
            page = next(self._pages)
            worker.pages[page] = futures[part]
            worker.unsent += _framed(pickle.dumps((page, list(deferred[part])),
                                                  protocol=pickle.HIGHEST_PROTOCOL))
            self._send(worker)
        return futures

    def _send(self, worker: _Worker) -> None:
        """Write what the pipe has room for; the rest when the event loop says it has more."""
        try:
            while worker.unsent:
                del worker.unsent[:os.write(worker.requests.fileno(), worker.unsent)]
        except BlockingIOError:
            pass
        except OSError:  # the process is gone: its replies' end says so too
            worker.unsent.clear()
        loop = self._watched
        if loop is None:
            return
        if worker.unsent and not worker.waiting_for_room:
            loop.add_writer(worker.requests.fileno(), self._send, worker)
            worker.waiting_for_room = True
        elif not worker.unsent and worker.waiting_for_room:
            loop.remove_writer(worker.requests.fileno())
            worker.waiting_for_room = False

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._watched is loop:
            return
        self._unwatch()
        for worker in self._workers:
            loop.add_reader(worker.connection.fileno(), self._read, worker)
        self._watched = loop

    def _unwatch(self) -> None:
        if self._watched is not None and not self._watched.is_closed():
            for worker in self._workers:
                with contextlib.suppress(OSError, ValueError):
                    self._watched.remove_reader(worker.connection.fileno())
                if worker.waiting_for_room:
                    with contextlib.suppress(OSError, ValueError):
                        self._watched.remove_writer(worker.requests.fileno())
                    worker.waiting_for_room = False
        self._watched = None

    def _read(self, worker: _Worker) -> None:
        """What a process sent back: each message's bytes to its future."""
        try:
            while worker.connection.poll():
                reply = worker.connection.recv_bytes()
                if not reply:
                    worker.ready = True
                    continue
                page, start, made = pickle.loads(reply)
                futures = worker.pages[page]
                for future, written in zip(futures[start:start + len(made)], made,
                                           strict=True):
                    if not future.done():
                        future.set_result(written)
                if start + len(made) >= len(futures):
                    del worker.pages[page]
        except (EOFError, OSError):
            self._gone(worker)

    def _gone(self, worker: _Worker) -> None:
        """A process died (or its pipe broke): what it owed is written by the sender."""
        log.warning("a composing process stopped (exit code %s); the sender writes its "
                    "messages itself", worker.process.exitcode)
        if self._watched is not None:
            with contextlib.suppress(OSError, ValueError):
                self._watched.remove_reader(worker.connection.fileno())
                if worker.waiting_for_room:
                    self._watched.remove_writer(worker.requests.fileno())
        for futures in worker.pages.values():
            for future in futures:
                if not future.done():
                    future.set_result(None)
        worker.pages.clear()
        worker.unsent.clear()
        worker.connection.close()
        worker.requests.close()
        if worker.process.is_alive():
            worker.process.kill()
        self._workers.remove(worker)

    def close(self) -> None:
        """Stop the processes: those that do not stop at once are killed (they hold nothing
        but messages already owed back, and a sender being stopped must not wait for one
        still starting)."""
        self._unwatch()
        for worker in self._workers:
            # (the end of its requests is its stop; the end of its replies, if it is still
            # writing some, too)
            worker.requests.close()
            worker.connection.close()
        for worker in self._workers:
            worker.process.join(timeout=0.2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            for futures in worker.pages.values():
                for future in futures:
                    if not future.done():
                        future.cancel()
        self._workers = []
