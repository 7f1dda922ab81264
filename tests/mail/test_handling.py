"""A poison message never stalls the pipe: a handler that raises is retried, then the
message is quarantined with its reason and traceback, and the next one goes on."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.app import App
from outreach.db.session import transaction
from outreach.inbound.door import Door
from outreach.mail.handling import MAX_ATTEMPTS, Handled, process_pending
from outreach.mail.models import InboundMessage, InboundStatus
from tests.conftest import NOW


class Fussy:
    """Raises on any message whose subject says "poison"; handles the rest."""

    def handle(self, session: Session, row: InboundMessage, msg: EmailMessage,
               now: datetime) -> Handled:
        if "poison" in str(msg["Subject"]):
            raise RuntimeError("this handler cannot cope")
        return Handled("fine", kind="human")


def _store(app: App, subject: str) -> int:
    raw = (f"From: a@b.example\nTo: x@y.example\nSubject: {subject}\n"
           f"Message-ID: <{subject}@b.example>\n\nhello\n").encode()
    with transaction(app.factory) as session:
        row = InboundMessage(message_id=f"<{subject}@b.example>", folder="INBOX", raw=raw,
                             sha256=hashlib.sha256(raw).hexdigest(), status=InboundStatus.NEW,
                             received_at=NOW, route="fussy")
        session.add(row)
        session.flush()
        return row.id


def test_a_message_whose_handler_raises_is_quarantined_after_three_tries(app: App) -> None:
    poison = _store(app, "poison")
    good = _store(app, "good")
    handlers = {"fussy": Fussy()}
    door = Door([])
    first = process_pending(app.factory, door, handlers, NOW)
    assert first.by_outcome == {"retry": 1, "fine": 1}
    for _ in range(MAX_ATTEMPTS - 1):
        process_pending(app.factory, door, handlers, NOW)
    with app.factory() as session:
        rows = {r.id: r for r in session.scalars(select(InboundMessage))}
    assert rows[good].status == InboundStatus.PROCESSED and rows[good].outcome == "fine"
    assert rows[poison].status == InboundStatus.QUARANTINED
    assert rows[poison].attempts == MAX_ATTEMPTS
    assert rows[poison].error is not None
    assert "this handler cannot cope" in rows[poison].error
    assert "Traceback" in rows[poison].error
    assert process_pending(app.factory, door, handlers, NOW).by_outcome == {}


def test_a_backlog_longer_than_a_page_is_all_handled_in_one_pass(app: App) -> None:
    poison = _store(app, "poison")
    good = [_store(app, f"good-{n}") for n in range(5)]
    stats = process_pending(app.factory, Door([]), {"fussy": Fussy()}, NOW, limit=2)
    assert stats.by_outcome == {"retry": 1, "fine": 5}  # the failing one once per pass
    with app.factory() as session:
        rows = {r.id: r for r in session.scalars(select(InboundMessage))}
    assert all(rows[g].status == InboundStatus.PROCESSED for g in good)
    assert rows[poison].attempts == 1
