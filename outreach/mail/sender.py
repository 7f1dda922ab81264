"""Drains the outbox to SMTP with aiosmtplib.

A few reused connections share the work; a global and a per-domain token bucket pace it.
Replies decide each row's fate: 2xx sent, 4xx or a dropped connection retried with
back-off, 5xx failed for good (and the kind's failure hook runs in the same transaction).
A session that cannot be opened (connect, TLS, greeting, EHLO, AUTH), a refused envelope
sender, or a security/policy reply (X.7.X: "relay access denied") is our side's problem,
never the recipient's: it is logged as an error and the rows wait, their attempts
untouched, so a relay outage or a wrong password never bounces a target. With `[dkim]` set,
each message is signed as it leaves.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import multiprocessing
import os
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import aiosmtplib
from aiosmtplib import SMTPStatus
from aiosmtplib.protocol import normalize_message_line_endings
from sqlalchemy.orm import Session, sessionmaker

from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.mail import outbox
from outreach.mail.compose import make_all
from outreach.mail.composing import Composers, Written
from outreach.mail.dkim import dkim_signer
from outreach.mail.outbox import Claimed, Failure, OutboxHooks, RetryPolicy
from outreach.mail.ratelimit import DomainRates, TokenBucket
from outreach.mail.tokens import make_token, tagged_address
from outreach.settings import Settings, SmtpSettings

log = logging.getLogger(__name__)


class TemporaryFailure(Exception):
    """Try again later: a 4xx reply, a timeout or a dropped connection."""


class SessionFailure(TemporaryFailure):
    """Try again later without counting an attempt: our session failed, not the message."""


class PermanentFailure(Exception):
    """Do not try again: a 5xx reply, to the recipient (RCPT) or to the message (DATA)."""

    def __init__(self, message: str, failure: Failure = Failure.REJECTED) -> None:
        super().__init__(message)
        self.failure = failure


class SessionError(Exception):
    """Raised by `Connection` when it cannot open a session; wraps the cause."""


class UnsafeAddress(ValueError):
    """An address that cannot go on an SMTP command line as it is (whitespace, brackets,
    quotes, control or non-ASCII characters): it never will, so it is not tried."""

    def __init__(self, address: str, whose: Literal["sender", "recipient"]) -> None:
        super().__init__(f"the {whose} address {address!r} cannot be written on an SMTP "
                         "command line")
        self.whose = whose


# What may not appear in an address we write between the brackets of MAIL FROM or RCPT TO
# (RFC 5321 mailboxes are printable ASCII; quoted local parts are not used for sending).
_UNSAFE_IN_ADDRESS = re.compile(r'[^!#-;=?-~]')


def _mailbox(address: str, whose: Literal["sender", "recipient"]) -> bytes:
    """`<address>` as it goes on the command line, or `UnsafeAddress`."""
    if not address or "@" not in address or _UNSAFE_IN_ADDRESS.search(address):
        raise UnsafeAddress(address, whose)
    return b"<" + address.encode("ascii") + b">"


def _wire_size(raw: bytes) -> int:
    """The message's size as DATA sends it, every line ending CRLF (RFC 1870's SIZE)."""
    if b"\r" not in raw:
        return len(raw) + raw.count(b"\n")
    return len(normalize_message_line_endings(raw))


# RFC 3463 class X.7.X, security or policy: "relay access denied", "authentication
# required". Our relay says it about us, never about the recipient's address.
_POLICY = re.compile(r"\s*[45]\.7\.\d{1,3}(?!\S)")


def classify(exc: Exception) -> Exception:
    """Map an aiosmtplib or socket error to a temporary or permanent failure."""
    if isinstance(exc, UnsafeAddress):
        if exc.whose == "sender":
            return SessionFailure(str(exc))
        return PermanentFailure(str(exc), Failure.UNSENDABLE)
    if isinstance(exc, SessionError | aiosmtplib.SMTPHeloError
                  | aiosmtplib.SMTPAuthenticationError):
        # EHLO may also run lazily inside sendmail; AUTH failures are our configuration.
        return SessionFailure(f"cannot open an SMTP session: {exc}")
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
        if exc.recipients and all(_POLICY.match(r.message) for r in exc.recipients):
            return SessionFailure(f"refused by policy: {text}")
        if codes and all(500 <= c < 600 for c in codes):
            return PermanentFailure(text)
        return TemporaryFailure(text)
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        # Our own return path refused (or AUTH or STARTTLS wanted first): a configuration
        # problem, never the recipient's fault.
        return SessionFailure(f"sender refused: {exc.code} {exc.message}")
    if isinstance(exc, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPTimeoutError
                  | aiosmtplib.SMTPConnectError | ConnectionError | TimeoutError | OSError):
        return TemporaryFailure(f"connection: {exc}")
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        message = f"{exc.code} {exc.message}"
        if _POLICY.match(exc.message):
            return SessionFailure(f"refused by policy: {message}")
        if 500 <= exc.code < 600:
            # Refused after RCPT was accepted (content, size): the address is not the problem.
            return PermanentFailure(message, Failure.REFUSED)
        return TemporaryFailure(message)
    return TemporaryFailure(f"{type(exc).__name__}: {exc}")


# Accepted rows are marked sent together, but never more of them, nor any waiting longer,
# than this: a crash resends at most the messages accepted since the last marking.
MARK_SENT_EVERY = 200
MARK_SENT_WITHIN_SECONDS = 1.0


@functools.cache
def _local_hostname() -> str:
    """Our EHLO name; looked up once (getfqdn may ask DNS, which blocks the event loop)."""
    return socket.getfqdn() or "localhost"


class Connection:
    """One SMTP session, opened on demand and renewed after `messages_per_connection`."""

    def __init__(self, settings: SmtpSettings, password: str | None,
                 tls_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self.password = password
        self.tls_context = tls_context
        self._smtp: aiosmtplib.SMTP | None = None
        self._sent = 0

    async def _open(self) -> aiosmtplib.SMTP:
        s = self.settings
        smtp = aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            timeout=s.timeout_seconds,
            validate_certs=s.validate_certs,
            tls_context=self.tls_context,
            local_hostname=_local_hostname(),
        )
        try:
            await smtp.connect()
            if smtp.is_ehlo_or_helo_needed:
                await _greet(smtp)
            if s.username:
                await smtp.login(s.username, self.password or "")
        except Exception as exc:
            smtp.close()
            raise SessionError(f"{s.host}:{s.port}: {type(exc).__name__}: {exc}") from exc
        except BaseException:  # cancelled: leave no half-open socket behind
            smtp.close()
            raise
        self._sent = 0
        return smtp

    async def send(self, envelope_from: str, recipient: str, raw: bytes) -> None:
        mail_from = _mailbox(envelope_from, "sender")
        rcpt_to = _mailbox(recipient, "recipient")
        if self._smtp is not None and (
            not self._smtp.is_connected or self._sent >= self.settings.messages_per_connection
        ):
            await self.close()
        if self._smtp is None:
            self._smtp = await self._open()
        try:
            # One deadline for the whole exchange (each of its four replies may take the
            # configured timeout) rather than one per reply: aiosmtplib's per-reply
            # `wait_for` starts a task for every reply, a third of the time SMTP cost.
            async with asyncio.timeout(4 * self.settings.timeout_seconds):
                await _transaction(self._smtp, mail_from, rcpt_to, raw)
        except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, OSError,
                asyncio.CancelledError):
            # The connection is gone, hung, or cut mid-transaction (a QUIT now would wait for
            # a reply that never comes): drop it and its socket; the next send reopens.
            smtp, self._smtp = self._smtp, None
            smtp.close()
            raise
        except Exception:
            await self._reset()
            raise
        self._sent += 1

    async def _reset(self) -> None:
        """After a failed message, end its transaction (RSET) so the next one starts clean;
        a session that cannot even do that is dropped and the next send reopens one."""
        smtp = self._smtp
        if smtp is None:
            return
        try:
            await smtp.rset()
        except Exception:  # whatever state it is in, it is not one to send in
            self._smtp = None
            smtp.close()

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None and smtp.is_connected:
            try:
                await smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                smtp.close()


async def _greet(smtp: aiosmtplib.SMTP) -> None:
    """EHLO, or HELO for a server that does not speak ESMTP."""
    try:
        await smtp.ehlo()
    except aiosmtplib.SMTPHeloError:
        if not smtp.is_connected:
            raise
        await smtp.helo()


async def _transaction(smtp: aiosmtplib.SMTP, mail_from: bytes, rcpt_to: bytes,
                       raw: bytes) -> None:
    """One message to one recipient: MAIL, RCPT, DATA. aiosmtplib's `sendmail` would parse
    both addresses four times with `email.utils.parseaddr`, a fifth of the drain's time;
    ours are checked once by `_mailbox`. A refusal raises what `sendmail` raises, so
    `classify` reads it the same way; the caller resets the session."""
    options = [b"SIZE=%d" % _wire_size(raw)] if smtp.supports_extension("size") else []
    response = await smtp.execute_command(b"MAIL", b"FROM:" + mail_from, *options,
                                          timeout=None)
    if response.code != SMTPStatus.completed:
        raise aiosmtplib.SMTPSenderRefused(response.code, response.message,
                                           mail_from[1:-1].decode())
    response = await smtp.execute_command(b"RCPT", b"TO:" + rcpt_to, timeout=None)
    if response.code not in (SMTPStatus.completed, SMTPStatus.will_forward):
        raise aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(
            response.code, response.message, rcpt_to[1:-1].decode())])
    await smtp.data(raw, timeout=None)


@dataclass
class DrainStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    written_elsewhere: int = 0  # messages written by a composing process


Progress = Callable[[DrainStats], None]


class OutboxSender:
    """The one process-wide drain of the outbox."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        hooks: OutboxHooks,
        *,
        clock: Callable[[], datetime] = utc_now,
        worker: str | None = None,
        tls_context: ssl.SSLContext | None = None,
        idle_seconds: float = 1.0,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.hooks = hooks
        self.clock = clock
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        self.policy = RetryPolicy(
            max_attempts=settings.outbox.max_attempts,
            base_seconds=settings.outbox.backoff_base_seconds,
            max_seconds=settings.outbox.backoff_max_seconds,
        )
        self.lease = timedelta(seconds=settings.outbox.lease_seconds)
        self.global_rate = TokenBucket(settings.rates.global_per_second)
        self.domain_rates = DomainRates(settings.rates.per_domain_per_minute)
        self.connections = [
            Connection(settings.smtp, settings.smtp_password, tls_context)
            for _ in range(settings.smtp.connections)
        ]
        self.idle_seconds = idle_seconds
        self.stats = DrainStats()
        self.signer = dkim_signer(settings)
        # Rows the server accepted in the batch being sent, not yet marked sent (with the
        # bytes of those written after the claim, to keep), and the timer that marks them
        # when the oldest has waited MARK_SENT_WITHIN_SECONDS.
        self._accepted: list[int] = []
        self._raws: dict[int, bytes] = {}
        self._mark_timer: asyncio.TimerHandle | None = None
        # Processes writing a backlog's messages, started at the first full page, and the
        # messages they are writing, by row.
        self._composers: Composers | None = None
        self._backlog = False
        self._writing: dict[int, asyncio.Future[Written]] = {}

    def envelope_from(self, message: Claimed) -> str:
        """A VERP return path when a key is set, so a bounce names the message it answers."""
        sender = self.settings.sender
        if not self.settings.secret_key:
            return sender.address
        token = make_token(self.settings.require_secret_key(), "m", message.id)
        return tagged_address("bounce", token, sender.reply_domain)

    async def run(self, stop: asyncio.Event | None = None, *,
                  until: Literal["stopped", "idle", "empty"] = "stopped",
                  progress: Progress | None = None) -> DrainStats:
        """Send until `stop` is set, or until nothing is due now (`idle`) or unsent (`empty`)."""
        stop = stop or asyncio.Event()
        ahead: list[Claimed] = []  # the next page, claimed while this one is being written
        try:
            while not stop.is_set():
                batch, ahead = ahead or self._claim(), []
                if batch:
                    if self._deferring():
                        # Its messages are being written elsewhere: claim the next page
                        # meanwhile, and hand it over too, so that the composing
                        # processes never wait for the claim.
                        ahead = self._claim()
                    await self._send_batch(batch, stop)
                    if progress is not None:
                        progress(self.stats)
                    continue
                if until == "idle":
                    break
                with transaction(self.factory) as session:
                    left = outbox.unsent_count(session)
                    due = outbox.next_due(session)
                if until == "empty" and left == 0:
                    break
                wait = self.idle_seconds
                if due is not None:
                    wait = min(wait, max(0.0, (due - self.clock()).total_seconds()))
                await _sleep_or_stop(stop, max(wait, 0.05))
        finally:
            if ahead:
                self.stats.released += outbox.release(
                    self.factory, [message.id for message in ahead], worker=self.worker)
            self._writing.clear()
            for connection in self.connections:
                await connection.close()
            if self._composers is not None:
                self._composers.close()
                self._composers = None
        return self.stats

    def _claim(self) -> list[Claimed]:
        """Claim a page; in a backlog its messages are handed to the composing processes."""
        batch = outbox.claim(
            self.factory, worker=self.worker, now=self.clock(),
            limit=self.settings.smtp.in_flight, lease=self.lease, hooks=self.hooks,
            defer=self._deferring(),
        )
        self._write_elsewhere(batch)
        self._note_backlog(len(batch))
        return batch

    def _deferring(self) -> bool:
        """Whether pages are being written elsewhere: in a backlog, once a composing
        process is ready."""
        return self._backlog and self._composers is not None and self._composers.ready()

    def _note_backlog(self, claimed: int) -> None:
        """A full page means more wait behind it: the next pages' messages are written in
        the composing processes (started now, so that they are up by then), while the page
        before is on the wire. A smaller page goes back to writing in the claim."""
        self._backlog = claimed >= self.settings.smtp.in_flight
        processes = self.settings.outbox.compose_processes
        # (a daemonic process may not start processes: it writes in the claim)
        if self._backlog and processes and self._composers is None \
                and not multiprocessing.current_process().daemon:
            # They start while this page goes out, importing what writes the messages.
            modules = sorted({type(composer).__module__
                              for composer in self.hooks.composers.values()})
            self._composers = Composers(processes, modules)

    def _write_elsewhere(self, batch: list[Claimed]) -> None:
        """Hand the batch's deferred messages to the composing processes, in chunks."""
        deferred = [(message.id, message.deferred) for message in batch
                    if message.deferred is not None]
        if not deferred:
            return
        assert self._composers is not None  # the claim defers only when they run
        futures = self._composers.write([recipe for _, recipe in deferred])
        self._writing.update(zip((row_id for row_id, _ in deferred), futures, strict=True))

    async def _written(self, message: Claimed) -> bytes | str:
        """The message's bytes, or why they could not be written."""
        if message.deferred is None:
            return message.raw
        future = self._writing.pop(message.id, None)
        written = await future if future is not None else None
        if written is None:  # its composing process is gone: written here
            return make_all([message.deferred])[0]
        self.stats.written_elsewhere += 1
        return written

    async def _send_batch(self, batch: list[Claimed], stop: asyncio.Event) -> None:
        queue: asyncio.Queue[Claimed] = asyncio.Queue()
        for item in batch:
            queue.put_nowait(item)
        workers = self.connections[: len(batch)]
        try:
            await asyncio.gather(*(self._work(c, queue, stop) for c in workers))
        finally:  # also when cancelled: what went out is marked, what did not goes back
            self._mark_accepted()
            leftover = []
            while not queue.empty():
                leftover.append(queue.get_nowait().id)
            if leftover:
                self.stats.released += outbox.release(self.factory, leftover,
                                                      worker=self.worker)
            for message_id in leftover:
                self._writing.pop(message_id, None)

    async def _work(self, connection: Connection, queue: asyncio.Queue[Claimed],
                    stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                message = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await self.global_rate.acquire()
            await self.domain_rates.bucket(message.recipient).acquire()
            failure = await self._deliver(connection, message)
            if isinstance(failure, SessionFailure):
                # The session is broken for every message: defer the rest untried, at once,
                # rather than meet the same failure (or a connect timeout) once per row.
                while not queue.empty():
                    self._defer(queue.get_nowait(), failure)
                return

    def _defer(self, message: Claimed, failure: SessionFailure) -> None:
        outbox.mark_temporary_failure(
            self.factory, message.id, worker=self.worker, now=self.clock(), error=str(failure),
            policy=self.policy, hooks=self.hooks, count_attempt=False,
        )
        self.stats.retried += 1

    async def _deliver(self, connection: Connection, message: Claimed) -> Exception | None:
        """Send one message and record its fate; returns the failure, if any."""
        if message.retaken and not outbox.mark_resending(
                self.factory, message.id, worker=self.worker, now=self.clock()):
            return None  # no longer ours to send
        written = await self._written(message)
        if isinstance(written, str):
            unwritten = PermanentFailure(f"could not compose: {written}", Failure.UNSENDABLE)
            _log_outcome(logging.WARNING, message, "failed", unwritten)
            outbox.mark_permanent_failure(
                self.factory, message.id, worker=self.worker, now=self.clock(),
                error=str(unwritten), hooks=self.hooks, failure=unwritten.failure)
            self.stats.failed += 1
            return unwritten
        kept = written if message.keep_raw else None
        raw = written
        if self.signer is not None:  # signed at each attempt, as it leaves
            raw = self.signer.sign(raw, f"message {message.message_id}")
        try:
            await connection.send(self.envelope_from(message), message.recipient, raw)
        except Exception as exc:  # every failure is classified; none may stop the drain
            failure = classify(exc)
            if isinstance(failure, SessionFailure):
                log.error("cannot send through %s:%s, mail waits until it is fixed: %s",
                          self.settings.smtp.host, self.settings.smtp.port, failure)
                self._defer(message, failure)
            elif isinstance(failure, PermanentFailure):
                _log_outcome(logging.WARNING, message, "failed", failure)
                outbox.mark_permanent_failure(
                    self.factory, message.id, worker=self.worker, now=self.clock(),
                    error=str(failure), hooks=self.hooks, failure=failure.failure, raw=kept,
                )
                self.stats.failed += 1
            else:
                _log_outcome(logging.INFO, message, "deferred", failure)
                retrying = outbox.mark_temporary_failure(
                    self.factory, message.id, worker=self.worker, now=self.clock(),
                    error=str(failure), policy=self.policy, hooks=self.hooks, raw=kept,
                )
                if retrying:
                    self.stats.retried += 1
                else:
                    self.stats.failed += 1
            return failure
        if message.retaken:
            outbox.mark_sent(self.factory, message.id, worker=self.worker, now=self.clock(),
                             raw=kept)
        else:
            self._accepted.append(message.id)
            if kept is not None:
                self._raws[message.id] = kept
            if len(self._accepted) >= MARK_SENT_EVERY:
                self._mark_accepted()
            elif self._mark_timer is None:
                self._mark_timer = asyncio.get_running_loop().call_later(
                    MARK_SENT_WITHIN_SECONDS, self._mark_accepted_on_time)
        self.stats.sent += 1
        _log_outcome(logging.INFO, message, "sent")
        return None

    def _mark_accepted(self) -> None:
        """Mark the rows accepted since the last marking sent, in one statement: at the end
        of each batch, and within it every `MARK_SENT_EVERY` messages or
        `MARK_SENT_WITHIN_SECONDS`, whichever comes first. A crash before it resends them
        (at most those, however large the batch or slow the rates); a row taken again after
        such a crash is marked alone, at once (see `_deliver`), so that it is not sent a
        third time."""
        if self._mark_timer is not None:
            self._mark_timer.cancel()
            self._mark_timer = None
        outbox.mark_sent_many(self.factory, self._accepted, worker=self.worker,
                              now=self.clock(), raws=self._raws)
        self._accepted = []
        self._raws = {}

    def _mark_accepted_on_time(self) -> None:
        self._mark_timer = None
        try:
            self._mark_accepted()
        except Exception:  # the rows stay in the list: the end of the batch tries again
            log.exception("could not mark %d sent message(s) sent", len(self._accepted))


def _log_outcome(level: int, message: Claimed, outcome: str,
                 failure: Exception | None = None) -> None:
    """One line per message and what became of it: "sent ask to ana@river.example (message
    <…>, campaign clean-water, organization Friends of the River)", and the same as fields
    for structured logs."""
    about = "".join(f", {name} {value}" for name, value in message.about.items())
    because = f": {failure}" if failure is not None else ""
    log.log(level, "%s %s to %s (message %s%s)%s", outcome, message.kind or "message",
            message.recipient, message.message_id, about, because,
            extra={"kind": message.kind, "outcome": outcome, "recipient": message.recipient,
                   "message_id": message.message_id, **message.about})


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
