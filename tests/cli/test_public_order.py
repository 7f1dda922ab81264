"""`outreach publish` and `outreach export signers` list signers in one order, a careful
librarian's: leading articles ignored only as whole words, accents and case ignored.
Real-looking names in several languages, through the command line, on both databases."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

from sqlalchemy import select

from outreach.app import open_app
from outreach.campaign import letters
from outreach.campaign.models import Target
from outreach.campaign.signons import Evidence, record_sign_on
from outreach.db.session import transaction
from outreach.people.organizations import org_key
from tests.cli.test_cli import cli, write_server_config
from tests.conftest import NOW, make_settings
from tests.people.names_corpus import librarian_key, names
from tests.people.test_sort_names import BY_HAND
from tests.smtpserver import SmtpServer

SLUG = "clean-water"


def write_targets(path: Path, organizations: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["organization", "contact_name", "email", "decision_maker"])
        for number, organization in enumerate(organizations):
            writer.writerow([organization, f"Contact {number}", f"c{number}@org{number}.example",
                             "yes"])
    return path


def everyone_signs(campaign_dir: Path, database_url: str, port: int) -> int:
    """Each target signs (by phone, as an organizer records it) under its own name."""
    app = open_app(make_settings(campaign_dir, database_url, port))
    try:
        with transaction(app.factory) as session:
            targets = session.scalars(select(Target).order_by(Target.id)).all()
            version = letters.current_version(session, targets[0].campaign_id)
            assert version is not None
            for target in targets:
                record_sign_on(session, target, name=target.organization.name,
                               signer_type="organization", now=NOW,
                               message_id_domain="valleywater.example",
                               evidence=Evidence(kind="phone", decided_by="organizer:maria",
                                                 letter_version_id=version.id))
            return len(targets)
    finally:
        app.close()


def test_the_page_and_the_export_file_signers_as_a_librarian(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer, tmp_path: Path) -> None:
    # One organization per name, whatever its case ("The Bee…" and "the Bee…" are one).
    organizations = list({org_key(n): n for n in reversed([*BY_HAND, *names(300)])}.values())
    config = write_server_config(campaign_dir, smtp_server.port)
    targets = write_targets(tmp_path / "targets.csv", organizations)
    code, _, err = cli(config, database_url, "import", str(targets), "--campaign", SLUG)
    assert code == 0, err
    assert everyone_signs(campaign_dir, database_url, smtp_server.port) == len(organizations)

    site = tmp_path / "site"
    code, _, err = cli(config, database_url, "publish", SLUG, "--out", str(site))
    assert code == 0, err
    listed = [s["name"] for s in
              json.loads((site / "signers.json").read_text(encoding="utf-8"))["signers"]]
    on_page = [html.unescape(name) for name in re.findall(
        r"<li><bdi>(.*?)</bdi></li>", (site / "index.html").read_text(encoding="utf-8"))]
    code, out, err = cli(config, database_url, "export", "signers", SLUG)
    assert code == 0, err
    exported = [row["name_as_listed"] for row in csv.DictReader(io.StringIO(out))]
    code, out, err = cli(config, database_url, "export", "signers", SLUG, "--format", "json")
    assert code == 0, err
    exported_json = [s["name_as_listed"] for s in json.loads(out)["signers"]]

    assert on_page == listed == exported == exported_json
    assert sorted(listed) == sorted(organizations)
    keys = [librarian_key(name) for name in listed]
    assert keys == sorted(keys)
    assert [name for name in listed if name in BY_HAND] == BY_HAND


def test_a_sort_name_given_stays_and_one_made_from_the_name_follows_it(
        campaign_dir: Path, database_url: str, smtp_server: SmtpServer, tmp_path: Path) -> None:
    config = write_server_config(campaign_dir, smtp_server.port)
    path = tmp_path / "targets.csv"

    def load(text: str) -> dict[str, str]:
        path.write_text(text, encoding="utf-8")
        code, _, err = cli(config, database_url, "import", str(path), "--campaign", SLUG)
        assert code == 0, err
        code, out, err = cli(config, database_url, "export", "targets", SLUG)
        assert code == 0, err
        return {row["email"]: row["sort_name"] for row in csv.DictReader(io.StringIO(out))}

    first = load("organization,sort_name,contact_name,email\n"
                 "Los Angeles Waterkeeper,Los Angeles Waterkeeper,Ana Ruiz,ana@lawk.example\n"
                 "Les Amis de la Terre,,Claire Dubois,claire@amis.example\n")
    assert first == {"ana@lawk.example": "Los Angeles Waterkeeper",
                     "claire@amis.example": "Amis de la Terre"}
    again = load("organization,contact_name,email\n"
                 "Los Angeles Waterkeeper,Ana Ruiz,ana@lawk.example\n"
                 "les amis de la terre,Claire Dubois,claire@amis.example\n")
    assert again == {"ana@lawk.example": "Los Angeles Waterkeeper",
                     "claire@amis.example": "amis de la terre"}
