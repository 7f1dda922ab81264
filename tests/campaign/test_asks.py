"""Asks: who is asked when, the link resolved at send time, and discretion."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from outreach.app import App
from outreach.campaign import jobs, letters
from outreach.campaign.campaigns import get_campaign
from outreach.campaign.models import MailLetter, SignOn, Target, TargetEvent, TargetState
from outreach.campaign.targets import transition
from outreach.db.session import transaction
from outreach.mail import outbox
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.people.models import Engagement, Organization, Suppression
from outreach.people.organizations import org_key
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer


def target_of(session: Session, name: str) -> Target:
    return session.scalars(
        select(Target).join(Organization).where(Organization.key == org_key(name))).one()


def test_a_letter_change_after_queueing_sends_only_the_new_link(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    assert jobs.plan(app, NOW).queued == 21
    config = app.campaign("clean-water")
    with transaction(app.factory) as session:
        campaign = get_campaign(session, "clean-water")
        v2 = letters.record_version(session, campaign, config, config.read_letter() + "\nEdit.\n",
                                    summary="an edit", now=NOW)
    send_due(app)
    assert len(smtp_server.messages) == 21
    for received in smtp_server.messages:
        raw = received.data.decode()
        assert "draft-v2" in raw and "draft-v1" not in raw
    with app.factory() as session:
        versions = set(session.scalars(select(MailLetter.letter_version_id)))
    assert versions == {v2.id}


def test_an_ask_is_cancelled_when_the_target_signed_before_it_went_out(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    with transaction(app.factory) as session:
        target = target_of(session, "Community Water Center")
        transition(session, target, TargetState.SIGNED, now=NOW, reason="signed by phone",
                   actor="maria")
        target_of(session, "Self-Help Enterprises").contact.suppression = Suppression.UNSUBSCRIBED
    stats = send_due(app)
    assert stats.sent == 19 == len(smtp_server.messages)
    recipients = {m.rcpt_tos[0] for m in smtp_server.messages}
    assert "susana@communitywatercenter.example" not in recipients
    assert "tomc@selfhelp.example" not in recipients
    with app.factory() as session:
        cancelled = session.scalars(select(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.CANCELLED)).all()
    assert len(cancelled) == 2
    assert all((c.last_error or "").startswith("cancelled:") for c in cancelled)


def test_an_organization_waits_until_the_named_ones_have_signed(app: App) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    with transaction(app.factory) as session:
        rural = target_of(session, "California Rural Water Association")
        assert rural.state == TargetState.QUEUED
        campaign = get_campaign(session, "clean-water")
        version = letters.current_version(session, campaign.id)
        assert version is not None
        for name in ("Community Water Center", "Fresno Interdenominational Refugee Ministries"):
            target = target_of(session, name)
            session.add(SignOn(campaign_id=campaign.id, target_id=target.id,
                               organization_id=target.organization_id, name_as_listed=name,
                               sort_name=name, letter_version_id=version.id,
                               evidence_kind="reply", decided_by="test", signed_at=NOW))
        # One signature is not enough.
        session.flush()
        session.delete(session.scalars(select(SignOn).limit(1)).one())
    assert jobs.plan(app, NOW + timedelta(hours=1)).queued == 0
    with transaction(app.factory) as session:
        campaign = get_campaign(session, "clean-water")
        target = target_of(session, "Community Water Center")
        session.add(SignOn(campaign_id=campaign.id, target_id=target.id,
                           organization_id=target.organization_id,
                           name_as_listed="Community Water Center",
                           sort_name="Community Water Center", letter_version_id=version.id,
                           evidence_kind="reply", decided_by="test", signed_at=NOW))
    assert jobs.plan(app, NOW + timedelta(hours=2)).queued == 1
    with app.factory() as session:
        assert target_of(session, "California Rural Water Association").state == \
            TargetState.ASKED


def test_waves_open_on_their_date_with_large_and_core_first(app: App) -> None:
    load_example(app)
    before = NOW.replace(month=11, day=24)  # the "everyone" wave opens on 1 December
    plan = jobs.plan(app, before).plans["clean-water"]
    assert plan.waiting["wave everyone opens later"] == 6
    with app.factory() as session:
        early = session.scalars(select(Target).where(Target.state == TargetState.ASKED)).all()
        assert {t.wave for t in early} == {"early"}
        priorities = {t.organization.name: t.priority for t in early}
    assert priorities["Self-Help Enterprises"] > priorities["Asociación de Residentes de Seville"]
    assert jobs.plan(app, NOW).queued == 6


def test_never_ask_is_excluded_and_requeued_when_the_rule_goes(app: App) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    with app.factory() as session:
        target = target_of(session, "Valley Agribusiness Council")
        assert target.state == TargetState.EXCLUDED
        events = session.scalars(select(TargetEvent).where(
            TargetEvent.target_id == target.id)).all()
        assert [(e.from_state, e.to_state, e.reason) for e in events] == [
            (TargetState.QUEUED, TargetState.EXCLUDED, "discretion: never ask")]
    app.campaign("clean-water").discretion.never_ask.clear()
    assert jobs.plan(app, NOW).queued == 1


def test_no_asks_after_the_hard_deadline_nor_with_an_unpublished_letter(app: App) -> None:
    load_example(app)
    config = app.campaign("clean-water")
    assert jobs.plan(app, config.hard_deadline).queued == 0
    config.letter_path().write_text(config.read_letter() + "\nAn unpublished edit.\n",
                                    encoding="utf-8")
    result = jobs.plan(app, NOW)
    assert result.queued == 0
    assert "unpublished change" in result.skipped["clean-water"]


def test_a_contact_suppressed_before_asking_closes_the_target(app: App) -> None:
    load_example(app)
    with transaction(app.factory) as session:
        target_of(session, "Sierra Club California").contact.suppression = Suppression.BOUNCED
        target_of(session, "Earthjustice California").contact.suppression = \
            Suppression.UNSUBSCRIBED
    plan = jobs.plan(app, NOW).plans["clean-water"]
    assert plan.suppressed == 2
    with app.factory() as session:
        assert target_of(session, "Sierra Club California").state == TargetState.BOUNCED
        assert target_of(session, "Earthjustice California").state == TargetState.OPTED_OUT


def test_templates_can_differ_by_engagement_level(app: App, smtp_server: SmtpServer) -> None:
    config = app.campaign("clean-water")
    folder = config.source.parent / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "ask-core.subject.j2").write_text("Help us shape {{ campaign.title }}\n")
    (folder / "ask-core.txt.j2").write_text(
        "Dear {{ contact.first_name }}, as a Core partner, help drive the strategy: "
        "{{ letter.draft_url }}\n")
    config.templates.ask_by_engagement = {Engagement.CORE: "ask-core"}
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    subjects = {m.rcpt_tos[0]: str(m.message["Subject"]) for m in smtp_server.messages}
    assert subjects["donna@eastporterville.example"].startswith("Help us shape")  # Core
    assert subjects["zach@firminc.example"].startswith("Will ")  # Comrade: the usual ask
    assert jobs.check(app, "clean-water", NOW).ok


def test_a_claimed_page_of_asks_reads_its_targets_and_letter_once(
        app: App, smtp_server: SmtpServer) -> None:
    """The page's targets (with contact, organization and campaign) come in one query and
    the current letter version in one more, not one of each per ask."""
    load_example(app)
    assert jobs.plan(app, NOW).queued == 21
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(app.engine, "before_cursor_execute", record)
    try:
        claimed = outbox.claim(app.factory, worker="test", now=NOW, limit=50,
                               lease=timedelta(minutes=5), hooks=app.hooks())
    finally:
        event.remove(app.engine, "before_cursor_execute", record)
    assert len(claimed) == 21
    reading = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert sum("FROM target" in s for s in reading) == 1, reading
    assert sum("FROM letter_version" in s for s in reading) == 1, reading
    assert sum("FROM mail_letter" in s for s in reading) == 1, reading


def test_an_ask_claimed_again_after_a_letter_change_links_the_new_version(
        app: App, smtp_server: SmtpServer) -> None:
    """Rows given back unsent and claimed again are composed again: their `mail_letter`
    row follows the letter version current at the second claim."""
    load_example(app)
    assert jobs.plan(app, NOW).queued == 21
    lease = timedelta(minutes=5)
    first = outbox.claim(app.factory, worker="test", now=NOW, limit=50, lease=lease,
                         hooks=app.hooks())
    assert outbox.release(app.factory, [row.id for row in first], worker="test") == 21
    config = app.campaign("clean-water")
    with transaction(app.factory) as session:
        campaign = get_campaign(session, "clean-water")
        v2 = letters.record_version(session, campaign, config, config.read_letter() + "\nEdit.\n",
                                    summary="an edit", now=NOW)
    again = outbox.claim(app.factory, worker="test", now=NOW, limit=50, lease=lease,
                         hooks=app.hooks())
    assert len(again) == 21
    with transaction(app.factory) as session:
        linked = set(session.scalars(select(MailLetter.letter_version_id)))
    assert linked == {v2.id}
    assert all(v2.draft_url and v2.draft_url.encode() in row.raw for row in again)
