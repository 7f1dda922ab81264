"""Whole campaigns driven through time without sleeping: ask, follow-up, reminder, soft
deadline, hard-deadline notice, escalation, close. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from itertools import pairwise

import pytest
from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs
from outreach.campaign.cadence import Step, choose_step
from outreach.campaign.models import Target, TargetState
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.mailbox import act_on_mail
from outreach.tasks.models import Task, TaskStatus
from tests.campaign.test_replies import deliver, sent_ask
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer

AUTOMATED = {"ask", "follow_up", "reminder", "hard_deadline"}
END = datetime(2027, 2, 2, tzinfo=UTC)
Event = Callable[[App, SmtpServer, datetime], None]


def run(app: App, server: SmtpServer, start: datetime, end: datetime,
        events: dict[datetime, Event] | None = None, step: timedelta = timedelta(hours=3),
        down: tuple[datetime, datetime] | None = None) -> None:
    """Move the clock from `start` to `end`, planning and sending at every tick."""
    pending = sorted((events or {}).items())
    now = start
    while now <= end:
        while pending and pending[0][0] <= now:
            pending.pop(0)[1](app, server, now)
            act_on_mail(app, now)
        if down is None or not down[0] <= now < down[1]:
            jobs.plan(app, now)
            send_due(app, now)
        now += step


def reply(text: str, address: str) -> Event:
    def event(app: App, server: SmtpServer, now: datetime) -> None:
        ask = sent_ask(server, address)
        msg = EmailMessage()
        msg["From"] = address
        msg["To"] = str(ask["Reply-To"])
        msg["Subject"] = "Re: " + str(ask["Subject"])
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain="example.net")
        msg["In-Reply-To"] = str(ask["Message-ID"])
        msg.set_content(text)
        deliver(app, msg.as_bytes())
    return event


def sent_rows(app: App) -> list[OutboxMessage]:
    with app.factory() as session:
        return list(session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENT).order_by(OutboxMessage.sent_at)))


def check_never_nagged(app: App) -> dict[str, list[OutboxMessage]]:
    config = app.campaign("clean-water")
    window = config.window
    by_person: dict[str, list[OutboxMessage]] = defaultdict(list)
    for row in sent_rows(app):
        assert row.sent_at is not None and window.is_open(row.sent_at), \
            f"{row.kind} to {row.recipient} sent outside the window at {row.sent_at}"
        if row.kind in AUTOMATED:
            by_person[row.recipient].append(row)
    gap = timedelta(days=config.cadence.min_gap_days)
    for recipient, rows in by_person.items():
        assert len(rows) <= config.cadence.max_emails_per_target, \
            f"{recipient} got {[r.kind for r in rows]}"
        for earlier, later in pairwise(rows):
            assert later.created_at - earlier.created_at >= gap, \
                f"{recipient}: {earlier.kind} then {later.kind} too close"
    return by_person


def test_choose_step_catches_up_with_one_step_and_no_stale_reminder() -> None:
    soft = datetime(2027, 1, 16, tzinfo=UTC)
    steps = [Step("follow_up", datetime(2026, 12, 13, tzinfo=UTC), soft),
             Step("reminder", datetime(2027, 1, 14, tzinfo=UTC), soft),
             Step("hard_deadline", soft, datetime(2027, 2, 1, tzinfo=UTC))]
    step, following = choose_step(steps, set(), datetime(2027, 1, 15, tzinfo=UTC))
    assert step is not None and step.kind == "reminder"  # not the missed follow-up too
    assert following == soft
    step, _ = choose_step(steps, {"follow_up"}, datetime(2027, 1, 20, tzinfo=UTC))
    assert step is not None and step.kind == "hard_deadline"  # the reminder is stale
    assert choose_step(steps, {"follow_up", "hard_deadline"},
                       datetime(2027, 1, 20, tzinfo=UTC)) == (None, None)


def test_a_whole_campaign_through_time(app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    events = {
        NOW + timedelta(days=2): reply("Yes, we sign!", "donna@eastporterville.example"),
        NOW + timedelta(days=10): reply("Who else has signed?",
                                        "praman@valleychildrens.example"),
        # The day before the soft deadline (15 January, 17:00 in Los Angeles).
        datetime(2027, 1, 14, 20, tzinfo=UTC): reply("We need more time.",
                                                     "tdominguez@ccdof.example"),
    }
    run(app, smtp_server, NOW, END, events)
    by_person = check_never_nagged(app)

    kinds = {r: [row.kind for row in rows] for r, rows in by_person.items()}
    # She signed two days in: only the ask, never a follow-up.
    assert kinds["donna@eastporterville.example"] == ["ask"]
    # A question pauses the follow-ups.
    assert kinds["praman@valleychildrens.example"] == ["ask", "follow_up"]
    # More time, the day before the soft deadline: told the hard deadline personally,
    # and no automated step after the reply.
    more_time = [r for r in sent_rows(app) if r.recipient == "tdominguez@ccdof.example"]
    assert "more_time" in [r.kind for r in more_time]
    reply_at = datetime(2027, 1, 14, 20, tzinfo=UTC)
    assert all(r.created_at <= reply_at for r in more_time if r.kind in AUTOMATED)
    # Someone who never answers: the ask, a follow-up, then one of reminder/last call.
    silent = kinds["linda@lwvfresno.example"]
    assert silent[:2] == ["ask", "follow_up"] and len(silent) == 3
    assert silent[2] in ("reminder", "hard_deadline")

    with app.factory() as session:
        targets = {t.contact.email: t for t in session.scalars(select(Target))}
        tasks = list(session.scalars(select(Task).where(Task.kind.in_(
            ["phone_call", "find_phone"])).order_by(Task.priority.desc(), Task.id)))
    assert targets["donna@eastporterville.example"].state == TargetState.SIGNED
    assert targets["linda@lwvfresno.example"].state == TargetState.ESCALATED
    assert targets["praman@valleychildrens.example"].state == TargetState.ESCALATED
    assert targets["tdominguez@ccdof.example"].state == TargetState.ESCALATED
    escalated = [t for t in targets.values() if t.state == TargetState.ESCALATED]
    assert len(tasks) == len(escalated)
    assert all(t.status == TaskStatus.OPEN and t.due_at is not None for t in tasks)
    first, last = tasks[0], tasks[-1]
    assert first.priority == 30 and last.priority == 10
    # The Tehipite chapter has no phone number: find one, or another contact.
    tehipite = targets["gary@tehipite.example"]
    assert any(t.kind == "find_phone" and t.target_id == tehipite.id for t in tasks)


def test_large_organizations_get_a_longer_lead(app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    run(app, smtp_server, NOW, NOW + timedelta(days=12))
    follow_ups = {r.recipient: r.created_at for r in sent_rows(app) if r.kind == "follow_up"}
    small = follow_ups["donna@eastporterville.example"]
    large = follow_ups["tomc@selfhelp.example"]
    assert large - small >= timedelta(days=3)


def test_a_daemon_down_for_weeks_sends_one_step_and_no_stale_reminder(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    # Down from the day after the asks until after the soft deadline.
    down = (NOW + timedelta(days=1), datetime(2027, 1, 18, 17, tzinfo=UTC))
    run(app, smtp_server, NOW, datetime(2027, 1, 19, 1, tzinfo=UTC), down=down)
    check_never_nagged(app)
    after = [r for r in sent_rows(app) if r.created_at >= down[1]]
    assert after, "nothing was sent after coming back"
    per_person: dict[str, list[str]] = defaultdict(list)
    for row in after:
        per_person[row.recipient].append(row.kind)
    assert all(kinds == ["hard_deadline"] for kinds in per_person.values()), per_person


def test_the_campaign_closes_at_the_soft_deadline_when_the_target_is_reached(
        app: App, smtp_server: SmtpServer) -> None:
    config = app.campaign("clean-water")
    config.target_signers = 1
    config.cadence.close_at_soft_deadline_if_target_reached = True
    load_example(app)
    events = {NOW + timedelta(days=1): reply("Yes, we sign!", "donna@eastporterville.example")}
    run(app, smtp_server, NOW, END, events)
    kinds = {r.kind for r in sent_rows(app) if r.created_at >= config.soft_deadline}
    assert kinds <= {"confirmation"}
    assert jobs.plan(app, config.soft_deadline + timedelta(days=1)).skipped["clean-water"] \
        .startswith("closed: 1 signers")
    with app.factory() as session:
        assert not session.scalars(select(Task).where(Task.kind == "phone_call")).all()


@pytest.mark.parametrize("mode", ["individual", "together"])
def test_the_hard_deadline_notice_goes_to_non_responders_only(
        app: App, smtp_server: SmtpServer, mode: str) -> None:
    config = app.campaign("clean-water")
    config.cadence.hard_deadline_notice = mode  # type: ignore[assignment]
    config.cadence.reminder_before_soft_deadline_days = None
    load_example(app)
    events = {NOW + timedelta(days=1): reply("Yes, we sign!", "donna@eastporterville.example")}
    run(app, smtp_server, NOW, config.soft_deadline + timedelta(days=4), events)
    check_never_nagged(app)
    notices = [r for r in sent_rows(app) if r.kind == "hard_deadline"]
    recipients = {r.recipient for r in notices}
    assert "donna@eastporterville.example" not in recipients
    assert len(recipients) == len(notices) >= 15
    assert all(r.created_at >= config.soft_deadline for r in notices)
