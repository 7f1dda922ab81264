"""HMAC-signed tokens carried in addresses, so replies and bounces trace back to their cause.

A token looks like ``t42-k3x9q2mfz7ab1c0d``: a kind letter, a number, and a truncated
HMAC-SHA256 in lower-case base32 (addresses are case-insensitive in practice).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable

TOKEN = re.compile(r"^(?P<kind>[a-z])(?P<number>[0-9]{1,18})-(?P<mac>[a-z2-7]{16})$")


def _mac(key: bytes, kind: str, number: int) -> str:
    digest = hmac.new(key, f"{kind}:{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode().lower()


def make_token(key: bytes, kind: str, number: int) -> str:
    if not (len(kind) == 1 and kind.isalpha() and kind.islower()):
        raise ValueError(f"token kind must be one lower-case letter, not {kind!r}")
    return f"{kind}{number}-{_mac(key, kind, number)}"


def read_token(key: bytes, token: str) -> tuple[str, int] | None:
    """The (kind, number) a genuine token carries, or None for anything forged or garbled."""
    match = TOKEN.match(token.strip().lower())
    if match is None:
        return None
    kind, number = match["kind"], int(match["number"])
    if not hmac.compare_digest(match["mac"], _mac(key, kind, number)):
        return None
    return kind, number


def tagged_address(local_part: str, token: str, domain: str) -> str:
    """``local+token@domain`` (sub-addressing, understood by Postfix, Dovecot, Exim, Gmail)."""
    return f"{local_part}+{token}@{domain}"


def token_number(key: bytes, addresses: Iterable[str], *, local_part: str, domain: str,
                 kind: str) -> int | None:
    """The number a genuine `kind` token carries in the first of `addresses` shaped
    `local_part+token@domain`; None when no such address carries one that checks out."""
    for address in addresses:
        if address.strip().strip("<>").rpartition("@")[2].lower() != domain.lower():
            continue
        token = token_from_address(address, local_part)
        found = read_token(key, token) if token else None
        if found is not None and found[0] == kind:
            return found[1]
    return None


def token_from_address(address: str, local_part: str) -> str | None:
    local, _, _domain = address.strip().strip("<>").rpartition("@")
    prefix = f"{local_part}+"
    if not local.lower().startswith(prefix.lower()):
        return None
    return local[len(prefix):]
