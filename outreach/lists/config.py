"""A coalition mailing list's config: `lists/<name>.toml` beside the campaigns.

The file names the posting address; every other address of the list is derived from it,
as Mailman does: `coalition@valleywater.org` also receives at `coalition-join@`,
`coalition-leave@`, `coalition-request@`, `coalition-owner@`, `coalition-bounces@` and the
moderators' single-use reply addresses `coalition-moderate+<token>@`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from outreach.configfile import read_toml, validate
from outreach.errors import ConfigError

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_ADDRESS = r"^[A-Za-z0-9.!#$%&'*/=?^_`{|}~+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
# The derived addresses, by what mail to them is for.
SUFFIXES = ("join", "leave", "request", "owner", "bounces", "moderate")


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListConfig(Section):
    # The list's short name is its file's name (`coalition.toml` → "coalition").
    slug: str = Field(default="", exclude=True)
    source: Path = Field(default=Path(), exclude=True)

    title: str = Field(min_length=1, max_length=200)
    address: str = Field(pattern=_ADDRESS)
    description: str = ""
    # Sent in the welcome message.
    rules: str = ""
    owners: list[str] = Field(min_length=1)
    moderators: list[str] = []
    # "members": members post freely; "moderated": every post is held; "announce": only
    # owners and moderators post, anything else is held.
    posting: Literal["members", "moderated", "announce"] = "members"
    non_members: Literal["hold", "reject", "discard"] = "hold"
    max_message_kb: int = Field(default=512, ge=1, le=50_000)
    # MIME types kept in posts ("image/*" matches every image); others are stripped from
    # the post, or the post is held, as `other_types` says.
    accepted_types: list[str] = ["text/plain", "text/html", "multipart/*", "image/*",
                                 "application/pdf"]
    other_types: Literal["strip", "hold"] = "strip"
    # Put in front of every subject once; by default "[<slug>]".
    subject_prefix: str | None = Field(default=None, max_length=60)
    # Where replies go: to the list, or to the poster alone.
    reply_to: Literal["list", "poster"] = "poster"
    # Rewrite From to "Name via List <list@…>" (poster in Reply-To) for every post, only
    # for posters whose domain publishes a DMARC policy of quarantine or reject, or never.
    dmarc_rewrite: Literal["always", "strict", "never"] = "strict"
    archive_url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    # Signers of these campaigns (the contact who signed, for as long as the signature
    # stands) are subscribed with a welcome message.
    subscribe_signers_of: list[str] = []
    # Printed above every member's own unsubscribe link at the foot of each post.
    footer: str = ""
    # A held post waits this long for a moderator; its token then no longer works.
    hold_days: int = Field(default=14, ge=1, le=365)

    @field_validator("owners", "moderators")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not re.match(_ADDRESS, v.strip())]
        if bad:
            raise ValueError(f"not email addresses: {bad}")
        return [v.strip().lower() for v in values]

    @field_validator("accepted_types")
    @classmethod
    def _types(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not re.match(r"^[a-z0-9.+-]+/([a-z0-9.+-]+|\*)$", v.lower())]
        if bad:
            raise ValueError(f"not MIME types: {bad} (write them like text/plain or image/*)")
        return [v.lower() for v in values]

    @model_validator(mode="after")
    def _address_is_free(self) -> ListConfig:
        local = self.local_part
        if "+" in local or any(local.endswith(f"-{s}") for s in SUFFIXES):
            raise ValueError(f"address {self.address!r}: its local part must not contain '+' "
                             f"or end in -{'/-'.join(SUFFIXES)}")
        return self

    @property
    def local_part(self) -> str:
        return self.address.rpartition("@")[0].lower()

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2].lower()

    @property
    def posting_address(self) -> str:
        return f"{self.local_part}@{self.domain}"

    def derived(self, suffix: str) -> str:
        """`coalition-join@valleywater.org` for "join"."""
        assert suffix in SUFFIXES, suffix
        return f"{self.local_part}-{suffix}@{self.domain}"

    def derived_local_part(self, suffix: str) -> str:
        return f"{self.local_part}-{suffix}"

    @property
    def list_id(self) -> str:
        """The RFC 2919 List-Id value without brackets: `coalition.valleywater.org`."""
        return f"{self.local_part}.{self.domain}"

    @property
    def prefix(self) -> str:
        return self.subject_prefix if self.subject_prefix is not None else f"[{self.slug}]"

    def is_moderator(self, address: str) -> bool:
        address = address.strip().lower()
        return address in self.moderators or address in self.owners

    def moderator_addresses(self) -> list[str]:
        """Who is told of a held post: the moderators, else the owners."""
        return list(dict.fromkeys(self.moderators or self.owners))


def list_path(lists_dir: Path, slug: str) -> Path:
    return lists_dir / f"{slug}.toml"


def find_lists(lists_dir: Path) -> list[Path]:
    if not lists_dir.is_dir():
        return []
    return sorted(lists_dir.glob("*.toml"))


def load_list(path: Path) -> ListConfig:
    slug = path.stem
    if not NAME.match(slug):
        raise ConfigError(path, [f"the file name {slug!r} must be a short name: lower-case "
                                 "letters, digits and dashes"])
    config = validate(ListConfig, read_toml(path), path)
    config.slug = slug
    config.source = path
    return config


def load_lists(lists_dir: Path) -> dict[str, ListConfig]:
    """Every list in `lists_dir`, failing with every file's problems at once; two lists
    may not share an address."""
    problems: list[ConfigError] = []
    lists: dict[str, ListConfig] = {}
    for path in find_lists(lists_dir):
        try:
            config = load_list(path)
        except ConfigError as exc:
            problems.append(exc)
            continue
        clash = [other.slug for other in lists.values()
                 if other.posting_address == config.posting_address]
        if clash:
            problems.append(ConfigError(path, [f"address: {config.address} is also the "
                                               f"address of list {clash[0]!r}"]))
            continue
        lists[config.slug] = config
    if problems:
        raise ConfigError(lists_dir, [str(p) for p in problems])
    return lists
