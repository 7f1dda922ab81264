"""Where each field of a TOML file is written: its line, for errors a person can fix.

`tomllib` forgets where a value came from, and the checks run on the parsed data; this reads
the file's lines again to find, for a field path such as ("waves", 1, "opens"), the line
that sets it (and, for a line, the field it sets). It knows table headers (`[send_window]`,
`[[waves]]`) and `key = value` lines, which is what our config files are made of; a value
spread over several lines is found at its key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FieldPath = tuple[str | int, ...]

_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\s*(#.*)?$")
_ARRAY_TABLE = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\- ]+?)\s*\]\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=")


def _dotted(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in name.split("."))


def field_lines(text: str) -> dict[FieldPath, int]:
    """Every table and key of `text` by its path, with the (1-based) line that writes it."""
    lines: dict[FieldPath, int] = {}
    table: FieldPath = ()
    counts: dict[tuple[str, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _ARRAY_TABLE.match(line):
            name = _dotted(match.group(1))
            index = counts.get(name, 0)
            counts[name] = index + 1
            table = (*name, index)
        elif match := _TABLE.match(line):
            table = _dotted(match.group(1))
        elif match := _KEY.match(line):
            lines.setdefault((*table, *_dotted(match.group(1))), number)
            continue
        else:
            continue
        lines.setdefault(table, number)
    return lines


def line_of(lines: dict[FieldPath, int], path: Sequence[str | int]) -> int | None:
    """The line of `path`, or of the nearest field above it (a list's key for its items)."""
    for end in range(len(path), 0, -1):
        found = lines.get(tuple(path[:end]))
        if found is not None:
            return found
    return None


def field_at(lines: dict[FieldPath, int], number: int) -> str | None:
    """The field written on line `number` (dotted, "send_window.start"), if one is."""
    for path, line in lines.items():
        if line == number:
            return ".".join(str(part) for part in path)
    return None
