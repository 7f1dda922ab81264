"""The lists this installation runs, found by address, and the tokens members carry.

Every list module takes a `Lists`: the server settings, every list's config, and the DMARC
policy lookup (behind `DmarcPolicies`, so tests never touch the network).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from outreach.inbound.door import split_address
from outreach.lists.config import ListConfig
from outreach.mail.tokens import make_token, read_token, tagged_address
from outreach.settings import Settings

# The kind letter of a member's token (in their leave address and one-click link), and of
# a join or leave request's confirmation token.
MEMBER_TOKEN = "l"
REQUEST_TOKEN = "q"


class DmarcPolicies(Protocol):
    def policy(self, domain: str) -> str | None:
        """The DMARC policy `domain` publishes ("none", "quarantine", "reject"), or None
        when it publishes none (or it cannot be known now)."""


@dataclass
class Lists:
    settings: Settings
    configs: dict[str, ListConfig]
    dmarc: DmarcPolicies

    @property
    def key(self) -> bytes:
        return self.settings.require_secret_key()

    @property
    def templates_dir(self) -> Path | None:
        return self.settings.templates_dir

    def get(self, name: str) -> ListConfig | None:
        return self.configs.get(name)

    def at(self, address: str, suffix: str | None = None) -> tuple[ListConfig, str] | None:
        """The list `address` belongs to, as its posting address (`suffix` None) or as
        its `-suffix` address, with the address's tag ("" when untagged)."""
        base, tag, domain = split_address(address)
        for config in self.configs.values():
            if domain != config.domain:
                continue
            wanted = config.local_part if suffix is None else config.derived_local_part(suffix)
            if base == wanted:
                return config, tag
        return None

    def first_at(self, addresses: Iterable[str],
                 suffix: str | None = None) -> tuple[ListConfig, str] | None:
        for address in addresses:
            found = self.at(address, suffix)
            if found is not None:
                return found
        return None


def member_token(key: bytes, member_id: int) -> str:
    return make_token(key, MEMBER_TOKEN, member_id)


def member_of_token(key: bytes, token: str) -> int | None:
    found = read_token(key, token)
    return found[1] if found is not None and found[0] == MEMBER_TOKEN else None


def request_token(key: bytes, request_id: int) -> str:
    return make_token(key, REQUEST_TOKEN, request_id)


def request_of_token(key: bytes, token: str) -> int | None:
    found = read_token(key, token)
    return found[1] if found is not None and found[0] == REQUEST_TOKEN else None


def leave_address(config: ListConfig, token: str) -> str:
    """A member's own unsubscribe address: mail to it leaves at once, no confirmation."""
    return tagged_address(config.derived_local_part("leave"), token, config.domain)


def confirm_address(config: ListConfig, token: str) -> str:
    """Where a join or leave request is confirmed by replying."""
    return tagged_address(config.derived_local_part("request"), token, config.domain)


def unsubscribe_url(settings: Settings, token: str) -> str:
    """A member's RFC 8058 one-click unsubscribe link, served by the web app."""
    return f"{settings.public.base_url.rstrip('/')}/list-unsubscribe/{token}"


@dataclass
class KnownDmarcPolicies:
    """Policies given up front, by domain (tests, and installations without DNS)."""

    policies: dict[str, str]

    def policy(self, domain: str) -> str | None:
        return self.policies.get(domain.lower())
