"""`--json`: what a listing command prints instead of its table, one JSON document on stdout.

The values are the domain's own (dataclasses, enums, times) made plain: a dataclass
becomes an object of its fields, an enum its value, a time ISO 8601 in UTC.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def json_option(what: str) -> Callable[[F], F]:
    """The `--json` flag of a listing command; the command gets `as_json`."""
    return click.option("--json", "as_json", is_flag=True,
                        help=f"Print {what} as JSON instead of a table.")


def plain(value: Any) -> Any:
    """`value` as JSON types."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(plain(key)): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    click.echo(json.dumps(plain(value), ensure_ascii=False, indent=2))
