"""Time one planning pass over N targets in mixed states; print JSON.

    .venv/bin/python bench/plan.py --targets 100000

The database (SQLite in a temporary folder) is filled with the example campaign and N
synthetic targets: a fifth queued, the others asked, followed up, paused, signed, declined
or bounced, with their next actions spread around `now` (a third of them due). The figure
is the wall time of `outreach.campaign.jobs.plan`, the daemon's planning job. The same pass is then
run again on a copy of the database taken before it, under tracemalloc (which slows Python
down, so it is not timed), for the peak of Python memory: it should not grow with N.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.app import open_app  # noqa: E402
from outreach.campaign import jobs  # noqa: E402
from outreach.campaign.campaigns import sync_campaign  # noqa: E402
from outreach.campaign.models import Target, TargetState  # noqa: E402
from outreach.db.session import transaction  # noqa: E402
from outreach.mail.models import OutboxMessage  # noqa: E402
from outreach.people.models import Contact, Engagement, Organization, Size  # noqa: E402
from outreach.resources import bundled  # noqa: E402
from outreach.settings import load_settings  # noqa: E402

NOW = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
STATES = ([TargetState.QUEUED] * 20 + [TargetState.ASKED] * 40 + [TargetState.FOLLOWED_UP] * 15
          + [TargetState.PAUSED] * 5 + [TargetState.SIGNED] * 10 + [TargetState.DECLINED] * 5
          + [TargetState.BOUNCED] * 5)


def fill(app_factory: object, campaign_id: int, n: int, rng: random.Random) -> None:
    from sqlalchemy.orm import Session, sessionmaker

    assert isinstance(app_factory, sessionmaker)
    factory: sessionmaker[Session] = app_factory
    levels = list(Engagement)
    sizes = list(Size)
    batch = 5000
    for start in range(0, n, batch):
        ids = range(start, min(n, start + batch))
        with transaction(factory) as session:
            session.execute(insert(Organization), [
                {"id": i + 1, "key": f"org {i}", "name": f"Org {i}", "sort_name": f"Org {i}",
                 "size": rng.choice(sizes), "engagement": rng.choice(levels), "tags": [],
                 "needs_parent_approval": False, "created_at": NOW, "updated_at": NOW}
                for i in ids])
            session.execute(insert(Contact), [
                {"id": i + 1, "organization_id": i + 1, "name": f"Person {i}",
                 "greeting_name": "Person", "email": f"person{i}@org{i % 997}.example",
                 "is_decision_maker": True, "created_at": NOW, "updated_at": NOW}
                for i in ids])
            rows = []
            for i in ids:
                state = rng.choice(STATES)
                stepping = state in (TargetState.ASKED, TargetState.FOLLOWED_UP)
                asked = NOW - timedelta(days=rng.uniform(0, 20)) if state != TargetState.QUEUED \
                    else None
                rows.append({
                    "id": i + 1, "campaign_id": campaign_id, "organization_id": i + 1,
                    "contact_id": i + 1, "state": state, "state_changed_at": NOW,
                    "priority": 0, "emails_sent": 0 if state == TargetState.QUEUED else 1,
                    "asked_at": asked, "created_at": NOW - timedelta(days=30),
                    "next_action_at": NOW + timedelta(days=rng.uniform(-6, 12)) if stepping
                    else None,
                })
            session.execute(insert(Target), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="outreach-plan-"))
    try:
        shutil.copytree(bundled("config"), folder / "config")
        settings = load_settings(folder / "config" / "outreach.toml", {
            "OUTREACH_SECRET_KEY": "bench",
            "OUTREACH_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}"})
        app = open_app(settings)
        config = app.campaign("clean-water")
        with transaction(app.factory) as session:
            campaign_id = sync_campaign(session, config, NOW).id
        fill(app.factory, campaign_id, args.targets, random.Random(args.seed))
        jobs.plan(app, NOW - timedelta(days=60))  # records the plan digest, as a daemon has

        app.engine.dispose()
        shutil.copy(folder / "bench.db", folder / "before.db")
        started = time.perf_counter()
        result = jobs.plan(app, NOW)
        seconds = time.perf_counter() - started
        app.engine.dispose()
        shutil.copy(folder / "bench.db", folder / "after.db")
        shutil.copy(folder / "before.db", folder / "bench.db")
        tracemalloc.start()
        jobs.plan(app, NOW)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        app.engine.dispose()
        shutil.copy(folder / "after.db", folder / "bench.db")

        with app.factory() as session:
            queued = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
        steps = result.steps["clean-water"]
        asks = result.plans["clean-water"]
        print(json.dumps({
            "targets": args.targets,
            "seconds": round(seconds, 3),
            "targets_per_s": round(args.targets / seconds),
            "peak_python_mb": round(peak / 2**20, 1),
            "asks_queued": asks.queued,
            "steps_queued": steps.queued,
            "postponed": steps.postponed,
            "outbox_rows": queued,
            "database": "sqlite",
        }))
        app.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
