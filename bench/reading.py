"""Benchmark: the reply reader's speed on every blind set, next to the same reader with each
idea's patterns joined in one alternation (how it read before), in the same run.

    .venv/bin/python bench/reading.py [--repeats R]

Every reply of every `tests/data/replies_blind*/replies.jsonl` is built into mail as
`bench/replies.py` builds it and read by `outreach.campaign.reading.classify`, the
function the daemon calls: first with the reader as it is (an `Idea` searches only the
patterns whose own words the text contains), then with every `Idea` swapped for the
plain `re` pattern of its patterns joined, which is what the reader searched before. The
two must give the same answer for every reply (the run fails otherwise); the best of R
timings of each is kept.

stdout gets ONE JSON line: replies, seconds, replies_per_s, ms_per_reply,
reference_seconds, reference_replies_per_s, speedup, same_answers. Everything else goes
to stderr.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parents[1]
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from replies import LETTER_TITLE, build  # noqa: E402

from outreach.campaign import intent, intent_patterns, listing_name, reading  # noqa: E402
from outreach.campaign.intent_patterns import Idea  # noqa: E402
from outreach.campaign.reading import classify  # noqa: E402

READERS: tuple[ModuleType, ...] = (intent_patterns, intent, listing_name, reading)


@contextmanager
def joined_patterns() -> Iterator[None]:
    """Every `Idea` the reader uses, swapped for its patterns joined in one `re` pattern."""
    saved: list[tuple[ModuleType, str, Idea]] = []
    for module in READERS:
        for name, value in list(vars(module).items()):
            if isinstance(value, Idea):
                saved.append((module, name, value))
                setattr(module, name, re.compile(
                    "|".join(f"(?:{p})" for p in value.patterns) or r"(?!)", re.MULTILINE))
    try:
        yield
    finally:
        for module, name, value in saved:
            setattr(module, name, value)


def answers(mail: list[tuple[EmailMessage, dict[str, Any]]]) -> tuple[float, list[str]]:
    start = time.perf_counter()
    read = [repr(classify(msg, organization=reply["organization"], letter_title=LETTER_TITLE))
            for msg, reply in mail]
    return time.perf_counter() - start, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    mail = [(build(reply), reply)
            for path in sorted((REPO / "tests" / "data").glob("replies_blind*/replies.jsonl"))
            for reply in map(json.loads, path.read_text(encoding="utf-8").splitlines())]
    best = reference = float("inf")
    same = True
    for repeat in range(args.repeats):
        seconds, now = answers(mail)
        with joined_patterns():
            reference_seconds, before = answers(mail)
        same = same and now == before
        best, reference = min(best, seconds), min(reference, reference_seconds)
        print(f"run {repeat + 1}: {seconds:.2f} s, joined {reference_seconds:.2f} s",
              file=sys.stderr)
    print(json.dumps({
        "replies": len(mail), "seconds": round(best, 3),
        "replies_per_s": round(len(mail) / best, 1),
        "ms_per_reply": round(best / len(mail) * 1000, 3),
        "reference_seconds": round(reference, 3),
        "reference_replies_per_s": round(len(mail) / reference, 1),
        "speedup": round(reference / best, 2), "same_answers": same,
    }))
    if not same:
        sys.exit("the reader and the joined patterns disagree on some reply")


if __name__ == "__main__":
    main()
