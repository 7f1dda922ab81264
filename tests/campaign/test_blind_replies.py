"""The reader on the replies written blind (tests/data/replies_blind*): the figures the
consent issue asks for, kept from sliding back. `bench/replies.py` prints the same figures."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers import bench_module

DATA = Path(__file__).resolve().parents[1] / "data"
SETS = sorted(DATA.glob("replies_blind*/replies.jsonl"))


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return bench_module("replies")


@pytest.mark.parametrize("path", SETS, ids=[p.parent.name for p in SETS])
def test_no_sign_on_without_consent_and_the_yeses_found(bench: ModuleType, path: Path) -> None:
    replies: list[dict[str, Any]] = [json.loads(line) for line in
                                     path.read_text(encoding="utf-8").splitlines() if line]
    report, failures = bench.score(replies)
    assert report["false_sign_ons"] == 0, failures
    assert report["wrong_names"] == 0, failures
    assert report["recall"] >= 0.95, failures
    assert report["action_accuracy"] >= 0.90, failures
    assert report["persons_taken_for_auto_reply"] == 0, failures
    recognized, total = report["auto_replies_recognized"].split("/")
    assert recognized == total, failures


def test_there_are_at_least_300_blind_replies_in_five_languages() -> None:
    first = [json.loads(line) for line in SETS[0].read_text(encoding="utf-8").splitlines()
             if line]
    assert len(first) >= 300
    assert {r["lang"] for r in first} == {"en", "es", "fr", "pt", "de"}
