"""`/healthz` and `/metrics`: is the service well, and what is it doing.

`/healthz` answers JSON, 200 when the database answers and 503 when it does not:

- `database`: "ok", or the error;
- `oldest_due_outbox_seconds`: how long the oldest message due to be sent has waited past
  its time (0 when none waits);
- `mailbox_cursor_moved_at`: when the mailbox reader last stored new mail (a folder's
  cursor moved). A read that finds nothing new is recorded nowhere, so when the mailbox
  was last *read* is not known here: a quiet mailbox shows an old time, not a fault.

`/metrics` is the Prometheus text format (version 0.0.4): messages sent and failed by
kind, the outbox depth (pending and being sent), inbound messages not yet handled,
sign-ons not withdrawn by evidence kind, and the open review queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from outreach.campaign.models import SignOn
from outreach.db.session import transaction
from outreach.mail.models import InboundMessage, MailboxCursor, OutboxMessage, OutboxStatus
from outreach.review.models import ReviewItem, ReviewStatus
from outreach.web.site import Site

PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"
WAITING = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive times; every time stored is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class HealthPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [Route("/healthz", self.health, methods=["GET"]),
                Route("/metrics", self.metrics, methods=["GET"])]

    async def health(self, request: Request) -> Response:
        now = self.site.clock()
        try:
            with transaction(self.site.app.factory) as session:
                session.execute(text("SELECT 1"))
                oldest = session.scalar(select(func.min(OutboxMessage.not_before)).where(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.not_before <= now))
                moved = session.scalar(select(func.max(MailboxCursor.updated_at)))
        except SQLAlchemyError as exc:
            return JSONResponse({"database": f"unreachable: {type(exc).__name__}"},
                                status_code=503)
        return JSONResponse({
            "database": "ok",
            "oldest_due_outbox_seconds":
                max(0, int((now - _aware(oldest)).total_seconds())) if oldest else 0,
            "mailbox_cursor_moved_at": _aware(moved).isoformat() if moved else None,
        })

    async def metrics(self, request: Request) -> Response:
        try:
            with transaction(self.site.app.factory) as session:
                body = "".join(_metrics(session))
        except SQLAlchemyError:
            return PlainTextResponse("# the database does not answer\n", status_code=503)
        return Response(body, media_type=PROMETHEUS)


def _metrics(session: Session) -> Iterable[str]:
    by_kind = session.execute(
        select(OutboxMessage.kind, OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)))
        .group_by(OutboxMessage.kind, OutboxMessage.status)).all()
    yield from _family("outreach_messages_sent_total", "counter",
                       "Messages sent, by kind.",
                       [({"kind": kind}, n) for kind, status, n in by_kind
                        if status == OutboxStatus.SENT])
    yield from _family("outreach_messages_failed_total", "counter",
                       "Messages that failed for good, by kind.",
                       [({"kind": kind}, n) for kind, status, n in by_kind
                        if status == OutboxStatus.FAILED])
    depth = session.scalar(select(func.count()).select_from(OutboxMessage)
                           .where(OutboxMessage.status.in_(WAITING))) or 0
    yield from _family("outreach_outbox_depth", "gauge",
                       "Messages waiting in the outbox or being sent.", [({}, depth)])
    unhandled = session.scalar(select(func.count()).select_from(InboundMessage)
                               .where(InboundMessage.processed_at.is_(None))) or 0
    yield from _family("outreach_inbound_unhandled", "gauge",
                       "Inbound messages stored and not yet handled.", [({}, unhandled)])
    sign_ons = session.execute(select(SignOn.evidence_kind, func.count())
                               .where(SignOn.withdrawn_at.is_(None))
                               .group_by(SignOn.evidence_kind)).all()
    yield from _family("outreach_sign_ons", "gauge",
                       "Sign-ons not withdrawn, by evidence kind.",
                       [({"evidence": kind}, n) for kind, n in sign_ons])
    review = session.scalar(select(func.count()).select_from(ReviewItem)
                            .where(ReviewItem.status == ReviewStatus.OPEN)) or 0
    yield from _family("outreach_review_queue_length", "gauge",
                       "Open items in the review queue.", [({}, review)])


def _family(name: str, kind: str, help_text: str,
            samples: list[tuple[dict[str, str], int]]) -> Iterable[str]:
    yield f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n"
    for labels, value in sorted(samples, key=lambda s: sorted(s[0].items())):
        rendered = ",".join(f'{key}="{_label(value_)}"' for key, value_ in labels.items())
        yield f"{name}{{{rendered}}} {value}\n" if rendered else f"{name} {value}\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
