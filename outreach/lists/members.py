"""Who is on each list: the one place membership changes.

Every subscription and unsubscription, whoever asks for it (a confirmed email, an
organizer on the command line, an import, the signers' sync, a one-click link), goes
through `subscribe` and `unsubscribe`, and every change of status through `_move`. A row
is kept when someone leaves, so the signers' sync never subscribes them again.

An address is refused when no mail may go to it at all (its contact unsubscribed from
everything, bounced, was blocked or forgotten: the outbox would send it nothing) and when
it is one of the lists' own addresses (a list subscribed to a list loops).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.csvfile import read_csv
from outreach.errors import OutreachError
from outreach.lists.config import SUFFIXES, ListConfig
from outreach.lists.models import Delivery, ListMember, MemberStatus
from outreach.lists.notices import MEMBER, notice
from outreach.lists.registry import Lists, leave_address, member_token, unsubscribe_url
from outreach.mail.compose import one_line
from outreach.mail.outbox import About
from outreach.people.blocklist import find_contact, refused_recipients

NAME_MAX = 200
IMPORT_COLUMNS = ("email", "name")
IMPORT_ALIASES = {"e-mail": "email", "email_address": "email", "address": "email",
                  "display_name": "name", "full_name": "name"}


class MembershipError(OutreachError):
    """A change of membership that cannot be made, and why."""


def normal_address(value: str) -> str:
    """`value` as members are stored: checked, ASCII, lower-case."""
    try:
        # SMTP without SMTPUTF8 carries only ASCII addresses; an IDNA domain is kept in its
        # ASCII form.
        valid = validate_email(value.strip(), check_deliverability=False,
                               allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise MembershipError(f"not an email address: {value!r} ({exc})") from None
    return (valid.ascii_email or valid.normalized).lower()


def is_list_address(lists: Lists, address: str) -> bool:
    """Whether `address` is any address of any list (posting, -join, -owner, …)."""
    return any(lists.at(address, suffix) is not None for suffix in (None, *SUFFIXES))


def _subscribable(session: Session, lists: Lists, address: str) -> str:
    address = normal_address(address)
    if is_list_address(lists, address):
        raise MembershipError(f"{address} is an address of a list, not of a person")
    refused = refused_recipients(session, [address])
    if address in refused:
        raise MembershipError(f"{address} may not be subscribed: {refused[address]}")
    return address


def find_member(session: Session, list_name: str, address: str) -> ListMember | None:
    """The row of `address` on `list_name`, subscribed or not."""
    return session.scalars(select(ListMember).where(
        ListMember.list_name == list_name,
        ListMember.address == address.strip().lower())).first()


def is_member(session: Session, list_name: str, address: str) -> bool:
    member = find_member(session, list_name, address)
    return member is not None and member.status == MemberStatus.SUBSCRIBED


def members(session: Session, list_name: str,
            status: MemberStatus | None = MemberStatus.SUBSCRIBED) -> list[ListMember]:
    """The rows of `list_name` with `status` (every row with None), by address."""
    query = select(ListMember).where(ListMember.list_name == list_name)
    if status is not None:
        query = query.where(ListMember.status == status)
    return list(session.scalars(query.order_by(ListMember.address)))


def _move(member: ListMember, status: MemberStatus, *, now: datetime,
          by: str | None = None) -> None:
    """The one change of a member's status."""
    member.status = status
    if status == MemberStatus.SUBSCRIBED:
        member.subscribed_at = now
        member.unsubscribed_at = None
        member.unsubscribed_by = None
    else:
        member.unsubscribed_at = now
        member.unsubscribed_by = by


def member_links(lists: Lists, config: ListConfig, member: ListMember) -> dict[str, str]:
    """The member's own ways out: the address that unsubscribes them at once, and their
    one-click link."""
    token = member_token(lists.key, member.id)
    return {"member_leave_address": leave_address(config, token),
            "unsubscribe_url": unsubscribe_url(lists.settings, token)}


def subscribe(session: Session, lists: Lists, config: ListConfig, address: str, *,
              name: str = "", source: str, now: datetime, contact_id: int | None = None,
              welcome: bool = True) -> ListMember:
    """Put `address` on the list (again, if it had left); a member already subscribed is
    left as is. A new or returning member is welcomed, with the rules and their ways out,
    when `welcome`."""
    address = _subscribable(session, lists, address)
    member = find_member(session, config.slug, address)
    if member is not None and member.status == MemberStatus.SUBSCRIBED:
        return member
    if contact_id is None:
        contact = find_contact(session, address)
        contact_id = contact.id if contact is not None else None
    if member is None:
        member = ListMember(list_name=config.slug, address=address, delivery=Delivery.ALL,
                            moderated=False)
        session.add(member)
    member.display_name = one_line(name, limit=NAME_MAX) or member.display_name or ""
    member.contact_id = contact_id if contact_id is not None else member.contact_id
    member.source = source
    _move(member, MemberStatus.SUBSCRIBED, now=now)
    session.flush()
    if welcome:
        notice(session, config=config, templates_dir=lists.templates_dir, kind="list_welcome",
               to=address, template="welcome", now=now, about=About(MEMBER, member.id),
               context={"member": member, **member_links(lists, config, member)})
    return member


def unsubscribe(session: Session, lists: Lists, config: ListConfig, address: str, *,
                by: str, now: datetime, goodbye: bool = True) -> ListMember | None:
    """Take `address` off the list, saying goodbye when `goodbye`; None when it was never
    on it. A member who already left is left as is."""
    member = find_member(session, config.slug, address)
    if member is None or member.status == MemberStatus.UNSUBSCRIBED:
        return member
    _move(member, MemberStatus.UNSUBSCRIBED, now=now, by=by)
    if goodbye:
        notice(session, config=config, templates_dir=lists.templates_dir, kind="list_goodbye",
               to=member.address, template="goodbye", now=now,
               about=About(MEMBER, member.id), context={"member": member})
    return member


def existing_member(session: Session, list_name: str, address: str) -> ListMember:
    """The row of `address` on `list_name`; an error when there is none."""
    member = find_member(session, list_name, address)
    if member is None:
        raise MembershipError(f"{address.strip().lower()} is not on list {list_name!r}")
    return member


def set_delivery(session: Session, list_name: str, address: str,
                 delivery: Delivery) -> ListMember:
    """Whether the member receives posts (NONE: on vacation, still a member)."""
    member = existing_member(session, list_name, address)
    member.delivery = delivery
    return member


def set_moderated(session: Session, list_name: str, address: str,
                  moderated: bool) -> ListMember:
    """Whether every post of the member is held; kept if they leave and come back."""
    member = existing_member(session, list_name, address)
    member.moderated = moderated
    return member


# --- Import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class MemberImport:
    path: Path
    rows: int = 0
    subscribed: int = 0
    already: int = 0  # subscribed before the import
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    line: int
    email: str
    name: str


def _read_rows(path: Path, report: MemberImport) -> list[_Row]:
    rows: list[_Row] = []
    for line, values in read_csv(path, columns=IMPORT_COLUMNS, aliases=IMPORT_ALIASES,
                                 required=("email",)):
        report.rows += 1
        if isinstance(values, str):
            report.errors.append(RowError(path, line, values))
            continue
        rows.append(_Row(line, values["email"].strip(), values.get("name", "")))
    return rows


def _left(member: ListMember) -> str:
    when = f" on {member.unsubscribed_at:%Y-%m-%d}" if member.unsubscribed_at else ""
    return f"left the list{when} ({member.unsubscribed_by or 'unknown'})"


def import_members(session: Session, lists: Lists, config: ListConfig, csv_path: Path, *,
                   now: datetime, welcome: bool) -> MemberImport:
    """Subscribe the addresses of `csv_path` (columns email and name) in the caller's
    transaction; each bad row is reported with its line, the good ones go in. Someone who
    left the list is not subscribed again by an import: only they, or an organizer adding
    them one by one, can bring them back."""
    report = MemberImport(path=csv_path)
    seen: dict[str, int] = {}
    for row in _read_rows(csv_path, report):
        try:
            address = _subscribable(session, lists, row.email)
        except MembershipError as exc:
            report.errors.append(RowError(csv_path, row.line, str(exc)))
            continue
        if address in seen:
            report.errors.append(RowError(csv_path, row.line,
                                          f"duplicate: {address} already on line {seen[address]}"))
            continue
        seen[address] = row.line
        member = find_member(session, config.slug, address)
        if member is not None and member.status == MemberStatus.SUBSCRIBED:
            report.already += 1
            continue
        if member is not None:
            report.errors.append(RowError(csv_path, row.line, f"{address} {_left(member)}; "
                                                              "not subscribed again"))
            continue
        subscribe(session, lists, config, address, name=row.name, source="import", now=now,
                  welcome=welcome)
        report.subscribed += 1
    report.errors.sort(key=lambda error: error.line)
    return report
