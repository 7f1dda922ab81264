"""Blocking a person from all mail as an organizer records it (they phoned to ask, a partner
sent a list), and lifting the block.

A block closes the targets still being asked through the person, as an unsubscribe does,
with an event naming the organizer and the reason; lifting it requeues the targets the
block closed, so they are asked again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.models import Target, TargetEvent, TargetState
from outreach.campaign.targets import ALLOWED, CLOSED, transition
from outreach.errors import OutreachError
from outreach.people.blocklist import block, contact_or_placeholder, find_contact, unblock
from outreach.people.blocklist_file import BlocklistFile, read_blocklist
from outreach.people.models import Contact

S = TargetState
# How the target events a block writes begin: lifting the block finds them by it.
BLOCKED_BECAUSE = "blocked: "


@dataclass
class Blocked:
    contact: Contact
    changed: bool  # False when a block, an unsubscribe or a forgetting already stood
    closed: list[str] = field(default_factory=list)  # the organizations no longer asked


@dataclass
class Unblocked:
    reopened: list[str] = field(default_factory=list)  # the organizations to be asked again


@dataclass
class BlocklistImport:
    file: BlocklistFile
    blocked: int = 0
    already: int = 0
    closed: int = 0


def _targets(session: Session, contact: Contact) -> list[Target]:
    return list(session.scalars(select(Target).where(Target.contact_id == contact.id)
                                .order_by(Target.id)))


def block_address(session: Session, address: str, *, by: str, why: str,
                  now: datetime) -> Blocked:
    """Block `address` (in normal form) from all mail, and stop asking through it."""
    contact = contact_or_placeholder(session, address, now)
    result = Blocked(contact, block(contact, by=by, why=why, now=now))
    if not result.changed:
        return result
    for target in _targets(session, contact):
        if target.state not in CLOSED and S.OPTED_OUT in ALLOWED[target.state]:
            transition(session, target, S.OPTED_OUT, now=now, actor=f"organizer:{by}",
                       reason=f"{BLOCKED_BECAUSE}{why}")
            result.closed.append(target.organization.name)
    return result


def unblock_address(session: Session, address: str, *, by: str, now: datetime) -> Unblocked:
    """Lift the block on `address`; the targets it closed are queued to be asked again."""
    contact = find_contact(session, address)
    if contact is None:
        raise OutreachError(f"no contact has the address {address}")
    closed_by_block = [target for target in _targets(session, contact)
                       if target.state == S.OPTED_OUT and _closed_by_block(session, target)]
    unblock(session, contact, by=by, now=now)
    result = Unblocked()
    for target in closed_by_block:
        transition(session, target, S.QUEUED, now=now, actor=f"organizer:{by}",
                   reason="unblocked: to be asked again")
        result.reopened.append(target.organization.name)
    return result


def _closed_by_block(session: Session, target: Target) -> bool:
    last = session.scalars(select(TargetEvent).where(TargetEvent.target_id == target.id)
                           .order_by(TargetEvent.id.desc())).first()
    return last is not None and last.reason.startswith(BLOCKED_BECAUSE)


def import_blocklist(session: Session, path: Path, *, by: str, why: str,
                     now: datetime) -> BlocklistImport:
    """Block every good address in the file at `path`; its bad lines are only reported."""
    result = BlocklistImport(read_blocklist(path))
    for address in dict.fromkeys(address for _line, address in result.file.addresses):
        blocked = block_address(session, address, by=by, why=why, now=now)
        if blocked.changed:
            result.blocked += 1
        else:
            result.already += 1
        result.closed += len(blocked.closed)
    return result
