"""What the command modules share: the consoles, opening the app, `--by`, dates.

Kept light to import: the app (and with it SQLAlchemy, Jinja and every feature) loads when
a command opens it, so `outreach classify` does not pay for a database it never uses.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast
from zoneinfo import ZoneInfo

import click
from rich.console import Console

from outreach.errors import OutreachError
from outreach.settings import load_settings

if TYPE_CHECKING:
    from outreach.app import App
    from outreach.campaign.config import CampaignConfig

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])


def app_for(ctx: click.Context, *, load_all: bool = False) -> App:
    """Open the app from the server config given to `outreach`; it closes with `ctx`."""
    from outreach.app import open_app

    app = open_app(load_settings(ctx.obj["config"]), load_all=load_all)
    ctx.call_on_close(app.close)
    return app


def campaign_configs(app: App) -> dict[str, CampaignConfig]:
    """Every campaign file that loads; one with a mistake is skipped with a warning here."""
    from outreach.campaign.config import list_campaigns, load_campaign
    from outreach.errors import ConfigError

    configs = dict(app.campaigns)
    for path in list_campaigns(app.settings.campaigns_dir):
        if path.stem in configs:
            continue
        try:
            configs[path.stem] = load_campaign(path)
        except ConfigError as exc:
            err.print(f"[yellow]warning:[/] {exc}", highlight=False)
    return configs


# --- Who decides ---------------------------------------------------------------------------


def organizer(by: str | None) -> str:
    """The organizer acting: `--by`, else $OUTREACH_ORGANIZER, else $USER."""
    name = by or os.environ.get("OUTREACH_ORGANIZER") or os.environ.get("USER") or ""
    if not name:
        raise OutreachError("say who decides: --by NAME (or set OUTREACH_ORGANIZER)")
    return name


def by_option(who: str = "Who decides", *, resolve: bool = True) -> Callable[[F], F]:
    """The `--by NAME` option. The command's `by` argument gets the organizer's name,
    resolved by `organizer` before the command runs (an error if nobody can be named).

    `who` starts the option's help: "Who decides", "Who did it", "Who publishes"... A
    command that needs a name only sometimes passes `resolve=False`: it gets `--by` as
    given (or None) and calls `organizer` when it does.
    """

    def decorate(func: F) -> F:
        option = click.option("--by", default=None,
                              help=f"{who} (default: $OUTREACH_ORGANIZER, $USER).")
        if not resolve:
            return option(func)

        @wraps(func)
        def resolved(*args: Any, **kwargs: Any) -> Any:
            kwargs["by"] = organizer(kwargs["by"])
            return func(*args, **kwargs)

        return cast(F, option(resolved))

    return decorate


# --- Dates ---------------------------------------------------------------------------------


def parse_moment(value: str, timezone: str, *, option: str = "--on") -> datetime:
    """A date (midnight in `timezone`) or an ISO date and time, as UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise OutreachError(f"{option} {value!r}: use YYYY-MM-DD or an ISO date and time") \
            from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(timezone))
    return parsed.astimezone(UTC)
