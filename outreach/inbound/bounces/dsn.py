"""RFC 3464 delivery-status reports: every `message/delivery-status` part (outside
returned messages), one block per recipient.

`Action: failed` (or a 5.x.x status) is a failure, `Action: delayed` (or a 4.x.x status)
a delay; `delivered`, `relayed` and `expanded` blocks are success notices, and a report
with nothing else is no bounce at all (nor is a challenge dressed as a report).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from typing import Literal

from outreach.inbound.bounces.addresses import clean_address, unique
from outreach.inbound.bounces.challenge import is_challenge_text
from outreach.inbound.bounces.classify import (
    classify,
    first_status,
    notification_diagnostic,
    report_lines,
    shorten,
)
from outreach.inbound.bounces.common import NOT_A_BOUNCE, Bounce, BounceType, Verdict
from outreach.inbound.bounces.facts import Facts
from outreach.inbound.bounces.mime import DSN_TYPES, MAX_TEXT


class DeliveryStatus:
    """The failed (or, when none failed, delayed) recipients of the delivery-status parts."""

    def detect(self, facts: Facts) -> Verdict:
        found = _from_dsn(facts)
        if found is False:
            return NOT_A_BOUNCE
        return found if found is not None and found.failed_recipients else None


def is_challenge_report(msg: EmailMessage) -> bool:
    """True when `msg` is a delivery report whose diagnostic is a challenge-response
    system's ("Sender not pre-approved"), which `detect_bounce` does not count."""
    try:
        facts = Facts(msg)
        recipients, _ = dsn_recipients(facts)
    except Exception:  # pragma: no cover - odd input: not a report we can read
        return False
    return any(is_challenge_text(r.diagnostic) for r in recipients)


@dataclass
class _Recipient:
    address: str
    action: str
    status: str | None
    diagnostic: str


def _field_blocks(text: str) -> list[dict[str, str]]:
    """The header-like blocks of a delivery-status body (fields folded, names lower-cased)."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last: str | None = None
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, None
            continue
        if line[0] in " \t" and last is not None:
            current[last] += " " + line.strip()
            continue
        name, sep, value = line.partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", name.strip()):
            last = None
            continue
        last = name.strip().lower()
        if (last in current and last in ("final-recipient", "original-recipient")
                and "action" in current):  # a new recipient block without the blank line
            blocks.append(current)
            current = {}
        current[last] = value.strip()
    if current:
        blocks.append(current)
    return blocks


def _dsn_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):
        pieces = []
        for block in payload:
            if isinstance(block, Message):
                try:
                    pieces.append("\n".join(f"{k}: {v}" for k, v in _raw_items(block)))
                except Exception:
                    continue
        text = "\n\n".join(pieces)
        if text.strip():
            return text[:MAX_TEXT]
    raw = part.get_payload(decode=True)
    if isinstance(raw, bytes):
        return raw[:MAX_TEXT].decode("utf-8", "replace")
    return payload[:MAX_TEXT] if isinstance(payload, str) else ""


def _raw_items(block: Message) -> list[tuple[str, str]]:
    raw_items = getattr(block, "raw_items", None)
    items = list(raw_items()) if callable(raw_items) else list(block.items())
    return [(str(k), " ".join(str(v).split())) for k, v in items]


def _field_address(block: dict[str, str], name: str) -> str | None:
    value = block.get(name, "")
    if not value:
        return None
    kind, sep, rest = value.partition(";")
    if not sep or "@" in kind:
        rest = value
    return clean_address(rest, lenient=True)


def _recipient_addresses(blocks: list[dict[str, str]]) -> list[str | None]:
    """Each block's recipient: the Original-Recipient (what was sent) when given, else the
    Final-Recipient; but when one original address expanded to several final ones (an
    alias), the final ones, which say which of them failed."""
    originals = [_field_address(b, "original-recipient") for b in blocks]
    finals = [_field_address(b, "final-recipient") or _field_address(b, "x-actual-recipient")
              for b in blocks]
    finals_of: dict[str | None, set[str | None]] = {}
    for original, final in zip(originals, finals, strict=True):
        finals_of.setdefault(original, set()).add(final)
    chosen: list[str | None] = []
    for original, final in zip(originals, finals, strict=True):
        shared = original is not None and len(finals_of[original]) > 1
        chosen.append(final if (shared and final) or original is None else original)
    return chosen


def dsn_recipients(facts: Facts) -> tuple[list[_Recipient], bool]:
    """The per-recipient blocks of every delivery-status part; and whether any part was seen."""
    recipients: list[_Recipient] = []
    seen = False
    for part, content_type in facts.parts:
        if content_type not in DSN_TYPES:
            continue
        seen = True
        blocks = [b for b in _field_blocks(_dsn_text(part))
                  if "final-recipient" in b or "original-recipient" in b]
        for block, address in zip(blocks, _recipient_addresses(blocks), strict=True):
            if address is None:
                continue
            status_field = block.get("status", "")
            recipients.append(_Recipient(
                address=address,
                action=block.get("action", "").strip().lower(),
                status=first_status(status_field),
                diagnostic=_diagnostic_words(block.get("diagnostic-code", "")),
            ))
    return recipients, seen


def _diagnostic_words(value: str) -> str:
    kind, sep, rest = value.partition(";")
    if sep and re.fullmatch(r"\s*[A-Za-z][A-Za-z0-9-]*\s*", kind):
        return rest.strip()
    return value.strip()


_SUCCESS_ACTIONS = ("deliver", "relay", "expand")


def _from_dsn(facts: Facts) -> Bounce | Literal[False] | None:
    """A Bounce from the delivery-status parts; False for a success-only report; None when
    there is no usable delivery-status part."""
    recipients, seen = dsn_recipients(facts)
    if not seen or not recipients:
        return None
    failed: list[_Recipient] = []
    delayed: list[_Recipient] = []
    for rcpt in recipients:
        action = rcpt.action
        status_class = rcpt.status[0] if rcpt.status else ""
        if action.startswith(_SUCCESS_ACTIONS):
            continue
        if action.startswith("delay") or (not action.startswith(("fail", "error"))
                                          and status_class == "4"):
            delayed.append(rcpt)
        elif action.startswith(("fail", "error", "undeliver", "bounce", "reject")) or (
            status_class == "5"
        ):
            failed.append(rcpt)
    chosen = failed or delayed
    if not chosen:
        return False
    words = " ".join(r.diagnostic for r in chosen)
    if is_challenge_text(words) or is_challenge_text(facts.notification[:2000]):
        return False
    status = next((r.status for r in chosen if r.status and r.status != "5.0.0"),
                  next((r.status for r in chosen if r.status), None))
    if status is None:
        status = first_status(report_lines(facts.notification)) if failed else None
    context = words + "\n" + facts.notification
    if failed:
        kinds = [classify(r.status, r.diagnostic or context) for r in failed]
        if any(k is None for k in kinds) and not words.strip():
            kinds = [classify(r.status, context) for r in failed]
        kind: BounceType | None = (
            "hard" if "hard" in kinds else "soft" if kinds and all(k == "soft" for k in kinds)
            else None
        )
    else:
        kind = "soft"
    return Bounce(
        failed_recipients=unique(r.address for r in chosen if r.address not in facts.own
                                  or len(chosen) == 1),
        bounce_type=kind,
        status=status,
        diagnostic=shorten(words) or notification_diagnostic(facts.notification),
        detector="rfc3464",
    )
