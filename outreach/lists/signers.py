"""Signers of a campaign on the coalition list: `subscribe_signers_of` in the list's file.

The person subscribed is the contact who signed: the sign-on's target's contact, never the
organization's other contacts. Signing is the consent (the list's file says so, and the
welcome message gives the way out). Anyone the list has a row for is left alone, so a
signer who left is never subscribed again; a contact who may get no mail at all (they
unsubscribed from everything, bounced, were blocked or forgotten) is skipped. A signature
withdrawn takes the member it brought off the list, without a goodbye: the withdrawal's
own confirmation has just told them.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.models import Campaign, SignOn, Target
from outreach.lists import members
from outreach.lists.config import ListConfig
from outreach.lists.members import MembershipError
from outreach.lists.models import ListMember, MemberStatus
from outreach.lists.registry import Lists
from outreach.people.models import Contact, Suppression

log = logging.getLogger(__name__)


def source_of(slug: str) -> str:
    return f"signer:{slug}"


def _signers(session: Session, slug: str, *, withdrawn: bool) -> list[Contact]:
    """The contacts who signed campaign `slug` (with `withdrawn`: whose signature was
    withdrawn), each once, in the order they signed."""
    stands = SignOn.withdrawn_at.is_not(None) if withdrawn else SignOn.withdrawn_at.is_(None)
    rows = session.execute(
        select(Contact, SignOn.id)
        .join(Target, Target.contact_id == Contact.id)
        .join(SignOn, SignOn.target_id == Target.id)
        .join(Campaign, Campaign.id == SignOn.campaign_id)
        .where(Campaign.slug == slug, stands)
        .order_by(SignOn.id))
    return list({contact.id: contact for contact, _ in rows}.values())


def _subscribe_signers(session: Session, lists: Lists, config: ListConfig, slug: str,
                       now: datetime) -> int:
    known = {address for address in session.scalars(
        select(ListMember.address).where(ListMember.list_name == config.slug))}
    subscribed = 0
    for contact in _signers(session, slug, withdrawn=False):
        if contact.suppression != Suppression.NONE or contact.email in known:
            continue
        try:
            members.subscribe(session, lists, config, contact.email, name=contact.name,
                              source=source_of(slug), now=now, contact_id=contact.id)
        except MembershipError as exc:
            log.warning("list %s: signer of %s not subscribed: %s", config.slug, slug, exc)
            continue
        known.add(contact.email)
        subscribed += 1
    return subscribed


def _unsubscribe_withdrawn(session: Session, lists: Lists, config: ListConfig, slug: str,
                           now: datetime) -> int:
    standing = {contact.id for contact in _signers(session, slug, withdrawn=False)}
    withdrawn = {contact.id for contact in _signers(session, slug, withdrawn=True)} - standing
    if not withdrawn:
        return 0
    brought = list(session.scalars(select(ListMember).where(
        ListMember.list_name == config.slug, ListMember.status == MemberStatus.SUBSCRIBED,
        ListMember.source == source_of(slug), ListMember.contact_id.in_(withdrawn))))
    for member in brought:
        members.unsubscribe(session, lists, config, member.address, by="withdrawn", now=now,
                            goodbye=False)
    return len(brought)


class SignerSync(NamedTuple):
    """What one sync changed: members subscribed (each welcomed: one message queued) and
    members taken off (no message)."""

    subscribed: int
    unsubscribed: int

    @property
    def changed(self) -> int:
        return self.subscribed + self.unsubscribed


def sync_signers(session: Session, lists: Lists, config: ListConfig,
                 now: datetime) -> SignerSync:
    """Bring the list in line with the signers of its `subscribe_signers_of` campaigns, in
    the caller's transaction."""
    subscribed = unsubscribed = 0
    for slug in config.subscribe_signers_of:
        subscribed += _subscribe_signers(session, lists, config, slug, now)
        unsubscribed += _unsubscribe_withdrawn(session, lists, config, slug, now)
    return SignerSync(subscribed, unsubscribed)
