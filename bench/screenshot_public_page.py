"""Screenshots of the public page in headless Chromium, for the docs.

    .venv/bin/python bench/screenshot_public_page.py [--out docs] [--chromium chromium]
                                                     [--organizations-only]

Publishes the example campaign with 40 realistic signers (32 organizations and 8
individuals, in separate sections; `--organizations-only` gives the single list of a
campaign where individuals may not sign) into a temporary directory through the real
code path (`outreach.campaign.public_page.publish` against a SQLite database), then has
Debian's `chromium` (apt-get install chromium) take two screenshots:

- `public-page.png`, 1280 x 2000 (a desktop window), and
- `public-page-mobile.png`, 390 x 2600 (a phone held upright).

Chromium is needed only here; the test suite does not use it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for entry in (REPO, REPO / "bench"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

from publish import NOW, SLUG, add_signers, make_site_app  # noqa: E402

from outreach.campaign.public_page import publish  # noqa: E402

ORGANIZATIONS = [
    ("Community Water Center", None),
    ("Leadership Counsel for Justice and Accountability", None),
    ("The Sierra Club, Tehipite Chapter", "Sierra Club, Tehipite Chapter"),
    ("Líderes Campesinas", None),
    ("Comité Progreso de Lamont", None),
    ("Fresno Interdenominational Refugee Ministries", None),
    ("Central California Environmental Justice Network", None),
    ("Clean Water Action California", None),
    ("Asociación de Gente Unida por el Agua", None),
    ("California Rural Legal Assistance", None),
    ("Friends of the Kings River", None),
    ("Self-Help Enterprises", None),
    ("Tulare County Farmworker Health Coalition", None),
    ("El Quinto Sol de América", "Quinto Sol de América"),
    ("Valley Improvement Projects", None),
    ("Visalia Unitarian Universalists", None),
    ("Kern County Latino Chamber of Commerce", None),
    ("Pesticide Action Network North America", None),
    ("The Greenlining Institute", "Greenlining Institute"),
    ("Hmong Innovating Politics", None),
    ("Éxito Family Resource Center", None),
    ("Dolores Huerta Foundation", None),
    ("Arvin Community Services District", None),
    ("Madera Coalition for Community Justice", None),
    ("Public Health Institute", None),
    ("Centro Binacional para el Desarrollo Indígena Oaxaqueño", None),
    ("Merced County Parents for Safe Schools", None),
    ("American Friends Service Committee, Pacific Mountain Region", None),
    ("Porterville Youth Water Ambassadors", None),
    ("Union of Concerned Scientists", None),
    ("Catholic Charities Diocese of Fresno", None),
    ("Rural Community Assistance Corporation", None),
]
INDIVIDUALS = [
    ("Dr. Ana Ruiz, hydrologist", "Ruiz, Ana"),
    ("Rev. Thomas Okafor", "Okafor, Thomas"),
    ("María José Ibáñez", "Ibáñez, María José"),
    ("Mai Vang, Fresno Unified school board", "Vang, Mai"),
    ("Jorge Álvarez", "Álvarez, Jorge"),
    ("Priya Patel, MPH", "Patel, Priya"),
    ("Susan Chen", "Chen, Susan"),
    ("Gabriel O'Brien", "O'Brien, Gabriel"),
]

SIZES = {"public-page.png": (1280, 2000), "public-page-mobile.png": (390, 2600)}


def chromium_screenshot(chromium: str, url: str, out: Path, size: tuple[int, int],
                        profile: Path) -> None:
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
         f"--user-data-dir={profile}", f"--screenshot={out}",
         f"--window-size={size[0]},{size[1]}", url],
        check=True, capture_output=True, timeout=120,
    )
    if not out.exists():
        raise SystemExit(f"chromium wrote no {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    parser.add_argument("--chromium", default="chromium")
    parser.add_argument("--organizations-only", action="store_true")
    args = parser.parse_args()
    chromium = shutil.which(args.chromium)
    if chromium is None:
        raise SystemExit(f"{args.chromium} not found (Debian: apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="outreach-screenshot-") as tmp:
        workdir = Path(tmp)
        app, config = make_site_app(workdir, individuals_may_sign=not args.organizations_only)
        try:
            people = [] if args.organizations_only else INDIVIDUALS
            names = [(name, sort or name, "organization") for name, sort in ORGANIZATIONS]
            names += [(name, sort, "individual") for name, sort in people]
            campaign = add_signers(app, config, names)
            site = workdir / "site"
            with app.factory() as session:
                publish(session, config, app.environments[SLUG], campaign, site, NOW)
        finally:
            app.close()
        for name, size in SIZES.items():
            chromium_screenshot(chromium, (site / "index.html").as_uri(), args.out / name,
                                size, workdir / f"profile-{size[0]}")
            print(args.out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
