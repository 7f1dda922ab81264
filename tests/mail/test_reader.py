"""The inbound reader against a real Dovecot, and a Maildir, on SQLite and PostgreSQL.

Every message is stored once, raw, before anything acts on it: across re-reads, server
restarts between batches and in the middle of one, UIDVALIDITY changes, and a corpus of
malformed mail (stored, and quarantined with its reason where it cannot be read).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from outreach.db.session import make_engine, make_session_factory, transaction, upgrade
from outreach.inbound import message as message_module
from outreach.mail.imap_source import ImapError, ImapSource
from outreach.mail.inbox import Fetched, IngestStats, Known, Position, Source, ingest
from outreach.mail.inbox import message_id_of as mid
from outreach.mail.maildir_source import MaildirSource
from outreach.mail.models import InboundMessage, InboundStatus, MailboxCursor
from tests.conftest import NOW, need
from tests.dovecot import DOVECOT, Dovecot

NEW = InboundStatus.NEW
QUARANTINED = InboundStatus.QUARANTINED

Factory = sessionmaker[Session]


@pytest.fixture
def db(database_url: str) -> Iterator[Factory]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def mail(n: int, *, message_id: bool = True, body: str = "Yes, count us in.") -> bytes:
    lines = [f"From: Org {n} <org{n}@example.net>", "To: reply@example.org",
             f"Subject: Re: sign-on letter ({n})", "Date: Tue, 8 Dec 2026 10:00:00 -0800"]
    if message_id:
        lines.append(f"Message-ID: <reply-{n}@example.net>")
    return ("\r\n".join(lines) + f"\r\n\r\n{body} ({n})\r\n").encode()


def stored(factory: Factory) -> list[InboundMessage]:
    with transaction(factory) as session:
        return list(session.scalars(select(InboundMessage).order_by(InboundMessage.id)))


def cursor(factory: Factory, key: str) -> Position | None:
    with transaction(factory) as session:
        row = session.scalar(select(MailboxCursor).where(MailboxCursor.source == key))
        return None if row is None else Position(row.uidvalidity, row.last_uid)


def imap(dovecot: Dovecot, **options: object) -> ImapSource:
    settings = dovecot.settings(options.pop("folders", None))  # type: ignore[arg-type]
    options.setdefault("backoff", 0.05)
    return ImapSource(settings, dovecot.password, **options)  # type: ignore[arg-type]


def assert_each_once(factory: Factory, expected: Sequence[bytes]) -> None:
    """Each of `expected` is stored exactly once (IMAP hands back what was appended)."""
    hashes = sorted(row.sha256 for row in stored(factory))
    assert hashes == sorted(hashlib.sha256(raw).hexdigest() for raw in expected)


class Interrupting:
    """A source that runs `action` after handing over the given message numbers (1-based)."""

    def __init__(self, inner: Source, at: dict[int, Callable[[], None]]) -> None:
        self.inner = inner
        self.at = at
        self.count = 0

    def keys(self) -> Sequence[str]:
        return self.inner.keys()

    def fetch(self, positions: Mapping[str, Position], known: Known) -> Iterator[Fetched]:
        for item in self.inner.fetch(positions, known):
            yield item
            self.count += 1
            action = self.at.get(self.count)
            if action is not None:
                action()

    def acknowledge(self, stored: Sequence[Fetched]) -> None:
        self.inner.acknowledge(stored)

    def wait(self, timeout: float) -> bool:
        return self.inner.wait(timeout)

    def close(self) -> None:
        self.inner.close()


# -- IMAP: once, and the mailbox untouched ------------------------------------------------


def test_new_messages_are_stored_once_and_the_mailbox_is_left_as_it_was(
        dovecot: Dovecot, db: Factory) -> None:
    messages = [mail(1), mail(2), mail(3, message_id=False), mail(4)]
    uids = dovecot.append(*messages)
    before = dovecot.flags()
    source = imap(dovecot)

    stats = ingest(db, source, NOW)

    assert (stats.fetched, stats.stored, stats.quarantined, stats.duplicates) == (4, 4, 0, 0)
    rows = stored(db)
    uidvalidity = dovecot.uidvalidity()
    assert [row.raw for row in rows] == messages  # byte for byte
    assert [row.uid for row in rows] == uids
    assert {(row.folder, row.uidvalidity, row.status) for row in rows} == {
        ("INBOX", uidvalidity, NEW)}
    assert [row.message_id for row in rows] == [
        "<reply-1@example.net>", "<reply-2@example.net>", None, "<reply-4@example.net>"]
    assert all(row.sha256 == hashlib.sha256(row.raw).hexdigest() for row in rows)
    assert all(row.received_at == NOW and row.error is None for row in rows)
    assert cursor(db, "INBOX") == Position(uidvalidity, uids[-1])

    assert ingest(db, source, NOW) == IngestStats()  # nothing new: nothing fetched
    source.close()
    assert ingest(db, imap(dovecot), NOW) == IngestStats()  # a new reader, the same
    assert len(stored(db)) == 4

    after = dovecot.flags()
    assert after == before
    assert all(b"\\Seen" not in flags for flags in after.values())

    dovecot.append(mail(5))
    stats = ingest(db, source, NOW)
    assert (stats.fetched, stats.stored) == (1, 1)
    assert stored(db)[-1].raw == mail(5)


def test_a_message_in_two_folders_is_stored_once(dovecot: Dovecot, db: Factory) -> None:
    dovecot.append(mail(1), mail(2, message_id=False))
    dovecot.append(mail(1), mail(2, message_id=False), mail(3), folder="Replies")
    stats = ingest(db, imap(dovecot, folders=["INBOX", "Replies"]), NOW)
    assert (stats.stored, stats.duplicates) == (3, 2)
    assert [row.folder for row in stored(db)] == ["INBOX", "INBOX", "Replies"]
    assert cursor(db, "Replies") == Position(dovecot.uidvalidity("Replies"), 3)


def test_a_folder_that_cannot_be_selected_is_skipped_and_named(
        dovecot: Dovecot, db: Factory) -> None:
    dovecot.append(mail(1))
    source = imap(dovecot, folders=["Missing", "INBOX"])
    stats = ingest(db, source, NOW)
    assert stats.stored == 1
    assert len(source.problems) == 1 and "'Missing'" in source.problems[0]


def test_a_wrong_password_is_an_error_that_says_so(dovecot: Dovecot, db: Factory) -> None:
    source = ImapSource(dovecot.settings(), "wrong", backoff=0.01)
    with pytest.raises(ImapError, match="refused"):
        ingest(db, source, NOW)
    with pytest.raises(ImapError, match="OUTREACH_IMAP_PASSWORD"):
        ingest(db, ImapSource(dovecot.settings(), None), NOW)


# -- IMAP: restarts and dropped connections -----------------------------------------------


def test_restart_between_batches_loses_nothing_and_counts_nothing_twice(
        dovecot: Dovecot, db: Factory) -> None:
    messages = [mail(n, message_id=n % 3 != 0) for n in range(1, 9)]
    dovecot.append(*messages)
    inner = imap(dovecot, fetch_messages=2)
    # Batches of two: the server dies after each of the first two commits.
    source = Interrupting(inner, {2: dovecot.restart, 4: dovecot.restart})
    stats = ingest(db, source, NOW, batch_messages=2)
    assert (stats.fetched, stats.stored, stats.duplicates) == (8, 8, 0)
    assert inner.connections == 3
    assert_each_once(db, messages)

    dovecot.restart()  # and between two reads, with the reader's connection left stale
    dovecot.append(mail(9))
    stats = ingest(db, inner, NOW)
    assert (stats.fetched, stats.stored) == (1, 1)
    assert_each_once(db, [*messages, mail(9)])


def test_a_connection_dropped_mid_read_loses_nothing_and_counts_nothing_twice(
        dovecot: Dovecot, db: Factory) -> None:
    messages = [mail(n, message_id=n % 2 == 0) for n in range(1, 11)]
    dovecot.append(*messages)
    inner = imap(dovecot, fetch_messages=4)
    # Mid-FETCH batch and mid-transaction: 3 fetched of 4, 2 stored, server gone.
    source = Interrupting(inner, {3: dovecot.restart, 7: dovecot.restart})
    stats = ingest(db, source, NOW, batch_messages=2)
    assert (stats.fetched, stats.stored, stats.duplicates) == (10, 10, 0)
    assert inner.connections == 3
    assert_each_once(db, messages)
    assert ingest(db, inner, NOW).fetched == 0


def test_a_source_that_fails_keeps_what_it_handed_over(dovecot: Dovecot, db: Factory) -> None:
    messages = [mail(n) for n in range(1, 6)]
    uids = dovecot.append(*messages)

    def fail() -> None:
        raise ConnectionError("the network is gone")

    with pytest.raises(ConnectionError):
        ingest(db, Interrupting(imap(dovecot), {3: fail}), NOW, batch_messages=2)
    assert len(stored(db)) == 3
    assert cursor(db, "INBOX") == Position(dovecot.uidvalidity(), uids[2])
    stats = ingest(db, imap(dovecot), NOW)
    assert (stats.fetched, stats.stored) == (2, 2)
    assert_each_once(db, messages)


def test_a_server_that_stays_down_is_an_error_after_the_retries(
        dovecot: Dovecot, db: Factory) -> None:
    dovecot.append(mail(1))
    source = imap(dovecot, retries=2, backoff=0.01)
    ingest(db, source, NOW)
    dovecot.stop()
    with pytest.raises(ImapError, match="unavailable after 3 attempts"):
        ingest(db, source, NOW)
    dovecot.start()
    dovecot.append(mail(2))
    assert ingest(db, source, NOW).stored == 1


# -- IMAP: UIDVALIDITY --------------------------------------------------------------------


def test_a_uidvalidity_change_loses_no_reply_and_counts_none_twice(
        dovecot: Dovecot, db: Factory) -> None:
    first = [mail(1), mail(2, message_id=False), mail(3)]
    dovecot.append(*first)
    source = imap(dovecot)
    assert ingest(db, source, NOW).stored == 3
    old = dovecot.uidvalidity()

    dovecot.reset_uidvalidity()  # the mail store forgot its UIDs: same mail, new numbers
    new = dovecot.uidvalidity()
    assert new != old
    later = [mail(4), mail(5, message_id=False)]
    dovecot.append(*later)

    stats = ingest(db, source, NOW)
    assert (stats.fetched, stats.stored, stats.duplicates) == (5, 2, 3)
    assert_each_once(db, [*first, *later])
    assert cursor(db, "INBOX") == Position(new, 5)
    assert ingest(db, source, NOW).fetched == 0


def test_a_folder_deleted_and_recreated_is_read_again_without_duplicates(
        dovecot: Dovecot, db: Factory) -> None:
    first = [mail(1), mail(2, message_id=False)]
    dovecot.append(*first, folder="Replies")
    source = imap(dovecot, folders=["Replies"])
    assert ingest(db, source, NOW).stored == 2
    with dovecot.client() as client:
        client.delete_folder("Replies")
    assert ingest(db, source, NOW).fetched == 0  # gone for now: skipped, not an error
    assert source.problems
    dovecot.append(*first, mail(3), folder="Replies")  # a restore, and a new reply
    stats = ingest(db, source, NOW)
    assert (stats.fetched, stats.stored, stats.duplicates) == (3, 1, 2)
    assert_each_once(db, [*first, mail(3)])


def test_a_uidvalidity_change_in_the_middle_of_a_read(dovecot: Dovecot, db: Factory) -> None:
    messages = [mail(n, message_id=n != 2) for n in range(1, 7)]
    dovecot.append(*messages)
    inner = imap(dovecot, fetch_messages=2)
    stats = ingest(db, Interrupting(inner, {3: dovecot.reset_uidvalidity}), NOW,
                   batch_messages=2)
    # Four read under the old UIDVALIDITY (the third, and the fourth already fetched with
    # it), then all six again under the new one.
    assert (stats.fetched, stats.stored, stats.duplicates) == (10, 6, 4)
    assert_each_once(db, messages)
    assert cursor(db, "INBOX") == Position(dovecot.uidvalidity(), 6)


# -- IMAP: malformed mail -----------------------------------------------------------------


@dataclass
class Sample:
    name: str
    raw: bytes
    status: InboundStatus | None  # None: not stored (a duplicate)
    reason: str = ""  # a part of the quarantine reason


def headers(name: str, extra: str = "") -> bytes:
    return (f"From: Someone <someone@example.net>\r\nTo: reply@example.org\r\n"
            f"Subject: {name}\r\nMessage-ID: <{name}@example.net>\r\n{extra}").encode()


def corpus(*, big: bool) -> list[Sample]:
    samples = [
        Sample("undeclared-charset", headers("undeclared-charset")
               + b"\r\nOui, nous signons. Tr\xe8s bien, merci \xe0 vous.\r\n", NEW),
        Sample("wrong-charset", headers(
            "wrong-charset", "Content-Type: text/plain; charset=us-ascii\r\n")
            + "\r\nSí, firmamos — ¡gracias!\r\n".encode(), NEW),
        Sample("unknown-charset", headers(
            "unknown-charset", 'Content-Type: text/plain; charset="x-no-such-charset"\r\n')
            + b"\r\nYes \xff\xfe\r\n", NEW),
        Sample("broken-boundary", headers(
            "broken-boundary", 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; '
            'boundary="declared"\r\n') + b"\r\n--other\r\nContent-Type: text/plain\r\n\r\n"
            b"Yes\r\n--other\r\n", NEW),
        Sample("unterminated-multipart", headers(
            "unterminated-multipart", 'MIME-Version: 1.0\r\nContent-Type: multipart/'
            'alternative; boundary="b1"\r\n') + b"\r\n--b1\r\nContent-Type: text/plain\r\n\r\n"
            b"Yes, sign us\r\n--b1\r\nContent-Type: text/html\r\n\r\n<p>Yes", NEW),
        Sample("nul-bytes", headers("nul-bytes") + b"\r\nYes\x00, sign\x00us\r\n", NEW),
        Sample("encoded-header-injection", headers(
            "encoded-header-injection", "X-Note: =?utf-8?q?hi=0D=0ABcc:_all@example.org?=\r\n")
            .replace(b"Subject: encoded-header-injection",
                     b"Subject: =?utf-8?q?Yes=0D=0ABcc:_everyone@example.org?=")
            + b"\r\nYes\r\n", NEW),
        Sample("bare-cr-header", headers("bare-cr-header")
               .replace(b"To: reply@example.org", b"To: reply@example.org\rBcc: x@example.net")
               + b"\r\nYes\r\n", NEW),
        Sample("no-body", headers("no-body").rstrip(b"\r\n"), NEW),
        Sample("no-headers", b"Yes, the Friends of the River sign on.\r\n", NEW),
        Sample("8bit-header", headers("8bit-header").replace(
            b"Subject: 8bit-header", b"Subject: R\xe9ponse") + b"\r\nOui\r\n", NEW),
        Sample("unparseable-date", headers(
            "unparseable-date", "Date: 32 Dec 99999999999999 99:99\r\n") + b"\r\nYes\r\n",
            QUARANTINED, "header 'Date' cannot be parsed"),
        Sample("unparseable-message-id", headers("unparseable-message-id").replace(
            b"<unparseable-message-id@example.net>", b"<") + b"\r\nYes\r\n",
            QUARANTINED, "header 'Message-ID' cannot be parsed"),
        Sample("duplicate-message-id", headers("undeclared-charset")
               + b"\r\nSomething else under the same Message-ID.\r\n", None),
    ]
    if big:
        attachment = base64.encodebytes(bytes(range(256)) * (20 * 4096)).replace(b"\n", b"\r\n")
        samples.append(Sample("20mb-attachment", headers(
            "20mb-attachment", 'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; '
            'boundary="b"\r\n') + b"\r\n--b\r\nContent-Type: text/plain\r\n\r\nOur letter.\r\n"
            b"--b\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=\"letter.pdf\"\r\n\r\n"
            + attachment + b"--b--\r\n", NEW))
    samples.append(Sample("after-all-that", mail(99), NEW))
    return samples


def check_corpus(factory: Factory, samples: list[Sample], by_name: dict[str, InboundMessage]
                 ) -> None:
    for sample in samples:
        row = by_name.get(sample.name)
        if sample.status is None:
            assert row is None, sample.name
            continue
        assert row is not None, sample.name
        assert row.status == sample.status, (sample.name, row.error)
        if sample.status == QUARANTINED:
            assert row.error is not None and sample.reason in row.error, row.error
        else:
            assert row.error is None


def test_malformed_mail_is_stored_and_quarantined_where_unreadable(
        dovecot: Dovecot, db: Factory) -> None:
    samples = corpus(big=True)
    uids = dovecot.append(*(sample.raw for sample in samples))
    dovecot.deliver(b"")  # a zero-byte file in new/: APPEND would refuse it
    stats = ingest(db, imap(dovecot), NOW)

    assert stats.fetched == len(samples) + 1
    assert stats.conflicts == 1
    rows = {row.uid: row for row in stored(db)}
    by_name = {sample.name: rows[uid] for sample, uid in zip(samples, uids, strict=True)
               if uid in rows}
    check_corpus(db, samples, by_name)
    # Dovecot hands NULs over as 0x80 (they never reach us over IMAP), so that one is NEW.
    assert b"\x00" not in by_name["nul-bytes"].raw
    assert len(by_name["20mb-attachment"].raw) > 20 * 1024 * 1024
    assert by_name["unparseable-message-id"].message_id is None
    empty = rows[max(uid for uid in rows if uid is not None)]
    assert (empty.raw, empty.status, empty.error) == (b"", QUARANTINED, "empty message")
    assert ingest(db, imap(dovecot), NOW).fetched == 0


def test_a_message_over_the_size_limit_is_quarantined_with_its_header(
        dovecot: Dovecot, db: Factory) -> None:
    huge = mail(1, body="x" * 300_000)
    uids = dovecot.append(huge, mail(2))
    stats = ingest(db, imap(dovecot, max_message_bytes=100_000), NOW)
    assert (stats.stored, stats.quarantined) == (1, 1)
    row = stored(db)[0]
    assert row.uid == uids[0] and row.status == QUARANTINED
    assert row.raw == huge.split(b"\r\n\r\n")[0] + b"\r\n\r\n"  # the header only
    assert row.message_id == "<reply-1@example.net>"
    assert row.error is not None and "over the 100000 byte limit" in row.error
    assert "still in IMAP folder 'INBOX'" in row.error


# -- IMAP: waiting for mail -----------------------------------------------------------------


def test_idle_wakes_the_reader_when_mail_arrives(dovecot: Dovecot, db: Factory) -> None:
    source = imap(dovecot)
    assert source.wait(5) is True  # never read: there may be mail
    ingest(db, source, NOW)

    started = time.monotonic()
    assert source.wait(0.3) is False
    assert 0.25 < time.monotonic() - started < 1.5

    for deliver in (lambda: dovecot.append(mail(1)), lambda: dovecot.deliver(mail(2))):
        timer = threading.Timer(0.3, deliver)
        timer.start()
        started = time.monotonic()
        assert source.wait(20) is True
        assert time.monotonic() - started < 2.5
        timer.join()
        assert ingest(db, source, NOW).stored == 1

    dovecot.append(mail(3))  # mail that came while nobody was waiting: no wait at all
    started = time.monotonic()
    assert source.wait(20) is True
    assert time.monotonic() - started < 1


def test_wait_returns_when_the_server_goes_away(dovecot: Dovecot, db: Factory) -> None:
    source = imap(dovecot)
    ingest(db, source, NOW)
    timer = threading.Timer(0.3, dovecot.restart)
    timer.start()
    started = time.monotonic()
    assert source.wait(20) is True
    assert time.monotonic() - started < 2.5
    timer.join()
    dovecot.append(mail(1))
    assert ingest(db, source, NOW).stored == 1


def test_wait_polls_other_folders(dovecot: Dovecot, db: Factory) -> None:
    dovecot.append(mail(1), folder="Replies")
    source = imap(dovecot, folders=["INBOX", "Replies"])
    ingest(db, source, NOW)
    assert source.wait(0.2) is False
    dovecot.append(mail(2), folder="Replies")
    assert source.wait(5) is True  # IDLE watches INBOX; STATUS sees the rest first


def test_wait_polls_a_server_without_idle(db: Factory) -> None:
    if not DOVECOT.exists():
        need("Dovecot", f"{DOVECOT} is not installed (Debian package dovecot-imapd)")
    with Dovecot(extra_config="imap_capability = IMAP4rev1 UIDPLUS MOVE") as server:
        with server.client() as client:
            assert not client.has_capability("IDLE")
        source = imap(server, poll_interval=0.1)
        ingest(db, source, NOW)
        assert source.wait(0.3) is False
        threading.Timer(0.2, lambda: server.append(mail(1))).start()
        started = time.monotonic()
        assert source.wait(5) is True
        assert time.monotonic() - started < 1
        assert ingest(db, source, NOW).stored == 1


# -- IMAP: acknowledging (off by default) ----------------------------------------------------


def test_stored_mail_can_be_flagged(dovecot: Dovecot, db: Factory) -> None:
    dovecot.append(mail(1), mail(2))
    ingest(db, imap(dovecot), NOW)  # read-only first: nothing flagged
    assert all(b"$Outreach" not in flags for flags in dovecot.flags().values())
    dovecot.append(mail(3))
    source = imap(dovecot, flag="$Outreach")
    assert ingest(db, source, NOW).stored == 1
    # The new one flagged after its commit; the two before it at the next read's sweep.
    assert all(b"$Outreach" in flags for flags in dovecot.flags().values())
    seen = imap(dovecot, flag="\\Seen")
    assert ingest(db, seen, NOW).fetched == 0
    assert all(b"\\Seen" in flags for flags in dovecot.flags().values())


def test_stored_mail_can_be_moved(dovecot: Dovecot, db: Factory) -> None:
    messages = [mail(n) for n in range(1, 6)]
    dovecot.append(*messages)
    source = imap(dovecot, move_to="Stored", fetch_messages=2)
    stats = ingest(db, source, NOW, batch_messages=2)
    assert stats.stored == 5
    assert dovecot.uids("INBOX") == []
    assert len(dovecot.uids("Stored")) == 5
    dovecot.append(mail(6))
    assert ingest(db, source, NOW).stored == 1
    assert dovecot.uids("INBOX") == []
    assert_each_once(db, [*messages, mail(6)])
    with pytest.raises(ImapError, match="being read"):
        imap(dovecot, move_to="INBOX")


# -- Two readers at once ------------------------------------------------------------------------


def test_two_readers_at_once_store_each_message_once(dovecot: Dovecot, db: Factory) -> None:
    messages = [mail(n, message_id=n % 4 != 0) for n in range(1, 21)]
    dovecot.append(*messages)
    barrier = threading.Barrier(2, timeout=10)
    results: list[IngestStats] = []
    errors: list[BaseException] = []

    def meet() -> None:
        barrier.wait()

    def read() -> None:
        try:
            # Both wait until each has fetched its first message, then store side by side.
            source = Interrupting(imap(dovecot, fetch_messages=5), {1: meet})
            results.append(ingest(db, source, NOW, batch_messages=5))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.stored for r in results) == 20
    assert sum(r.stored + r.duplicates for r in results) == 40
    assert_each_once(db, messages)
    assert cursor(db, "INBOX") == Position(dovecot.uidvalidity(), 20)


# -- Maildir ------------------------------------------------------------------------------------


def maildir(root: Path) -> Path:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    return root


def drop(folder: Path, name: str, raw: bytes) -> Path:
    path = folder / "new" / name
    path.write_bytes(raw)
    return path


def listing(folder: Path) -> dict[str, tuple[int, bytes]]:
    return {str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.read_bytes())
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_maildir_messages_are_stored_once_and_the_folder_left_alone(
        tmp_path: Path, db: Factory) -> None:
    folder = maildir(tmp_path / "Maildir")
    first = [mail(1), mail(2, message_id=False)]
    drop(folder, "1700000001.M1P1.host", first[0])
    drop(folder, "1700000002.M2P1.host", first[1])
    (folder / "cur" / "1700000003.M3P1.host:2,S").write_bytes(mail(3))
    before = listing(folder)
    source = MaildirSource(folder)

    stats = ingest(db, source, NOW)
    assert (stats.stored, stats.duplicates) == (3, 0)
    assert [row.raw for row in stored(db)] == [*first, mail(3)]
    assert {row.folder for row in stored(db)} == {source.key}
    assert listing(folder) == before  # nothing moved, renamed or flagged
    assert cursor(db, source.key) is None  # no cursor: names are asked for instead

    assert ingest(db, source, NOW) == IngestStats()  # nothing read at all
    # A mail reader moves one to cur/ and flags it: the same message, not a new one.
    (folder / "new" / "1700000001.M1P1.host").rename(
        folder / "cur" / "1700000001.M1P1.host:2,RS")
    assert ingest(db, source, NOW).fetched == 0
    # Delivered again under new names: the same Message-ID, the same bytes.
    drop(folder, "1700000004.M4P1.host", first[0])
    drop(folder, "1700000005.M5P1.host", first[1])
    drop(folder, "1700000006.M6P1.host", mail(6))
    stats = ingest(db, source, NOW)
    assert (stats.fetched, stats.stored, stats.duplicates) == (3, 1, 2)
    assert_each_once(db, [*first, mail(3), mail(6)])


def test_maildir_malformed_mail_arrives_byte_for_byte(tmp_path: Path, db: Factory) -> None:
    folder = maildir(tmp_path / "Maildir")
    samples = corpus(big=False)
    for number, sample in enumerate(samples):
        drop(folder, f"17000{number:05d}.M{number}P1.host", sample.raw)
    drop(folder, "1799999999.M0P1.empty", b"")
    stats = ingest(db, MaildirSource(folder), NOW)
    assert stats.conflicts == 1
    rows = {row.raw: row for row in stored(db)}
    by_name = {sample.name: rows[sample.raw] for sample in samples if sample.raw in rows}
    for sample in samples:  # here the NUL bytes arrive as they are: quarantined
        if sample.name == "nul-bytes":
            sample.status, sample.reason = QUARANTINED, "NUL bytes"
    check_corpus(db, samples, by_name)
    assert rows[b""].status == QUARANTINED and rows[b""].error == "empty message"


def test_maildir_over_the_limits(tmp_path: Path, db: Factory,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = maildir(tmp_path / "Maildir")
    drop(folder, "1700000001.M1P1.host", mail(1, body="x" * 300_000))
    drop(folder, "1700000002.M2P1.host", mail(2, body="y" * 60_000))
    monkeypatch.setattr(message_module, "MAX_BYTES", 50_000)  # the parser's own limit
    stats = ingest(db, MaildirSource(folder, max_message_bytes=100_000), NOW)
    assert stats.quarantined == 2
    header_only, whole = stored(db)
    assert header_only.raw == mail(1).split(b"\r\n\r\n")[0] + b"\r\n\r\n"
    assert header_only.error is not None and "only its header was read" in header_only.error
    assert whole.raw == mail(2, body="y" * 60_000)
    assert whole.error is not None and "over the 50000 byte limit" in whole.error


def test_maildir_wait(tmp_path: Path, db: Factory) -> None:
    folder = maildir(tmp_path / "Maildir")
    source = MaildirSource(folder, poll_interval=0.05)
    assert source.wait(1) is True
    ingest(db, source, NOW)
    assert source.wait(0.2) is False
    threading.Timer(0.2, lambda: drop(folder, "1700000001.M1P1.host", mail(1))).start()
    started = time.monotonic()
    assert source.wait(5) is True
    assert time.monotonic() - started < 1
    assert ingest(db, source, NOW).stored == 1


def test_dovecot_maildir_read_beside_the_server(dovecot: Dovecot, db: Factory) -> None:
    """The same store read both ways: the copies are the same messages, stored once."""
    dovecot.append(mail(1), mail(2))
    assert ingest(db, MaildirSource(dovecot.maildir), NOW).stored == 2
    stats = ingest(db, imap(dovecot), NOW)
    # Dovecot keeps LF line ends on disk and serves CRLF: Message-IDs match all the same.
    assert (stats.stored, stats.duplicates) == (0, 2)


# -- Message-ID normalisation -------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [
    (b"Message-ID: <a@b>\r\n\r\n", "<a@b>"),
    (b"message-id:   <a@b>  \r\n\r\n", "<a@b>"),
    (b"Message-ID:\r\n <folded@example.net>\r\n\r\n", "<folded@example.net>"),
    (b"Message-ID: <a@b> (a comment)\r\n\r\n", "<a@b>"),
    (b"Message-ID: bare@example.net\r\n\r\n", "bare@example.net"),
    (b"From mbox line\r\nMessage-ID: <a@b>\r\n\r\n", "<a@b>"),
    (b"\r\nMessage-ID: <after-blank@b>\r\n\r\n", "<after-blank@b>"),
    (b"Message-ID: <first@b>\r\nMessage-ID: <second@b>\r\n\r\n", "<first@b>"),
    (b"Subject: x\r\n\r\nMessage-ID: <in-body@b>\r\n", None),
    (b"Message-ID:\r\n\r\n", None),
    (b"Message-ID: <\r\n\r\n", None),
    (b"Message-ID: not an id\r\n\r\n", None),
    (b"Message-ID: <caf\xc3\xa9@b>\r\n\r\n", None),
    (b"Message-ID: <a\x00b@c>\r\n\r\n", None),
    (b"Message-ID: <" + b"x" * 400 + b"@b>\r\n\r\n", None),
    (b"just a body\r\n", None),
    (b"", None),
])
def test_message_id_normalisation(raw: bytes, expected: str | None) -> None:
    assert mid(raw) == expected

