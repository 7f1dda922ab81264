"""Reading mail from a Maildir on disk: for the demo, and for a daemon beside the mail store.

Messages in `new/` and `cur/` are read as they are; the folder is never changed (nothing
is moved from `new/` to `cur/`, no flag is set). Each message is known by its Maildir
unique name (the file name up to the `:2,` flags, which a mail reader may change), so a
message moved from `new/` to `cur/` or flagged is not read twice. The unique name is
stored as a 63-bit hash in the UID column, with UIDVALIDITY 0, under the folder key
`maildir:<path>`; the inbox then deduplicates by Message-ID and bytes as for IMAP.

A Maildir has no cursor: each read lists the folder and asks the database which names it
already holds, reading only the files it does not.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from outreach.inbound.message import MAX_BYTES
from outreach.mail.inbox import Fetched, Known, Position, pause

log = logging.getLogger(__name__)

UIDVALIDITY = 0
HEADER_MAX = 1024 * 1024


def unique_name(file_name: str) -> str:
    """The Maildir unique name of a file in `new/` or `cur/` (its name without the info)."""
    return file_name.split(":", 1)[0]


def name_uid(name: str) -> int:
    """A stable 63-bit number for a unique name (fits a signed BIGINT)."""
    digest = hashlib.blake2b(name.encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") & ((1 << 63) - 1)


class MaildirSource:
    """A `Source` over one Maildir folder."""

    def __init__(self, path: Path, *, key: str | None = None,
                 max_message_bytes: int = MAX_BYTES, poll_interval: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.path = Path(path)
        self.key = key or f"maildir:{self.path.resolve()}"
        self.max_message_bytes = max_message_bytes
        self.poll_interval = poll_interval
        self._sleep = sleep
        self._stamp: tuple[int, ...] | None = None

    def keys(self) -> Sequence[str]:
        return [self.key]

    def _files(self) -> dict[str, Path]:
        """Unique name -> file, over `new/` then `cur/` (a name in both: the `cur/` one)."""
        files: dict[str, Path] = {}
        for sub in ("new", "cur"):
            try:
                entries = list(os.scandir(self.path / sub))
            except FileNotFoundError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file():
                    continue
                files[unique_name(entry.name)] = Path(entry.path)
        return files

    def _stamp_now(self) -> tuple[int, ...]:
        stamp: list[int] = []
        for sub in ("new", "cur"):
            try:
                stamp.append((self.path / sub).stat().st_mtime_ns)
            except FileNotFoundError:
                stamp.append(0)
        return tuple(stamp)

    def fetch(self, positions: Mapping[str, Position], known: Known) -> Iterator[Fetched]:
        stamp = self._stamp_now()
        if not (self.path / "new").is_dir() and not (self.path / "cur").is_dir():
            log.error("%s is not a Maildir (no new/ or cur/ inside)", self.path)
        files = self._files()
        by_uid = {name_uid(name): name for name in files}
        uids = sorted(by_uid, key=lambda uid: by_uid[uid])  # unique names start with the time
        stored = known(self.key, UIDVALIDITY, uids) if uids else set()
        for uid in uids:
            if uid in stored:
                continue
            name = by_uid[uid]
            raw, problem = self._read(name, files[name])
            if raw is None:
                continue
            yield Fetched(self.key, UIDVALIDITY, uid, raw, cursor=False, problem=problem)
        self._stamp = stamp

    def _read(self, name: str, path: Path) -> tuple[bytes | None, str | None]:
        for candidate in (path, *self._renamed(name, path)):
            try:
                size = candidate.stat().st_size
                if size <= self.max_message_bytes:
                    return candidate.read_bytes(), None
                with candidate.open("rb") as handle:
                    header = _header_block(handle.read(HEADER_MAX))
                return header, (f"message of {size} bytes is over the {self.max_message_bytes} "
                                f"byte limit: only its header was read; the whole message is "
                                f"still in {candidate}")
            except FileNotFoundError:
                continue  # moved (new/ to cur/, or flags changed) since we listed it
        log.info("%s disappeared from %s before it could be read", name, self.path)
        return None, None

    def _renamed(self, name: str, old: Path) -> list[Path]:
        return [path for found, path in self._files().items() if found == name and path != old]

    def acknowledge(self, stored: Sequence[Fetched]) -> None:
        """Nothing: a Maildir is never changed."""

    def wait(self, timeout: float, stop: threading.Event | None = None) -> bool:
        """Poll the folder's `new/` and `cur/` until either changes, `timeout` passes or
        `stop` is set."""
        deadline = time.monotonic() + timeout
        while True:
            if self._stamp is None or self._stamp_now() != self._stamp:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or pause(min(self.poll_interval, remaining), stop, self._sleep):
                return False

    def close(self) -> None:
        """Nothing to close."""


def _header_block(data: bytes) -> bytes:
    """`data` up to and including the empty line that ends the header."""
    ends = [i for i in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if i >= 0]
    if not ends:
        return data
    end = min(ends)
    return data[:end] + (b"\n\n" if data[end:end + 2] == b"\n\n" else b"\r\n\r\n")
