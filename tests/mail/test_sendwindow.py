from __future__ import annotations

from datetime import UTC, datetime, time

from outreach.sendwindow import SendWindow

WINDOW = SendWindow("America/Los_Angeles", frozenset({0, 1, 2, 3}), time(9), time(16, 30))


def test_open_inside_hours_on_a_window_day() -> None:
    tuesday_10am = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
    assert WINDOW.is_open(tuesday_10am)
    assert WINDOW.next_open(tuesday_10am) == tuesday_10am


def test_thursday_evening_waits_for_monday_morning() -> None:
    thursday_5pm = datetime(2026, 12, 11, 1, 0, tzinfo=UTC)
    assert not WINDOW.is_open(thursday_5pm)
    assert WINDOW.next_open(thursday_5pm) == datetime(2026, 12, 14, 17, 0, tzinfo=UTC)


def test_early_morning_waits_for_the_same_day() -> None:
    monday_6am = datetime(2026, 12, 14, 14, 0, tzinfo=UTC)
    assert WINDOW.next_open(monday_6am) == datetime(2026, 12, 14, 17, 0, tzinfo=UTC)


def test_daylight_saving_is_respected() -> None:
    # On Monday 9 March 2026 Los Angeles is on PDT (UTC-7): 9:00 local is 16:00 UTC.
    sunday = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)
    assert WINDOW.next_open(sunday) == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)


def test_json_round_trip() -> None:
    assert SendWindow.from_json(WINDOW.to_json()) == WINDOW
