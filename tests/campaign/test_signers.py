"""After the yes: change notices, withdrawals, reconfirmations, reissues, updates and the
release, end to end on both databases (real SMTP, the reply pipeline, the public page)."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.app import App, open_app
from outreach.campaign import jobs
from outreach.campaign.campaigns import get_campaign
from outreach.campaign.export import export_signers_json
from outreach.campaign.letter_changes import Published, publish_change
from outreach.campaign.models import (
    Campaign,
    MailLetter,
    NoticeResponse,
    Reissue,
    SignerNotice,
    SignOn,
    TargetState,
)
from outreach.campaign.public_page import render_public_page
from outreach.campaign.reissues import announce, reissued_sign_ons
from outreach.campaign.signer_mailings import is_listed_publicly, update_period
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.mail.models import OutboxMessage, OutboxStatus
from outreach.people.models import Suppression
from outreach.review.models import ReviewItem, ReviewStatus
from outreach.tasks.models import Task
from tests.campaign.test_replies import LATER, deliver, process, reply_to, sent_ask, target_of
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer

SLUG = "clean-water"
SIGNERS = {
    "donna@eastporterville.example": "East Porterville Water Committee",
    "gary@tehipite.example": "Sierra Club Tehipite Chapter",
}


def body(message: EmailMessage) -> str:
    """The plain text, lines unwrapped: each paragraph or list item on one line."""
    part = message.get_body(("plain",))
    assert part is not None
    text = str(part.get_content()).replace("\r\n", "\n")
    paragraphs = [" ".join(line.strip() for line in block.splitlines()) if not
                  block.lstrip().startswith("- ") else block
                  for block in text.split("\n\n")]
    return "\n\n".join(paragraphs)


def mail_of_kind(server: SmtpServer, subject_part: str, start: int = 0) -> list[EmailMessage]:
    return [m.message for m in server.messages[start:] if subject_part in str(m.message["Subject"])]


def change_letter(app: App, old: str = "within seven days", new: str = "within three days"
                  ) -> None:
    path = app.campaign(SLUG).letter_path()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def publish(app: App, summary: str, now: datetime = LATER, resolves: list[int] | None = None
            ) -> Published:
    with transaction(app.factory) as session:
        campaign = get_campaign(session, SLUG)
        return publish_change(session, campaign, app.campaign(SLUG), summary=summary, now=now,
                              by="maria", message_id_domain="valleywater.org",
                              resolves=resolves or [])


def listed_names(app: App) -> set[str]:
    """The names on the public page and in the export, which must agree."""
    with transaction(app.factory) as session:
        campaign = get_campaign(session, SLUG)
        files = render_public_page(session, app.campaign(SLUG), app.environments[SLUG],
                                   campaign, LATER)
        out = io.StringIO()
        export_signers_json(session, campaign, out)
    page = {s["name"] for s in json.loads(files["signers.json"])["signers"]}
    exported = {s["name_as_listed"] for s in json.loads(out.getvalue())["signers"]}
    assert page == exported
    for name in page:
        assert name in files["index.html"]
    return page


def sign(app: App, server: SmtpServer, addresses: dict[str, str] | list[str]) -> None:
    for address in addresses:
        deliver(app, reply_to(sent_ask(server, address), "Yes, count us in."))
    assert process(app) == {"signed": len(addresses)}


@pytest.fixture
def signed(app: App, smtp_server: SmtpServer) -> App:
    """The example asked at NOW; two organizations signed by reply, confirmations sent."""
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    sign(app, smtp_server, SIGNERS)
    send_due(app, LATER)
    return app


# --- Change notices -------------------------------------------------------------------------


def test_a_change_notice_reaches_every_prior_signer_exactly_once(
        signed: App, smtp_server: SmtpServer) -> None:
    start = len(smtp_server.messages)
    change_letter(signed)
    published = publish(signed, "Interim water within three days, not seven.")
    assert published.version.number == 2
    assert published.notices.emailed == 2
    for _ in range(3):  # the daemon's sweep finds nobody left to tell
        assert jobs.signer_mail(signed, LATER).change_notices == 0
    send_due(signed, LATER)
    send_due(signed, LATER + timedelta(hours=1))
    notices = mail_of_kind(smtp_server, "has changed", start)
    assert Counter(str(m["To"]).split("<")[-1].rstrip(">") for m in notices) == \
        Counter(list(SIGNERS))
    text = body(notices[0])
    assert "Interim water within three days, not seven." in text
    assert "[-seven-] {+three+}" in text
    assert "https://valleywater.org/letter/draft-v2" in text
    assert "draft-v1" not in text
    assert "your signature stays on the letter unless you reply WITHDRAW by" in text
    assert notices[0]["List-Unsubscribe"] is None  # about their consent, not marketing
    # Each sign-on keeps the version it was given for.
    with signed.factory() as session:
        versions = {s.letter_version_id for s in session.scalars(select(SignOn))}
        assert len(versions) == 1
    assert listed_names(signed) == set(SIGNERS.values())


def change_notice_to_donna(signed: App, smtp_server: SmtpServer) -> EmailMessage:
    """Publish a change and send its notices; the one East Porterville's contact got."""
    change_letter(signed)
    publish(signed, "Three days, not seven.")
    start = len(smtp_server.messages)
    send_due(signed, LATER)
    (notice,) = [m for m in mail_of_kind(smtp_server, "has changed", start)
                 if "donna@" in str(m["To"])]
    return notice


def test_a_withdrawal_that_also_asks_for_no_more_email_does_both(
        signed: App, smtp_server: SmtpServer) -> None:
    notice = change_notice_to_donna(signed, smtp_server)
    deliver(signed, reply_to(notice, "Please take our name off and stop emailing me. thx"))
    assert process(signed) == {"withdrawn+unsubscribed": 1}
    assert listed_names(signed) == {"Sierra Club Tehipite Chapter"}
    with signed.factory() as session:
        target = target_of(session, "East Porterville Water Committee")
        assert target.state == TargetState.WITHDRAWN
        assert target.contact.suppression == Suppression.UNSUBSCRIBED
    start = len(smtp_server.messages)
    send_due(signed, LATER + timedelta(hours=1))
    assert [m for m in smtp_server.messages[start:] if "donna@" in str(m.message["To"])] == []


def test_a_second_change_before_the_first_notice_went_out_replaces_it(
        signed: App, smtp_server: SmtpServer) -> None:
    start = len(smtp_server.messages)
    change_letter(signed)
    publish(signed, "Three days, not seven.")
    change_letter(signed, "Board", "State Water Board")
    publish(signed, "Names the State Water Board.", now=LATER + timedelta(minutes=5))
    send_due(signed, LATER + timedelta(hours=1))
    notices = mail_of_kind(smtp_server, "has changed", start)
    assert len(notices) == len(SIGNERS)
    text = body(notices[0])
    assert "Version 2: Three days, not seven." in text
    assert "Version 3: Names the State Water Board." in text
    assert "changed since version 1" in text
    assert "draft-v3" in text and "draft-v2" not in text
    with signed.factory() as session:
        responses = Counter(n.response for n in session.scalars(select(SignerNotice)))
        cancelled = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "change_notice",
            OutboxMessage.status == OutboxStatus.CANCELLED)).all()
    assert responses == {NoticeResponse.SUPERSEDED: 2, None: 2}
    assert len(cancelled) == 2


def test_withdraw_by_reply_takes_the_signer_off_the_page_and_the_export(
        signed: App, smtp_server: SmtpServer) -> None:
    notice = change_notice_to_donna(signed, smtp_server)
    deliver(signed, reply_to(notice, "WITHDRAW"))
    assert process(signed) == {"withdrawn": 1}
    assert listed_names(signed) == {"Sierra Club Tehipite Chapter"}
    with signed.factory() as session:
        target = target_of(session, "East Porterville Water Committee")
        sign_on = session.scalars(select(SignOn).where(SignOn.target_id == target.id)).one()
        notice_row = session.scalars(select(SignerNotice).where(
            SignerNotice.sign_on_id == sign_on.id)).one()
    assert target.state == TargetState.WITHDRAWN
    assert sign_on.withdrawn_by == "classifier"
    assert sign_on.withdrawal_quoted_text == "WITHDRAW"
    assert sign_on.withdrawal_inbound_message_id is not None
    assert notice_row.response == NoticeResponse.WITHDRAWN
    start = len(smtp_server.messages)
    send_due(signed, LATER + timedelta(hours=1))
    (confirmation,) = [m.message for m in smtp_server.messages[start:]]
    assert "has been removed" in str(confirmation["Subject"])
    assert confirmation["In-Reply-To"] is not None
    # A yes afterwards is not taken at its word: a person decides.
    deliver(signed, reply_to(confirmation, "Sorry, we will sign after all."))
    assert process(signed) == {"review:sign_on_doubt": 1}


def test_when_a_fresh_yes_is_required_signers_are_off_until_they_reconfirm(
        signed: App, smtp_server: SmtpServer) -> None:
    signed.campaign(SLUG).changes.after_change = "fresh_yes"
    change_letter(signed)
    publish(signed, "Three days, not seven.")
    assert listed_names(signed) == set()  # nobody consented to the new text yet
    start = len(smtp_server.messages)
    send_due(signed, LATER)
    notices = mail_of_kind(smtp_server, "Please confirm", start)
    assert len(notices) == 2
    assert "Please reply YES by" in body(notices[0])
    (donna,) = [m for m in notices if "donna@" in str(m["To"])]
    deliver(signed, reply_to(donna, "Yes, we confirm. Keep us on."))
    assert process(signed) == {"reconfirmed": 1}
    assert listed_names(signed) == {"East Porterville Water Committee"}
    start = len(smtp_server.messages)
    send_due(signed, LATER + timedelta(hours=1))
    (thanks,) = [m.message for m in smtp_server.messages[start:]]
    assert "Thank you for confirming" in body(thanks)
    # A further change, still unanswered by Tehipite: they still owe a fresh yes.
    change_letter(signed, "Board", "State Water Board")
    publish(signed, "Names the State Water Board.", now=LATER + timedelta(days=1))
    assert listed_names(signed) == set()
    with signed.factory() as session:
        open_notices = session.scalars(select(SignerNotice).where(
            SignerNotice.response.is_(None))).all()
    assert len(open_notices) == 2
    assert all(n.requires_reconfirmation for n in open_notices)


def test_a_yes_to_an_older_version_arriving_after_a_change_gets_a_notice(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    jobs.plan(app, NOW)
    send_due(app)
    change_letter(app)
    assert publish(app, "Three days, not seven.").notices.emailed == 0  # no signers yet
    ask = sent_ask(smtp_server, "donna@eastporterville.example")
    assert b"draft-v1" in ask.as_bytes()
    deliver(app, reply_to(ask, "Yes, count us in."))
    assert process(app) == {"signed": 1}
    with app.factory() as session:
        sign_on = session.scalars(select(SignOn)).one()
        assert sign_on.letter_version_id == ask_version(session, ask)  # what they were shown
    assert jobs.signer_mail(app, LATER).change_notices == 1
    assert jobs.signer_mail(app, LATER).change_notices == 0
    start = len(smtp_server.messages)
    send_due(app, LATER)
    assert len(mail_of_kind(smtp_server, "has changed", start)) == 1


def ask_version(session: Session, ask: EmailMessage) -> int | None:
    return session.scalars(
        select(MailLetter.letter_version_id)
        .join(OutboxMessage, OutboxMessage.id == MailLetter.outbox_message_id)
        .where(OutboxMessage.message_id == str(ask["Message-ID"]))).one_or_none()


def test_a_change_request_is_linked_to_the_version_that_resolves_it(
        signed: App, smtp_server: SmtpServer) -> None:
    ask = sent_ask(smtp_server, "jose@seville-residentes.example")
    deliver(signed, reply_to(ask, "Could you change it to say three days instead of seven?"))
    assert process(signed) == {"review:change_request": 1}
    with signed.factory() as session:
        item = session.scalars(select(ReviewItem)).one()
    change_letter(signed)
    published = publish(signed, "Three days, not seven.", resolves=[item.id])
    assert published.requesters_told == 1
    with signed.factory() as session:
        item = session.get(ReviewItem, item.id)  # type: ignore[assignment]
    assert item.status == ReviewStatus.RESOLVED
    assert item.resolved_by_letter_version_id == published.version.id
    start = len(smtp_server.messages)
    send_due(signed, LATER)
    (told,) = [m.message for m in smtp_server.messages[start:] if "jose@" in str(m.message["To"])]
    assert "Your suggestion" in str(told["Subject"])
    text = body(told)
    assert "three days instead of seven" in text and "draft-v2" in text
    with pytest.raises(OutreachError, match="already resolved"):
        publish(signed, "again", resolves=[item.id])


# --- Reissue --------------------------------------------------------------------------------


def test_a_reissue_leaves_out_opt_outs_and_those_never_told(
        signed: App, smtp_server: SmtpServer) -> None:
    sign(signed, smtp_server, ["linda@lwvfresno.example", "susana@communitywatercenter.example"])
    with transaction(signed.factory) as session:
        unsubscribed = target_of(session, "Community Water Center").contact
        unsubscribed.suppression = Suppression.UNSUBSCRIBED
    on = LATER + timedelta(days=10)
    with transaction(signed.factory) as session:
        campaign = get_campaign(session, SLUG)
        with pytest.raises(OutreachError, match="too soon"):
            announce(session, campaign, signed.campaign(SLUG), on=LATER + timedelta(days=2),
                     now=LATER, by="maria", message_id_domain="valleywater.org")
        announced = announce(session, campaign, signed.campaign(SLUG), on=on, now=LATER,
                             by="maria", message_id_domain="valleywater.org")
    assert announced.notices.emailed == 3
    assert announced.notices.by_task == ["Community Water Center"]
    with signed.factory() as session:
        (task,) = session.scalars(select(Task).where(Task.kind == "notify_signer")).all()
    assert "unsubscribed" in task.notes
    start = len(smtp_server.messages)
    send_due(signed, LATER)
    notices = mail_of_kind(smtp_server, "will be reissued", start)
    assert len(notices) == 3
    (gary,) = [m for m in notices if "gary@" in str(m["To"])]
    assert "reply OPT OUT" in body(gary)
    deliver(signed, reply_to(gary, "Please opt us out of the reissue."))
    assert process(signed) == {"withdrawn": 1}
    # Someone who signs now is told by the next pass; one who signs with no time left is not.
    ask = sent_ask(smtp_server, "rosa@kingsclinic.example")
    deliver(signed, reply_to(ask, "Yes, count us in."))
    assert process(signed) == {"signed": 1}
    jobs.signer_mail(signed, LATER)
    with transaction(signed.factory) as session:  # their notice fails to go out in time
        late = session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "reissue_notice",
            OutboxMessage.recipient == "rosa@kingsclinic.example")).one()
        late.not_before = on + timedelta(days=1)
    assert jobs.signer_mail(signed, on - timedelta(seconds=1)).reissues_made == []
    assert jobs.signer_mail(signed, on).reissues_made == [SLUG]
    assert jobs.signer_mail(signed, on + timedelta(hours=1)).reissues_made == []
    with signed.factory() as session:
        reissue = session.scalars(select(Reissue)).one()
        names = {s.name_as_listed for s in reissued_sign_ons(session, reissue)}
        campaign = session.scalars(select(Campaign)).one()
        out = io.StringIO()
        export_signers_json(session, campaign, out, reissue)
    assert names == {"East Porterville Water Committee", "Fresno County League of Women Voters"}
    assert reissue.signer_count == 2
    exported = json.loads(out.getvalue())
    assert {s["name_as_listed"] for s in exported["signers"]} == names
    assert exported["reissue"]["id"] == reissue.id


def test_a_reissue_leaves_out_signers_who_owe_a_fresh_yes_to_a_changed_text(
        signed: App, smtp_server: SmtpServer) -> None:
    config = signed.campaign(SLUG)
    config.changes.after_change = "fresh_yes"
    on = LATER + timedelta(days=10)
    with transaction(signed.factory) as session:
        announce(session, get_campaign(session, SLUG), config, on=on, now=LATER, by="maria",
                 message_id_domain="valleywater.org")
    send_due(signed, LATER)
    change_letter(signed)
    publish(signed, "Three days, not seven.", now=LATER + timedelta(days=1))
    start = len(smtp_server.messages)
    send_due(signed, LATER + timedelta(days=1))
    (donna,) = [m for m in mail_of_kind(smtp_server, "Please confirm", start)
                if "donna@" in str(m["To"])]
    deliver(signed, reply_to(donna, "Yes, we confirm."))
    assert process(signed) == {"reconfirmed": 1}
    assert jobs.signer_mail(signed, on).reissues_made == [SLUG]
    with signed.factory() as session:
        reissue = session.scalars(select(Reissue)).one()
        names = {s.name_as_listed for s in reissued_sign_ons(session, reissue)}
    assert names == {"East Porterville Water Committee"}


# --- Updates and the release ----------------------------------------------------------------


def test_the_weekly_update_lists_the_newest_signers_once_a_week(
        signed: App, smtp_server: SmtpServer) -> None:
    config = signed.campaign(SLUG)
    period = update_period(config, LATER + timedelta(days=6))  # Monday 14 December
    assert period.key == "2026-W51"
    monday_10am = period.starts
    assert monday_10am.isoformat() == "2026-12-14T18:00:00+00:00"  # 10:00 in Los Angeles
    assert jobs.signer_mail(signed, monday_10am - timedelta(minutes=1)).updates == 0
    assert jobs.signer_mail(signed, monday_10am).updates == 2
    assert jobs.signer_mail(signed, monday_10am + timedelta(hours=3)).updates == 0
    start = len(smtp_server.messages)
    send_due(signed, monday_10am)
    updates = mail_of_kind(smtp_server, "signers and counting", start)
    assert len(updates) == 2
    text = body(updates[0])
    assert "2 organizations and people have now signed" in text
    assert "- East Porterville Water Committee\n- Sierra Club Tehipite Chapter" in text
    assert updates[0]["List-Unsubscribe"] is not None
    # A week with nobody new sends nothing; the next signer is news the week after.
    assert jobs.signer_mail(signed, monday_10am + timedelta(days=7)).updates == 0
    ask = sent_ask(smtp_server, "linda@lwvfresno.example")
    deliver(signed, reply_to(ask, "Yes, count us in."))
    assert process(signed) == {"signed": 1}
    with transaction(signed.factory) as session:
        late = session.scalars(select(SignOn).where(
            SignOn.name_as_listed == "Fresno County League of Women Voters")).one()
        late.signed_at = monday_10am + timedelta(days=8)
    assert jobs.signer_mail(signed, monday_10am + timedelta(days=14)).updates == 3
    start = len(smtp_server.messages)
    send_due(signed, monday_10am + timedelta(days=14))
    text = body(mail_of_kind(smtp_server, "signers and counting", start)[0])
    assert "- Fresno County League of Women Voters\n" in text and "Tehipite" not in text


def test_the_release_sends_the_final_letter_and_lists_the_page(
        signed: App, smtp_server: SmtpServer) -> None:
    config = signed.campaign(SLUG)
    config.updates.every_days = 0
    release = LATER + timedelta(days=3)
    config.release.on = release
    assert 'content="noindex"' in page(signed, LATER)
    assert jobs.signer_mail(signed, release - timedelta(seconds=1)).releases == []
    assert jobs.signer_mail(signed, release).releases == [SLUG]
    assert jobs.signer_mail(signed, release + timedelta(hours=1)).releases == []
    start = len(smtp_server.messages)
    send_due(signed, release)
    finals = mail_of_kind(smtp_server, "Released today", start)
    assert len(finals) == 2
    text = body(finals[0])
    assert "signed by 2 organizations and people" in text
    assert "- East Porterville Water Committee\n- Sierra Club Tehipite Chapter\n" in text
    assert "Late signers are still welcome" in text
    html = page(signed, release)
    assert 'content="noindex"' not in html and "late signers are added" in html
    # A late signer joins the page and gets their own confirmation, not the final letter.
    sign(signed, smtp_server, ["linda@lwvfresno.example"])
    assert "Fresno County League of Women Voters" in listed_names(signed)
    start = len(smtp_server.messages)
    send_due(signed, release + timedelta(hours=2))
    assert [str(m.message["Subject"]) for m in smtp_server.messages[start:]] == [
        'Thank you: Fresno County League of Women Voters is on "Safe Drinking Water for Every '
        'Valley Community"']


def page(app: App, now: datetime) -> str:
    with transaction(app.factory) as session:
        campaign = get_campaign(session, SLUG)
        files = render_public_page(session, app.campaign(SLUG), app.environments[SLUG],
                                   campaign, now,
                                   listed=is_listed_publicly(campaign, app.campaign(SLUG)))
    return files["index.html"]


# --- Commands and checks --------------------------------------------------------------------


def test_reissue_and_letter_commands(signed: App, campaign_dir: Path, database_url: str,
                                     smtp_server: SmtpServer) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    code, out, err = cli(config, database_url, "reissue", SLUG, "--on", "2027-03-01",
                         "--by", "maria")
    assert code == 0, err
    assert "reissue 1 on 2027-03-01 08:00 UTC; 2 signer(s) will be told" in out
    code, out, err = cli(config, database_url, "reissue", SLUG, "--on", "2027-03-09",
                         "--by", "maria")
    assert code != 0 and "already announced" in err
    code, out, err = cli(config, database_url, "reissue", SLUG)
    assert code == 0 and "reissue 1: on 2027-03-01, announced, not yet made" in out
    code, out, err = cli(config, database_url, "export", "signers", SLUG, "--reissue", "latest")
    assert code != 0 and "has no reissue made yet" in err
    code, out, err = cli(config, database_url, "reissue", SLUG, "--on", "next tuesday",
                         "--by", "maria")
    assert code != 0 and "use YYYY-MM-DD" in err
    change_letter(signed)
    code, out, err = cli(config, database_url, "letter", "publish", SLUG, "--summary",
                         "Three days.", "--resolves", "999", "--by", "maria")
    assert code != 0 and "review item 999 is not in campaign 'clean-water'" in err
    code, out, err = cli(config, database_url, "letter", "publish", SLUG, "--summary",
                         "Three days.", "--by", "maria")
    assert code == 0, err
    assert "change notices: 2 queued to earlier signers (their signature stays unless they " \
           "reply WITHDRAW)" in out
    code, out, err = cli(config, database_url, "withdraw", SLUG, "sierra club tehipite chapter",
                         "--note", "Gary called: take us off", "--by", "maria")
    assert code == 0, err
    assert "Sierra Club Tehipite Chapter withdrawn from clean-water by maria" in out
    assert listed_names(signed) == {"East Porterville Water Committee"}
    code, out, err = cli(config, database_url, "withdraw", SLUG, "Sierra Club Tehipite Chapter",
                         "--note", "again", "--by", "maria")
    assert code != 0 and "has no signature on clean-water to withdraw" in err


def test_a_broken_notice_template_fails_the_check_before_any_send(
        signed: App, campaign_dir: Path) -> None:
    templates = campaign_dir / "campaigns" / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "change_notice.txt.j2").write_text(
        "Dear {{ contact.first_name }},\n{{ notice.no_such_field }}\n", encoding="utf-8")
    fresh = open_app(signed.settings)
    try:
        report = jobs.check(fresh, SLUG, LATER)
    finally:
        fresh.close()
    assert not report.ok
    assert any("change_notice.txt.j2" in e and "no_such_field" in e for e in report.errors)


def test_an_organizer_confirms_a_doubtful_withdrawal_from_the_review_queue(
        signed: App, smtp_server: SmtpServer) -> None:
    from outreach.campaign.decisions import reclassify
    from outreach.campaign.intent import Intent

    ask = sent_ask(smtp_server, "gary@tehipite.example")
    deliver(signed, reply_to(ask, "Please withdraw our signature.",
                             sender="chair@tehipite.example"))
    assert process(signed) == {"review:withdraw_doubt": 1}  # not the person who signed
    assert "Sierra Club Tehipite Chapter" in listed_names(signed)
    with transaction(signed.factory) as session:
        item = session.scalars(select(ReviewItem)).one()
        reclassify(session, item.id, Intent.WITHDRAW, by="maria", now=LATER,
                   message_id_domain="valleywater.org")
    assert listed_names(signed) == {"East Porterville Water Committee"}
    with signed.factory() as session:
        sign_on = session.scalars(select(SignOn).where(SignOn.withdrawn_at.is_not(None))).one()
    assert sign_on.withdrawn_by == "organizer:maria"
    assert sign_on.withdrawal_quoted_text == "Please withdraw our signature."
