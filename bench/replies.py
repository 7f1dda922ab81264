"""Score the reply reader on a labelled set it was not written from; print one JSON line.

    .venv/bin/python bench/replies.py [--set tests/data/replies_blind/replies.jsonl]
                                      [--failures N]

Each reply in the set (written blind: see its README.md) is built into an email from the
asked contact (or from the sender its headers name) to their reply address, read by
`outreach.campaign.reading.classify` (the function the daemon calls, with the organization
on file and the letter's title), and turned into the action the daemon would take: a
sign-on from someone who already signed is a reconfirmation, a withdrawal or
reconfirmation from someone who never signed goes to review ("please remove us" from them
is an unsubscribe), an individual sign-on goes to review (the example campaign takes
organizations only), and so does any answer from someone other than the person asked.

Figures (overall and per language):

- precision: of the replies read as a sign-on, how many the writer meant as one
  (a sign-on nobody gave is the worst mistake; target 1.0);
- recall: of the real yeses, how many were read as a sign-on (target >= 0.95);
- action_accuracy: how often the action is the one labelled (target >= 0.90);
- wrong_names: sign-ons that would be listed under another name than the labelled one;
- auto_replies: automatic replies recognized, and persons taken for one;
- from_the_asked: the same figures over the replies sent by the person asked (a set may
  hold answers from colleagues and assistants, which the daemon sends to review).

The failures (capped) go to stderr, so the stdout line stays one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from outreach.campaign.intent import Intent  # noqa: E402
from outreach.campaign.reading import Classification, classify  # noqa: E402
from outreach.inbound.message import sender_address  # noqa: E402

DEFAULT_SET = REPO / "tests" / "data" / "replies_blind" / "replies.jsonl"
# The campaign every blind set answers (config/campaigns/clean-water.toml).
LETTER_TITLE = "Safe Drinking Water for Every Valley Community"


def build(reply: dict[str, Any]) -> EmailMessage:
    """The reply as mail: from the asked contact, unless the set names another sender."""
    msg = EmailMessage()
    headers = reply.get("headers") or {}
    msg["From"] = headers.get("From") or Address(reply["contact_name"],
                                                 addr_spec=reply["contact_email"])
    msg["To"] = "reply+t1-aaaaaaaaaaaaaaaa@valleywater.org"
    msg["Subject"] = reply["subject"]
    msg["Message-ID"] = f"<{reply['id']}@bench.example>"
    for name, value in headers.items():
        if name.lower() == "from":
            continue
        if name in msg:  # ("To" when the set names who the reply went to)
            msg.replace_header(name, value)
        else:
            msg[name] = value
    msg.set_content(reply["body"])
    return msg


def from_the_asked(msg: EmailMessage, reply: dict[str, Any]) -> bool:
    return sender_address(msg) == str(reply["contact_email"]).lower()


def action(result: Classification, *, signer: bool, from_the_asked: bool = True) -> str:
    """What the daemon does with a reply read as `result`. Only the person asked may act:
    anyone else's answer (a colleague's, an assistant's) goes to review."""
    if result.kind != "human":
        return result.kind
    if not from_the_asked:
        return "review"
    understanding = result.understanding
    assert understanding is not None
    intent = understanding.intent_for(signer=signer)
    if intent == Intent.SIGN_ON:
        if signer:
            return "reconfirm"
        return "review" if understanding.signer_type == "individual" else "sign"
    if intent in (Intent.WITHDRAW, Intent.RECONFIRM):
        return intent.value if signer else "review"
    if intent == Intent.UNSUBSCRIBE or (
            intent in (Intent.DECLINE, Intent.MORE_TIME) and not signer):
        return intent.value
    return "review"  # (a signer's "no" or "more time" is a person's to read)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score(replies: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    failures: list[str] = []
    for reply in replies:
        expected = reply["expected"]
        msg = build(reply)
        result = classify(msg, organization=reply["organization"], letter_title=LETTER_TITLE)
        asked = from_the_asked(msg, reply)
        got = action(result, signer=reply["context"] == "signer_notice", from_the_asked=asked)
        name = None
        if got == "sign":
            assert result.understanding is not None
            name = result.understanding.signer_name or reply["organization"]
        for key in ("all", reply["lang"], *(["asked"] if asked else [])):
            c = counts[key]
            c["replies"] += 1
            c["right_action"] += got == expected["action"]
            if expected["action"] == "sign":
                c["real_yes"] += 1
                c["recognized_yes"] += got == "sign"
            if got == "sign":
                c["read_as_yes"] += 1
                c["true_yes"] += expected["action"] == "sign"
                c["wrong_names"] += expected["action"] == "sign" and name != expected["name"]
            if expected["action"] == "auto_reply":
                c["auto_replies"] += 1
                c["auto_recognized"] += got == "auto_reply"
            elif got == "auto_reply":
                c["person_taken_for_auto"] += 1
        if got != expected["action"] or (got == "sign" and name != expected["name"]):
            failures.append(f"{reply['id']}: expected {expected['action']}"
                            f"{' as ' + repr(expected['name']) if expected['name'] else ''}, "
                            f"got {got}{' as ' + repr(name) if name else ''}"
                            f" — {reply['note']}")
    figures = {key: {
        "replies": c["replies"],
        "precision": _ratio(c["true_yes"], c["read_as_yes"]),
        "recall": _ratio(c["recognized_yes"], c["real_yes"]),
        "action_accuracy": _ratio(c["right_action"], c["replies"]),
        "false_sign_ons": c["read_as_yes"] - c["true_yes"],
        "wrong_names": c["wrong_names"],
        "auto_replies_recognized": f"{c['auto_recognized']}/{c['auto_replies']}",
        "persons_taken_for_auto_reply": c["person_taken_for_auto"],
    } for key, c in counts.items()}
    overall = figures.pop("all")
    # The same figures over the replies the asked contact sent: what the reader decides
    # when the consent rule lets it.
    asked_only = figures.pop("asked", None)
    return {**overall, "from_the_asked": asked_only,
            "per_language": dict(sorted(figures.items()))}, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET)
    parser.add_argument("--failures", type=int, default=60, help="how many to list on stderr")
    args = parser.parse_args()
    replies = [json.loads(line) for line in args.set.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    report, failures = score(replies)
    for line in failures[:args.failures]:
        print(line, file=sys.stderr)
    if len(failures) > args.failures:
        print(f"... and {len(failures) - args.failures} more", file=sys.stderr)
    print(json.dumps({"set": str(args.set.relative_to(REPO)) if args.set.is_relative_to(REPO)
                      else str(args.set), **report}))


if __name__ == "__main__":
    main()
