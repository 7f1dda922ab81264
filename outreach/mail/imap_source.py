"""Reading new mail from IMAP folders with imapclient, without changing the mailbox.

Each configured folder is SELECTed (read-only unless an acknowledgement is configured),
its UIDVALIDITY compared with the stored cursor, and the messages with a UID above the
cursor fetched in batches with BODY.PEEK[] (so no \\Seen flag is set). When UIDVALIDITY
changed, the folder is read again from UID 0; the inbox's deduplication (Message-ID,
else the bytes' SHA-256) makes sure nothing is stored twice.

A dropped connection (socket error, timeout, server shutdown) is reconnected with
exponential back-off, the folder SELECTed again and its UIDVALIDITY checked, and the
read goes on after the last message handed over. A message bigger than
`max_message_bytes` is not downloaded: its header alone is handed over, marked as a
problem, so it is quarantined rather than lost or held in memory.

Optionally, once the inbox has committed messages, they are acknowledged on the server:
`flag` adds a flag (e.g. `\\Seen` or a keyword like `$Outreach`), `move_to` moves them to
another folder. Acknowledging is best effort: one that fails is redone at the next read
(messages at or below the cursor that still lack the flag or are still in the folder).

`wait(timeout)` uses IDLE on the first folder when the server offers it, else polls
STATUS; either way it returns early as soon as any folder has mail not yet read.
"""

from __future__ import annotations

import imaplib
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import CapabilityError, LoginError

from outreach.errors import OutreachError
from outreach.inbound.message import MAX_BYTES
from outreach.mail.inbox import Fetched, Known, Position, pause
from outreach.settings import ImapSettings, Settings

log = logging.getLogger(__name__)

T = TypeVar("T")

FETCH_MESSAGES = 50
FETCH_BYTES = 16 * 1024 * 1024
IDLE_MAX = 25 * 60  # RFC 2177: re-issue IDLE at least every 29 minutes
STOP_CHECK_SECONDS = 0.5  # how long an IDLE may go without looking at the stop event
_TRANSIENT_CODES = ("[UNAVAILABLE]", "[SERVERBUG]", "[INUSE]", "[LIMIT]", "illegal in state")
_UNFLAGGED = {"\\seen": ["UNSEEN"], "\\flagged": ["UNFLAGGED"], "\\answered": ["UNANSWERED"],
              "\\deleted": ["UNDELETED"], "\\draft": ["UNDRAFT"]}


class ImapError(OutreachError):
    """The IMAP server cannot be used: wrong settings, refused login, or down for too long."""


class _ValidityChanged(Exception):
    """The folder's UIDVALIDITY changed under us: its UIDs mean other messages now."""


class _FolderError(Exception):
    """The server refused to SELECT a folder (say it does not exist)."""


def _is_transient(exc: BaseException) -> bool:
    """A dropped or unusable connection, worth reconnecting for (a bad certificate is not)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return False
    if isinstance(exc, OSError | imaplib.IMAP4.abort | EOFError):
        return True
    if isinstance(exc, LoginError):
        return "[UNAVAILABLE]" in str(exc)
    if isinstance(exc, imaplib.IMAP4.error):
        return any(code in str(exc) for code in _TRANSIENT_CODES)
    return False


class ImapSource:
    """A `Source` over the folders in `settings.folders` of one IMAP account."""

    def __init__(
        self,
        settings: ImapSettings,
        password: str | None,
        *,
        flag: str | None = None,
        move_to: str | None = None,
        timeout: float = 60.0,
        fetch_messages: int = FETCH_MESSAGES,
        fetch_bytes: int = FETCH_BYTES,
        max_message_bytes: int = MAX_BYTES,
        retries: int = 6,
        backoff: float = 1.0,
        backoff_max: float = 60.0,
        poll_interval: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not settings.folders:
            raise ImapError("[imap].folders is empty: name at least one folder to read")
        if move_to is not None and move_to in settings.folders:
            raise ImapError(f"cannot move read mail to {move_to!r}: it is a folder being read")
        self.settings = settings
        self.password = password
        self.folders = list(settings.folders)
        self.flag = flag
        self.move_to = move_to
        self.timeout = timeout
        self.fetch_messages = fetch_messages
        self.fetch_bytes = fetch_bytes
        self.max_message_bytes = max_message_bytes
        self.retries = retries
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.poll_interval = poll_interval
        self.ssl_context = ssl_context
        self._sleep = sleep
        self._client: IMAPClient | None = None
        self._selected: tuple[str, int, int] | None = None  # folder, UIDVALIDITY, UIDNEXT
        self._read_to: dict[str, tuple[int, int]] = {}  # folder -> UIDVALIDITY, UIDNEXT read
        self.connections = 0  # how many times we logged in: reconnects show here
        self.problems: list[str] = []  # folders that could not be read, last fetch

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> ImapSource:
        imap = settings.imap
        defaults: dict[str, Any] = {"flag": imap.flag, "move_to": imap.move_to,
                                    "timeout": imap.timeout_seconds,
                                    "poll_interval": settings.mailbox.poll_seconds}
        return cls(imap, settings.imap_password, **(defaults | options))

    @property
    def _readonly(self) -> bool:
        return self.flag is None and self.move_to is None

    # -- connection -----------------------------------------------------------------------

    def _open(self) -> IMAPClient:
        settings = self.settings
        if not settings.username:
            raise ImapError("[imap].username is not set")
        if self.password is None:
            raise ImapError("OUTREACH_IMAP_PASSWORD is not set: it is the IMAP password of "
                            f"{settings.username}")
        context = self.ssl_context or ssl.create_default_context()
        client = IMAPClient(settings.host, settings.port, ssl=settings.security == "tls",
                            ssl_context=context, timeout=self.timeout)
        try:
            if settings.security == "starttls":
                client.starttls(context)
            client.login(settings.username, self.password)
        except BaseException as exc:
            _shutdown(client)
            if isinstance(exc, LoginError) and not _is_transient(exc):
                raise ImapError(f"IMAP login as {settings.username} at {settings.host}:"
                                f"{settings.port} was refused: {exc}") from exc
            raise
        self.connections += 1
        return client

    def _drop(self) -> None:
        client, self._client, self._selected = self._client, None, None
        if client is not None:
            _shutdown(client)

    def close(self) -> None:
        client, self._client, self._selected = self._client, None, None
        if client is not None:
            try:
                client.logout()
            except Exception:
                _shutdown(client)

    def _retrying(self, operation: Callable[[IMAPClient], T]) -> T:
        """Run `operation` on a live connection, reconnecting with back-off when it drops."""
        delay = self.backoff
        attempt = 0
        while True:
            try:
                if self._client is None:
                    self._client = self._open()
                return operation(self._client)
            except (_ValidityChanged, _FolderError, ImapError):
                raise
            except Exception as exc:
                if not _is_transient(exc):
                    raise
                self._drop()
                attempt += 1
                where = f"{self.settings.host}:{self.settings.port}"
                if attempt > self.retries:
                    raise ImapError(f"IMAP server {where} unavailable after {attempt} "
                                    f"attempts: {exc}") from exc
                log.warning("IMAP connection to %s failed (%s: %s); retrying in %.1fs",
                            where, type(exc).__name__, exc, delay)
                self._sleep(delay)
                delay = min(delay * 2, self.backoff_max)

    def _select(self, client: IMAPClient, folder: str) -> tuple[int, int]:
        """SELECT `folder` unless it is; its UIDVALIDITY and UIDNEXT."""
        if self._selected is not None and self._selected[0] == folder:
            return self._selected[1], self._selected[2]
        try:
            info = client.select_folder(folder, readonly=self._readonly)
        except imaplib.IMAP4.error as exc:
            if _is_transient(exc):
                raise
            raise _FolderError(f"cannot select IMAP folder {folder!r}: {exc}") from exc
        uidvalidity = int(info[b"UIDVALIDITY"])
        uidnext = int(info.get(b"UIDNEXT", 0))
        self._selected = (folder, uidvalidity, uidnext)
        return uidvalidity, uidnext

    def _in_folder(self, folder: str, uidvalidity: int,
                   operation: Callable[[IMAPClient], T]) -> T:
        """Run `operation` with `folder` selected, as long as its UIDVALIDITY is unchanged."""

        def run(client: IMAPClient) -> T:
            current, _ = self._select(client, folder)
            if current != uidvalidity:
                raise _ValidityChanged(folder)
            return operation(client)

        return self._retrying(run)

    # -- reading --------------------------------------------------------------------------

    def keys(self) -> Sequence[str]:
        return self.folders

    def fetch(self, positions: Mapping[str, Position], known: Known) -> Iterator[Fetched]:
        self.problems = []
        for folder in self.folders:
            try:
                yield from self._fetch_folder(folder, positions.get(folder))
            except _FolderError as exc:
                log.error("%s; skipping it this time", exc)
                self.problems.append(str(exc))

    def _fetch_folder(self, folder: str, position: Position | None) -> Iterator[Fetched]:
        while True:
            uidvalidity, _ = self._retrying(lambda client: self._select(client, folder))
            last = 0
            if position is not None and position.uidvalidity == uidvalidity:
                last = position.last_uid
            elif position is not None:
                log.warning("UIDVALIDITY of IMAP folder %s changed from %s to %s: reading it "
                            "again from the start (stored messages are not stored twice)",
                            folder, position.uidvalidity, uidvalidity)
            try:
                if not self._readonly and last:
                    self._redo_acknowledgements(folder, uidvalidity, last)
                for item in self._read(folder, uidvalidity, last):
                    yield item
                    position = Position(uidvalidity, item.uid)
                return
            except _ValidityChanged:
                self._selected = None
                continue  # the loop sees the new UIDVALIDITY and starts over

    def _read(self, folder: str, uidvalidity: int, last: int) -> Iterator[Fetched]:
        def search(client: IMAPClient) -> tuple[list[int], int]:
            client.noop()  # let the server show mail that came since the SELECT
            found = client.search(["UID", f"{last + 1}:*"])
            assert self._selected is not None
            # "n:*" always matches the highest UID, even below n: keep only UIDs above.
            return sorted(int(uid) for uid in found if int(uid) > last), self._selected[2]

        uids, uidnext = self._in_folder(folder, uidvalidity, search)
        sizes: dict[int, int] = {}
        for start in range(0, len(uids), 1000):
            chunk = uids[start:start + 1000]

            def measure(client: IMAPClient, chunk: list[int] = chunk) -> dict[Any, Any]:
                return dict(client.fetch(chunk, ["RFC822.SIZE"]))

            for uid, data in self._in_folder(folder, uidvalidity, measure).items():
                sizes[int(uid)] = int(data.get(b"RFC822.SIZE", 0))
        uids = [uid for uid in uids if uid in sizes]  # expunged meanwhile: gone
        for chunk in self._chunks(uids, sizes):
            yield from self._fetch_chunk(folder, uidvalidity, chunk, sizes)
        top = uids[-1] + 1 if uids else 0
        self._read_to[folder] = (uidvalidity, max(uidnext, top))

    def _chunks(self, uids: list[int], sizes: Mapping[int, int]) -> Iterator[list[int]]:
        chunk: list[int] = []
        total = 0
        for uid in uids:
            size = min(sizes[uid], self.max_message_bytes)
            if chunk and (len(chunk) >= self.fetch_messages or total + size > self.fetch_bytes):
                yield chunk
                chunk, total = [], 0
            chunk.append(uid)
            total += size
        if chunk:
            yield chunk

    def _fetch_chunk(self, folder: str, uidvalidity: int, chunk: list[int],
                     sizes: Mapping[int, int]) -> Iterator[Fetched]:
        whole = [uid for uid in chunk if sizes[uid] <= self.max_message_bytes]
        huge = [uid for uid in chunk if sizes[uid] > self.max_message_bytes]
        bodies: dict[int, bytes] = {}
        if whole:
            response = self._in_folder(folder, uidvalidity,
                                       lambda client: client.fetch(whole, ["BODY.PEEK[]"]))
            bodies.update(_parts(response, b"BODY[]"))
        if huge:
            response = self._in_folder(
                folder, uidvalidity, lambda client: client.fetch(huge, ["BODY.PEEK[HEADER]"]))
            bodies.update(_parts(response, b"BODY[HEADER]"))
        for uid in chunk:
            raw = bodies.get(uid)
            if raw is None:
                log.info("%s UID %s was expunged before it could be fetched", folder, uid)
                continue
            problem = None
            if uid in huge:
                problem = (f"message of {sizes[uid]} bytes is over the {self.max_message_bytes} "
                           "byte limit: only its header was fetched; the whole message is "
                           f"still in IMAP folder {folder!r} (UIDVALIDITY {uidvalidity}, "
                           f"UID {uid})")
            yield Fetched(folder, uidvalidity, uid, raw, problem=problem)

    # -- acknowledging ------------------------------------------------------------------------

    def acknowledge(self, stored: Sequence[Fetched]) -> None:
        if self._readonly:
            return
        groups: dict[tuple[str, int], list[int]] = {}
        for item in stored:
            groups.setdefault((item.folder, item.uidvalidity), []).append(item.uid)
        for (folder, uidvalidity), uids in groups.items():
            self._acknowledge(folder, uidvalidity, uids)

    def _acknowledge(self, folder: str, uidvalidity: int, uids: list[int]) -> None:
        def mark(client: IMAPClient) -> None:
            if self.flag is not None:
                client.add_flags(uids, [self.flag], silent=True)
            if self.move_to is not None:
                self._move(client, uids)

        try:
            self._in_folder(folder, uidvalidity, mark)
        except _ValidityChanged:
            log.warning("UIDVALIDITY of %s changed: %d stored messages not acknowledged",
                        folder, len(uids))
        except (ImapError, _FolderError, imaplib.IMAP4.error) as exc:
            log.warning("could not acknowledge %d stored messages in %s (retried at the next "
                        "read): %s", len(uids), folder, exc)

    def _move(self, client: IMAPClient, uids: list[int]) -> None:
        assert self.move_to is not None
        if not client.folder_exists(self.move_to):
            client.create_folder(self.move_to)
        try:
            client.move(uids, self.move_to)
        except CapabilityError:
            client.copy(uids, self.move_to)
            client.add_flags(uids, [b"\\Deleted"], silent=True)
            if client.has_capability("UIDPLUS"):
                client.uid_expunge(uids)

    def _redo_acknowledgements(self, folder: str, uidvalidity: int, last: int) -> None:
        """Acknowledge stored messages (UID <= `last`) whose acknowledgement failed."""
        criteria: list[str] = ["UID", f"1:{last}"]
        if self.move_to is None and self.flag is not None:
            criteria += _UNFLAGGED.get(self.flag.lower(), ["UNKEYWORD", self.flag])

        def search(client: IMAPClient) -> list[int]:
            return [int(uid) for uid in client.search(criteria) if int(uid) <= last]

        stale = self._in_folder(folder, uidvalidity, search)
        if stale:
            log.info("acknowledging %d stored messages in %s again", len(stale), folder)
            self._acknowledge(folder, uidvalidity, stale)

    # -- waiting ----------------------------------------------------------------------------

    def _changed(self, folder: str, uidvalidity: int, uidnext: int) -> bool:
        read = self._read_to.get(folder)
        return read is None or read[0] != uidvalidity or uidnext > read[1]

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Block until new mail may be there (True), or `timeout` seconds pass or `stop` is
        set (False).

        Returns True at once when a folder holds mail this source has not read yet (or
        has not read at all since it started), and when the connection drops. IDLE looks
        at `stop` every `STOP_CHECK_SECONDS`.
        """
        deadline = time.monotonic() + timeout
        try:
            if self._retrying(self._status_changed):
                return True
            client = self._client
            assert client is not None
            if client.has_capability("IDLE"):
                return self._idle(client, deadline, stop)
            while True:  # no IDLE: poll
                remaining = deadline - time.monotonic()
                if remaining <= 0 or pause(min(self.poll_interval, remaining), stop,
                                           self._sleep):
                    return False
                if self._retrying(self._status_changed):
                    return True
        except _FolderError as exc:
            # Not a reason to spin: say so, sit out the timeout, let the caller read the rest.
            log.error("%s", exc)
            pause(max(0.0, deadline - time.monotonic()), stop, self._sleep)
            return False

    def _status_changed(self, client: IMAPClient) -> bool:
        for folder in self.folders[1:]:
            try:
                status = client.folder_status(folder, [b"UIDVALIDITY", b"UIDNEXT"])
            except imaplib.IMAP4.error as exc:
                if _is_transient(exc):
                    raise
                raise _FolderError(f"cannot check IMAP folder {folder!r}: {exc}") from exc
            if self._changed(folder, int(status[b"UIDVALIDITY"]), int(status[b"UIDNEXT"])):
                return True
        # The first folder is SELECTed afresh: the view IDLE then reports changes against.
        self._selected = None
        uidvalidity, uidnext = self._select(client, self.folders[0])
        return self._changed(self.folders[0], uidvalidity, uidnext)

    def _idle(self, client: IMAPClient, deadline: float, stop: threading.Event | None) -> bool:
        woke = False
        try:
            client.idle()
            while not woke:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (stop is not None and stop.is_set()):
                    break
                step = min(remaining, IDLE_MAX if stop is None else STOP_CHECK_SECONDS)
                started = time.monotonic()
                responses = client.idle_check(timeout=step)
                if not responses and time.monotonic() - started < step - 0.05:
                    woke = True  # the socket woke up with nothing to read: it was closed
                if any(_is_new_mail(response) for response in responses):
                    woke = True
        except Exception as exc:
            if not _is_transient(exc):
                raise
            self._drop()
            return True
        try:
            _, late = client.idle_done()
        except Exception as exc:
            if not _is_transient(exc):
                raise
            self._drop()
            return True
        return woke or any(_is_new_mail(response) for response in late)


def _is_new_mail(response: Sequence[Any]) -> bool:
    """An IDLE response that means mail arrived (EXISTS) or the server is going (BYE)."""
    return (len(response) > 1 and response[1] in (b"EXISTS", b"RECENT")) or (
        len(response) > 0 and response[0] == b"BYE")


def _parts(response: Mapping[Any, Mapping[bytes, Any]], key: bytes) -> dict[int, bytes]:
    found: dict[int, bytes] = {}
    for uid, data in response.items():
        value = data.get(key)
        if isinstance(value, bytes):
            found[int(uid)] = value
    return found


def _shutdown(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except Exception as exc:
        log.debug("closing an IMAP connection: %s", exc)
