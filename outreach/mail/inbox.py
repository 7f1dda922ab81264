"""The inbox: every message a source hands over is stored once, raw, before anything acts on it.

A source (`ImapSource`, `MaildirSource`) yields `Fetched` messages; `ingest` writes each
one as an `InboundMessage` row and advances the folder's `MailboxCursor` in the same
transaction, a batch at a time. A crash between two batches at most fetches the last
batch again, and the deduplication below makes that harmless.

Deduplication, checked in this order (the first match wins):

1. The same (folder, UIDVALIDITY, UID): the very same mailbox entry, read again.
2. The same Message-ID: the same message, read again after a UIDVALIDITY change, copied
   into a second folder, or delivered twice. When the bytes differ other than in line
   ends (a re-delivery with other trace headers, or a sender that reuses IDs) the first
   one stored is kept and the second is logged and counted as a `conflict`: replies are
   matched and acted on by Message-ID, so two rows with one ID would be acted on twice.
3. No usable Message-ID: the same SHA-256 of the raw bytes. Identical bytes are the
   same message, whatever folder or UID they came from.

Quarantine: a message is stored with status QUARANTINED and the reason in `error` when
`load_message` rejects it (empty, over the size limit), when a top-level header or the
readable text makes the parser raise, when it contains NUL bytes (RFC 5322 forbids them
and PostgreSQL text columns cannot hold them), or when the source could only fetch its
header (over the source's size limit). Everything else is NEW, however odd: undeclared
or wrong charsets, broken MIME boundaries, a header-only or body-only message, a large
attachment; the parser copes with them and the classifier decides what they mean.

Routing: with a `Door`, each readable message gets its route (the handler that owns it)
as it is stored. Acting on a message is not the inbox's job: that happens later, on NEW
rows, in their own transactions (`outreach.mail.handling`).
"""

from __future__ import annotations

import enum
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import NamedTuple, Protocol

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from outreach.db.session import transaction
from outreach.inbound.door import Door
from outreach.inbound.message import MalformedMessage, load_message, looks_like_headers
from outreach.inbound.text import body_text
from outreach.mail.models import InboundMessage, InboundStatus, MailboxCursor

log = logging.getLogger(__name__)

MESSAGE_ID_MAX = 300  # the column's width
ERROR_MAX = 2000
BATCH_MESSAGES = 100
BATCH_BYTES = 32 * 1024 * 1024
# How much of the text is read to check that it can be (the classifier reads less).
READ_CHECK_CHARS = 256 * 1024


class Position(NamedTuple):
    """How far a folder has been read: its UIDVALIDITY and the last UID stored."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True, slots=True)
class Fetched:
    """One raw message as a source read it.

    `folder` is the source key (an IMAP folder name, or `maildir:<path>`); `cursor` says
    whether `uid` is a position the folder's cursor may advance to (IMAP UIDs are;
    a Maildir's hashed unique names are not). `problem` is a reason the source already
    knows the message cannot be read (say it only fetched the header of a huge one).
    """

    folder: str
    uidvalidity: int
    uid: int
    raw: bytes
    cursor: bool = True
    problem: str | None = None


# (folder, uidvalidity, candidate uids) -> the uids among them already stored.
Known = Callable[[str, int, Sequence[int]], set[int]]


class Source(Protocol):
    def keys(self) -> Sequence[str]:
        """The folder keys this source reads (the `MailboxCursor.source` of each)."""

    def fetch(self, positions: Mapping[str, Position], known: Known) -> Iterator[Fetched]:
        """New messages, oldest first per folder, from each folder's position on."""

    def acknowledge(self, stored: Sequence[Fetched]) -> None:
        """Called once `stored` are committed: flag or move them, when so configured."""

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Block until new mail may have arrived (True), or `timeout` seconds pass or `stop`
        is set (False); a set `stop` ends the wait within a second."""

    def close(self) -> None: ...


def pause(seconds: float, stop: threading.Event | None, sleep: Callable[[float], None]) -> bool:
    """Sleep `seconds`, or until `stop` is set; True if it was (a source's wait then ends)."""
    if stop is None:
        sleep(seconds)
        return False
    return stop.wait(seconds)


@dataclass
class IngestStats:
    fetched: int = 0
    stored: int = 0  # new rows with status NEW
    quarantined: int = 0  # new rows with status QUARANTINED
    duplicates: int = 0  # already stored: same mailbox entry, Message-ID or bytes
    conflicts: int = 0  # same Message-ID as a stored message, other bytes: not stored
    batches: int = 0
    ids: list[int] = field(default_factory=list)  # ids of the rows stored

    @property
    def new_rows(self) -> int:
        return self.stored + self.quarantined


_ID_TOKEN = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]+>")  # printable ASCII but < and >
_BARE_ID = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+")
_FIELD = re.compile(rb"^([!-9;-~]+):(.*)$", re.DOTALL)


def _lines(raw: bytes) -> Iterator[bytes]:
    """`raw`'s lines without their line ends, read lazily (the header block is short)."""
    start = 0
    while start < len(raw):
        end = raw.find(b"\n", start)
        if end < 0:
            end = len(raw)
        yield raw[start:end].rstrip(b"\r")
        start = end + 1


def header_values(raw: bytes, name: str) -> list[bytes]:
    """The unfolded raw values of header `name` in `raw`'s header block, in order.

    A light scan that never decodes anything, so it works on any bytes: it skips an mbox
    "From " line and stops at the first empty line or at a line that is not a header,
    as the standard library's parser does.
    """
    wanted = name.lower().encode("ascii")
    values: list[bytes] = []
    current: list[bytes] | None = None
    for number, line in enumerate(_lines(raw.lstrip(b"\r\n"))):
        if number == 0 and line.startswith(b"From "):
            continue
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current.append(line)
            continue
        if current is not None:
            values.append(b"".join(current))
            current = None
        match = _FIELD.match(line)
        if match is None:
            break
        if match.group(1).lower() == wanted:
            current = [match.group(2)]
    if current is not None:
        values.append(b"".join(current))
    return values


def message_id_of(raw: bytes) -> str | None:
    """The first Message-ID header, normalised; None when absent or unusable.

    `<left@right>` tokens are taken as they are (comments and white space around them
    dropped); a bare `left@right` is accepted too. Anything else (no such token,
    non-ASCII, control characters, longer than the column) is no Message-ID at all.
    """
    if not looks_like_headers(raw):  # read as a bare body by `load_message`: no headers
        return None
    values = header_values(raw, "Message-ID")
    if not values:
        return None
    try:
        text = values[0].decode("ascii")
    except UnicodeDecodeError:
        return None
    token = _ID_TOKEN.search(text)
    if token is not None:
        candidate = token.group(0)
    else:
        candidate = "".join(text.split())
        if not _BARE_ID.fullmatch(candidate):
            return None
    return candidate if len(candidate) <= MESSAGE_ID_MAX else None


def read(raw: bytes) -> tuple[EmailMessage | None, str | None]:
    """`raw` parsed, or why it cannot be read (see the module notes)."""
    try:
        msg = load_message(raw)
    except MalformedMessage as exc:
        return None, str(exc)
    except Exception as exc:  # any parser failure is a reason, never a crash
        return None, f"the parser failed: {type(exc).__name__}: {exc}"
    for name, value in msg.raw_items():  # each header parsed once, whatever their number
        try:
            str(msg.policy.header_fetch_parse(name, value))
        except Exception as exc:
            return None, f"header {name!r} cannot be parsed: {type(exc).__name__}: {exc}"
    try:
        body_text(msg, limit=READ_CHECK_CHARS)
    except Exception as exc:
        return None, f"the text cannot be read: {type(exc).__name__}: {exc}"
    if b"\x00" in raw:
        return None, "contains NUL bytes, which RFC 5322 forbids"
    return msg, None


def _clean(text: str) -> str:
    text = text.replace("\x00", "\\x00")
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 3] + "..."


def positions(factory: sessionmaker[Session], keys: Sequence[str]) -> dict[str, Position]:
    """The stored cursor of each of `keys` that has one."""
    if not keys:
        return {}
    with transaction(factory) as session:
        rows = session.scalars(select(MailboxCursor).where(MailboxCursor.source.in_(keys)))
        return {row.source: Position(row.uidvalidity, row.last_uid) for row in rows}


def known_uids(factory: sessionmaker[Session]) -> Known:
    """A `Known` that asks the database, in chunks."""

    def known(folder: str, uidvalidity: int, uids: Sequence[int]) -> set[int]:
        found: set[int] = set()
        with transaction(factory) as session:
            for start in range(0, len(uids), 500):
                chunk = list(uids[start:start + 500])
                found.update(session.scalars(
                    select(InboundMessage.uid).where(
                        InboundMessage.folder == folder,
                        InboundMessage.uidvalidity == uidvalidity,
                        InboundMessage.uid.in_(chunk),
                    )
                ))
        return {uid for uid in found if uid is not None}

    return known


class _Outcome(enum.StrEnum):
    STORED = "stored"
    QUARANTINED = "quarantined"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"


def _same_text(session: Session, row_id: int, raw: bytes) -> bool:
    """Whether stored message `row_id` is `raw` but for line ends (CRLF over IMAP, LF on disk)."""
    stored = session.scalar(select(InboundMessage.raw).where(InboundMessage.id == row_id))
    return stored is not None and stored.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n")


def _already_there(session: Session, item: Fetched, message_id: str | None) -> bool:
    same = and_(InboundMessage.folder == item.folder,
                InboundMessage.uidvalidity == item.uidvalidity,
                InboundMessage.uid == item.uid)
    if message_id is not None:
        same = or_(same, InboundMessage.message_id == message_id)
    return session.scalar(select(InboundMessage.id).where(same).limit(1)) is not None


def _store(session: Session, item: Fetched, now: datetime,
           door: Door | None) -> tuple[_Outcome, int | None]:
    """Store `item` unless it is already there; the outcome and the new row's id."""
    same_entry = session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.folder == item.folder,
            InboundMessage.uidvalidity == item.uidvalidity,
            InboundMessage.uid == item.uid,
        )
    )
    if same_entry is not None:
        return _Outcome.DUPLICATE, None
    sha256 = hashlib.sha256(item.raw).hexdigest()
    message_id = message_id_of(item.raw)
    if message_id is not None:
        first = session.execute(
            select(InboundMessage.id, InboundMessage.sha256, InboundMessage.folder,
                   InboundMessage.uid).where(InboundMessage.message_id == message_id)
        ).first()
        if first is not None:
            if first.sha256 == sha256 or _same_text(session, first.id, item.raw):
                return _Outcome.DUPLICATE, None
            log.warning(
                "%s UID %s has the Message-ID %s of stored message %s (%s UID %s) but other "
                "content; kept the first, not stored", item.folder, item.uid, message_id,
                first.id, first.folder, first.uid)
            return _Outcome.CONFLICT, None
    else:
        same_bytes = session.scalar(
            select(InboundMessage.id).where(InboundMessage.sha256 == sha256).limit(1)
        )
        if same_bytes is not None:
            return _Outcome.DUPLICATE, None
    msg, reason = (None, item.problem) if item.problem else read(item.raw)
    route = door.route(msg).handler if door is not None and msg is not None else None
    row = InboundMessage(
        message_id=message_id,
        folder=item.folder,
        uidvalidity=item.uidvalidity,
        uid=item.uid,
        raw=item.raw,
        sha256=sha256,
        status=InboundStatus.NEW if reason is None else InboundStatus.QUARANTINED,
        error=None if reason is None else _clean(reason),
        received_at=now,
        route=route,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # Another reader stored it between our check and our insert; anything else is a bug.
        if _already_there(session, item, message_id):
            return _Outcome.DUPLICATE, None
        raise
    if reason is not None:
        log.warning("quarantined %s UID %s (message %s): %s", item.folder, item.uid, row.id,
                    reason)
        return _Outcome.QUARANTINED, row.id
    return _Outcome.STORED, row.id


def _advance(session: Session, folder: str, position: Position, now: datetime) -> None:
    """Move `folder`'s cursor to `position` (never back, unless UIDVALIDITY changed)."""
    query = select(MailboxCursor).where(MailboxCursor.source == folder).with_for_update()
    cursor = session.scalar(query)
    if cursor is None:
        try:
            with session.begin_nested():
                session.add(MailboxCursor(source=folder, uidvalidity=position.uidvalidity,
                                          last_uid=position.last_uid, updated_at=now))
            return
        except IntegrityError:  # another reader created it meanwhile
            cursor = session.scalar(query)
            assert cursor is not None
    if cursor.uidvalidity != position.uidvalidity:
        cursor.uidvalidity = position.uidvalidity
        cursor.last_uid = position.last_uid
    else:
        cursor.last_uid = max(cursor.last_uid, position.last_uid)
    cursor.updated_at = now


def _cursor_moves(batch: Sequence[Fetched]) -> dict[str, Position]:
    """Where each folder's cursor goes after `batch`: the last UIDVALIDITY seen, its top UID."""
    moves: dict[str, Position] = {}
    for item in batch:
        if not item.cursor:
            continue
        before = moves.get(item.folder)
        if before is None or before.uidvalidity != item.uidvalidity:
            moves[item.folder] = Position(item.uidvalidity, item.uid)
        else:
            moves[item.folder] = Position(item.uidvalidity, max(before.last_uid, item.uid))
    return moves


def store_batch(factory: sessionmaker[Session], batch: Sequence[Fetched], now: datetime,
                stats: IngestStats, door: Door | None = None) -> None:
    """Store `batch` and advance the cursors, in one transaction."""
    counts = IngestStats()
    with transaction(factory) as session:
        moves = _cursor_moves(batch)
        for folder in sorted(moves):  # lock the cursors first, in a fixed order
            session.scalar(select(MailboxCursor.id).where(MailboxCursor.source == folder)
                           .with_for_update())
        for item in batch:
            outcome, row_id = _store(session, item, now, door)
            if outcome == _Outcome.STORED:
                counts.stored += 1
            elif outcome == _Outcome.QUARANTINED:
                counts.quarantined += 1
            elif outcome == _Outcome.CONFLICT:
                counts.conflicts += 1
            else:
                counts.duplicates += 1
            if row_id is not None:
                counts.ids.append(row_id)
        for folder, position in sorted(moves.items()):
            _advance(session, folder, position, now)
    stats.stored += counts.stored
    stats.quarantined += counts.quarantined
    stats.duplicates += counts.duplicates
    stats.conflicts += counts.conflicts
    stats.ids.extend(counts.ids)
    stats.batches += 1


def ingest(factory: sessionmaker[Session], source: Source, now: datetime, *,
           door: Door | None = None, batch_messages: int = BATCH_MESSAGES,
           batch_bytes: int = BATCH_BYTES) -> IngestStats:
    """Read everything new from `source` and store it; see the module notes for the rules.

    Messages are committed in batches of at most `batch_messages` messages or about
    `batch_bytes` bytes, each with its folders' cursors. When the source fails midway,
    what it had already handed over is committed before the error goes up.
    """
    stats = IngestStats()
    batch: list[Fetched] = []
    size = 0

    def flush() -> None:
        nonlocal batch, size
        if not batch:
            return
        done, batch, size = batch, [], 0
        store_batch(factory, done, now, stats, door)
        source.acknowledge(done)

    stream = source.fetch(positions(factory, source.keys()), known_uids(factory))
    try:
        while True:
            try:
                item = next(stream)
            except StopIteration:
                break
            except Exception:
                flush()  # keep what was read before the source failed
                raise
            stats.fetched += 1
            batch.append(item)
            size += len(item.raw)
            if len(batch) >= batch_messages or size >= batch_bytes:
                flush()
        flush()
    finally:
        if isinstance(stream, Generator):
            stream.close()  # let the source clean up at once
    return stats
