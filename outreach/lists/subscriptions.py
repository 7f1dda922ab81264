"""Joining and leaving a list by email, with double opt-in.

Three door routes come here, one handler each:

- `JoinAddress` (`<list>-join@`): the sender asks to join. A request is recorded and a
  confirmation goes to the sender, whose Reply-To is the request's own confirm address
  (`<list>-request+<request token>@`).
- `LeaveAddress`: untagged (`<list>-leave@`), the sender asks to leave, confirmed the same
  way. Tagged with a member's token (`<list>-leave+<member token>@`, the mailto of
  List-Unsubscribe and the welcome message), it unsubscribes that member at once: only
  their own mail carries the token.
- `RequestAddress`: tagged with a request token, a reply that confirms that request, once
  and within `CONFIRM_DAYS`. Untagged, it reads a command from the Subject or the first
  lines the sender wrote: subscribe/join, unsubscribe/leave, help.

Only a person acts: bounces and automatic replies (an out-of-office answering a
confirmation) are ignored, and so is a message without exactly one From address.
Confirmations and notes go only to the address that wrote; a new confirmation is not sent
while one younger than `REASK_AFTER` waits, and at most one short note a day goes to an
address, so a stream of forged requests cannot flood anyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.inbound.authority import author
from outreach.inbound.classify import sort_mail
from outreach.inbound.door import recipients
from outreach.inbound.message import header
from outreach.inbound.visible import visible_text
from outreach.lists import members
from outreach.lists.config import ListConfig
from outreach.lists.members import MembershipError, is_list_address, is_member
from outreach.lists.models import ListMember, ListRequest, MemberStatus, RequestKind
from outreach.lists.notices import MEMBER, notice
from outreach.lists.registry import (
    Lists,
    confirm_address,
    member_of_token,
    request_of_token,
    request_token,
)
from outreach.mail.compose import one_line
from outreach.mail.handling import Handled
from outreach.mail.models import InboundMessage, OutboxMessage

CONFIRM_DAYS = 7
REASK_AFTER = timedelta(days=1)
NOTE_EVERY = timedelta(days=1)
NOTE_KINDS = ("list_note", "list_help")
COMMAND_LINES = 5  # of the sender's own text read for a command
OUTCOME_MAX = 60
Command = Literal["join", "leave", "help"]
COMMANDS: dict[str, Command] = {"subscribe": "join", "join": "join",
                                "unsubscribe": "leave", "leave": "leave", "help": "help"}
_REPLY_PREFIX = re.compile(r"^(?:\s*(?:re|fwd?|aw|sv|tr)\s*:)+", re.IGNORECASE)


@dataclass(frozen=True)
class Person:
    """Who wrote: their address (checked, lower-case) and the name they gave."""

    address: str
    name: str


def _handled(outcome: str, member: ListMember | None = None) -> Handled:
    return Handled(f"list:{outcome}"[:OUTCOME_MAX], kind="human",
                   about_kind=MEMBER if member is not None else None,
                   about_id=member.id if member is not None else None)


@dataclass(frozen=True)
class Arrival:
    """A person's message to one of a list's addresses."""

    config: ListConfig
    tag: str  # of the address it came to ("" when untagged)
    person: Person


def arrive(lists: Lists, msg: EmailMessage, suffix: str) -> Arrival | Handled:
    """Whom the message is from and which list's `-suffix` address it came to, or what
    was done instead (nothing) and why."""
    found = lists.first_at(recipients(msg), suffix)
    if found is None:
        return Handled(f"list:no_{suffix}_address")
    sorted_ = sort_mail(msg, read_text=False)
    if sorted_.kind != "human":
        return Handled("list:ignored_auto", kind=sorted_.kind)
    who = author(msg, lists.settings.mailbox.trusted_authserv_id)
    if who.address is None:
        return _handled("no_single_from")
    if is_list_address(lists, who.address):
        return _handled("from_a_list_address")
    try:
        address = members.normal_address(who.address)
    except MembershipError:
        return _handled("unusable_from_address")
    config, tag = found
    return Arrival(config, tag, Person(address, _name_of(msg, who.address)))


class JoinAddress:
    """Mail to `<list>-join@`: a confirmation goes to the sender."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        arrival = arrive(self.lists, msg, "join")
        if isinstance(arrival, Handled):
            return arrival
        return ask_to_join(session, self.lists, arrival.config, arrival.person, now)


class LeaveAddress:
    """Mail to `<list>-leave@` (confirmed by reply) or `<list>-leave+<member token>@` (at
    once)."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        arrival = arrive(self.lists, msg, "leave")
        if isinstance(arrival, Handled):
            return arrival
        if not arrival.tag:
            return ask_to_leave(session, self.lists, arrival.config, arrival.person, now)
        return self._leave_now(session, arrival.config, arrival.tag, now)

    def _leave_now(self, session: Session, config: ListConfig, tag: str,
                   now: datetime) -> Handled:
        member_id = member_of_token(self.lists.key, tag)
        member = session.get(ListMember, member_id, with_for_update=True) \
            if member_id is not None else None
        if member is None or member.list_name != config.slug:
            return _handled("leave_token_not_ours")
        if member.status == MemberStatus.UNSUBSCRIBED:
            return _handled("already_left", member)
        members.unsubscribe(session, self.lists, config, member.address, by="email", now=now)
        return _handled("left", member)


class RequestAddress:
    """Mail to `<list>-request+<request token>@` (a confirmation) or `<list>-request@`
    (commands)."""

    def __init__(self, lists: Lists) -> None:
        self.lists = lists

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        arrival = arrive(self.lists, msg, "request")
        if isinstance(arrival, Handled):
            return arrival
        config, person = arrival.config, arrival.person
        if arrival.tag:
            return self._confirm(session, config, arrival.tag, now)
        command = read_command(msg)
        if command == "join":
            return ask_to_join(session, self.lists, config, person, now)
        if command == "leave":
            return ask_to_leave(session, self.lists, config, person, now)
        if _note(session, self.lists, config, person.address, now, kind="list_help",
                 template="help", context={"address": person.address}):
            return _handled("help")
        return _handled("help_sent_recently")

    def _confirm(self, session: Session, config: ListConfig, tag: str,
                 now: datetime) -> Handled:
        request_id = request_of_token(self.lists.key, tag)
        request = session.get(ListRequest, request_id, with_for_update=True) \
            if request_id is not None else None
        if request is None or request.list_name != config.slug:
            return _handled("confirm_token_not_ours")
        kind = request.kind.value
        if request.done_at is not None:
            return _handled(f"{kind}_already_done")
        if request.expires_at <= now:
            _close(request, "expired", now)
            _note(session, self.lists, config, request.address, now, template="request_done",
                  context={"what": "expired", "kind": kind, "address": request.address})
            return _handled(f"{kind}_expired")
        if request.kind == RequestKind.JOIN:
            return self._join(session, config, request, now)
        member = members.unsubscribe(session, self.lists, config, request.address, by="email",
                                     now=now)
        _close(request, "confirmed", now)
        return _handled("left" if member is not None else "leave_not_member", member)

    def _join(self, session: Session, config: ListConfig, request: ListRequest,
              now: datetime) -> Handled:
        try:
            member = members.subscribe(session, self.lists, config, request.address,
                                       name=request.display_name, source="email", now=now)
        except MembershipError as exc:
            _close(request, str(exc), now)
            return _handled("join_refused")
        _close(request, "confirmed", now)
        return _handled("joined", member)


def ask_to_join(session: Session, lists: Lists, config: ListConfig, person: Person,
                now: datetime) -> Handled:
    """The sender asked to join: a confirmation, or a note that they are a member."""
    if is_member(session, config.slug, person.address):
        _note(session, lists, config, person.address, now, template="request_done",
              context={"what": "already_member", "kind": "join", "address": person.address})
        return _handled("already_member")
    return _request(session, lists, config, person, RequestKind.JOIN, now)


def ask_to_leave(session: Session, lists: Lists, config: ListConfig, person: Person,
                 now: datetime) -> Handled:
    """The sender asked to leave: a confirmation, or a note that they are not a member."""
    if not is_member(session, config.slug, person.address):
        _note(session, lists, config, person.address, now, template="request_done",
              context={"what": "not_member", "kind": "leave", "address": person.address})
        return _handled("not_member")
    return _request(session, lists, config, person, RequestKind.LEAVE, now)


def _request(session: Session, lists: Lists, config: ListConfig, person: Person,
             kind: RequestKind, now: datetime) -> Handled:
    if _recently_requested(session, config.slug, person.address, kind, now):
        return _handled(f"{kind.value}_pending")
    request = ListRequest(list_name=config.slug, address=person.address,
                          display_name=person.name, kind=kind, created_at=now,
                          expires_at=now + timedelta(days=CONFIRM_DAYS))
    session.add(request)
    session.flush()
    reply_to = confirm_address(config, request_token(lists.key, request.id))
    notice(session, config=config, templates_dir=lists.templates_dir, kind="list_confirm",
           to=person.address, template=f"confirm_{kind.value}", now=now, reply_to=reply_to,
           context={"address": person.address, "confirm_address": reply_to,
                    "expires_at": request.expires_at, "days": CONFIRM_DAYS})
    return _handled(f"{kind.value}_requested")


def _recently_requested(session: Session, list_name: str, address: str, kind: RequestKind,
                        now: datetime) -> bool:
    return session.scalars(select(ListRequest.id).where(
        ListRequest.list_name == list_name, ListRequest.address == address,
        ListRequest.kind == kind, ListRequest.done_at.is_(None),
        ListRequest.created_at > now - REASK_AFTER)).first() is not None


def _close(request: ListRequest, outcome: str, now: datetime) -> None:
    request.done_at = now
    request.outcome = outcome[:OUTCOME_MAX]


def _note(session: Session, lists: Lists, config: ListConfig, to: str, now: datetime, *,
          template: str, context: dict[str, str], kind: str = "list_note") -> bool:
    """A short answer to `to`, unless one went there in the last `NOTE_EVERY`."""
    if session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.recipient == to, OutboxMessage.kind.in_(NOTE_KINDS),
            OutboxMessage.created_at > now - NOTE_EVERY)).first() is not None:
        return False
    notice(session, config=config, templates_dir=lists.templates_dir, kind=kind, to=to,
           template=template, context=context, now=now)
    return True


def _name_of(msg: EmailMessage, address: str) -> str:
    """The display name the sender gave with `address` in From, made one short line."""
    for name, found in getaddresses([header(msg, "From")]):
        if found.strip().lower() == address:
            return one_line(name, limit=members.NAME_MAX)
    return ""


def read_command(msg: EmailMessage) -> Command | None:
    """The first command in the Subject or the first lines the sender wrote, if any."""
    subject = _REPLY_PREFIX.sub("", header(msg, "Subject"))
    lines = [line for line in visible_text(msg).splitlines() if line.strip()]
    for text in (subject, *lines[:COMMAND_LINES]):
        words = text.split(maxsplit=1)
        command = COMMANDS.get(words[0].strip(".,;:!?").lower()) if words else None
        if command is not None:
            return command
    return None
