"""A gateway that wraps the real report in a message of its own: the report is read from
the attached message, when the outer one comes from the mail system or says it is a
report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from email.message import EmailMessage, Message

from outreach.inbound.bounces.common import Detector, Verdict, run
from outreach.inbound.bounces.facts import Facts


class AttachedReport:
    """Runs `inner` (the detectors for the attached report) on each attached message."""

    def __init__(self, inner: Sequence[Detector]) -> None:
        self.inner = tuple(inner)

    def detect(self, facts: Facts) -> Verdict:
        ev = facts.evidence
        if not (ev.sender or ev.subject):
            return None
        for inner in _attached_messages(facts.parts):
            found = run(self.inner, inner)
            if found is not None:
                return found
        return None


def _attached_messages(parts: list[tuple[Message, str]]) -> Iterator[EmailMessage]:
    for part, content_type in parts[1:]:
        if content_type != "message/rfc822":
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
            yield payload[0]
