"""The one place that reads the wall clock. Everything below the edges takes `now`."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
