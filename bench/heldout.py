"""Score visible text and bounce detection on the held-out sets; print one JSON line.

    .venv/bin/python bench/heldout.py [--data tests/data/heldout]

The held-out sets (tests/data/heldout/, see its README.md) come from public test suites
that are not in ../shared/corpus and that the rules were not written from: reply-trimming
threads (quotequail, griddler, EdgeTier's email-reply-parser, discourse's
email_reply_trimmer, the Elixir and "extended" email_reply_parser ports) and bounce
samples (sisimai's sample maildirs). Each manifest row names its source, commit, path,
licence and what the source's own tests assert.

- visible_text: a thread passes when `visible_text` meets every expectation of its row:
  `text` (equal), `starts_with`, `ends_with`, `includes`, `excludes`. Texts are compared
  the way bench/corpus.py compares them: stripped, line endings normalized, and with all
  whitespace removed where the row says `whitespace_insensitive`.
- bounce_detection: bounce-* samples that `detect_bounce` takes for a bounce.
- bounce_addresses: of those whose failed addresses the row names, how many come out
  exactly (reported, no target).
- false_bounces: non-bounces taken for bounces: the set's automatic replies and every
  reply-trimming thread (people's replies).

stdout gets one JSON line with the figures and whether the targets are met (visible text
>= 0.90, bounce detection >= 0.97, no false bounce); the failures go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from outreach.inbound.bounces import detect_bounce  # noqa: E402
from outreach.inbound.message import MalformedMessage, load_message  # noqa: E402
from outreach.inbound.visible import visible_text  # noqa: E402

DEFAULT_DATA = REPO / "tests" / "data" / "heldout"
TARGETS = {"visible_text": 0.90, "bounce_detection": 0.97}


@dataclass
class Tally:
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, ok: bool, name: str, detail: str = "") -> None:
        self.total += 1
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{name}: {detail}" if detail else name)

    def figures(self) -> dict[str, Any]:
        rate = round(self.passed / self.total, 4) if self.total else None
        return {"passed": self.passed, "total": self.total, "rate": rate}


def _norm(text: str, no_whitespace: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "".join(text.split()) if no_whitespace else text


def unmet(got: str, expect: dict[str, Any], no_whitespace: bool) -> list[str]:
    """The expectations of a manifest row that `got` does not meet (empty: it passes)."""
    text = _norm(got, no_whitespace)
    missed: list[str] = []
    if "text" in expect and text != _norm(expect["text"], no_whitespace):
        missed.append("text")
    if "starts_with" in expect and not text.startswith(_norm(expect["starts_with"], no_whitespace)):
        missed.append("starts_with")
    if "ends_with" in expect and not text.endswith(_norm(expect["ends_with"], no_whitespace)):
        missed.append("ends_with")
    missed += [f"includes {s!r}" for s in expect.get("includes", [])
               if _norm(s, no_whitespace) not in text]
    missed += [f"excludes {s!r}" for s in expect.get("excludes", [])
               if _norm(s, no_whitespace) in text]
    return missed


def _load(path: Path, errors: list[str], name: str) -> Any:
    try:
        return load_message(path.read_bytes())
    except (OSError, MalformedMessage) as exc:
        errors.append(f"{name}: {exc}")
        return None


def run(data: Path) -> dict[str, Any]:
    started = time.perf_counter()
    trimming = json.loads((data / "trimming" / "manifest.json").read_text(encoding="utf-8"))
    bounces = json.loads((data / "bounces" / "manifest.json").read_text(encoding="utf-8"))
    visible, detection, addresses, false_bounces = Tally(), Tally(), Tally(), Tally()
    errors: list[str] = []
    for row in trimming["threads"]:
        name = f"trimming/{row['file']}"
        msg = _load(data / "trimming" / row["file"], errors, name)
        if msg is None:
            continue
        got = visible_text(msg)
        missed = unmet(got, row["expect"], bool(row.get("whitespace_insensitive")))
        visible.add(not missed, name, f"{', '.join(missed)}; got {got[:300]!r}")
        found = detect_bounce(msg)
        false_bounces.add(found is None, name, f"taken for a bounce by {found and found.detector}")
    for row in bounces["samples"]:
        name = f"bounces/{row['file']}"
        msg = _load(data / "bounces" / row["file"], errors, name)
        if msg is None:
            continue
        found = detect_bounce(msg)
        if not row["label"].startswith("bounce-"):
            false_bounces.add(found is None, name,
                              f"taken for a bounce by {found and found.detector}")
            continue
        detection.add(found is not None, name, "not detected")
        want = row.get("failed_addresses")
        if want:
            got_addresses = set(found.failed_recipients) if found else set()
            addresses.add(got_addresses == {a.lower() for a in want}, name,
                          f"want {sorted(want)} got {sorted(got_addresses)}")
    taken = false_bounces.total - false_bounces.passed
    report: dict[str, Any] = {
        "data": str(data),
        "visible_text": visible.figures(),
        "bounce_detection": detection.figures(),
        "bounce_addresses": addresses.figures(),
        "false_bounces": {"checked": false_bounces.total, "taken_for_bounce": taken},
        "errors": len(errors),
    }
    report["targets"] = {
        f"{key}>={floor}": {"value": report[key]["rate"],
                            "met": report[key]["rate"] is not None and report[key]["rate"] >= floor}
        for key, floor in TARGETS.items()
    } | {"false_bounces==0": {"value": taken, "met": taken == 0}}
    report["seconds"] = round(time.perf_counter() - started, 2)
    report["failures"] = {"visible_text": visible.failures, "bounce_detection": detection.failures,
                          "bounce_addresses": addresses.failures,
                          "false_bounces": false_bounces.failures, "errors": errors}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help=f"the held-out folder (default: {DEFAULT_DATA})")
    args = parser.parse_args(argv)
    report = run(args.data.resolve())
    failures = report.pop("failures")
    for kind, items in failures.items():
        for item in items:
            print(f"{kind}: {item}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
