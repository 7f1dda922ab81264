"""Run the shared mail corpus through the inbound detectors and print one JSON report.

    .venv/bin/python bench/corpus.py [--corpus ../shared/corpus]

The corpus (see its README.md) is real mail collected from other projects' test
suites, each file labelled in MANIFEST.tsv with what the source project asserts in
<source>/expected.json. For every file that is not a byte-identical duplicate
(`dup_of=` in the notes; those are only counted) this loads the message with
`load_message` and runs `detect_bounce`, `detect_auto_reply` and, when it exists yet,
`outreach.inbound.visible.visible_text`, then prints per-category figures, the targets
and whether they are met, and the failing files per category (capped).

How the figures are counted:

- bounce_addresses: bounce-* files whose upstream expectation names the failed
  address(es) (flufl/mailman `failed_addresses`, BounceParser `addresses`,
  PHPMailer-BMH `email`, tmail_bouncer `original_recipient`, ...). A file passes when
  the detected failed recipients equal that set (case-insensitive). Target: >= 98%.
- bounce_detection: bounce-* files detected as bounces at all (no target; reported).
- false_bounces: files labelled auto-reply, human-reply or not-bounce that were taken
  for bounces. Target: 0. Files labelled `other` (spam, abuse/feedback reports, list
  traffic) are kept out of that count because the label mixes real non-bounces with
  things some sources call bounces (a feedback report, a virus notice sent by a
  mailer); they are reported separately under `other_detected_as_bounce`.
- auto_reply: positives are the files labelled auto-reply, over all files;
  precision >= 99% and recall >= 95%.
- bounce_class: where the label is bounce-hard or bounce-soft, how often the detector
  says the same (bounce_type None counts as a miss). Reported, no target.
- visible_text: human replies whose expectation carries the visible reply text
  (`expected_visible_text_auto_extracted`, `expected_reply_text`, `expected_post_raw`,
  `expected_post_raw_prefer_text`, `expected_plain_reply_whitespace_insensitive`; the
  signature-only expectations are left out). Compared stripped of surrounding
  whitespace with line endings normalized (whitespace-insensitive where the key says
  so). Target: >= 90%.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from outreach.inbound.autoreply import detect_auto_reply  # noqa: E402
from outreach.inbound.bounces import detect_bounce  # noqa: E402
from outreach.inbound.message import MalformedMessage, load_message  # noqa: E402

DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
FAILURE_CAP = 30
NON_BOUNCE_LABELS = frozenset({"auto-reply", "human-reply", "not-bounce"})
VISIBLE_KEYS = (
    "expected_visible_text_auto_extracted",
    "expected_reply_text",
    "expected_post_raw",
    "expected_post_raw_prefer_text",
    "expected_plain_reply_whitespace_insensitive",
)


@dataclass
class Sample:
    path: str  # relative to the corpus folder
    label: str
    upstream: dict[str, Any]
    duplicate: bool
    label_source: str  # how sure the label is: upstream-test, folder, heuristic-*, ...


@dataclass
class Tally:
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, ok: bool, path: str, detail: str = "") -> None:
        self.total += 1
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{path}: {detail}" if detail else path)

    def rate(self) -> float | None:
        return round(self.passed / self.total, 4) if self.total else None


def read_samples(corpus: Path) -> list[Sample]:
    expected: dict[str, dict[str, Any]] = {}
    for path in sorted(corpus.glob("*/expected.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for inner, entry in data.items():
            expected[f"{path.parent.name}/{inner}"] = entry
    samples = []
    with (corpus / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            local = row["local_path"]
            entry = expected.get(local, {})
            notes = row.get("notes") or ""
            source = notes.split(";", 1)[0].strip()
            samples.append(Sample(
                path=local,
                label=row["label"],
                upstream=entry.get("upstream_expected") or {},
                duplicate="dup_of=" in notes,
                label_source=source.removeprefix("label_source="),
            ))
    return samples


def expected_addresses(upstream: dict[str, Any]) -> set[str] | None:
    """The failed address(es) the source project asserts, when it names them."""
    found: list[str] = []
    for key in ("failed_addresses", "addresses", "addresses_default", "dsn_recipients",
                "all_final_recipients_in_status_groups"):
        value = upstream.get(key)
        if isinstance(value, list) and value:
            found = [str(v) for v in value]
            break
    if not found:
        for key in ("email", "failed_address", "x_failed_recipients", "original_recipient",
                    "failed_recipient_in_notification", "FinalRecipient",
                    "collector_inspected_failed_address"):
            value = upstream.get(key)
            if isinstance(value, str) and "@" in value:
                found = [value]
                break
    return {a.strip().lower() for a in found} if found else None


def expected_visible(upstream: dict[str, Any]) -> tuple[str, bool] | None:
    """(text, whitespace_insensitive) when the sample carries its visible reply text."""
    for key in VISIBLE_KEYS:
        value = upstream.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict) and value:
            value = next(iter(value.values()))
        if isinstance(value, str):
            return value, key.endswith("whitespace_insensitive")
    return None


def _norm(text: str, no_whitespace: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return "".join(text.split()) if no_whitespace else text


def _visible_text_function() -> Callable[[EmailMessage], str] | None:
    try:
        from outreach.inbound.visible import visible_text
    except ImportError:
        return None
    return visible_text


def run(corpus: Path) -> dict[str, Any]:
    started = time.perf_counter()
    samples = read_samples(corpus)
    visible_text = _visible_text_function()
    addresses, detection, false_bounces = Tally(), Tally(), Tally()
    auto_tp = auto_fp = auto_fn = 0
    auto_fail: list[str] = []
    hard_soft, visible = Tally(), Tally()
    other_as_bounce: list[str] = []
    errors: list[str] = []
    duplicates = 0
    labels: dict[str, int] = {}
    for sample in samples:
        if sample.duplicate:
            duplicates += 1
            continue
        labels[sample.label] = labels.get(sample.label, 0) + 1
        try:
            msg = load_message((corpus / sample.path).read_bytes())
        except (OSError, MalformedMessage) as exc:
            errors.append(f"{sample.path}: {exc}")
            continue
        try:
            bounce = detect_bounce(msg)
            auto = detect_auto_reply(msg)
        except Exception as exc:  # the detectors must never raise: report, do not stop
            errors.append(f"{sample.path}: {type(exc).__name__}: {exc}")
            continue
        is_bounce_label = sample.label.startswith("bounce-")
        if is_bounce_label:
            detection.add(bounce is not None, sample.path)
            want = expected_addresses(sample.upstream)
            if want is not None:
                got = set(bounce.failed_recipients) if bounce else set()
                addresses.add(got == want, sample.path,
                              f"want {sorted(want)} got {sorted(got)}")
            if sample.label in ("bounce-hard", "bounce-soft"):
                kind = sample.label.removeprefix("bounce-")
                got_kind = bounce.bounce_type if bounce else "not detected"
                hard_soft.add(got_kind == kind, sample.path, f"want {kind} got {got_kind}")
        elif sample.label in NON_BOUNCE_LABELS:
            false_bounces.add(bounce is None, sample.path,
                              f"{sample.label} taken for a bounce by {bounce.detector}"
                              if bounce else "")
        elif bounce is not None:
            other_as_bounce.append(f"{sample.path}: {bounce.detector}")
        is_auto = sample.label == "auto-reply"
        source = f" [label_source={sample.label_source}]"
        if auto is not None and is_auto:
            auto_tp += 1
        elif auto is not None:
            auto_fp += 1
            auto_fail.append(f"{sample.path}: {sample.label} taken for auto-reply "
                             f"({auto.reason}){source}")
        elif is_auto:
            auto_fn += 1
            auto_fail.append(f"{sample.path}: auto-reply missed"
                             + (f" (seen as bounce by {bounce.detector})" if bounce else "")
                             + source)
        if visible_text is not None and sample.label == "human-reply":
            want_text = expected_visible(sample.upstream)
            if want_text is not None:
                text, loose = want_text
                try:
                    got_text = visible_text(msg)
                except Exception as exc:
                    got_text = f"<{type(exc).__name__}: {exc}>"
                visible.add(_norm(got_text, loose) == _norm(text, loose), sample.path)

    precision = auto_tp / (auto_tp + auto_fp) if auto_tp + auto_fp else None
    recall = auto_tp / (auto_tp + auto_fn) if auto_tp + auto_fn else None
    targets: dict[str, Any] = {
        "bounce_address_rate>=0.98": _met(addresses.rate(), 0.98),
        "false_bounces==0": {"value": false_bounces.total - false_bounces.passed,
                             "met": false_bounces.passed == false_bounces.total},
        "auto_reply_precision>=0.99": _met(precision, 0.99),
        "auto_reply_recall>=0.95": _met(recall, 0.95),
    }
    report: dict[str, Any] = {
        "corpus": str(corpus),
        "files": len(samples),
        "duplicates_skipped": duplicates,
        "labels": dict(sorted(labels.items())),
        "errors": errors,
        "bounce_addresses": _figures(addresses),
        "bounce_detection": _figures(detection),
        "false_bounces": {"checked": false_bounces.total,
                          "taken_for_bounce": false_bounces.total - false_bounces.passed},
        "other_detected_as_bounce": len(other_as_bounce),
        "auto_reply": {"true_positives": auto_tp, "false_positives": auto_fp,
                       "false_negatives": auto_fn,
                       "precision": None if precision is None else round(precision, 4),
                       "recall": None if recall is None else round(recall, 4)},
        "bounce_class_agreement": _figures(hard_soft),
    }
    if visible_text is None:
        report["visible_text"] = {"skipped": "outreach.inbound.visible not available"}
    else:
        report["visible_text"] = _figures(visible)
        targets["visible_text_rate>=0.90"] = _met(visible.rate(), 0.90)
    report["targets"] = targets
    report["seconds"] = round(time.perf_counter() - started, 2)
    report["failures"] = {
        "bounce_addresses": addresses.failures[:FAILURE_CAP],
        "bounce_detection": detection.failures[:FAILURE_CAP],
        "false_bounces": false_bounces.failures[:FAILURE_CAP],
        "other_detected_as_bounce": other_as_bounce[:FAILURE_CAP],
        "auto_reply": auto_fail[:FAILURE_CAP],
        "bounce_class_agreement": hard_soft.failures[:FAILURE_CAP],
        "visible_text": visible.failures[:FAILURE_CAP],
    }
    return report


def _figures(tally: Tally) -> dict[str, Any]:
    return {"passed": tally.passed, "total": tally.total, "rate": tally.rate()}


def _met(value: float | None, floor: float) -> dict[str, Any]:
    return {"value": None if value is None else round(value, 4),
            "met": value is not None and value >= floor}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help=f"the corpus folder (default: {DEFAULT_CORPUS})")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus.resolve()
    if not (corpus / "MANIFEST.tsv").is_file():
        print(json.dumps({"error": f"no MANIFEST.tsv in {corpus}"}))
        return 2
    print(json.dumps(run(corpus), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
