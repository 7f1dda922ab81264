"""A mailbox's wait ends soon after the daemon's stop is set: IDLE, a poll, a Maildir.

Waiting touches no database; the cursor the reads keep is in SQLite here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from outreach.db.session import make_engine, make_session_factory, upgrade
from outreach.mail.inbox import Source, ingest
from outreach.mail.maildir_source import MaildirSource
from tests.conftest import NOW, need
from tests.dovecot import DOVECOT, Dovecot
from tests.mail.test_reader import Factory, imap

WAIT = 60.0  # what the wait would last without the stop


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Factory]:
    engine = make_engine(f"sqlite:///{tmp_path / 'outreach.db'}")
    upgrade(engine)
    yield make_session_factory(engine)
    engine.dispose()


def stopped_after(source: Source, *, stop_at: float = 0.3) -> float:
    """How long `source.wait(WAIT, stop)` lasts when `stop` is set after `stop_at` s."""
    stop = threading.Event()
    timer = threading.Timer(stop_at, stop.set)
    timer.start()
    started = time.monotonic()
    assert source.wait(WAIT, stop) is False
    timer.join()
    return time.monotonic() - started


def test_an_idle_wait_ends_when_stopped(dovecot: Dovecot, db: Factory) -> None:
    source = imap(dovecot)
    ingest(db, source, NOW)
    assert stopped_after(source) < 2.5
    dovecot.append(b"Message-ID: <after-stop@example.org>\r\nSubject: x\r\n\r\nHello\r\n")
    assert ingest(db, source, NOW).stored == 1  # the connection is still good


def test_a_polling_wait_ends_when_stopped(db: Factory) -> None:
    if not DOVECOT.exists():
        need("Dovecot", f"{DOVECOT} is not installed (Debian package dovecot-imapd)")
    with Dovecot(extra_config="imap_capability = IMAP4rev1 UIDPLUS MOVE") as server:
        source = imap(server, poll_interval=WAIT)
        ingest(db, source, NOW)
        assert stopped_after(source) < 2.5


def test_a_maildir_wait_ends_when_stopped(tmp_path: Path) -> None:
    for sub in ("new", "cur", "tmp"):
        (tmp_path / sub).mkdir()
    source = MaildirSource(tmp_path, poll_interval=WAIT)
    assert source.wait(1) is True  # never read: there may be mail
    list(source.fetch({}, lambda folder, validity, uids: set()))
    assert stopped_after(source) < 2.5


def test_a_stop_set_before_the_wait_ends_it_at_once(tmp_path: Path) -> None:
    source = MaildirSource(tmp_path, poll_interval=WAIT)
    list(source.fetch({}, lambda folder, validity, uids: set()))
    stop = threading.Event()
    stop.set()
    started = time.monotonic()
    assert source.wait(WAIT, stop) is False
    assert time.monotonic() - started < 1
