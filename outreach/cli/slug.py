"""How every command names its campaign: a positional SLUG.

Commands that once took `--campaign SLUG` (`import`, `review`, `tasks`, `tasks export`)
still do, as a hidden alias, so scripts written for them keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

import click

from outreach.errors import OutreachError

F = TypeVar("F", bound=Callable[..., Any])

_ALIAS_HELP = "The campaign, as SLUG says (kept for older scripts)."


def _either(positional: str | None, alias: str | None) -> str | None:
    if positional is not None and alias is not None and positional != alias:
        raise OutreachError(f"two campaigns named: {positional!r} and --campaign {alias!r}; "
                            "name one")
    return positional if positional is not None else alias


def campaign_argument(*, required: bool = True) -> Callable[[F], F]:
    """A positional SLUG, or the hidden `--campaign SLUG`; the command gets `slug`.

    Put it below the command's other arguments: SLUG then comes after them.
    """

    def decorate(func: F) -> F:
        @wraps(func)
        def named(*args: Any, **kwargs: Any) -> Any:
            slug = _either(kwargs.pop("slug"), kwargs.pop("campaign_alias"))
            if slug is None and required:
                raise click.UsageError("Missing argument 'SLUG' (the campaign).")
            return func(*args, slug=slug, **kwargs)

        # Optional to Click, so that `--campaign` may stand in; required in the usage.
        with_argument = click.argument("slug", required=False,
                                       metavar="SLUG" if required else None)(named)
        return cast(F, click.option("--campaign", "campaign_alias", default=None, hidden=True,
                                    help=_ALIAS_HELP)(with_argument))

    return decorate


class CampaignGroup(click.Group):
    """A group whose first word may be a campaign SLUG instead of one of its commands:
    `outreach review clean-water` lists that campaign's items, `outreach review accept 12`
    decides one. The group's callback gets `slug` (the hidden `--campaign` also sets it).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(click.Option(["--campaign", "slug"], default=None, hidden=True,
                                        help=_ALIAS_HELP))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        slug, rest = self._take_slug(ctx, args)
        remaining = super().parse_args(ctx, rest)
        ctx.params["slug"] = _either(slug, ctx.params.get("slug"))
        return remaining

    def _take_slug(self, ctx: click.Context, args: list[str]) -> tuple[str | None, list[str]]:
        """The first word that is neither an option, an option's value nor a command."""
        valued = {name for param in self.get_params(ctx) if isinstance(param, click.Option)
                  and not param.is_flag and not param.count
                  for name in (*param.opts, *param.secondary_opts)}
        index = 0
        while index < len(args):
            arg = args[index]
            if arg.startswith("-") and arg not in ("-", "--"):
                index += 2 if arg in valued else 1
                continue
            if arg == "--" or arg in self.list_commands(ctx):
                return None, args
            return arg, args[:index] + args[index + 1:]
        return None, args

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = super().collect_usage_pieces(ctx)
        return [*pieces[:-1], "[SLUG]", pieces[-1]]
