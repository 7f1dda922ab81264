"""CSV import: bad rows reported by line number, good rows in, re-import updates."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from outreach.app import App
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.importer import ImportReport, import_csv
from outreach.campaign.models import Target
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.people.models import Contact, Engagement, Organization, Size
from tests.conftest import NOW

HEADER = "organization,size,engagement,stakeholder_kind,tags,parent,contact_name,email,phone," \
         "decision_maker\n"


def run_import(app: App, path: Path) -> ImportReport:
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, app.campaign("clean-water"), NOW)
        return import_csv(session, path, now=NOW, campaign=campaign)


def count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_bad_rows_are_reported_and_good_rows_go_in(app: App, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text(
        HEADER
        + "River Friends,small,Core,directly impacted,water;rivers,,Ana Ruiz,ana@river.example,,"
        + "yes\n"
        + "Bad Email Org,small,Ally,legal,,,Bo Li,not-an-email,,yes\n"
        + ",small,Ally,legal,,,No Org,noorg@x.example,,yes\n"
        + "Level Org,small,Best Friends,legal,,,Cy Doe,cy@level.example,,yes\n"
        + "Dup Org,small,Ally,legal,,,Ana Again,ANA@river.example,,yes\n"
        + '"Multi\nLine Org",large,Comrade,legal,,,Di Mo,di@multi.example,,yes\n'
        + "Size Org,huge,Ally,legal,,,Ed Fo,ed@size.example,,yes\n"
        + "No Name Org,small,Ally,legal,,,,nn@nn.example,,yes\n"
        + "Short Row,small\n",
        encoding="utf-8",
    )
    report = run_import(app, path)
    reasons = {e.line: e.reason for e in report.errors}
    assert set(reasons) == {3, 4, 5, 6, 9, 10, 11}
    assert "invalid email 'not-an-email'" in reasons[3]
    assert "missing organization name" in reasons[4]
    assert "unknown engagement level 'Best Friends'" in reasons[5]
    assert "duplicate: ana@river.example already on line 2" in reasons[6]
    assert "unknown size 'huge'" in reasons[9]  # the quoted field spans lines 7-8
    assert "missing contact name" in reasons[10]
    assert "expected 10 fields, found 2" in reasons[11]
    assert report.rows == 9 and report.accepted == 2
    assert report.organizations_created == 2 and report.targets_created == 2
    with app.factory() as session:
        org = session.scalars(
            select(Organization).where(Organization.name == "River Friends")).one()
        assert org.engagement == Engagement.CORE and org.tags == ["water", "rivers"]
        assert session.scalars(select(Organization).where(
            Organization.name == "Multi Line Org")).one().size == Size.LARGE


def test_reimport_updates_instead_of_duplicating(app: App, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text(HEADER + "River Friends,small,Ally,,,,Ana Ruiz,ana@river.example,,yes\n",
                    encoding="utf-8")
    first = run_import(app, path)
    assert (first.organizations_created, first.contacts_created, first.targets_created) == (1, 1, 1)
    path.write_text(HEADER + "river  friends,large,Core,,,,Ana María Ruiz,Ana@River.example,"
                    "+1 555 0100,yes\n", encoding="utf-8")
    second = run_import(app, path)
    assert (second.organizations_created, second.contacts_created, second.targets_created) == \
        (0, 0, 0)
    assert (second.organizations_updated, second.contacts_updated) == (1, 1)
    assert count(app.factory, Organization) == 1
    assert count(app.factory, Contact) == 1
    assert count(app.factory, Target) == 1
    with app.factory() as session:
        org = session.scalars(select(Organization)).one()
        contact = session.scalars(select(Contact)).one()
    assert (org.size, org.engagement) == (Size.LARGE, Engagement.CORE)
    assert (contact.name, contact.phone) == ("Ana María Ruiz", "+1 555 0100")


def test_parent_organizations_link_chapters(app: App, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text(
        HEADER
        + "Sierra Club Local,small,Ally,,,Sierra Club,Gus Lee,gus@local.example,,yes\n"
        + "Sierra Club,large,Ally,,,,Bea Ray,bea@sierra.example,,yes\n"
        + "Orphan Chapter,small,Ally,,,Nobody Inc,Oz Po,oz@orphan.example,,yes\n",
        encoding="utf-8",
    )
    report = run_import(app, path)
    assert report.errors == []
    assert [(w.line, "Nobody Inc" in w.reason) for w in report.warnings] == [(4, True)]
    with app.factory() as session:
        local = session.scalars(select(Organization).where(
            Organization.name == "Sierra Club Local")).one()
        assert local.parent is not None and local.parent.name == "Sierra Club"


def test_email_of_another_organization_is_refused(app: App, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(HEADER + "Org A,small,,,,,Al,al@x.example,,yes\n", encoding="utf-8")
    run_import(app, path)
    path.write_text(HEADER + "Org B,small,,,,,Al,al@x.example,,yes\n", encoding="utf-8")
    report = run_import(app, path)
    assert [(e.line, e.reason) for e in report.errors] == [
        (2, "al@x.example is already a contact of Org A")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"t\.csv: the file is empty"),
        (b"organisation,email,colour\n", r"t\.csv:1: unknown column\(s\) \['colour'\]"),
        (b"organization,contact_name\n", r"t\.csv:1: the column 'email' is required"),
        (HEADER.encode() + b"Caf\xe9 Org,small,,,,,Al,al@x.example,,yes\n",
         r"t\.csv:2: not UTF-8"),
    ],
)
def test_unreadable_files_say_why(app: App, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(OutreachError, match=message):
        run_import(app, path)
    assert count(app.factory, Organization) == 0


def test_excel_bom_and_aliases(app: App, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffOrganisation,Name,E-mail\r\nÉcole Verte,Zoé Martin,zoe@ecole.example\r\n".encode())
    report = run_import(app, path)
    assert report.errors == [] and report.accepted == 1
    with app.factory() as session:
        contact = session.scalars(select(Contact)).one()
    assert (contact.greeting_name, contact.email) == ("Zoé", "zoe@ecole.example")


def test_an_address_smtp_cannot_carry_is_refused_with_its_line(app: App, tmp_path: Path) -> None:
    path = tmp_path / "targets.csv"
    path.write_text(
        HEADER
        + "Bund Fresno,small,Ally,legal,,,Jo Müller,müller@bund.example,,yes\n"
        + "Umwelt Bünde,small,Ally,legal,,,Al Bo,al@bünde.example,,yes\n",
        encoding="utf-8")
    report = run_import(app, path)
    reasons = {e.line: e.reason for e in report.errors}
    assert set(reasons) == {2} and "müller@bund.example" in reasons[2]
    with app.factory() as session:
        assert session.scalars(select(Contact.email)).one() == "al@xn--bnde-0ra.example"
