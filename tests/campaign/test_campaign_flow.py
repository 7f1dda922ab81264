"""One campaign from import to sent asks, against a real SMTP server, on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.models import Target, TargetState
from outreach.db.session import transaction
from outreach.mail.models import OutboxMessage, OutboxStatus
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer


def test_every_target_gets_one_personal_ask(app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    result = jobs.plan(app, NOW)
    plan = result.plans["clean-water"]
    assert plan.excluded == 1  # Valley Agribusiness Council is on the never-ask list
    assert plan.waiting == {"waiting for other organizations to sign first": 1}
    send_due(app)

    with transaction(app.factory) as session:
        asked = session.scalars(select(Target).where(Target.state == TargetState.ASKED)).all()
        emails = {t.contact.email: t for t in asked}
    assert len(smtp_server.messages) == plan.queued == len(asked) == 21
    for received in smtp_server.messages:
        msg = received.message
        (rcpt,) = received.rcpt_tos
        target = emails[rcpt]
        body = msg.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert f"Dear {target.contact.greeting_name}," in text
        assert "https://valleywater.org/letter/draft-v1" in text
        assert str(msg["Reply-To"]).split("<")[1].startswith(f"reply+t{target.id}-")
        assert msg["List-Unsubscribe"].startswith("<https://valleywater.org/letter/unsubscribe/u")
        assert ", <mailto:unsubscribe+c" in msg["List-Unsubscribe"]
        assert received.mail_from.startswith("bounce+m")
    # Planning again queues nothing new: each target is asked exactly once.
    assert jobs.plan(app, NOW + timedelta(minutes=5)).queued == 0


def test_the_water_foundation_is_asked_through_its_decision_maker(app: App) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    with transaction(app.factory) as session:
        rows = session.scalars(select(OutboxMessage)).all()
        recipients = {r.recipient for r in rows}
        assert all(r.status == OutboxStatus.PENDING for r in rows)
    assert "mcowin@waterfoundation.example" in recipients
    assert "ehanak@waterfoundation.example" not in recipients
