"""`outreach list`: members added, removed, imported, listed and set from the terminal,
on both databases, with the welcome and goodbye as the SMTP server received them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from outreach.app import App
from outreach.clock import utc_now
from outreach.lists.models import Delivery, ListMember, MemberStatus
from tests.cli.test_cli import cli, write_server_config
from tests.helpers import send_due
from tests.smtpserver import SmtpServer

ANA = "ana@river.example"


@pytest.fixture
def config(campaign_dir: Path, smtp_server: SmtpServer) -> Path:
    return write_server_config(campaign_dir, smtp_server.port)


def member(app: App, address: str = ANA) -> ListMember | None:
    with app.factory() as session:
        return session.scalars(select(ListMember).where(ListMember.address == address)).first()


def subjects_to(app: App, server: SmtpServer, address: str) -> list[str]:
    send_due(app, utc_now() + timedelta(minutes=1))
    return [str(r.message["Subject"]) for r in server.messages if r.rcpt_tos == [address]]


def members_json(config: Path, database_url: str, *args: str) -> list[dict[str, object]]:
    code, out, err = cli(config, database_url, "list", "members", "coalition", "--json", *args)
    assert code == 0, err
    found = json.loads(out)
    assert isinstance(found, list)
    return found


def test_add_subscribes_and_welcomes_once(app: App, config: Path, database_url: str,
                                          smtp_server: SmtpServer) -> None:
    code, out, err = cli(config, database_url, "list", "add", "coalition", "Ana@River.example",
                         "--name", "Ana Reyes", "--moderated")
    assert code == 0, err
    assert out.strip() == f"coalition: {ANA} subscribed, welcome queued, moderated"
    code, out, _ = cli(config, database_url, "list", "add", "coalition", ANA)
    assert code == 0 and out.strip() == f"coalition: {ANA} was already subscribed, moderated"
    code, out, _ = cli(config, database_url, "list", "add", "coalition", "ben@river.example",
                       "--no-welcome")
    assert code == 0 and out.strip() == "coalition: ben@river.example subscribed, no welcome"
    ana = member(app)
    assert ana is not None
    assert (ana.display_name, ana.source, ana.moderated, ana.status) == (
        "Ana Reyes", "cli", True, MemberStatus.SUBSCRIBED)
    assert subjects_to(app, smtp_server, ANA) == ["Welcome to Valley Water Coalition"]
    assert subjects_to(app, smtp_server, "ben@river.example") == []


@pytest.mark.parametrize("args", [
    ["add", "nosuch", ANA], ["remove", "nosuch", ANA], ["members", "nosuch"],
    ["set", "nosuch", ANA, "--delivery", "none"], ["import", "nosuch", "{csv}"],
])
def test_an_unknown_list_is_an_error_naming_the_lists(config: Path, database_url: str,
                                                      tmp_path: Path, args: list[str]) -> None:
    csv_path = tmp_path / "m.csv"
    csv_path.write_text("email\n", encoding="utf-8")
    code, _, err = cli(config, database_url, "list",
                       *[a.replace("{csv}", str(csv_path)) for a in args])
    assert code == 2
    assert "error: no list 'nosuch'; lists: coalition" in err


def test_an_address_that_is_no_address_is_refused(app: App, config: Path,
                                                  database_url: str) -> None:
    code, _, err = cli(config, database_url, "list", "add", "coalition", "ana at river")
    assert code == 2
    assert "not an email address: 'ana at river'" in err
    assert member(app, "ana at river") is None


def test_remove_says_goodbye_and_a_second_remove_changes_nothing(
        app: App, config: Path, database_url: str, smtp_server: SmtpServer) -> None:
    cli(config, database_url, "list", "add", "coalition", ANA, "--no-welcome")
    code, out, err = cli(config, database_url, "list", "remove", "coalition", ANA.upper())
    assert code == 0, err
    assert out.strip() == f"coalition: {ANA} unsubscribed, goodbye queued"
    ana = member(app)
    assert ana is not None and (ana.status, ana.unsubscribed_by) == (
        MemberStatus.UNSUBSCRIBED, "cli")
    code, out, _ = cli(config, database_url, "list", "remove", "coalition", ANA,
                       "--no-goodbye")
    assert code == 0 and out.startswith(f"coalition: {ANA} had already left (left ")
    assert subjects_to(app, smtp_server, ANA) == ["You have left Valley Water Coalition"]
    code, _, err = cli(config, database_url, "list", "remove", "coalition", "zoe@river.example")
    assert code == 2 and "zoe@river.example is not on list 'coalition'" in err


def test_remove_without_goodbye_sends_nothing(app: App, config: Path, database_url: str,
                                              smtp_server: SmtpServer) -> None:
    cli(config, database_url, "list", "add", "coalition", ANA, "--no-welcome")
    code, out, _ = cli(config, database_url, "list", "remove", "coalition", ANA, "--no-goodbye")
    assert code == 0 and out.strip() == f"coalition: {ANA} unsubscribed, no goodbye"
    assert subjects_to(app, smtp_server, ANA) == []


def test_add_brings_back_someone_who_left(app: App, config: Path, database_url: str) -> None:
    cli(config, database_url, "list", "add", "coalition", ANA, "--no-welcome")
    cli(config, database_url, "list", "remove", "coalition", ANA, "--no-goodbye")
    code, out, _ = cli(config, database_url, "list", "add", "coalition", ANA, "--no-welcome")
    assert code == 0 and out.strip() == f"coalition: {ANA} subscribed again, no welcome"


def test_import_reports_each_bad_row_with_its_file_and_line(
        app: App, config: Path, database_url: str, smtp_server: SmtpServer,
        tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("email,name\nana@river.example,Ana Reyes\nnope,No One\n"
                    "ana@river.example,Twice\nben@river.example,Ben\n", encoding="utf-8")
    code, out, err = cli(config, database_url, "list", "import", "coalition", str(path))
    assert code == 1
    assert f"{path}:3: not an email address: 'nope'" in err
    assert f"{path}:4: duplicate: ana@river.example already on line 2" in err
    assert "coalition: 4 row(s) read, 2 subscribed, 0 already members, 2 rejected" in out
    assert [m["address"] for m in members_json(config, database_url)] == [
        ANA, "ben@river.example"]
    assert subjects_to(app, smtp_server, "ben@river.example") == [
        "Welcome to Valley Water Coalition"]

    code, out, err = cli(config, database_url, "list", "import", "coalition", str(path),
                         "--no-welcome")
    assert code == 1 and "0 subscribed, 2 already members, 2 rejected" in out


def test_import_of_a_file_without_an_email_column_is_refused(
        app: App, config: Path, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("address_line,name\nx,y\n", encoding="utf-8")
    code, _, err = cli(config, database_url, "list", "import", "coalition", str(path))
    assert code == 2
    assert f"{path}:1: unknown column(s) ['address_line']" in " ".join(err.split())
    assert members_json(config, database_url) == []


def test_members_lists_the_members_and_with_all_those_who_left(
        app: App, config: Path, database_url: str) -> None:
    cli(config, database_url, "list", "add", "coalition", "zoe@river.example", "--no-welcome",
        "--name", "Zoe")
    cli(config, database_url, "list", "add", "coalition", ANA, "--no-welcome")
    cli(config, database_url, "list", "remove", "coalition", ANA, "--no-goodbye")
    (zoe,) = members_json(config, database_url)
    assert {key: zoe[key] for key in ("address", "name", "status", "delivery", "moderated",
                                      "source", "unsubscribed_by")} == {
        "address": "zoe@river.example", "name": "Zoe", "status": "subscribed",
        "delivery": "all", "moderated": False, "source": "cli", "unsubscribed_by": None}
    assert [(m["address"], m["status"]) for m in members_json(config, database_url, "--all")] \
        == [(ANA, "unsubscribed"), ("zoe@river.example", "subscribed")]
    code, out, err = cli(config, database_url, "list", "members", "coalition", "--all")
    assert code == 0, err
    assert "Valley Water Coalition: 2 rows" in out
    assert "zoe@river.example" in out and "unsubscribed" in out


def test_set_changes_delivery_and_moderation(app: App, config: Path,
                                             database_url: str) -> None:
    cli(config, database_url, "list", "add", "coalition", ANA, "--no-welcome")
    code, out, err = cli(config, database_url, "list", "set", "coalition", ANA, "--delivery",
                         "none", "--moderated")
    assert code == 0, err
    assert out.strip() == f"coalition: {ANA}: delivery none, moderated"
    code, out, _ = cli(config, database_url, "list", "set", "coalition", ANA,
                       "--not-moderated")
    assert code == 0 and out.strip() == f"coalition: {ANA}: delivery none, not moderated"
    ana = member(app)
    assert ana is not None and (ana.delivery, ana.moderated) == (Delivery.NONE, False)
    code, _, err = cli(config, database_url, "list", "set", "coalition", ANA)
    assert code == 2 and "say what to change" in err
    code, _, err = cli(config, database_url, "list", "set", "coalition", "zoe@river.example",
                       "--delivery", "all")
    assert code == 2 and "zoe@river.example is not on list 'coalition'" in err
    code, _, err = cli(config, database_url, "list", "set", "coalition", ANA, "--delivery",
                       "digest")
    assert code == 2 and "'digest' is not one of 'all', 'none'" in err


def test_show_lists_the_lists_with_their_member_counts(app: App, config: Path,
                                                       database_url: str) -> None:
    cli(config, database_url, "list", "add", "coalition", ANA, "--no-welcome")
    cli(config, database_url, "list", "add", "coalition", "zoe@river.example", "--no-welcome")
    cli(config, database_url, "list", "remove", "coalition", ANA, "--no-goodbye")
    code, out, err = cli(config, database_url, "list", "show", "--json")
    assert code == 0, err
    assert json.loads(out) == [{
        "list": "coalition", "title": "Valley Water Coalition",
        "address": "coalition@valleywater.org", "posting": "members", "subscribed": 1,
        "unsubscribed": 1, "signers_of": ["clean-water"]}]
    code, out, err = cli(config, database_url, "list", "show")
    assert code == 0, err
    assert "coalition@valleywater.org" in out and "members" in out
