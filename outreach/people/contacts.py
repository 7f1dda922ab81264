"""Contacts and their suppression: a contact who unsubscribed, bounced, was blocked or was
forgotten gets no more mail."""

from __future__ import annotations

from datetime import datetime

from outreach.people.models import Contact, Suppression

# Weakest first. A suppression is never replaced by a weaker one: a bounce never downgrades
# an organizer's block, and a block never downgrades the person's own unsubscribe.
_STRENGTH = {kind: rank for rank, kind in enumerate((
    Suppression.NONE, Suppression.BOUNCED, Suppression.BLOCKED, Suppression.UNSUBSCRIBED,
    Suppression.FORGOTTEN))}


def suppress(contact: Contact, kind: Suppression, *, reason: str, now: datetime) -> bool:
    """Suppress `contact` everywhere, unless as strong a suppression stands (a repeated
    bounce records its latest reason); returns whether the contact changed."""
    current = contact.suppression
    if _STRENGTH[kind] < _STRENGTH[current] or kind == current != Suppression.BOUNCED:
        return False
    contact.suppression = kind
    contact.suppression_reason = reason
    contact.suppressed_at = now
    return True
