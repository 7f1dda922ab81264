"""What a feature contributes to the running service, and how the service asks for it.

A feature (the campaign, the mailing list, calls, the web app) is a package that owns its
nouns. It plugs into the pipes only through this interface: the addresses it receives
mail at (door routes) and the handler of each, its mail kinds (a composer run when a row
is claimed, and what to do when one fails or bounces), and its jobs (plain functions of
the app and `now`, woken by the daemon's clock). `outreach.features` lists the features
installed; the daemon, the door and the outbox iterate over what they register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from outreach.inbound.door import Route
from outreach.mail.handling import Handler
from outreach.mail.outbox import OutboxHooks

if TYPE_CHECKING:
    from outreach.app import App


@dataclass(frozen=True)
class Job:
    """Work the clock wakes on every planning tick; returns how many messages it queued."""

    name: str
    run: Callable[[App, datetime], int]


@dataclass
class Contribution:
    """Everything one feature registers."""

    routes: list[tuple[Route, Handler]] = field(default_factory=list)
    hooks: OutboxHooks = field(default_factory=OutboxHooks)
    jobs: list[Job] = field(default_factory=list)


@dataclass(frozen=True)
class PersonalData:
    """What a feature holds about a person beyond their contact, targets and mail (which
    `outreach contacts export` and `forget` handle themselves), found by their address in
    normal form: `export` gives it as JSON-ready data under `key`; `forget` erases it and
    says what it erased, in words ("2 list membership(s) removed"). Neither needs the
    feature's config: a person may be forgotten while a config file is broken."""

    key: str
    export: Callable[[Session, str], Any]
    forget: Callable[[Session, str, datetime], str]


class Feature(Protocol):
    name: str
    # What it holds about people, for their export and their forgetting.
    personal_data: tuple[PersonalData, ...]

    def contribute(self, app: App) -> Contribution:
        """The routes, mail kinds and jobs of this feature, for `app`."""

    def start(self, app: App, now: datetime) -> None:
        """Called once when a daemon starts, before its first job."""

