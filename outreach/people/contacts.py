"""Contacts and their suppression: a contact who unsubscribed or bounced gets no more mail."""

from __future__ import annotations

from datetime import datetime

from outreach.people.models import Contact, Suppression


def suppress(contact: Contact, kind: Suppression, *, reason: str, now: datetime) -> None:
    """Suppress `contact` everywhere; an unsubscribe is never downgraded to a bounce."""
    if contact.suppression == Suppression.UNSUBSCRIBED:
        return
    contact.suppression = kind
    contact.suppression_reason = reason
    contact.suppressed_at = now
