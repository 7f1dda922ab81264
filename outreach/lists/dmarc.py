"""The DMARC policy a poster's domain publishes, looked up in DNS (RFC 7489).

A list that resends a post under the poster's own From fails DMARC at the receivers of a
domain that publishes `p=quarantine` or `p=reject`: their copies are junked or refused.
For such posters the list rewrites From (see `outreach.lists.cleanse`), and to know who
they are it asks DNS: the TXT record at `_dmarc.<domain>`, else at the organizational
domain's, where a subdomain policy (`sp=`) applies first. Lookups are short and cached
for an hour; a lookup that fails says "unknown" (None), never waits long.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import dns.exception
import dns.resolver

POLICIES = ("none", "quarantine", "reject")
TIMEOUT_SECONDS = 2.0
CACHE_SECONDS = 3600.0
# Domains remembered at once; posters' domains are few, a flood of new ones is not.
CACHE_SIZE = 10_000


class NoRecord(Exception):
    """The name exists in no form that holds a record (NXDOMAIN, or no TXT there)."""


# The TXT strings at a DNS name; raises NoRecord when there are none, another exception
# when DNS cannot say.
TxtLookup = Callable[[str], list[str]]


def parse_dmarc_record(text: str) -> dict[str, str]:
    """The tags of a DMARC record, by lower-case name ("v=DMARC1; p=reject" ->
    {"v": "DMARC1", "p": "reject"}); {} when `text` is not a DMARC record (its first tag
    must be v=DMARC1). Policy values are lower-cased; a tag given twice keeps its first."""
    first = text.split(";", 1)[0].replace(" ", "").replace("\t", "")
    if first.upper() != "V=DMARC1":
        return {}
    tags: dict[str, str] = {}
    for part in text.split(";"):
        name, equals, value = part.partition("=")
        name = name.strip().lower()
        if equals and name:
            value = value.strip()
            tags.setdefault(name, value.lower() if name in ("p", "sp") else value)
    return tags


def is_strict(policy: str | None) -> bool:
    """True for a policy that makes receivers junk or refuse mail failing DMARC."""
    return policy in ("quarantine", "reject")


def organizational_domain(domain: str) -> str:
    """The last two labels of `domain` (`lists.river.example.org` -> `example.org`): an
    approximation of RFC 7489's, which would need the public suffix list."""
    return ".".join(domain.split(".")[-2:])


def policy_of(records: list[str], *, inherited: bool) -> str | None:
    """The policy the TXT `records` at a `_dmarc` name publish; for a domain below the one
    that holds them (`inherited`), its subdomain policy `sp=` when given. None without
    exactly one DMARC record among them, or with a policy that is not one of RFC 7489's."""
    found = [tags for tags in map(parse_dmarc_record, records) if tags]
    if len(found) != 1:  # RFC 7489 6.6.3: several records count as none
        return None
    tags = found[0]
    policy = tags.get("sp") if inherited and tags.get("sp") in POLICIES else tags.get("p")
    return policy if policy in POLICIES else None


def dns_txt(resolver: dns.resolver.Resolver) -> TxtLookup:
    def lookup(name: str) -> list[str]:
        try:
            answer = resolver.resolve(name, "TXT", search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer) as exc:
            raise NoRecord(name) from exc
        # A long record comes as several strings, to be read as one.
        return [b"".join(rdata.strings).decode("ascii", "replace") for rdata in answer]
    return lookup


def default_resolver() -> dns.resolver.Resolver:
    try:
        resolver = dns.resolver.Resolver()
    except dns.resolver.NoResolverConfiguration:  # no resolv.conf: every lookup says None
        resolver = dns.resolver.Resolver(configure=False)
    resolver.lifetime = TIMEOUT_SECONDS
    resolver.timeout = TIMEOUT_SECONDS
    return resolver


class DnsDmarcPolicies:
    """`DmarcPolicies` from DNS, each domain's answer remembered for an hour."""

    def __init__(self, txt: TxtLookup | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._txt = txt or dns_txt(default_resolver())
        self._clock = clock
        self._cache: dict[str, tuple[float, str | None]] = {}

    def policy(self, domain: str) -> str | None:
        domain = domain.strip().rstrip(".").lower()
        if "." not in domain:
            return None
        now = self._clock()
        cached = self._cache.get(domain)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            policy = self._look_up(domain)
        except (dns.exception.DNSException, ValueError, UnicodeError):
            return None  # not remembered: the next post asks again
        self._remember(domain, policy, now)
        return policy

    def _look_up(self, domain: str) -> str | None:
        own = self._dmarc_records(domain)
        if own:
            return policy_of(own, inherited=False)
        parent = organizational_domain(domain)
        if parent == domain:
            return None
        return policy_of(self._dmarc_records(parent), inherited=True)

    def _dmarc_records(self, domain: str) -> list[str]:
        """The DMARC records at `_dmarc.<domain>` (its other TXT records left out)."""
        try:
            records = self._txt(f"_dmarc.{domain}")
        except NoRecord:
            return []
        return [record for record in records if parse_dmarc_record(record)]

    def _remember(self, domain: str, policy: str | None, now: float) -> None:
        if len(self._cache) >= CACHE_SIZE:
            self._cache = {d: e for d, e in self._cache.items() if e[0] > now}
            while len(self._cache) >= CACHE_SIZE:  # still full: forget the oldest
                del self._cache[next(iter(self._cache))]
        self._cache[domain] = (now + CACHE_SECONDS, policy)
