"""Personal web links carried in campaign mail, signed like the reply-address tokens.

A link token is ``<purpose letter><number>.<expiry>.<mac>``: the purpose (``s`` sign a
target's letter, ``k`` keep or withdraw a signer's signature, ``u`` unsubscribe a contact),
the row it is bound to, the last day it is good for (days since 1970-01-01, ``0`` for a link
that does not expire) and a truncated HMAC-SHA256 over all three in lower-case base32. A
changed letter, number or day breaks the MAC, so a link cannot be pointed at another row or
kept alive past its day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum

EPOCH = date(1970, 1, 1)
LINK_TOKEN = re.compile(r"^(?P<purpose>[a-z])(?P<number>[0-9]{1,18})\.(?P<day>[0-9]{1,6})"
                        r"\.(?P<mac>[a-z2-7]{26})$")


class Purpose(Enum):
    SIGN = "s"  # a target's sign form
    KEEP_OR_WITHDRAW = "k"  # a signer's choice after a change or reissue notice
    UNSUBSCRIBE = "u"  # a contact's one-click unsubscribe


@dataclass(frozen=True)
class LinkToken:
    purpose: Purpose
    number: int
    last_day: date | None


def _mac(key: bytes, purpose: Purpose, number: int, day: int) -> str:
    message = f"link:{purpose.value}:{number}:{day}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.b32encode(digest[:16]).decode().lower().rstrip("=")


def make_link_token(key: bytes, purpose: Purpose, number: int,
                    last_day: date | None = None) -> str:
    day = 0 if last_day is None else (last_day - EPOCH).days
    return f"{purpose.value}{number}.{day}.{_mac(key, purpose, number, day)}"


def read_link_token(key: bytes, token: str) -> LinkToken | None:
    """What a genuine token carries (expired or not), or None for anything forged or garbled."""
    match = LINK_TOKEN.match(token.strip().lower())
    if match is None:
        return None
    try:
        purpose = Purpose(match["purpose"])
    except ValueError:
        return None
    number, day = int(match["number"]), int(match["day"])
    if not hmac.compare_digest(match["mac"], _mac(key, purpose, number, day)):
        return None
    return LinkToken(purpose, number, None if day == 0 else EPOCH + timedelta(days=day))


def expired(token: LinkToken, now: datetime) -> bool:
    return token.last_day is not None and now.date() > token.last_day


def link(base_url: str, path: str, token: str) -> str:
    """``{base_url}/{path}/{token}`` with exactly one slash at each join."""
    return f"{base_url.rstrip('/')}/{path.strip('/')}/{token}"


# The paths of the web app (`outreach.web.app`) that mail links to, under [public] base_url.
DRAFT_PATH = "d"
SIGN_PATH = "sign"
KEEP_PATH = "keep"
UNSUBSCRIBE_PATH = "unsubscribe"


def sign_link(key: bytes, base_url: str, target_id: int, hard_deadline: datetime) -> str:
    """A target's sign form, good until the end of the hard deadline's day (UTC)."""
    token = make_link_token(key, Purpose.SIGN, target_id, hard_deadline.date())
    return link(base_url, SIGN_PATH, token)


def keep_link(key: bytes, base_url: str, target_id: int) -> str:
    """A signer's keep-or-withdraw page: it does not expire, since a signer may always
    take their name off."""
    return link(base_url, KEEP_PATH, make_link_token(key, Purpose.KEEP_OR_WITHDRAW, target_id))


def unsubscribe_link(key: bytes, base_url: str, contact_id: int) -> str:
    """A contact's one-click unsubscribe (RFC 8058): it does not expire, as mail lives on."""
    return link(base_url, UNSUBSCRIBE_PATH,
                make_link_token(key, Purpose.UNSUBSCRIBE, contact_id))


def draft_link(base_url: str, slug: str) -> str:
    """The campaign's draft link that never goes stale: it redirects to the current version."""
    return f"{base_url.rstrip('/')}/{DRAFT_PATH}/{slug}"
