"""Screenshots of the web app's pages in headless Chromium, for the docs.

    .venv/bin/python bench/screenshot_web.py [--out docs] [--chromium /usr/bin/chromium]

Runs the example campaign (individuals may sign, so the form shows every field) against a
fresh SQLite database in a temporary directory, plans its asks, serves the web app with
uvicorn on a loopback port and has Debian's `chromium` (driven by Playwright, JavaScript
off, as the pages need none) take each page whole, at a desktop width (1280) and a phone
held upright (390):

- `sign-page.png`, `sign-page-mobile.png`: the sign form of a personal sign link;
- `sign-confirmation.png`, `sign-confirmation-mobile.png`: the page after signing;
- `unsubscribe-page.png`, `unsubscribe-page-mobile.png`: the one-click unsubscribe page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for entry in (REPO, REPO / "bench"):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import uvicorn  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from publish import NOW, SLUG, make_site_app  # noqa: E402
from sqlalchemy import select  # noqa: E402

from outreach.app import App  # noqa: E402
from outreach.campaign import jobs  # noqa: E402
from outreach.campaign.campaigns import sync_campaign  # noqa: E402
from outreach.campaign.importer import import_csv  # noqa: E402
from outreach.campaign.models import Target  # noqa: E402
from outreach.db.session import transaction  # noqa: E402
from outreach.mail.sink import free_port  # noqa: E402
from outreach.people.models import Organization  # noqa: E402
from outreach.web.links import sign_link, unsubscribe_link  # noqa: E402
from outreach.web.server import server_config  # noqa: E402

WIDTHS = {"": 1280, "-mobile": 390}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--hide-scrollbars"]
# One target signs at each width; their contacts' unsubscribe pages are shown.
SIGNERS = {"": ("Community Water Center", "Susana De Anda", "Co-Director"),
           "-mobile": ("Leadership Counsel for Justice and Accountability", "Phoebe Seaton",
                       "Co-Founder")}


def asked_example(app: App) -> dict[str, Target]:
    """The example's organizations imported and asked; their targets by organization."""
    config = app.campaign(SLUG)
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, NOW)
        import_csv(session, config.source.parent.parent / "targets" / f"{SLUG}.csv", now=NOW,
                   campaign=campaign)
    jobs.plan(app, NOW)
    with transaction(app.factory) as session:
        rows = session.execute(select(Organization.name, Target).join(
            Target, Target.organization_id == Organization.id)).all()
        return {name: target for name, target in rows}


def shoot(page: Page, out: Path) -> None:
    page.screenshot(path=str(out), full_page=True)
    print(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        raise SystemExit(f"{args.chromium} not found (Debian: apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="outreach-screenshot-") as tmp:
        app, config = make_site_app(Path(tmp), individuals_may_sign=True)
        port = free_port()
        base_url = app.settings.public.base_url = f"http://127.0.0.1:{port}"
        key = app.settings.require_secret_key()
        targets = asked_example(app)
        server = uvicorn.Server(server_config(app, "127.0.0.1", port, clock=lambda: NOW))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=args.chromium,
                                                     args=CHROMIUM_ARGS)
                for suffix, width in WIDTHS.items():
                    organization, person, title = SIGNERS[suffix]
                    target = targets[organization]
                    context = browser.new_context(viewport={"width": width, "height": 900},
                                                  java_script_enabled=False)
                    page = context.new_page()
                    page.goto(sign_link(key, base_url, target.id, config.hard_deadline))
                    page.get_by_label("Your name").fill(person)
                    page.get_by_label("Your title").fill(title)
                    page.get_by_label(f"I am authorized to sign on behalf of {organization}")\
                        .check()
                    page.get_by_label("Your title").focus()  # the focus ring, in the picture
                    shoot(page, args.out / f"sign-page{suffix}.png")
                    page.get_by_role("button", name="Sign the letter").click()
                    shoot(page, args.out / f"sign-confirmation{suffix}.png")
                    page.goto(unsubscribe_link(key, base_url, target.contact_id))
                    shoot(page, args.out / f"unsubscribe-page{suffix}.png")
                    context.close()
                browser.close()
        finally:
            server.should_exit = True
            thread.join(10)
            app.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
