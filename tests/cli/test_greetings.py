"""Greetings through the command line: "Dear Priya," for Dr. Priya Raman, a CSV's
`greeting_name` as written, old CSVs with `first_name` as before (both databases)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from outreach.app import App
from outreach.campaign import jobs
from outreach.people.models import Contact
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW
from tests.helpers import send_due
from tests.smtpserver import SmtpServer

NEW_CSV = """\
organization,contact_name,greeting_name,email,decision_maker
Valley Health Alliance,Dr. Priya Raman,,priya@vha.example,yes
Iglesia del Valle,Rev. Martin Ortiz,Pastor Martin,martin@iglesia.example,yes
Les Amis de la Terre,Mme Dubois,,dubois@amis.example,yes
Comité Pro Agua,Sra. Lupe García,,lupe@proagua.example,yes
Akademie für Nachhaltigkeit,Prof. Dr. Karin Walter,Frau Professor Walter,kw@akademie.example,yes
"""
OLD_CSV = """\
organization,contact_name,first_name,email,decision_maker
Fresno Water Lawyers,Mr. Ed Kiefer,,ed@lawyers.example,yes
Huron Farmworkers,Blanca Ruiz,Blanquita,blanca@huron.example,yes
"""
GREETINGS = {
    "priya@vha.example": "Priya",
    "martin@iglesia.example": "Pastor Martin",
    "dubois@amis.example": "Mme Dubois",
    "lupe@proagua.example": "Lupe",
    "kw@akademie.example": "Frau Professor Walter",
    "ed@lawyers.example": "Ed",
    "blanca@huron.example": "Blanquita",
}


def greetings(server: SmtpServer) -> dict[str, str]:
    found = {}
    for received in server.messages:
        body = received.message.get_body(("plain",))
        assert body is not None
        first_line = str(body.get_content()).splitlines()[0]
        assert first_line.startswith("Dear ") and first_line.endswith(","), first_line
        (rcpt,) = received.rcpt_tos
        found[rcpt] = first_line.removeprefix("Dear ").removesuffix(",")
    return found


def test_asks_greet_by_first_name_past_titles_or_as_the_csv_says(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
        tmp_path: Path) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    for name, text in (("new.csv", NEW_CSV), ("old.csv", OLD_CSV)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        code, _, err = cli(config, database_url, "import", str(tmp_path / name),
                           "--campaign", "clean-water")
        assert code == 0, err
    code, out, err = cli(config, database_url, "check", "clean-water")
    assert code == 0, err + out
    assert jobs.plan(app, NOW).plans["clean-water"].queued == len(GREETINGS)
    send_due(app)
    assert greetings(smtp_server) == GREETINGS


def test_reimporting_keeps_a_greeting_given_and_follows_one_found_in_the_name(
        app: App, campaign_dir: Path, database_url: str, smtp_server: SmtpServer,
        tmp_path: Path) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)

    def load(text: str) -> dict[str, str]:
        path = tmp_path / "targets.csv"
        path.write_text(text, encoding="utf-8")
        code, _, err = cli(config, database_url, "import", str(path), "--campaign",
                           "clean-water")
        assert code == 0, err
        with app.factory() as session:
            return {c.email: c.greeting_name for c in session.scalars(select(Contact))}

    assert load(NEW_CSV)["priya@vha.example"] == "Priya"
    # A file without the greeting columns: the greeting given stays, the one found in the
    # contact's name follows the name.
    renamed = load("organization,contact_name,email\n"
                   "Valley Health Alliance,Dr. Priyanka Raman,priya@vha.example\n"
                   "Iglesia del Valle,Rev. Dr. Martin Ortiz,martin@iglesia.example\n")
    assert renamed["priya@vha.example"] == "Priyanka"
    assert renamed["martin@iglesia.example"] == "Pastor Martin"
    # Given again, in the older column: it wins over the name.
    again = load("organization,contact_name,first_name,email\n"
                 "Valley Health Alliance,Dr. Priyanka Raman,Pri,priya@vha.example\n")
    assert again["priya@vha.example"] == "Pri"
