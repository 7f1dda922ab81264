"""Letter versions: publishing a change, its diff, and the links every email carries."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs, letters
from outreach.campaign.campaigns import get_campaign
from outreach.campaign.importer import import_csv
from outreach.campaign.letters import word_diff
from outreach.campaign.models import LetterVersion, MailLetter
from outreach.db.session import transaction
from outreach.errors import OutreachError
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW
from tests.helpers import load_example, send_due
from tests.smtpserver import SmtpServer


def test_word_diff_is_readable() -> None:
    assert word_diff("We call on the Board.", "We urge the Board.") == \
        "We [-call on-] {+urge+} the Board."
    assert word_diff("Fund interim water.", "Fund interim and permanent water.") == \
        "Fund interim {+and permanent+} water."
    assert word_diff("a b c", "a c") == "a [-b-] c"


def test_an_edit_is_refused_until_published_then_every_ask_links_it(
        app: App, smtp_server: SmtpServer) -> None:
    load_example(app)
    config = app.campaign("clean-water")
    path = config.letter_path()
    path.write_text(path.read_text(encoding="utf-8").replace("within seven days",
                                                             "within three days"),
                    encoding="utf-8")
    assert jobs.plan(app, NOW).queued == 0  # an unpublished change: no asks at all
    with transaction(app.factory) as session:
        campaign = get_campaign(session, "clean-water")
        version = letters.publish(session, campaign, config, now=NOW,
                                  summary="Interim water within three days, not seven.")
        assert version.number == 2
        assert "[-seven-] {+three+}" in version.diff
    with transaction(app.factory) as session:
        campaign = get_campaign(session, "clean-water")
        try:
            letters.publish(session, campaign, config, now=NOW, summary="again")
        except OutreachError as exc:
            assert "has not changed since version 2" in str(exc)
        else:
            raise AssertionError("publishing an unchanged letter must be refused")
    assert jobs.plan(app, NOW).queued == 21
    send_due(app)
    assert all(b"draft-v2" in m.data and b"draft-v1" not in m.data
               for m in smtp_server.messages)


def test_letter_publish_command(campaign_dir: Path, database_url: str,
                                smtp_server: SmtpServer) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    code, _, err = cli(config, database_url, "import",
                       str(campaign_dir / "targets" / "clean-water.csv"), "--campaign",
                       "clean-water")
    assert code == 0, err
    code, _, err = cli(config, database_url, "letter", "publish", "clean-water",
                       "--summary", "nothing", "--by", "maria")
    assert code == 2 and "has not changed since version 1" in err
    letter = campaign_dir / "campaigns" / "clean-water.md"
    letter.write_text(letter.read_text(encoding="utf-8") + "\nSigned in hope.\n",
                      encoding="utf-8")
    code, out, err = cli(config, database_url, "letter", "publish", "clean-water",
                         "--summary", "A closing line.", "--by", "maria")
    assert code == 0, err
    assert "version 2 published (https://valleywater.org/letter/draft-v2)" in out
    assert "{+Signed in hope.+}" in out
    code, out, err = cli(config, database_url, "check", "clean-water")
    assert code == 0, err


def test_versions_are_kept(app: App) -> None:
    load_example(app)
    with app.factory() as session:
        versions = session.scalars(select(LetterVersion)).all()
    assert [(v.number, v.summary, v.diff) for v in versions] == [(1, "first version", "")]


def test_a_change_while_500_asks_are_queued_sends_none_with_the_old_link(
        app: App, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = app.campaign("clean-water")
    extra = tmp_path / "more.csv"
    header = (config.source.parent.parent / "targets" / "clean-water.csv").read_text(
        encoding="utf-8").splitlines()[0]
    extra.write_text(header + "\n" + "".join(
        f"Valley Group {i:03d},small,Ally,civic leader,,,no,maria,Person {i},"
        f"p{i}@group{i}.example,,Chair,yes\n" for i in range(500)), encoding="utf-8")
    load_example(app)
    with transaction(app.factory) as session:
        report = import_csv(session, extra, now=NOW,
                            campaign=get_campaign(session, "clean-water"))
    assert report.errors == []
    assert jobs.plan(app, NOW).queued == 521
    path = config.letter_path()
    path.write_text(path.read_text(encoding="utf-8").replace("within seven days",
                                                             "within three days"),
                    encoding="utf-8")
    with transaction(app.factory) as session:
        letters.publish(session, get_campaign(session, "clean-water"), config, now=NOW,
                        summary="Three days, not seven.")
    assert send_due(app).sent == 521
    assert len(smtp_server.messages) == 521
    assert not [m for m in smtp_server.messages if b"draft-v1" in m.data]
    assert all(b"draft-v2" in m.data for m in smtp_server.messages)
    with app.factory() as session:
        versions = set(session.scalars(select(MailLetter.letter_version_id)))
        assert versions == {session.scalars(select(LetterVersion.id).where(
            LetterVersion.number == 2)).one()}
