"""Send windows: the days and hours, in a campaign's time zone, when mail may go out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EN_DASH = "\u2013"


@dataclass(frozen=True)
class SendWindow:
    timezone: str
    days: frozenset[int]  # 0 = Monday, as datetime.weekday()
    start: time
    end: time
    quiet_days: frozenset[date] = frozenset()  # holidays and other days with no mail

    def to_json(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "days": sorted(self.days),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "quiet_days": sorted(d.isoformat() for d in self.quiet_days),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SendWindow:
        return cls(
            timezone=data["timezone"],
            days=frozenset(int(d) for d in data["days"]),
            start=time.fromisoformat(data["start"]),
            end=time.fromisoformat(data["end"]),
            quiet_days=frozenset(date.fromisoformat(d) for d in data.get("quiet_days", [])),
        )

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.timezone))
        return (local.weekday() in self.days and local.date() not in self.quiet_days
                and self.start <= local.time() < self.end)

    def next_open(self, now: datetime) -> datetime:
        """`now` if the window is open, else the moment it next opens (aware, UTC)."""
        if self.is_open(now):
            return now
        zone = ZoneInfo(self.timezone)
        local = now.astimezone(zone)
        for offset in range(8 + len(self.quiet_days)):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in self.days or day in self.quiet_days:
                continue
            opening = datetime.combine(day, self.start, tzinfo=zone)
            if opening > local or (offset == 0 and local.time() < self.start):
                return opening.astimezone(UTC)
        raise ValueError(f"send window {self.to_json()} never opens")

    def describe(self) -> str:
        """The window as a person reads it: "Mon-Thu 9-16:30 America/Los_Angeles" (with en
        dashes)."""
        return (f"{_day_ranges(self.days)} {_clock(self.start)}{EN_DASH}{_clock(self.end)} "
                f"{self.timezone}")

    def waiting_reason(self, now: datetime) -> str:
        """Why mail due at `now` waits, and until when (the window is closed at `now`)."""
        local_now = now.astimezone(ZoneInfo(self.timezone))
        opens = self.next_open(now).astimezone(ZoneInfo(self.timezone))
        when = f"{opens:%a %H:%M}" if (opens.date() - local_now.date()).days < 7 \
            else f"{opens:%a %-d %b %H:%M}"
        quiet = " (a quiet day)" if local_now.date() in self.quiet_days else ""
        return f"outside the send window{quiet}: {self.describe()}; next at {when}"


def _clock(moment: time) -> str:
    """9 for 09:00, 16:30 for 16:30:00."""
    if moment.second:
        return moment.strftime("%-H:%M:%S")
    return str(moment.hour) if moment.minute == 0 else moment.strftime("%-H:%M")


def _day_ranges(days: frozenset[int]) -> str:
    """"Mon-Thu", "Mon, Wed, Fri", "Mon-Wed, Sat": a run of three days or more is joined
    (with an en dash)."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        first, last = DAY_NAMES[run[0]].title(), DAY_NAMES[run[-1]].title()
        if len(run) >= 3:
            parts.append(f"{first}{EN_DASH}{last}")
        else:
            parts.extend(DAY_NAMES[day].title() for day in run)
    return ", ".join(parts)
