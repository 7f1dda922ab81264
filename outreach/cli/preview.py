"""`outreach preview` and `outreach send-test`: see a campaign's mail before it goes out.

`send-test` sends straight to the SMTP server, not through the outbox: the organizer is at
the terminal before the campaign runs, quite possibly with no daemon draining the outbox,
and wants to know now whether the mail arrives and the SMTP settings work. A test changes
no state that the outbox's guarantees (written with the change that caused it, retried,
crash-safe) would protect, and it still refuses an address the outbox would refuse.
"""

from __future__ import annotations

import tempfile
from email.message import EmailMessage
from pathlib import Path

import click

from outreach.app import App
from outreach.campaign import letters
from outreach.campaign.campaigns import sync_campaign
from outreach.campaign.mailings import KINDS
from outreach.campaign.preview import marked_as_test, render_sample, sample_target
from outreach.cli.common import app_for, console
from outreach.cli.params import ADDRESS
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.mail.compose import to_bytes
from outreach.mail.direct import send_now
from outreach.people.blocklist import refused_recipients

ORG_HELP = "Render for this organization (default: the first one imported)."


def _rendered(app: App, slug: str, organization: str | None,
              kinds: list[str]) -> list[tuple[str, EmailMessage]]:
    """Each of `kinds` rendered for the sample target of SLUG, with the current letter."""
    config = app.campaign(slug)
    now = utc_now()
    with transaction(app.factory) as session:
        campaign = sync_campaign(session, config, now)
        version = letters.current_version(session, campaign.id)
        assert version is not None, "a synced campaign has a letter version"
        target = sample_target(session, campaign, organization)
        return [(kind, render_sample(app.settings, config, app.environments[slug], target,
                                     version, kind, now)) for kind in kinds]


@click.command()
@click.argument("slug")
@click.option("--org", "organization", default=None, help=ORG_HELP)
@click.option("--kind", type=click.Choice(sorted(KINDS)), default="ask", show_default=True,
              help="Which mail.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write the HTML part here (default: a new temporary file).")
@click.pass_context
def preview(ctx: click.Context, slug: str, organization: str | None, kind: str,
            html_path: Path | None) -> None:
    """Print a mail of SLUG as it would go out now: its headers and text, and the file its
    HTML part was written to; sends nothing."""
    app = app_for(ctx)
    [(_, msg)] = _rendered(app, slug, organization, [kind])
    for name, value in msg.items():
        if not name.lower().startswith(("content-", "mime-")):
            console.print(f"{name}: {value}", markup=False, highlight=False)
    text = msg.get_body(("plain",))
    console.print()
    console.print(text.get_content() if text is not None else "(no text part)",
                  markup=False, highlight=False)
    html = msg.get_body(("html",))
    if html is None:
        console.print(f"HTML: none (the {kind} mail has no HTML template)", highlight=False)
        return
    content = html.get_content()
    if html_path is None:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".html", delete=False,
                                         prefix=f"outreach-{slug}-{kind}-") as fh:
            fh.write(content)
        html_path = Path(fh.name)
    else:
        html_path.write_text(content, encoding="utf-8")
    console.print(f"HTML: {html_path}", highlight=False)


@click.command("send-test")
@click.argument("slug")
@click.option("--to", "to", type=ADDRESS, required=True,
              help="Where to send the test (an organizer's address).")
@click.option("--kind", type=click.Choice(sorted(KINDS)), default=None,
              help="Only this mail (default: every kind).")
@click.option("--org", "organization", default=None, help=ORG_HELP)
@click.pass_context
def send_test(ctx: click.Context, slug: str, to: str, kind: str | None,
              organization: str | None) -> None:
    """Send every mail of SLUG (or one kind), rendered for a sample target, to the address
    --to, marked as a test; no target is touched."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        refused = refused_recipients(session, [to])
    if to in refused:
        raise OutreachError(f"{to}: no mail may go there ({refused[to]})")
    kinds = [kind] if kind is not None else list(KINDS)
    messages = [to_bytes(marked_as_test(msg, to=to, kind_name=name, campaign=slug))
                for name, msg in _rendered(app, slug, organization, kinds)]
    send_now(app.settings, to, messages)
    console.print(f"sent {len(messages)} test message(s) to {to}: {', '.join(kinds)}",
                  highlight=False)
