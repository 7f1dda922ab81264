"""E-mail addresses in report text: the addr-spec pattern and its cleaning."""

from __future__ import annotations

import re
from collections.abc import Iterable

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LOCAL = rf"{_ATOM}+(?:\.{_ATOM}+)*\.?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})+"
ADDRESS = rf"{_LOCAL}@{_DOMAIN}"
# Where a search for ADDRESS can find its leftmost match: not right after an atom
# character, nor after one and a dot (there it would have started earlier). Put in front
# of ADDRESS in a search, it keeps the search linear on a long run of atoms and dots.
ADDRESS_START = r"(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~-])(?<![A-Za-z0-9!#$%&'*+/=?^_`{|}~-]\.)"
_ADDRESS_RE = re.compile(rf"(?<![A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-])({ADDRESS})(?![A-Za-z0-9-])")
_FULL_ADDRESS_RE = re.compile(rf"{ADDRESS}")

# Local parts of the mail system itself: never the failed recipient.
_SYSTEM_LOCALS = frozenset({
    "mailer-daemon", "postmaster", "mail-daemon", "maildaemon", "mailerdaemon",
    "mail.daemon", "mailer_daemon", "nobody", "root", "daemon", "mdaemon",
})


def clean_address(value: str, lenient: bool = False) -> str | None:
    """`value` as a lower-cased addr-spec, or None when it is not one.

    `lenient` takes any "local@domain" without spaces as it is written (a report quoting
    the address it was given between angle brackets, however odd that address is)."""
    value = value.strip().strip("<>\"'()[],;: \t").strip()
    if value.lower().startswith(("rfc822;", "rfc822:")):
        value = value[7:].strip().strip("<>\"' ")
    value = re.sub(r"^(?:smtp|rfc-?822)[=:]", "", value, flags=re.I)
    match = _FULL_ADDRESS_RE.fullmatch(value)
    if not match and not (lenient and re.fullmatch(r"[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+", value)):
        found = _ADDRESS_RE.search(value)
        if not found:
            return None
        value = found.group(1)
    value = value.rstrip(".").lower()
    local = value.rsplit("@", 1)[0]
    if local in _SYSTEM_LOCALS:
        return None
    return value


def unique(addresses: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for address in addresses:
        seen.setdefault(address, None)
    return tuple(seen)


ANGLE = r"<(?P<a>[^<>\s@]+@[^<>\s@]+)>"


def addresses_in(text: str) -> list[str]:
    found = []
    for match in re.finditer(rf"{ANGLE}|(?<![A-Za-z0-9!#$%&'*+/=?^_`{{|}}~.-])(?P<b>{ADDRESS})"
                             r"(?![A-Za-z0-9-])", text):
        angled = match.group("a")
        address = clean_address(angled, lenient=True) if angled else clean_address(
            match.group("b"))
        if address:
            found.append(address)
    return found


def matched(pattern: re.Pattern[str], lines: list[str], lenient: bool = False) -> list[str]:
    """The addresses in group "a" of the lines that `pattern` matches at their start."""
    found = []
    for line in lines:
        match = pattern.match(line)
        address = clean_address(match.group("a"), lenient=lenient) if match else None
        if address:
            found.append(address)
    return found


# Lines whose addresses are never the failed recipient.
NOT_RECIPIENT_LINE = re.compile(
    r"postmaster|contact|support|help\s*desk|assistance|questions|please\s+(?:send|reply|write)|"
    r"reply\s+to|send\s+mail\s+to|\bfrom\s*:|sender|envelope-from|return-path|reporting-mta|"
    r"message-id|sent\s+by|\bcc\s*:|for\s+more\s+information|webmaster|abuse",
    re.IGNORECASE,
)
