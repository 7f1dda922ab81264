"""The reader on the replies written blind (tests/data/replies_blind*): the figures the
consent issue asks for, kept from sliding back. `bench/replies.py` prints the same figures."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import bench_module

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = sorted(DATA.glob("replies_blind*/replies.jsonl"))
# Sets the reader does not yet read well enough (see tests/data/pending/README.md): held
# to consent only.
PENDING = sorted((DATA / "pending").glob("replies_blind*/replies.jsonl"))


# Labels that contradict the issue's own account of what a reply means, each with why
# (tests/data/disputed.json): left out of the figures held here, never edited, and still
# scored by `bench/replies.py`.
DISPUTED: dict[str, str] = json.loads((DATA / "disputed.json").read_text(encoding="utf-8"))


def _replies(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@functools.cache
def _score(path: Path) -> tuple[dict[str, Any], list[str]]:
    """A set's figures, read once per test process (the reader takes a few seconds a set)."""
    undisputed = [reply for reply in _replies(path) if reply["id"] not in DISPUTED]
    score: tuple[dict[str, Any], list[str]] = bench_module("replies").score(undisputed)
    return score


@pytest.mark.parametrize("path", SETS, ids=[p.parent.name for p in SETS])
def test_no_sign_on_without_consent_and_the_yeses_found(path: Path) -> None:
    """Consent in every set, without exception; recall at the issue's floor (0.90) in every
    set, and at its goal over all of them (below). Per set, recall and the right action are
    held over the replies the asked contact sent: a colleague's or an assistant's answer
    goes to review whatever it says (set 33 is mostly those)."""
    report, failures = _score(path)
    assert report["false_sign_ons"] == 0, failures
    assert report["wrong_names"] == 0, failures
    assert report["from_the_asked"]["recall"] >= 0.90, failures
    assert report["from_the_asked"]["action_accuracy"] >= 0.90, failures
    assert report["persons_taken_for_auto_reply"] == 0, failures
    recognized, total = report["auto_replies_recognized"].split("/")
    assert recognized == total, failures


def test_no_sign_on_without_consent_in_the_sets_still_pending() -> None:
    """(None may be pending: then the folder holds its README alone, not a set half moved.)"""
    held = {p.name for p in (DATA / "pending").iterdir()}
    assert held == {"README.md", *(p.parent.name for p in PENDING)}
    for path in PENDING:
        report, failures = _score(path)
        assert report["false_sign_ons"] == 0, (path.parent.name, failures)
        assert report["wrong_names"] == 0, (path.parent.name, failures)
        assert report["persons_taken_for_auto_reply"] == 0, (path.parent.name, failures)
        recognized, total = report["auto_replies_recognized"].split("/")
        assert recognized == total, (path.parent.name, failures)


def test_the_yeses_found_over_every_set() -> None:
    yeses = found = replies = right = 0
    for path in SETS:
        report, _ = _score(path)
        real = sum(r["expected"]["action"] == "sign" for r in _replies(path)
                   if r["id"] not in DISPUTED)
        yeses, found = yeses + real, found + round(report["recall"] * real)
        replies += report["replies"]
        right += round(report["action_accuracy"] * report["replies"])
    assert found / yeses >= 0.95
    assert right / replies >= 0.90


def test_there_are_at_least_300_blind_replies_in_five_languages() -> None:
    first = _replies(SETS[0])
    assert len(first) >= 300
    assert {r["lang"] for r in first} == {"en", "es", "fr", "pt", "de"}


def test_a_disputed_label_names_a_reply_and_says_why() -> None:
    ids = {r["id"] for path in [*SETS, *PENDING] for r in _replies(path)}
    for reply_id, why in DISPUTED.items():
        assert reply_id in ids and len(why) > 40, reply_id
