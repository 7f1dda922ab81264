"""The coalition mailing list as a feature: its addresses, mail kinds and jobs.

Every list's addresses come first at the door, before the campaign's: mail to a list is
list mail, whatever else it was copied to. Each address shape has one handler:

    coalition@…                      a post               (posting.PostAddress)
    coalition-moderate+<token>@…     a moderator decides  (moderation.ModerationReplies)
    coalition-join@…, -leave@…       subscription asked   (subscriptions)
    coalition-leave+<member token>@… a member leaves at once
    coalition-request@…              commands; +<token>: a confirmation
    coalition-owner@…                forwarded to the owners
    coalition-bounces@…              dropped (bounce scoring comes with the digest issue)
"""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session

from outreach.app import App
from outreach.db.session import transaction
from outreach.feature import Contribution, Job, PersonalData
from outreach.inbound.classify import sort_mail
from outreach.inbound.door import Route, recipients
from outreach.inbound.message import header
from outreach.lists import moderation, personal_data, posting, signers
from outreach.lists.config import load_lists
from outreach.lists.distribution import LIST_COPY, ListCopyComposer
from outreach.lists.dmarc import DnsDmarcPolicies
from outreach.lists.notices import notice
from outreach.lists.registry import Lists
from outreach.lists.subscriptions import JoinAddress, LeaveAddress, RequestAddress
from outreach.mail.compose import one_line
from outreach.mail.handling import Handled
from outreach.mail.models import InboundMessage
from outreach.mail.outbox import OutboxHooks

log = logging.getLogger(__name__)

OWNER_ROUTE = "list.owner"
BOUNCES_ROUTE = "list.bounces"
JOIN_ROUTE = "list.join"
LEAVE_ROUTE = "list.leave"
REQUEST_ROUTE = "list.request"


class ListFeature:
    name = "lists"
    personal_data: tuple[PersonalData, ...] = (PersonalData(personal_data.KEY, personal_data.export,
                                  personal_data.forget),)

    def __init__(self) -> None:
        self._lists: Lists | None = None

    def lists(self, app: App) -> Lists:
        if self._lists is None:
            self._lists = Lists(app.settings, load_lists(app.settings.lists_dir),
                                DnsDmarcPolicies())
        return self._lists

    def contribute(self, app: App) -> Contribution:
        lists = self.lists(app)
        return Contribution(
            routes=[
                (_route(lists, posting.ROUTE, None, tagged=False, shape="<list>@…"),
                 posting.PostAddress(lists)),
                (_route(lists, moderation.ROUTE, "moderate", tagged=True,
                        shape="<list>-moderate+<token>@…"),
                 moderation.ModerationReplies(lists)),
                (_route(lists, JOIN_ROUTE, "join", tagged=False, shape="<list>-join@…"),
                 JoinAddress(lists)),
                (_route(lists, LEAVE_ROUTE, "leave", tagged=None,
                        shape="<list>-leave[+<token>]@…"), LeaveAddress(lists)),
                (_route(lists, REQUEST_ROUTE, "request", tagged=None,
                        shape="<list>-request[+<token>]@…"), RequestAddress(lists)),
                (_route(lists, OWNER_ROUTE, "owner", tagged=False, shape="<list>-owner@…"),
                 OwnerAddress(lists)),
                (_route(lists, BOUNCES_ROUTE, "bounces", tagged=None,
                        shape="<list>-bounces@…"), BouncesAddress()),
            ] if lists.configs else [],
            hooks=OutboxHooks(composers={LIST_COPY: ListCopyComposer(lists)}, unkept={LIST_COPY}),
            jobs=[Job("lists.signers", self._sync_signers),
                  Job("lists.expire_held", self._expire_held)],
        )

    def start(self, app: App, now: datetime) -> None:
        del now
        names = ", ".join(self.lists(app).configs) or "none"
        log.info("%d list(s): %s", len(self.lists(app).configs), names)

    def _sync_signers(self, app: App, now: datetime) -> int:
        """Returns the welcomes queued (a member taken off is sent nothing)."""
        lists = self.lists(app)
        welcomed = 0
        for config in lists.configs.values():
            if config.subscribe_signers_of:
                with transaction(app.factory) as session:
                    welcomed += signers.sync_signers(session, lists, config, now).subscribed
        return welcomed

    def _expire_held(self, app: App, now: datetime) -> int:
        with transaction(app.factory) as session:
            return moderation.expire_held(session, self.lists(app), now)


def lists_of(app: App) -> Lists:
    """The lists `app` runs (for the command line and tests)."""
    for feature in app.features:
        if isinstance(feature, ListFeature):
            return feature.lists(app)
    raise LookupError("the lists feature is not installed")


def _route(lists: Lists, handler: str, suffix: str | None, *, tagged: bool | None,
           shape: str) -> Route:
    """A door route claiming `suffix` addresses of every list: tagged only (True),
    untagged only (False) or both (None)."""

    def claims(address: str) -> bool:
        found = lists.at(address, suffix)
        return found is not None and (tagged is None or bool(found[1]) == tagged)

    return Route(handler, claims, shape)


class OwnerAddress:
    """Mail to the owners reaches them, attached to a note from the list; machine mail
    (bounces, automatic replies) is only recorded."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        found = self.lists.first_at(recipients(msg), "owner")
        sorted_ = sort_mail(msg, read_text=False)
        if found is None or sorted_.kind != "human":
            return Handled(f"list:owner_{sorted_.kind}", kind=sorted_.kind)
        config, _ = found
        for owner in config.owners:
            notice(session, config=config, templates_dir=self.lists.templates_dir,
                   kind="list_owner", to=owner, template="owner_forward",
                   context={"subject": one_line(header(msg, "Subject"))}, now=now, attach=row.raw)
        return Handled("list:owner_forwarded", kind="human")


class BouncesAddress:
    """Bounces of list mail: dropped for now; member bounce scoring plugs in here."""

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        del session, row, now
        return Handled("list:bounce_dropped", kind=sort_mail(msg, read_text=False).kind)

