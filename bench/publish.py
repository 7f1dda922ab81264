"""Benchmark: rebuild the public page (query, render, write) for N signers.

    .venv/bin/python bench/publish.py --signers 10000 [--repeat 5] [--keep DIR]

What it does, in a temporary directory:

1. copies the example config, opens a fresh SQLite database (migrated, WAL) and creates
   the example campaign with its letter;
2. inserts N active sign-ons with realistic, varied names (accents, leading "The",
   individuals as "Surname, Given" sort names), plus 5% withdrawn ones that the page
   must leave out;
3. times `outreach.campaign.public_page.publish` end to end, `--repeat` times, each in a
   fresh session as the daemon would call it: the signer query, the sort, rendering the
   letter and the Jinja template, and the atomic write of the site;
4. prints one JSON object: `seconds` is the median of the runs, `first_seconds` the
   first run (which also compiles the template), `bytes` the size of the site written.

Target: under 1 second for 10,000 signers.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert  # noqa: E402

from outreach.app import App, open_app  # noqa: E402
from outreach.campaign.campaigns import sync_campaign  # noqa: E402
from outreach.campaign.config import CampaignConfig  # noqa: E402
from outreach.campaign.letters import current_version  # noqa: E402
from outreach.campaign.models import Campaign, SignOn  # noqa: E402
from outreach.campaign.public_page import publish  # noqa: E402
from outreach.db.session import transaction  # noqa: E402
from outreach.people.organizations import default_sort_name  # noqa: E402
from outreach.resources import bundled  # noqa: E402
from outreach.settings import load_settings  # noqa: E402

NOW = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
SLUG = "clean-water"

PLACES = ["Fresno", "Tulare", "Kern", "Merced", "Madera", "Kings", "Stanislaus", "San Joaquín",
          "Visalia", "Porterville", "Delano", "Arvin", "Lamont", "Huron", "Coalinga", "Parlier",
          "Orosi", "Cutler", "Lindsay", "Exeter", "Woodlake", "Earlimart", "Pixley", "Alpaugh",
          "Mendota", "Firebaugh", "Sanger", "Reedley", "Selma", "Fowler", "Caruthers", "Riverdale"]
KINDS = ["Water Justice Network", "Community Alliance", "Tenants Union", "Farmworker Center",
         "Environmental Council", "Health Coalition", "Youth Collective", "Land Trust",
         "Food Bank", "Legal Aid Society", "Interfaith Council", "Parents Association",
         "Audubon Society", "Sunrise Movement", "Unified School District PTA",
         "Comité de Vecinos", "Asociación de Mujeres Campesinas", "Iglesia Unida",
         "Public Health Association", "Emergency Response Team"]
PATTERNS = ["{place} {kind}", "The {place} {kind}", "{kind} of {place}", "{place} County {kind}",
            "Friends of {place}", "Comité Pro Agua de {place}", "Élan {place} {kind}"]
GIVEN = ["Ana", "José", "María", "Luis", "Nguyen", "Fatima", "Chloé", "Jorge", "Priya", "Sam",
         "Zoë", "Ahmed", "Hannah", "Gabriel", "Mei", "Óscar", "Ines", "Kwame", "Rosa", "Tomás"]
FAMILY = ["Álvarez", "Ruiz", "Chen", "Okafor", "García", "Nguyen", "Smith", "Ibáñez", "Patel",
          "O'Brien", "Müller", "de la Cruz", "Hernández", "Kowalski", "Yamamoto", "Said"]


def signer_names(count: int, *, individuals: float, seed: int = 7) -> list[tuple[str, str, str]]:
    """`count` distinct (name_as_listed, sort_name, signer_type), reproducibly shuffled."""
    rng = random.Random(seed)
    seen: set[str] = set()
    names: list[tuple[str, str, str]] = []
    while len(names) < count:
        if rng.random() < individuals:
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            name = f"{given} {family}"
            sort_name, kind = f"{family}, {given}", "individual"
        else:
            name = rng.choice(PATTERNS).format(place=rng.choice(PLACES), kind=rng.choice(KINDS))
            sort_name, kind = default_sort_name(name), "organization"
        if name in seen:
            name = f"{name} ({len(names) + 1})"
            sort_name = f"{sort_name} ({len(names) + 1})"
        seen.add(name)
        names.append((name, sort_name, kind))
    return names


def make_site_app(workdir: Path, *, individuals_may_sign: bool) -> tuple[App, CampaignConfig]:
    """A copy of the example config with a fresh SQLite database under `workdir`."""
    config_dir = workdir / "config"
    shutil.copytree(bundled("config"), config_dir)
    settings = load_settings(config_dir / "outreach.toml", {
        "OUTREACH_SECRET_KEY": "bench-secret-not-for-production",
        "OUTREACH_DATABASE_URL": f"sqlite:///{workdir / 'outreach.db'}",
    })
    app = open_app(settings)
    config = app.campaign(SLUG)
    config.individuals_may_sign = individuals_may_sign
    return app, config


def add_signers(app: App, config: CampaignConfig, names: Sequence[tuple[str, str, str]], *,
                withdrawn: Sequence[tuple[str, str, str]] = ()) -> Campaign:
    """The campaign row, with one sign-on per name (bulk insert), the `withdrawn` ones
    withdrawn a day later."""
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, NOW - timedelta(days=60))
        version = current_version(session, campaign.id)
        assert version is not None
        rows: list[dict[str, Any]] = []
        for i, (name, sort_name, kind) in enumerate([*names, *withdrawn]):
            signed_at = NOW - timedelta(days=59, minutes=-i)
            rows.append({
                "campaign_id": campaign.id, "name_as_listed": name, "sort_name": sort_name,
                "signer_type": kind, "letter_version_id": version.id, "evidence_kind": "reply",
                "decided_by": "classifier", "signed_at": signed_at,
                "withdrawn_at": signed_at + timedelta(days=1) if i >= len(names) else None,
            })
        if rows:
            session.execute(insert(SignOn), rows)
    return campaign


def site_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.iterdir() if p.is_file())


def run(signers: int, repeat: int, keep: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="outreach-bench-publish-") as tmp:
        workdir = Path(tmp)
        app, config = make_site_app(workdir, individuals_may_sign=True)
        try:
            everyone = signer_names(signers + signers // 20, individuals=0.1)
            campaign = add_signers(app, config, everyone[:signers],
                                   withdrawn=everyone[signers:])
            env = app.environments[SLUG]
            out_dir = keep if keep is not None else workdir / "site"
            timings: list[float] = []
            for _ in range(repeat):
                start = time.perf_counter()
                with app.factory() as session:
                    publish(session, config, env, campaign, out_dir, NOW)
                timings.append(time.perf_counter() - start)
            return {
                "signers": signers,
                "withdrawn_in_database": len(everyone) - signers,
                "seconds": round(statistics.median(timings), 4),
                "first_seconds": round(timings[0], 4),
                "min_seconds": round(min(timings), 4),
                "runs": repeat,
                "bytes": site_bytes(out_dir),
                "index_bytes": (out_dir / "index.html").stat().st_size,
                "database": "sqlite",
                "target_seconds": 1.0,
                "target_met": statistics.median(timings) < 1.0,
            }
        finally:
            app.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="publish into this directory and keep it")
    args = parser.parse_args(argv)
    if args.signers < 0 or args.repeat < 1:
        parser.error("--signers must be >= 0 and --repeat >= 1")
    print(json.dumps(run(args.signers, args.repeat, args.keep)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
