"""Blocklist files: read as one address per line or as CSV with an address column, and
written as CSV with an address column (so an exported list imports again)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from outreach.errors import OutreachError
from outreach.people.addresses import normal_address
from outreach.people.models import Contact

ADDRESS_COLUMNS = ("address", "email", "e-mail", "email_address")
EXPORT_COLUMNS = ("address", "suppression", "since", "reason")


@dataclass
class BlocklistFile:
    path: Path
    addresses: list[tuple[int, str]] = field(default_factory=list)  # (line, normal form)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)

    def add(self, line: int, value: str) -> None:
        try:
            self.addresses.append((line, normal_address(value)))
        except ValueError as exc:
            self.problems.append((line, str(exc)))


def read_blocklist(path: Path) -> BlocklistFile:
    """The addresses in `path`, each with its line; a bad line is a problem, not an error.

    A file whose first non-blank line names an address column (`address` or `email`) is
    CSV; any other is one address per line, where blank lines and `#` comments are skipped.
    """
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = data[: exc.start].count(b"\n") + 1
        raise OutreachError(f"{path}:{at}: not UTF-8 ({exc.reason}); save the file as "
                            "UTF-8") from None
    result = BlocklistFile(path)
    first = next((line for line in text.splitlines() if line.strip()), "")
    header = [name.strip().lower() for name in next(csv.reader([first]), [])]
    column = next((i for i, name in enumerate(header) if name in ADDRESS_COLUMNS), None)
    if column is None:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                result.add(number, line)
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    start, seen_header = 1, False
    for values in reader:
        number, start = start, reader.line_num + 1
        if not any(value.strip() for value in values):
            continue
        if not seen_header:
            seen_header = True
            continue
        if len(values) != len(header):
            result.problems.append((number, f"expected {len(header)} fields, found "
                                            f"{len(values)}"))
            continue
        result.add(number, values[column])
    return result


def write_blocklist(contacts: Iterable[Contact], out: TextIO) -> int:
    """The blocklist as CSV, one contact a row; returns how many were written."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for contact in contacts:
        since = contact.suppressed_at.isoformat() if contact.suppressed_at else ""
        writer.writerow([contact.email, contact.suppression.value, since,
                         contact.suppression_reason or ""])
        count += 1
    return count
