"""What the coalition lists hold about one person, by address: for `outreach contacts
export` and `outreach contacts forget`.

Theirs: their memberships, the subscriptions and unsubscriptions they asked for by email,
the posts they sent to a list, and the moderators' acts they took. Forgetting them removes
their memberships and requests (a forgotten person is on no list), erases the messages
they posted (the post rows stay, with the forgotten marker as poster, so the moderation log
still adds up) and puts the marker in place of their address wherever an act names them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from outreach.lists.models import ListMember, ListPost, ListRequest, ModerationAction
from outreach.mail.models import InboundMessage
from outreach.people.addresses import forgotten_address

KEY = "lists"


def export(session: Session, address: str) -> dict[str, Any]:
    """Their memberships, requests, posts and moderators' acts, as JSON-ready data."""
    members = session.scalars(select(ListMember).where(ListMember.address == address)
                              .order_by(ListMember.id))
    requests = session.scalars(select(ListRequest).where(ListRequest.address == address)
                               .order_by(ListRequest.id))
    posts = session.scalars(select(ListPost).where(ListPost.poster == address)
                            .order_by(ListPost.id))
    acts = session.scalars(select(ModerationAction).where(ModerationAction.actor == address)
                           .order_by(ModerationAction.id))
    return {
        "memberships": [{
            "list": m.list_name, "name": m.display_name, "status": m.status.value,
            "delivery": m.delivery.value, "moderated": m.moderated, "source": m.source,
            "subscribed_at": _iso(m.subscribed_at), "unsubscribed_at": _iso(m.unsubscribed_at),
            "unsubscribed_by": m.unsubscribed_by} for m in members],
        "requests": [{
            "list": r.list_name, "kind": r.kind.value, "name": r.display_name,
            "created_at": _iso(r.created_at), "done_at": _iso(r.done_at),
            "outcome": r.outcome} for r in requests],
        "posts": [{
            "list": p.list_name, "subject": p.subject, "status": p.status.value,
            "reason": p.reason, "created_at": _iso(p.created_at),
            "decided_by": p.decided_by, "distributed_at": _iso(p.distributed_at)}
            for p in posts],
        "moderation_acts": [{
            "list": a.list_name, "post": a.post_id, "action": a.action, "via": a.via,
            "outcome": a.outcome, "at": _iso(a.at)} for a in acts],
    }


def forget(session: Session, address: str, now: datetime) -> str:
    """Erase what the lists hold about the person at `address`; says what, in words."""
    del now  # nothing here records when: the contact's forgetting does
    marker = forgotten_address(address)
    memberships = _count(session.execute(
        delete(ListMember).where(ListMember.address == address)))
    requests = _count(session.execute(
        delete(ListRequest).where(ListRequest.address == address)))
    posted = list(session.scalars(select(ListPost).where(ListPost.poster == address)))
    for post in posted:
        post.poster = marker
        message = session.get(InboundMessage, post.inbound_message_id)
        if message is not None:
            message.raw = b""
    session.execute(update(ListPost).where(ListPost.decided_by == address)
                    .values(decided_by=marker))
    session.execute(update(ModerationAction).where(ModerationAction.actor == address)
                    .values(actor=marker))
    return (f"{memberships} list membership(s) and {requests} list request(s) removed, "
            f"{len(posted)} list post(s) erased")


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
