"""Challenge-response systems: the recipient's filter asks the sender to prove themselves.
The address works (the person has to click), so these are never bounces."""

from __future__ import annotations

import re

# Challenge-response systems: the recipient's filter asks the sender to prove themselves.
_CHALLENGE = re.compile(
    r"sender\s+not\s+pre-?approved|(?:server|sender|message|e-?mail)\s+requires\s+"
    r"(?:your\s+)?confirmation|confirm\s+this\s+mail\s+server|"
    r"add\s+yourself\s+to\s+(?:my|the\s+recipient'?s?)\s+(?:guest|approved|allowed|safe|white)|"
    r"(?:my|recipient'?s?)\s+(?:\w+\s+)?(?:guest|approved\s+senders?|allowed\s+senders?|"
    r"safe\s+senders?)\s+list|list\s+of\s+approved\s+senders|message\s.{0,80}\b(?:has\s+been|was)\s+waitlisted|"
    r"challenge[\s-]response|verify\s+(?:that\s+)?you\s+are\s+(?:a\s+)?(?:human|real\s+person|"
    r"not\s+a\s+(?:robot|spammer))|only\s+(?:accept|allow)\s+(?:incoming\s+)?(?:messages|mail|"
    r"e-?mail)\s+(?:only\s+)?from\s+(?:senders\s+)?(?:i|we)\s+have\s+approved|"
    r"allow\s+incoming\s+messages\s+only\s+from\s+senders|"
    r"to\s+have\s+your\s+address\s+added\s+to|click\s+(?:on\s+)?the\s+(?:following\s+)?link\s+"
    r"(?:below\s+)?to\s+(?:be\s+added|deliver\s+your\s+message|have\s+your\s+(?:address|"
    r"message))",
    re.IGNORECASE,
)


def is_challenge_text(text: str) -> bool:
    """True when a report's words are a challenge-response system asking the sender to act."""
    return bool(_CHALLENGE.search(text))
