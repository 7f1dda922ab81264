"""Send windows: the days and hours, in a campaign's time zone, when mail may go out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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
