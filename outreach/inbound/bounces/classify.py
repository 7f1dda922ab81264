"""Hard, soft or unknown: the enhanced status code and the remote server's words; and the
line of a report that gives the reason."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache

from outreach.inbound.bounces.common import BounceType

# An enhanced status code (RFC 3463) of a failure or delay: not a version or an address.
_STATUS_RE = re.compile(r"(?<![\d.])([45])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
_SMTP_CODE_RE = re.compile(r"(?<![\d.#-])([45][0-5]\d)(?:[ -]|$)")

SOFT_WORDS = re.compile(
    r"mail\s*-?box\s+(?:is\s+)?full|mailbox\s+(?:size\s+)?(?:limit\s+)?exceeded|"
    r"(?:over|exceed(?:ed|s)?|exceeding|reached|beyond|overdrawn)\s+(?:the\s+|his\s+|her\s+|"
    r"their\s+|its\s+)?(?:disk(?:\s*space)?\s+|storage\s+|mailbox\s+|mail\s+|allocated\s+|"
    r"account\s+)?(?:quota|storage|limit)|quota\s+(?:exceeded|exceded|full|violation)|"
    r"(?<!no\s)quota|insufficient\s+(?:system\s+)?storage|mailbox\s+exceeds|"
    r"exceeds?\s+(?:the\s+)?allowed\s+size|mail\s*folder\s+is\s+full|box\s+(?:is\s+)?full|"
    r"too\s+(?:much\s+mail|many\s+messages)|zuviele\s+mails|space\s+not\s+enough|"
    r"not\s+enough\s+space|disk\s+(?:space\s+)?(?:full|limit)|(?:is|are)\s+full\b|full\s+mailbox|"
    r"temporar(?:y|ily)|try\s+(?:again\s+)?later|will\s+be\s+retried|"
    r"(?:delivery\s+|message\s+|mail\s+)?delayed|deferr?ed|(?:has\s+)?not\s+yet\s+been\s+delivered|"
    r"still\s+being\s+retried|timed?\s*out|time-?out|expired|too\s+long\s+in\s+(?:the\s+)?queue|"
    r"retry\s+time(?:out)?|maximum\s+delivery\s+attempts|for\s+more\s+than\s+\d+\s+(?:days|hours)|"
    r"cannot\s+send\s+message\s+for\s+\d+\s+days|no\s+answer\s+from\s+host|"
    r"not\s+reachable\s+within|connection\s+(?:timed\s+out|refused)|greylist",
    re.IGNORECASE,
)

HARD_WORDS = re.compile(
    r"user\s+unknown|unknown\s+(?:user|recipient|local[\s-]?part|address|alias|mailbox|account)|"
    r"no\s+such\s+(?:user|recipient|person|address|mailbox|account|local\s+user|domain|host)|"
    r"(?:user|recipient|address|mail-?box|account|addressee)\s+(?:name\s+)?(?:is\s+)?"
    r"(?:unknown|not\s+(?:found|known|recognized|recognised|listed|valid|exist)|"
    r"does\s+not\s+exist|doesn'?t\s+exist|disabled|deactivated|inactive|suspended|"
    r"unavailable|invalid|closed|no\s+longer|removed|deleted|locked|expired)|"
    r"(?:does\s+not|doesn'?t|did\s+not)\s+(?:exist|have\s+an?\s+\S+\s+account|"
    r"have\s+a\s+final\s+e-?mail\s+delivery\s+point)|"
    r"not\s+a(?:n)?\s+(?:valid|active|known)\s+(?:user|recipient|mailbox|address)|"
    r"invalid\s+(?:user|recipient|mailbox|address|e-?mail|final\s+delivery)|"
    r"bad[\s_](?:destination\s+)?(?:mailbox|address|recipient)|badrcptto|"
    r"unrouteable|unroutable|host\s+(?:or\s+domain\s+name\s+)?not\s+found|host\s+unknown|"
    r"domain\s+(?:name\s+)?(?:not\s+found|does\s+not\s+exist|unknown|is\s+not\s+valid)|"
    r"unknown\s+(?:host|domain)|name\s+service\s+error|name\s+or\s+service\s+not\s+known|"
    r"couldn'?t\s+find\s+any\s+host|no\s+mx\s+|dns\s+(?:error|failure)|"
    r"illegal\s+user|not\s+our\s+customer|no\s+mail\s*-?box|"
    r"mail-?box\s+(?:not\s+found|unavailable|does\s+not\s+exist|disabled|inactive|is\s+disabled)|"
    r"deactivated\s+mailbox|disabled\s+mailbox|"
    r"account\s+(?:has\s+been\s+)?(?:disabled|deactivated|closed|terminated|expired|suspended)|"
    r"recipient\s+(?:address\s+)?rejected|addressee\s+unknown|is\s+not\s+a\s+known\s+user|"
    r"has\s+no\s+account|not\s+listed\s+in\s+(?:the\s+)?(?:domino\s+|public\s+)?(?:directory|"
    r"address\s+book)|no\s+longer\s+(?:valid|active|available|exists|with|employed|works|at)|"
    r"address\s+rejected|rejected\s+recipient|"
    r"the\s+email\s+account\s+that\s+you\s+tried\s+to\s+reach|no\s+valid\s+recipients|"
    r"relay(?:ing)?\s+(?:access\s+)?denied|unable\s+to\s+relay|not\s+permitted\s+to\s+relay|"
    r"as\s+a\s+relay|list\s+of\s+allowed\s+rcpthosts|recipient\s+not\s+found|resolver\.adr|"
    r"mail\s+loops|too\s+many\s+hops|loops?\s+back\s+to\s+myself|routing\s+loop|message\s+looping|"
    r"has\s+not\s+been\s+collected|did\s+not\s+exactly\s+match|recipient\s+name\s+is\s+not\s+"
    r"recognized|n'existe\s+pas|existiert\s+nicht|unbekannt|no\s+existe|non\s+esiste",
    re.IGNORECASE,
)

_POLICY_WORDS = re.compile(
    r"spam|blacklist|black\s+list|blocklist|block\s+list|blocked|policy|\brbl\b|"
    r"virus|content\s+(?:rejected|filter)|message\s+(?:content\s+)?rejected|"
    r"not\s+accepting\s+mail|too\s+large|message\s+size|size\s+limit|exceeds?\s+(?:the\s+)?"
    r"(?:maximum|size)|maximum\s+(?:incoming\s+)?message\s+size|attachment|dmarc|\bspf\b|dkim|"
    r"reputation|authenticat|unsolicited|not\s+accepted\s+here|without\s+to:\s+fields",
    re.IGNORECASE,
)
_PERMANENT_WORDS = re.compile(
    r"permanent|fatal|failed\s+permanently|gave\s+up|giving\s+up|given\s+up|"
    r"will\s+not\s+be\s+retried|not\s+be\s+delivered", re.IGNORECASE,
)


def first_status(text: str) -> str | None:
    match = _STATUS_RE.search(text)
    return ".".join(match.groups()) if match else None


def classify(status: str | None, words: str, delayed: bool = False) -> BounceType | None:
    """Hard, soft or unknown, from the enhanced status code and the server's words."""
    if delayed or (status and status.startswith("4.")):
        return "soft"
    wording = _wording(words)
    if wording.soft and not wording.hard:
        return "soft"
    if status in ("5.2.2",):
        return "soft"
    if wording.hard:
        return "hard"
    if status and (status.startswith("5.1.") or status in ("5.2.1", "5.4.4")):
        return "hard"
    if wording.policy or (status and status.startswith(("5.7.", "5.3.", "5.6."))):
        return None
    if (status and status.startswith("5.") and status != "5.0.0") or wording.permanent:
        return "hard"
    return None


class _Wording:
    """Which kinds of reason some words give, each looked for when first asked."""

    def __init__(self, words: str) -> None:
        self.words = words

    @cached_property
    def hard(self) -> bool:
        return bool(HARD_WORDS.search(self.words))

    @cached_property
    def soft(self) -> bool:
        return bool(SOFT_WORDS.search(self.words))

    @cached_property
    def policy(self) -> bool:
        return bool(_POLICY_WORDS.search(self.words))

    @cached_property
    def permanent(self) -> bool:
        return bool(_PERMANENT_WORDS.search(self.words))


# A report of many recipients without their own diagnostic classifies each of them on the
# report's words: those are read once.
@lru_cache(maxsize=8)
def _wording(words: str) -> _Wording:
    return _Wording(words)


def shorten(text: str, limit: int = 300) -> str | None:
    text = " ".join(text.split())
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def unquoted(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.lstrip().startswith(">"))



def notification_diagnostic(text: str) -> str | None:
    """The line of a report that gives the reason: one with an SMTP reply code or a
    status code, else one that says what was wrong (unknown user, mailbox full, ...)."""
    lines = report_lines(text).split("\n")
    for line in lines:
        if _SMTP_CODE_RE.search(line) or _STATUS_RE.search(line):
            return shorten(line)
    for line in lines:
        if HARD_WORDS.search(line) or SOFT_WORDS.search(line) or _POLICY_WORDS.search(line):
            return shorten(line)
    return None


def report_lines(text: str) -> str:
    """The report's own lines: not quoted, not the Subject/To/Date lines it repeats."""
    return "\n".join(line for line in unquoted(text).split("\n")
                     if not HEADERISH_LINE.match(line))


HEADERISH_LINE = re.compile(r"^\s*(?:To|Subject|Sent|Date|Cc|From)\s*:", re.I)
