"""Who sent a message, as far as its headers let us know.

A message may act for a person only when it names exactly one author, no different
`Sender`, and the receiving server we trust (its authserv-id in `Authentication-Results`,
RFC 8601) did not see DMARC or SPF fail. Headers from any other server are the sender's
own words and prove nothing, so they are ignored. Features decide what an author may do;
this module only says who the author is and what casts doubt on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses

from outreach.inbound.message import header

# Enough for any real Authentication-Results header; a crafted one is not read further.
MAX_RESULTS_HEADERS = 20
MAX_HEADER_CHARS = 4000
_RESULT = re.compile(r"\b(dmarc|spf)\s*=\s*([a-z]+)", re.I)


@dataclass(frozen=True)
class Author:
    """The one address a message comes from, or why it cannot be said."""

    address: str | None
    doubt: str | None  # None: nothing casts doubt on `address`


def _addresses(value: str) -> list[str]:
    return [a.strip().lower() for _, a in getaddresses([value]) if "@" in a]


def failed_checks(msg: EmailMessage, trusted_authserv_id: str | None) -> list[str]:
    """The DMARC and SPF results other than pass/none/neutral that the trusted server
    recorded, as "dmarc=fail"; empty when no server is trusted or it said nothing."""
    if not trusted_authserv_id:
        return []
    trusted = trusted_authserv_id.strip().lower()
    failed: list[str] = []
    values = msg.get_all("Authentication-Results", failobj=[])[:MAX_RESULTS_HEADERS]
    for value in values:
        text = str(value)[:MAX_HEADER_CHARS]
        authserv = text.split(";", 1)[0].strip().split()[0].lower() if text.strip() else ""
        if authserv != trusted:
            continue
        for method, result in _RESULT.findall(text):
            if result.lower() in ("fail", "softfail", "permerror"):
                failed.append(f"{method.lower()}={result.lower()}")
    return failed


def author(msg: EmailMessage, trusted_authserv_id: str | None = None) -> Author:
    """The message's single author and anything that casts doubt on it."""
    from_values = msg.get_all("From", failobj=[])
    addresses = [a for value in from_values[:5] for a in _addresses(str(value))]
    if len(from_values) != 1 or len(addresses) != 1:
        return Author(None, f"From names {len(addresses)} addresses in {len(from_values)} "
                            "header(s), not exactly one")
    address = addresses[0]
    sender = _addresses(header(msg, "Sender"))
    if sender and sender != [address]:
        return Author(address, f"Sender {', '.join(sender)} differs from From {address}")
    failed = failed_checks(msg, trusted_authserv_id)
    if failed:
        return Author(address, f"{trusted_authserv_id} recorded {', '.join(failed)} "
                               f"for {address}")
    return Author(address, None)
