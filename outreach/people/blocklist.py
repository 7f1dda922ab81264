"""Who may not be emailed, kept on contact rows: organizers' blocks, and the outbox's last
check before anything goes out.

A block is an organizer's suppression (say, for a person who phoned to ask not to be
emailed), recorded with who and why. An address blocked before it is anyone's contact gets
a row under one placeholder organization, `UNATTACHED`, so the importer refuses it (as
"already a contact of" that organization) instead of asking them; unblocking it removes
that row again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.errors import OutreachError
from outreach.people.addresses import forgotten_address
from outreach.people.contacts import suppress
from outreach.people.models import Contact, Organization, Suppression
from outreach.people.organizations import org_key

UNATTACHED = "Blocked addresses (no organization)"
# What the blocklist lists: the suppressions a person or an organizer asked for, whose
# addresses we still hold (a forgotten person's is only a hash).
LISTED = (Suppression.BLOCKED, Suppression.UNSUBSCRIBED)


def find_contact(session: Session, address: str) -> Contact | None:
    """The contact with this address (in normal form), or its forgotten row."""
    return session.scalars(select(Contact).where(
        Contact.email.in_([address, forgotten_address(address)]))
        .order_by(Contact.suppression == Suppression.FORGOTTEN)).first()


def _unattached(session: Session, now: datetime) -> Organization:
    key = org_key(UNATTACHED)
    org = session.scalars(select(Organization).where(Organization.key == key)).first()
    if org is None:
        org = Organization(key=key, name=UNATTACHED, sort_name=UNATTACHED, tags=[],
                           created_at=now, updated_at=now)
        session.add(org)
        session.flush()
    return org


def is_unattached(contact: Contact) -> bool:
    return contact.organization.key == org_key(UNATTACHED)


def contact_or_placeholder(session: Session, address: str, now: datetime) -> Contact:
    """The contact with this address, else a new row for it under `UNATTACHED`."""
    contact = find_contact(session, address)
    if contact is None:
        contact = Contact(organization_id=_unattached(session, now).id, name="",
                          greeting_name="", email=address, created_at=now, updated_at=now)
        session.add(contact)
        session.flush()
    return contact


def block(contact: Contact, *, by: str, why: str, now: datetime) -> bool:
    """Suppress `contact` as an organizer's block; False when an unsubscribe, a forgetting
    or an earlier block already stands."""
    return suppress(contact, Suppression.BLOCKED, reason=f"blocked by {by}: {why}", now=now)


def unblock(session: Session, contact: Contact, *, by: str, now: datetime) -> None:
    """Lift an organizer's block (and only a block: an unsubscribe was the person's own)."""
    if contact.suppression != Suppression.BLOCKED:
        raise OutreachError(f"{contact.email} is not blocked but "
                            f"{contact.suppression.value}; only a block can be lifted")
    if is_unattached(contact):
        session.delete(contact)
        return
    contact.suppression = Suppression.NONE
    contact.suppression_reason = (f"unblocked by {by} on {now:%Y-%m-%d}; it was "
                                  f"{contact.suppression_reason}")
    contact.suppressed_at = None
    contact.updated_at = now


def blocklist(session: Session) -> list[Contact]:
    """Every address we may not email and still hold, by address."""
    return list(session.scalars(select(Contact).where(Contact.suppression.in_(LISTED))
                                .order_by(Contact.email)))


def forgotten_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Contact).where(
        Contact.suppression == Suppression.FORGOTTEN)) or 0


def forgotten_among(session: Session, addresses: Sequence[str]) -> set[str]:
    """Those of `addresses` (in normal form) whose person asked to be forgotten."""
    rows = {forgotten_address(address): address for address in addresses}
    return {rows[email] for email in session.scalars(select(Contact.email).where(
        Contact.email.in_(rows), Contact.suppression == Suppression.FORGOTTEN))}


def refused_recipients(session: Session, recipients: Sequence[str]) -> dict[str, str]:
    """The outbox's gate: of `recipients`, those no mail may go to, with why (a contact
    suppressed in any way, or the hash of a forgotten person)."""
    wanted = {recipient: recipient.strip().lower() for recipient in recipients}
    hashed = {forgotten_address(address): address for address in wanted.values()}
    why: dict[str, str] = {}
    for email, suppression in session.execute(
            select(Contact.email, Contact.suppression).where(
                Contact.email.in_([*wanted.values(), *hashed]),
                Contact.suppression != Suppression.NONE)):
        if email in hashed:
            why[hashed[email]] = "the recipient asked to be forgotten"
        else:
            why.setdefault(email, f"the recipient is {suppression.value}")
    return {recipient: why[address] for recipient, address in wanted.items() if address in why}
