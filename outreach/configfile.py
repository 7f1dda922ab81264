"""Reading TOML files into validated pydantic models, with errors that name file and field."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from outreach.errors import ConfigError
from outreach.tomllines import FieldPath, field_at, field_lines, line_of

M = TypeVar("M", bound=BaseModel)
_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(path, ["file not found"]) from None
    except tomllib.TOMLDecodeError as exc:
        # "Invalid date or datetime (at line 6, column 17)": say which field that is.
        at = _AT_LINE.search(str(exc))
        field = field_at(_lines(path), int(at.group(1))) if at else None
        raise ConfigError(path, [f"{field + ': ' if field else ''}not valid TOML: {exc}"]) \
            from None


def validate(model: type[M], data: dict[str, Any], path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(path, describe(exc, _lines(path))) from None


def describe(exc: ValidationError, lines: dict[FieldPath, int]) -> list[str]:
    """Each problem as "field: what is wrong (line N)", the line being where the file sets
    the field (found in `lines`, when it is there)."""
    problems = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        line = line_of(lines, error["loc"]) if error["loc"] else None
        problems.append(f"{field}: {message}" + (f" (line {line})" if line else ""))
    return problems


def _lines(path: Path) -> dict[FieldPath, int]:
    try:
        return field_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):  # no file (built-in defaults), or not text
        return {}
