"""The non-standard reports mail servers still send, read from their notification text
(the part before the returned copy of the message). Each shape of report has its finder
(`FINDERS`, asked in order); the report is taken only when the headers or the wording
say the message is a delivery report. Quoted lines ("> ") never count as wording, so a
person who quotes or forwards a bounce is not one. `X-Failed-Recipients` (Exim, Gmail)
names the addresses when nothing better does."""

from __future__ import annotations

import re

from outreach.inbound.bounces.addresses import addresses_in, unique
from outreach.inbound.bounces.aol import BareUserNames
from outreach.inbound.bounces.challenge import is_challenge_text
from outreach.inbound.bounces.classify import (
    HARD_WORDS,
    SOFT_WORDS,
    classify,
    first_status,
    notification_diagnostic,
    report_lines,
    unquoted,
)
from outreach.inbound.bounces.common import Bounce, Verdict
from outreach.inbound.bounces.evidence import Evidence
from outreach.inbound.bounces.exim import Exim
from outreach.inbound.bounces.facts import Facts
from outreach.inbound.bounces.labelled import Labelled
from outreach.inbound.bounces.listed import Listed
from outreach.inbound.bounces.mentioned import Mentioned
from outreach.inbound.bounces.qmail import AngleColon
from outreach.inbound.bounces.report import Finder, Found, Report
from outreach.inbound.bounces.vendors import vendor_name
from outreach.inbound.message import header

# Asked in order; the first that finds its shape names the addresses.
FINDERS: tuple[Finder, ...] = (
    AngleColon(), Labelled(), Exim(), Listed(), BareUserNames(), Mentioned(),
)

# Wording that only delivery reports use (checked on unquoted notification lines).
_REPORT_WORDS = re.compile(
    r"could\s*n[o']t\s+be\s+deliver|can\s*n[o']?t\s+be\s+deliver|was\s+not\s+deliver|"
    r"were\s+not\s+deliver|has\s+not\s+(?:yet\s+)?been\s+deliver|not\s+(?:been\s+)?delivered\s+to|"
    r"unable\s+to\s+deliver|undeliverable|delivery\s+(?:to\s+the\s+following|has\s+failed|"
    r"failed|failure|problem|attempts|of\s+(?:e-?mail|your\s+message)\s+to)|"
    r"permanent\s+(?:fatal\s+)?errors?|fatal\s+errors?|did\s+not\s+reach|failed\s+permanently|"
    r"i'm\s+sorry\s+to\s+have\s+to\s+inform\s+you|qmail-send\s+program|"
    r"mail\s+delivery\s+software|delivery\s+status\s+notification|"
    r"following\s+(?:address|recipient|user)s?(?:\(es\)|\(s\))?\s+(?:had|failed|"
    r"did|could|was|were)|returned\s+(?:mail|to\s+sender)|message\s+(?:was\s+)?returned|"
    r"failed\s+recipients|failed\s+address|undelivered|not\s+able\s+to\s+deliver|"
    r"wasn'?t\s+able\s+to\s+deliver|"
    r"error\s+(?:occurred\s+)?(?:during|while)\s+deliver|delivery\s+(?:was\s+)?aborted|"
    r"intended\s+recipient|encountered\s+delivery\s+problems|message\s+could\s+not\s+be|"
    r"will\s+be\s+retried|still\s+being\s+retried|could\s+not\s+deliver|"
    r"not\s+yet\s+been\s+delivered|mail\s+to\s+the\s+following\s+recipients|"
    r"invalid\s+final\s+delivery|your\s+mail\s+cannot\s+be\s+delivered|"
    r"non[\s-]?delivery|the\s+recipient\s+name\s+is\s+not\s+recognized|"
    r"did\s+not\s+exactly\s+match|address\s+to\s+which\s+your\s+message\s+was\s+addressed|"
    r"rejected\s+your\s+message|(?:message|mail)\s+(?:to\s+\S+\s+)?was\s+rejected|"
    r"delivery\s+to\s+.{1,80}\s+failed|error\s+was\s+detected\s+while\s+processing|"
    r"affected\s+recipients?|delivery\s+failed|has\s+been\s+postponed|failure\s+reasons?\b|"
    r"message\s+not\s+delivered|not\s+delivered\s+to\s+the\s+following|"
    r"n'a\s+pas\s+pu\s+(?:etre|être)\s+(?:d[ée]livr|remis|distribu)|"
    r"konnte\s+nicht\s+zugestellt|nicht\s+zugestellt\s+werden|no\s+(?:pudo|ha\s+podido)\s+ser\s+"
    r"entregad|non\s+(?:è|e)\s+stato\s+(?:consegnat|recapitat)|kon\s+niet\s+worden\s+"
    r"(?:afgeleverd|bezorgd)|не\s+может\s+быть\s+доставлен",
    re.IGNORECASE,
)

# A warning that delivery is still being tried, unless the report says it was given up.
_DELAYED = re.compile(
    r"not\s+yet\s+been\s+delivered|will\s+be\s+retried|still\s+being\s+retried|"
    r"warning\s+only|delivery\s+attempts\s+will\s+continue|this\s+is\s+a\s+warning|"
    r"delayed|no\s+action\s+is\s+required|has\s+been\s+postponed|will\s+continue\s+to\s+try",
    re.IGNORECASE,
)
_GIVEN_UP = re.compile(r"permanent|fatal|failed\s+permanently|giving\s+up|gave\s+up", re.I)
_LIST_SUBJECT = re.compile(r"\s*\[")  # "[list-name] ..."
_WORDED = re.compile(r"[^\W\d_]")


class Notification:
    """A free-text report: the failed addresses its finders name, when it is one."""

    def detect(self, facts: Facts) -> Verdict:
        ev = facts.evidence
        failed_header = [a for a in addresses_in(header(facts.msg, "X-Failed-Recipients"))
                         if a not in facts.own]
        if facts.has_headers and not ev.any and not failed_header:
            return None  # nothing in the headers says "report": a person's mail (the fast path)
        return _from_text(facts, ev, failed_header)


def _lead(text: str, lines: int = 4) -> str:
    """The first few lines with words in them: where a report states what went wrong. The
    To / Subject / Sent lines some reports repeat from the message first do not count."""
    worded = [line for line in report_lines(text).split("\n") if _WORDED.search(line)]
    return "\n".join(worded[:lines])


def _find(report: Report) -> Found:
    for finder in FINDERS:
        found = finder.find(report)
        if found is not None:
            return found
    return Found([], "", False)


def _from_text(facts: Facts, ev: Evidence, failed_header: list[str]) -> Bounce | None:
    if ev.list_post and (ev.reply or not ev.subject or _LIST_SUBJECT.match(facts.subject)):
        return None
    words = unquoted(facts.notification)
    if is_challenge_text(words):
        return None
    lead = _lead(words)
    found = _find(Report(facts, loose=ev.sender or ev.report))
    if failed_header:
        accepted = True
    elif not facts.has_headers:
        accepted = bool(_REPORT_WORDS.search(lead)) or (
            found.structural and bool(_REPORT_WORDS.search(words)))
    elif (ev.sender and ev.subject) or ev.report:
        accepted = (found.structural or (ev.sender and ev.subject and ev.report)
                    or bool(_REPORT_WORDS.search(words) or HARD_WORDS.search(words)
                            or SOFT_WORDS.search(words)))
    elif ev.sender or (ev.subject and not ev.reply):
        accepted = found.structural or bool(_REPORT_WORDS.search(lead) or HARD_WORDS.search(lead))
    elif ev.subject:  # a reply or forward whose subject reads like a report
        accepted = bool(_REPORT_WORDS.search(lead)) and found.rule in (
            "angle", "labelled", "exim", "listed")
    else:
        accepted = False
    if not accepted:
        return None
    addresses, rule = found.addresses, found.rule
    if failed_header and set(failed_header) != set(addresses):
        addresses, rule = failed_header, "x-failed-recipients"
    if not addresses and not ((ev.sender and ev.subject) or ev.report):
        return None  # a report that names no address must at least come as one
    status = first_status(report_lines(words))
    delayed = bool(_DELAYED.search(words + "\n" + facts.subject)) and not _GIVEN_UP.search(words)
    return Bounce(
        failed_recipients=unique(addresses),
        bounce_type=classify(status, words + "\n" + facts.subject, delayed),
        status=status,
        diagnostic=notification_diagnostic(words),
        detector=vendor_name(facts, words, rule),
    )
