from __future__ import annotations

from datetime import UTC, date, datetime, time

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


def test_a_window_is_described_as_a_person_reads_it() -> None:
    assert WINDOW.describe() == "Mon\u2013Thu 9\u201316:30 America/Los_Angeles"
    scattered = SendWindow("UTC", frozenset({0, 2, 4, 5, 6}), time(8, 15), time(23, 59, 59))
    assert scattered.describe() == "Mon, Wed, Fri\u2013Sun 8:15\u201323:59:59 UTC"


def test_mail_that_waits_says_until_when() -> None:
    thursday_5pm = datetime(2026, 12, 11, 1, 0, tzinfo=UTC)
    assert WINDOW.waiting_reason(thursday_5pm) == (
        "outside the send window: Mon\u2013Thu 9\u201316:30 America/Los_Angeles; "
        "next at Mon 09:00")
    christmas = SendWindow("America/Los_Angeles", WINDOW.days, WINDOW.start, WINDOW.end,
                           frozenset({date(2026, 12, 24)}))
    christmas_eve_10am = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)  # a Thursday
    assert christmas.waiting_reason(christmas_eve_10am) == (
        "outside the send window (a quiet day): Mon\u2013Thu 9\u201316:30 "
        "America/Los_Angeles; next at Mon 09:00")
