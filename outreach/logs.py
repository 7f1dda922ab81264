"""The log on stderr: a line of text per event, or (`--log-format json`) a JSON object per
line with the time, level, logger, message and the event's own fields (`kind`, `campaign`,
`organization`, `outcome`, ...: whatever the code logging it passed as `extra`)."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What every record has; anything else on a record is a field of the event.
_STANDARD = {*vars(logging.LogRecord("", 0, "", 0, "", (), None)), "message", "asctime"}
# Loggers whose INFO is noise to an organizer.
_QUIET = {"mail.log": logging.WARNING, "alembic": logging.WARNING,
          # "skipped: maximum number of running instances" is the design, not a problem.
          "apscheduler": logging.ERROR}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in vars(record).items()
                     if key not in _STANDARD)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """The handler `configure` installs (and replaces when called again)."""


def configure(*, verbose: bool = False, json_lines: bool = False) -> None:
    """Log to stderr at INFO (DEBUG with `verbose`), as text or JSON lines. Leaves the
    handlers alone where something else already handles the log (a test harness), as
    `logging.basicConfig` does."""
    for name, level in _QUIET.items():
        logging.getLogger(name).setLevel(level)
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    if root.handlers:
        return
    handler = _StderrHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
