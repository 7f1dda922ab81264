"""The reader's time is linear in what it reads, and what it reads is bounded: crafted
replies (a word repeated thousands of times, one sentence of 10,000 characters) cost at most
a fixed multiple of ordinary prose of the same size, and a longer reply goes to a person."""

from __future__ import annotations

import time

import pytest

from outreach.campaign.intent import READ_AT_MOST, Intent, understand

PROSE = ("Thank you for the letter. We talked it over at the board meeting and most of us "
         "agree with the three points, though the second one needs work. ")
SHAPES = {
    "board will": "our board will ",
    "yes commas": "yes, ",
    "yes": "yes ",
    "but": "we sign but ",
    "add the": "please add the ",
    "letters": "the letter ",
    "list as": "list us as ",
    "quotes": '"',
    "si": "si ",
    "schon": "schon ",
}
RATIO = 20
SLACK = 0.1


def _seconds(text: str) -> float:
    start = time.perf_counter()
    understand(text, organization="Valley Tenants Union", letter_title="Safe Drinking Water")
    return time.perf_counter() - start


def _fill(unit: str) -> str:
    return (unit * (READ_AT_MOST // len(unit) + 1))[:READ_AT_MOST]


@pytest.mark.parametrize("shape", SHAPES)
def test_a_crafted_reply_takes_linear_time(shape: str) -> None:
    prose = min(_seconds(_fill(PROSE)) for _ in range(2))
    assert _seconds(_fill(SHAPES[shape])) <= RATIO * prose + SLACK


def test_a_reply_longer_than_the_reader_reads_goes_to_a_person() -> None:
    result = understand("Yes, we sign. " + "x" * READ_AT_MOST)
    assert result.intent == Intent.UNKNOWN
    assert any("longer than" in signal for signal in result.signals)


def _classify_seconds(paragraphs: int) -> float:
    """A yes with `paragraphs` short paragraphs under its signature, read whole."""
    from email.message import EmailMessage

    from outreach.campaign.reading import classify

    msg = EmailMessage()
    msg["From"] = "Jane Doe <jane@valleytenants.example>"
    msg["To"] = "reply+t1-aaaaaaaaaaaaaaaa@valleywater.org"
    msg["Subject"] = "Re: Will Valley Tenants Union sign on?"
    msg.set_content("Yes, we sign on.\n\nJane\n\n-- \n" + "".join(
        f"Our members meet on day {day} of every month.\n\n" for day in range(paragraphs)))
    start = time.perf_counter()
    understanding = classify(msg, organization="Valley Tenants Union").understanding
    assert understanding is not None and understanding.intent == Intent.SIGN_ON
    return time.perf_counter() - start


def test_a_footer_of_thousands_of_paragraphs_is_read_only_so_far() -> None:
    """The writer's words under the signature may hold a yes back, and each costs a reading:
    only the first few are read, however long the footer."""
    short = min(_classify_seconds(10) for _ in range(2))
    assert _classify_seconds(5_000) <= RATIO * short + SLACK
