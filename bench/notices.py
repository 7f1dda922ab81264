"""Time publishing a letter change to N earlier signers (their change notices); print JSON.

    .venv/bin/python bench/notices.py --signers 10000

The database (SQLite in a temporary folder) holds the example campaign and N signed
targets, each with a sign-on on version 1. The letter file is edited and
`letter_changes.publish_change` records version 2 and writes one notice and one outbox
row per signer, in one transaction: that is the figure. The reference, in the same run, is
the floor for that much writing: `outbox.enqueue_many` of N rows in one transaction.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.app import open_app  # noqa: E402
from outreach.campaign import letters  # noqa: E402
from outreach.campaign.campaigns import sync_campaign  # noqa: E402
from outreach.campaign.letter_changes import publish_change  # noqa: E402
from outreach.campaign.models import SignerNotice, SignOn, Target, TargetState  # noqa: E402
from outreach.db.session import transaction  # noqa: E402
from outreach.mail.outbox import NewMessage, enqueue_many  # noqa: E402
from outreach.people.models import Contact, Organization  # noqa: E402
from outreach.resources import bundled  # noqa: E402
from outreach.settings import load_settings  # noqa: E402

NOW = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signers", type=int, default=10_000)
    args = parser.parse_args()
    n = args.signers
    folder = Path(tempfile.mkdtemp(prefix="outreach-notices-"))
    try:
        shutil.copytree(bundled("config"), folder / "config")
        settings = load_settings(folder / "config" / "outreach.toml", {
            "OUTREACH_SECRET_KEY": "bench",
            "OUTREACH_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"})
        app = open_app(settings)
        config = app.campaign("clean-water")
        with transaction(app.factory) as session:
            campaign = sync_campaign(session, config, NOW)
            version = letters.current_version(session, campaign.id)
            assert version is not None
            campaign_id, version_id = campaign.id, version.id
            ids = range(1, n + 1)
            session.execute(insert(Organization), [
                {"id": i, "key": f"org {i}", "name": f"Org {i}", "sort_name": f"Org {i}",
                 "tags": [], "needs_parent_approval": False, "created_at": NOW,
                 "updated_at": NOW} for i in ids])
            session.execute(insert(Contact), [
                {"id": i, "organization_id": i, "name": f"Person {i}", "greeting_name": "Person",
                 "email": f"person{i}@org{i % 997}.example", "is_decision_maker": True,
                 "created_at": NOW, "updated_at": NOW} for i in ids])
            session.execute(insert(Target), [
                {"id": i, "campaign_id": campaign_id, "organization_id": i, "contact_id": i,
                 "state": TargetState.SIGNED, "state_changed_at": NOW, "priority": 0,
                 "emails_sent": 1, "asked_at": NOW, "created_at": NOW} for i in ids])
            session.execute(insert(SignOn), [
                {"campaign_id": campaign_id, "target_id": i, "organization_id": i,
                 "name_as_listed": f"Org {i}", "sort_name": f"Org {i}",
                 "signer_type": "organization", "letter_version_id": version_id,
                 "evidence_kind": "reply", "decided_by": "classifier", "signed_at": NOW}
                for i in ids])
        path = config.letter_path()
        path.write_text(path.read_text(encoding="utf-8") + "\nSigned in hope.\n",
                        encoding="utf-8")

        started = time.perf_counter()
        with transaction(app.factory) as session:
            campaign = sync_campaign(session, config, NOW)
            published = publish_change(session, campaign, config, summary="A closing line.",
                                       now=NOW, by="bench", message_id_domain="bench.example")
        seconds = time.perf_counter() - started

        started = time.perf_counter()
        with transaction(app.factory) as session:
            enqueue_many(session, [NewMessage(kind="note", recipient=f"person{i}@x.example")
                                   for i in range(n)], now=NOW, message_id_domain="bench.example")
        reference = time.perf_counter() - started

        with app.factory() as session:
            notices = session.scalar(select(func.count()).select_from(SignerNotice)) or 0
        print(json.dumps({
            "signers": n,
            "seconds": round(seconds, 3),
            "notices": notices,
            "emails_queued": published.notices.emailed,
            "reference_enqueue_many_seconds": round(reference, 3),
            "ratio_to_reference": round(seconds / reference, 1),
            "database": "sqlite",
        }))
        app.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
