"""Organizers' tasks on both databases: assignment, completing (and signing by phone), the
daily digest through a real SMTP server, and the iCalendar export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.app import App
from outreach.campaign import jobs, letters
from outreach.campaign.config import CampaignConfig, Organizer
from outreach.campaign.models import Campaign, MailLetter, SignOn, Target, TargetState
from outreach.campaign.targets import mail_about
from outreach.cli import common
from outreach.db.session import make_engine, make_session_factory, transaction
from outreach.errors import OutreachError
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.people.models import Organization
from outreach.people.organizations import org_key
from outreach.tasks.assignment import assign, choose_assignee
from outreach.tasks.board import assign_task, complete_task, list_tasks
from outreach.tasks.calendar import tasks_to_ics
from outreach.tasks.digest import check_digest_template, send_task_digests
from outreach.tasks.models import Task, TaskStatus
from outreach.tasks.task import open_task
from outreach.templating import make_environment
from tests.campaign.test_replies import deliver, process, reply_to, sent_ask
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer

DOMAIN = "valleywater.example"
MARIA = Organizer(name="Maria Alvarez", email="maria@valleywater.example")
JAMES = Organizer(name="James Okafor", email="James@valleywater.example")
ANA = Organizer(name="Ana Ruiz", email="ana@valleywater.example")


def org(session: Session, name: str) -> Organization:
    return session.scalars(select(Organization).where(Organization.key == org_key(name))).one()


def target(session: Session, name: str) -> Target:
    return session.scalars(select(Target).join(Organization)
                           .where(Organization.key == org_key(name))).one()


def campaign_id(session: Session) -> int:
    return session.scalars(select(Campaign.id).where(Campaign.slug == "clean-water")).one()


def call(session: Session, name: str, *, priority: int = 10, due: datetime | None = NOW,
         assignee: str | None = None, kind: str = "phone_call") -> Task:
    t = target(session, name)
    task = open_task(session, kind=kind, title=f"Call {t.contact.name} at {name}", now=NOW,
                     campaign_id=t.campaign_id, target_id=t.id, priority=priority,
                     due_at=due, assignee=assignee)
    session.flush()
    return task


@pytest.fixture
def config(app: App) -> CampaignConfig:
    load_example(app)
    config = app.campaign("clean-water")
    config.organizers = [MARIA.model_copy(), JAMES.model_copy()]
    config.task_assignment = "round_robin"  # the example campaign assigns by owner
    return config


# --- Assignment ----------------------------------------------------------------------------


def test_assign_without_a_database() -> None:
    config = CampaignConfig(title="t", letter=Path("l.md"), draft_url="https://x/{version}",
                            soft_deadline=NOW, hard_deadline=NOW, target_signers=1,
                            organizers=[MARIA, JAMES, ANA], task_assignment="owner")
    owned = Organization(owner="ANA")
    assert assign(config, owned, {}) == "Ana Ruiz"  # the owner, in any case
    assert assign(config, Organization(owner="james@valleywater.example"), {}) == "James Okafor"
    # An owner who is not an organizer: round-robin, fewest open tasks, ties by list order.
    stranger = Organization(owner="someone else")
    assert assign(config, stranger, {}) == "Maria Alvarez"
    assert assign(config, stranger, {"Maria Alvarez": 2, "James Okafor": 1,
                                     "Ana Ruiz": 1}) == "James Okafor"
    config.task_assignment = "round_robin"
    assert assign(config, owned, {"Maria Alvarez": 0, "Ana Ruiz": 3}) == "Maria Alvarez"
    config.organizers = []
    assert assign(config, owned, {}) is None


def test_round_robin_spreads_open_tasks(app: App, config: CampaignConfig) -> None:
    names = ["Community Water Center", "Sierra Club California", "Self-Help Enterprises",
             "Earthjustice California", "East Porterville Water Committee"]
    with transaction(app.factory) as session:
        # James already carries one open task, and one closed task that does not count.
        call(session, "Clean Water Action California", assignee="James Okafor")
        closed = call(session, "Fresno County League of Women Voters", assignee="James Okafor")
        closed.status = TaskStatus.DONE
        chosen = []
        for name in names:  # as the escalation does: choose, then open, in one transaction
            who = choose_assignee(session, config, org(session, name))
            call(session, name, assignee=who)
            chosen.append(who)
    assert chosen == ["Maria Alvarez", "Maria Alvarez", "James Okafor", "Maria Alvarez",
                      "James Okafor"]


def test_owner_assignment_falls_back_to_round_robin(app: App, config: CampaignConfig) -> None:
    config.task_assignment = "owner"
    config.organizers = [Organizer(name="Maria Alvarez", email="maria@valleywater.example")]
    with transaction(app.factory) as session:
        # Owner "maria" is the organizer's email local part; "james" is no organizer here.
        assert choose_assignee(session, config, org(session, "Community Water Center")) == \
            "Maria Alvarez"
        assert choose_assignee(session, config, org(session, "Sierra Club California")) == \
            "Maria Alvarez"
        config.organizers.append(JAMES.model_copy())
        call(session, "Community Water Center", assignee="Maria Alvarez")
        assert choose_assignee(session, config, org(session, "Sierra Club California")) == \
            "James Okafor"  # james is listed now: his own organization
        assert choose_assignee(session, config, org(session, "Self-Help Enterprises")) == \
            "Maria Alvarez"  # owned by maria, whatever her load
        config.organizers = []
        assert choose_assignee(session, config, org(session, "Self-Help Enterprises")) is None


def test_assign_task_checks_the_organizers(app: App, config: CampaignConfig) -> None:
    with transaction(app.factory) as session:
        task_id = call(session, "Community Water Center").id
    with transaction(app.factory) as session:
        task = assign_task(session, task_id, "james", by="maria", now=NOW,
                           configs=app.campaigns)
        assert task.assignee == "James Okafor"
        assert "assigned to James Okafor by maria" in task.notes
    with transaction(app.factory) as session, \
            pytest.raises(OutreachError, match="not an organizer"):
        assign_task(session, task_id, "bob", by="maria", now=NOW, configs=app.campaigns)


# --- Completing tasks ----------------------------------------------------------------------


def test_done_signed_records_a_phone_sign_on_attested_by_the_organizer(
        app: App, config: CampaignConfig, smtp_server: SmtpServer) -> None:
    jobs.plan(app, NOW)
    send_due(app)
    with transaction(app.factory) as session:
        t = target(session, "Sierra Club California")
        asked_version = session.scalars(
            select(MailLetter.letter_version_id)
            .join(OutboxMessage, OutboxMessage.id == MailLetter.outbox_message_id)
            .where(mail_about(t.id), OutboxMessage.kind == "ask")).one()
        # The letter changed since: the sign-on is to the version they were sent.
        letters.record_version(session, t.campaign, config, "A new text", summary="second",
                               now=NOW)
        task_id = call(session, "Sierra Club California", priority=30).id
        other_id = call(session, "Sierra Club California", kind="find_phone").id
    later = NOW + timedelta(days=1)
    with transaction(app.factory) as session:
        complete_task(session, task_id, status="done", by="maria", now=later,
                      note="Brandon said yes for the chapter board", signed_name=" Sierra Club "
                      " California ", message_id_domain=DOMAIN)
    with transaction(app.factory) as session:
        t = target(session, "Sierra Club California")
        sign_on = session.scalars(select(SignOn)).one()
        task, other = session.get(Task, task_id), session.get(Task, other_id)
        confirmation = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "confirmation")).one()
    assert t.state == TargetState.SIGNED
    assert (sign_on.name_as_listed, sign_on.evidence_kind, sign_on.decided_by) == (
        "Sierra Club California", "phone", "organizer:maria")
    assert sign_on.quoted_text == "Brandon said yes for the chapter board"
    assert sign_on.letter_version_id == asked_version
    assert sign_on.signed_at == later and sign_on.inbound_message_id is None
    assert task is not None and other is not None
    assert (task.status, task.closed_by, task.closed_at) == (TaskStatus.DONE, "maria", later)
    assert "signed as 'Sierra Club California'" in task.notes
    assert other.status == TaskStatus.CANCELLED  # finding a phone is moot now
    assert (confirmation.recipient, confirmation.status) == (
        "brandon.dawson@sierraclub.example", OutboxStatus.PENDING)
    # The confirmation goes out through the real server, with the letter's link.
    send_due(app, later)
    (sent,) = [m for m in smtp_server.messages
               if m.rcpt_tos == ["brandon.dawson@sierraclub.example"]
               and "Thank you" in str(m.message["Subject"])]
    assert "Sierra Club California" in str(sent.message["Subject"])

    # A closed task cannot be closed again.
    with transaction(app.factory) as session, pytest.raises(OutreachError,
                                                            match="already closed: done"):
        complete_task(session, task_id, status="no_answer", by="james", now=later,
                      message_id_domain=DOMAIN)


def test_completing_refuses_what_does_not_make_sense(app: App, config: CampaignConfig) -> None:
    with transaction(app.factory) as session:
        task_id = call(session, "Community Water Center").id
        loose = open_task(session, kind="review", title="Check the list", now=NOW)
        session.flush()
        loose_id = loose.id
    for kwargs, message in [
        ({"status": "no_answer", "signed_name": "CWC"}, "closes the task as done"),
        ({"status": "open"}, "not open"),
        ({"status": "maybe"}, "not 'maybe'"),
        ({"status": "done", "signed_name": "  "}, "needs the name"),
    ]:
        with transaction(app.factory) as session, pytest.raises(OutreachError, match=message):
            complete_task(session, task_id, by="maria", now=NOW, message_id_domain=DOMAIN,
                          **kwargs)
    with transaction(app.factory) as session, pytest.raises(OutreachError, match="not about"):
        complete_task(session, loose_id, status="done", by="maria", now=NOW,
                      signed_name="Someone", message_id_domain=DOMAIN)
    with transaction(app.factory) as session, pytest.raises(OutreachError, match="no task 999"):
        complete_task(session, 999, status="done", by="maria", now=NOW,
                      message_id_domain=DOMAIN)
    with transaction(app.factory) as session:
        task = complete_task(session, task_id, status="left_message", by="maria", now=NOW,
                             note="voicemail", message_id_domain=DOMAIN)
        assert task.status == TaskStatus.LEFT_MESSAGE and "left message by maria: voicemail" \
            in task.notes
        assert session.scalars(select(SignOn)).first() is None


# --- The daily digest ----------------------------------------------------------------------


def digests(app: App, now: datetime) -> list[str]:
    with transaction(app.factory) as session:
        result = send_task_digests(session, app.settings, app.campaigns, app.environments, now)
    assert result.problems == []
    return sorted(q.email for q in result.queued)


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_each_organizer_gets_one_digest_a_day_in_priority_order(
        app: App, config: CampaignConfig, smtp_server: SmtpServer) -> None:
    config.organizers.append(ANA.model_copy())  # no tasks: no mail
    jobs.plan(app, NOW)
    send_due(app)
    ask = sent_ask(smtp_server, "susana@communitywatercenter.example")
    deliver(app, reply_to(ask, "Who else has signed so far? Our board meets Thursday."))
    process(app)
    with transaction(app.factory) as session:
        call(session, "Self-Help Enterprises", priority=10, due=NOW + timedelta(days=1),
             assignee="Maria Alvarez")
        call(session, "Community Water Center", priority=30, due=NOW + timedelta(days=2),
             assignee="Maria Alvarez")
        call(session, "East Porterville Water Committee", priority=30,
             due=NOW + timedelta(days=1), assignee="Maria Alvarez")
        call(session, "Sierra Club Tehipite Chapter", kind="find_phone", priority=20,
             due=None, assignee="james")  # stored by hand: still James's
        call(session, "Earthjustice California", assignee=None)  # nobody's: in no digest
        done = call(session, "Madera Coalition for Community Justice", priority=99,
                    assignee="Maria Alvarez")
        done.status = TaskStatus.DONE

    # 10:00 in Los Angeles, after the digest hour (8): one each for Maria and James.
    assert digests(app, NOW) == ["james@valleywater.example", "maria@valleywater.example"]
    assert digests(app, NOW + timedelta(hours=5)) == []  # the same local day: nothing more
    send_due(app, NOW + timedelta(hours=5))
    mail = {m.rcpt_tos[0]: m.message for m in smtp_server.messages
            if m.message["Auto-Submitted"] == "auto-generated"}
    assert sorted(mail) == ["james@valleywater.example", "maria@valleywater.example"]

    maria = mail["maria@valleywater.example"]
    assert str(maria["Subject"]) == "Your 3 open tasks for Tuesday 8 December 2026"
    text = body(maria)
    order = [text.index(name) for name in ("East Porterville Water Committee",
                                           "Community Water Center", "Self-Help Enterprises")]
    assert order == sorted(order)  # priority, then the sooner due time
    assert "Madera" not in text and "Earthjustice" not in text and "Tehipite" not in text
    assert "+1 559 733 0219" in text and "Susana De Anda" in text  # the CWC contact's phone
    assert "https://valleywater.org/letter/draft-v1" in text
    assert "Who else has signed so far? Our board meets Thursday." in text
    assert "Maria Alvarez wrote" not in text  # their own words, not the ask they quoted
    assert "Last said:    2026-12-08: ask queued" in text  # no reply: the last event
    assert "due Wed 9 Dec 10:00 PST" in text

    james = body(mail["james@valleywater.example"])
    assert "Sierra Club Tehipite Chapter" in james and "none on file" in james

    # The next day: not before 8:00 local time, then once again.
    assert digests(app, datetime(2026, 12, 9, 15, 59, tzinfo=UTC)) == []
    assert digests(app, datetime(2026, 12, 9, 16, 0, tzinfo=UTC)) == [
        "james@valleywater.example", "maria@valleywater.example"]
    assert digests(app, datetime(2026, 12, 10, 7, 59, tzinfo=UTC)) == []  # 23:59 on the 9th


def test_no_open_tasks_no_digest(app: App, config: CampaignConfig) -> None:
    assert digests(app, NOW) == []
    with transaction(app.factory) as session:
        call(session, "Community Water Center", assignee="Maria Alvarez").status = \
            TaskStatus.CANCELLED
    assert digests(app, NOW) == []


def test_a_broken_digest_template_is_named_before_any_mail(tmp_path: Path) -> None:
    assert check_digest_template(make_environment([]), NOW) == []
    (tmp_path / "task_digest.txt.j2").write_text("{{ tasks[0].no_such_field }}\n")
    (problem,) = check_digest_template(make_environment([tmp_path]), NOW)
    assert "task_digest.txt.j2" in problem and "no_such_field" in problem


# --- iCalendar -----------------------------------------------------------------------------


def test_tasks_export_to_icalendar_with_their_due_times(app: App, config: CampaignConfig) -> None:
    due = datetime(2026, 12, 9, 17, 30, tzinfo=UTC)
    with transaction(app.factory) as session:
        first = call(session, "Community Water Center", priority=30, due=due,
                     assignee="Maria Alvarez").id
        second = call(session, "Sierra Club California", priority=10,
                      due=due + timedelta(hours=2)).id
        undated = call(session, "Sierra Club Tehipite Chapter", kind="find_phone", due=None).id
    with transaction(app.factory) as session:
        ics = tasks_to_ics(list_tasks(session), domain=DOMAIN, now=NOW)
    calendar = Calendar.from_ical(ics)
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    todos = {str(t["UID"]): t for t in calendar.walk("VTODO")}
    assert sorted(events) == sorted([f"task-{first}@{DOMAIN}", f"task-{second}@{DOMAIN}"])
    assert list(todos) == [f"task-{undated}@{DOMAIN}"]
    event = events[f"task-{first}@{DOMAIN}"]
    assert event.decoded("DTSTART") == due
    assert event.decoded("DURATION") == timedelta(minutes=30)
    assert event.decoded("PRIORITY") == 1
    assert events[f"task-{second}@{DOMAIN}"].decoded("PRIORITY") == 2
    assert str(event["SUMMARY"]) == "Call Susana De Anda at Community Water Center"
    description = str(event["DESCRIPTION"])
    assert "+1 559 733 0219" in description and "Susana De Anda" in description
    assert "https://valleywater.org/letter/draft-v1" in description
    assert str(event["LOCATION"]) == "+1 559 733 0219"
    assert events[f"task-{second}@{DOMAIN}"].decoded("DTSTART") == due + timedelta(hours=2)


# --- The command line ----------------------------------------------------------------------


def test_tasks_commands(campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
                        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    # The console read COLUMNS when it was made, in whichever test imported it first.
    monkeypatch.setattr(common.console, "width", 160)
    campaign_file = campaign_dir / "campaigns" / "clean-water.toml"
    example = campaign_file.read_text(encoding="utf-8").split("[[organizers]]")[0]
    campaign_file.write_text(example + """
[[organizers]]
name = "Maria Alvarez"
email = "maria@valleywater.example"

[[organizers]]
name = "James Okafor"
email = "james@valleywater.example"
""", encoding="utf-8")
    config = write_server_config(campaign_dir, smtp_server.port)
    code, _, err = cli(config, database_url, "import",
                       str(campaign_dir / "targets" / "clean-water.csv"), "--campaign",
                       "clean-water")
    assert code == 0, err
    engine = make_engine(database_url)
    due = datetime(2027, 1, 28, 18, 0, tzinfo=UTC)
    try:
        with transaction(make_session_factory(engine)) as session:
            first = call(session, "Community Water Center", priority=30, due=due,
                         assignee="Maria Alvarez").id
            second = call(session, "Sierra Club California", priority=10, due=due).id
    finally:
        engine.dispose()

    code, out, err = cli(config, database_url, "tasks")
    assert code == 0, err
    assert "Open tasks: 2" in out and "Community Water Center" in out and "Thu 28 Jan" in out
    assert out.index("Community Water Center") < out.index("Sierra Club California")

    code, out, err = cli(config, database_url, "tasks", "assign", str(second), "james",
                         "--by", "maria")
    assert code == 0, err
    assert f"task {second}: assigned to James Okafor by maria" in out
    code, out, _ = cli(config, database_url, "tasks", "--assignee", "JAMES")
    assert "Open tasks for James Okafor: 1" in out and "Sierra Club California" in out
    assert "Community Water Center" not in out
    code, _, err = cli(config, database_url, "tasks", "assign", str(second), "bob", "--by", "x")
    assert code == 2 and "'bob' is not an organizer of clean-water" in err

    ics = tmp_path / "tasks.ics"
    code, _, err = cli(config, database_url, "tasks", "export", "--ics", str(ics),
                       "--assignee", "maria")
    assert code == 0, err
    assert "wrote 1 task(s)" in err
    (event,) = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event["UID"]) == f"task-{first}@valleywater.example"
    assert event.decoded("DTSTART") == due

    monkeypatch.setenv("OUTREACH_ORGANIZER", "maria")
    code, out, err = cli(config, database_url, "tasks", "done", str(first), "--signed",
                         "Community Water Center", "--note", "Susana said yes")
    assert code == 0, err
    assert f"task {first}: done by maria" in out and "a confirmation is queued" in out
    code, _, err = cli(config, database_url, "tasks", "done", str(first), "--outcome",
                       "no_answer")
    assert code == 2 and f"task {first} is already closed: done (by maria" in err
    code, out, err = cli(config, database_url, "tasks", "done", str(second), "--outcome",
                         "no_answer", "--by", "james")
    assert code == 0 and f"task {second}: no answer by james" in out

    code, out, _ = cli(config, database_url, "tasks")
    assert "Open tasks: 0" in out
    code, out, _ = cli(config, database_url, "tasks", "--all")
    assert "All tasks: 2" in out and "no answer" in out

    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            sign_on = session.scalars(select(SignOn)).one()
    finally:
        engine.dispose()
    assert (sign_on.decided_by, sign_on.evidence_kind, sign_on.quoted_text) == (
        "organizer:maria", "phone", "Susana said yes")
