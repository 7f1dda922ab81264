"""Reading an organizer's CSV file: UTF-8 (with or without a BOM), a header naming known
columns, one record per row, each problem naming the file and the line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

from outreach.errors import OutreachError

# One row that is not blank, by its line: its values by column, or why it is no record.
Row = tuple[int, dict[str, str] | str]


def read_csv(path: Path, *, columns: Iterable[str], aliases: Mapping[str, str],
             required: Iterable[str]) -> list[Row]:
    """The rows of `path`, in order; the file as a whole is refused (an `OutreachError`
    naming it and the line) when it cannot be read or its header is wrong."""
    known = tuple(columns)
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise OutreachError(f"{path}: the file is empty; the first line must name the "
                            f"columns ({', '.join(known)})") from None
    names = [aliases.get(h.strip().lower(), h.strip().lower().replace(" ", "_")) for h in header]
    unknown = [h for h, n in zip(header, names, strict=True) if n not in known]
    if unknown:
        raise OutreachError(f"{path}:1: unknown column(s) {unknown}; "
                            f"known columns: {', '.join(known)}")
    for column in required:
        if column not in names:
            raise OutreachError(f"{path}:1: the column {column!r} is required")
    rows: list[Row] = []
    start = reader.line_num + 1
    for values in reader:
        line, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            rows.append((line, f"expected {len(names)} fields, found {len(values)}"))
            continue
        rows.append((line, dict(zip(names, values, strict=True))))
    return rows


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OutreachError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise OutreachError(f"{path}:{line}: not UTF-8 ({exc.reason} at byte {exc.start}); "
                            "save the file as UTF-8 CSV") from None
