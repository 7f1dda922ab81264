"""The command line: a thin layer over the jobs and domain functions.

`main` is the `outreach` group. Its commands live one module per feature (`campaign`,
`review`, `tasks`, `service`) and are imported only when one runs: `COMMANDS` names each
command's module and attribute, with the short help `outreach --help` lists, so that the
help imports nothing but Click. `main` also turns an `OutreachError` raised anywhere below
it, in any command or subcommand, into "error: ..." on stderr and exit status 2.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import click

from outreach.errors import OutreachError

F = TypeVar("F", bound=Callable[..., Any])


class Lazy(NamedTuple):
    """Where a command is defined ("module:attribute"), and the first paragraph of its help
    (what `outreach --help` shows, without importing the module)."""

    target: str
    summary: str


COMMANDS: dict[str, Lazy] = {
    "check": Lazy("outreach.cli.campaign:check",
                  "Render every template for every target of SLUG and report problems; sends "
                  "nothing."),
    "classify": Lazy("outreach.cli.service:classify",
                     "Classify message FILES (bounce, automatic reply, or a person's intent); "
                     "no database."),
    "contacts": Lazy("outreach.cli.contacts:contacts",
                     "One person: what we hold about them, blocking them from mail, the "
                     "blocklist, their export, and forgetting them."),
    "db": Lazy("outreach.cli.service:db", "Database schema."),
    "demo": Lazy("outreach.cli.service:demo",
                 "Run a whole example campaign locally: nothing leaves this machine."),
    "dkim-key": Lazy("outreach.cli.dkim:dkim_key",
                     "Write a new 2048-bit RSA private key for DKIM to --out (mode 0600) and "
                     "print the DNS TXT record that publishes its public half."),
    "export": Lazy("outreach.cli.campaign:export",
                   "Write the targets or signers of SLUG (signers: with the letter version "
                   "signed, the date and the evidence)."),
    "history": Lazy("outreach.cli.history:history",
                    "What happened with ORGANIZATION in SLUG, oldest first: mail sent and "
                    "received, state changes, reviews and decisions, sign-ons and tasks, and "
                    "who did each."),
    "import": Lazy("outreach.cli.campaign:import_command",
                   "Load organizations and contacts from CSV_FILE; re-importing updates."),
    "letter": Lazy("outreach.cli.campaign:letter", "Letter versions."),
    "list": Lazy("outreach.cli.lists:list_group",
                 "The coalition mailing lists: members, and posts held for a moderator."),
    "outbox": Lazy("outreach.cli.outbox:outbox",
                   "Messages that failed, bounced or wait to be sent (of SLUG, or all), with "
                   "the reason, the attempts and the next attempt."),
    "preview": Lazy("outreach.cli.preview:preview",
                    "Print a mail of SLUG as it would go out now: its headers and text, and the "
                    "file its HTML part was written to; sends nothing."),
    "publish": Lazy("outreach.cli.campaign:publish",
                    "Build the public page of SLUG (the letter and every signer) into a folder, "
                    "atomically."),
    "reissue": Lazy("outreach.cli.campaign:reissue",
                    "Announce that SLUG's statement will be reissued ON a date: every signer is "
                    "told now and may opt out by replying before then."),
    "review": Lazy("outreach.cli.review:review",
                   "The review queue: replies the machine could not read with certainty."),
    "run": Lazy("outreach.cli.service:run",
                "Run the daemon: plan asks and drain the outbox until SIGTERM or Ctrl-C."),
    "send-test": Lazy("outreach.cli.preview:send_test",
                      "Send every mail of SLUG (or one kind), rendered for a sample target, to "
                      "the address --to, marked as a test; no target is touched."),
    "stakeholders": Lazy("outreach.cli.campaign:stakeholders",
                         "The stakeholder map of SLUG: engagement level against kind, "
                         "asked/signed per cell."),
    "status": Lazy("outreach.cli.campaign:status",
                   "The funnel, deadlines and signers of each campaign (or SLUG), its targets "
                   "per state, and the outbox."),
    "tasks": Lazy("outreach.cli.tasks:tasks",
                  "Tasks for organizers (phone calls, finding contacts, reviews), most "
                  "important first."),
    "web": Lazy("outreach.cli.web:web",
                "Serve the web app: sign links, one-click unsubscribe, draft links and the "
                "public page."),
    "withdraw": Lazy("outreach.cli.campaign:withdraw",
                     "Take ORGANIZATION's signature off SLUG, as they asked (say, on the "
                     "phone)."),
}


class OutreachGroup(click.Group):
    """A group whose commands load on first use (from `lazy`), and which prints errors a
    person can fix, raised by any command it invokes, as they are, without a traceback."""

    def __init__(self, *args: Any, lazy: dict[str, Lazy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.load(cmd_name), cmd_name)
        return self.commands.get(cmd_name)

    def load(self, name: str) -> click.Command:
        """Import the command `name` from where the table says it is."""
        module, _, attribute = self.lazy[name].target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy[name].target} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As Click lists commands, but from the table for those not loaded yet."""
        names = [n for n in self.list_commands(ctx)
                 if n not in self.commands or not self.commands[n].hidden]
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self._listed(name).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def _listed(self, name: str) -> click.Command:
        """The command if loaded, else a stand-in with its help from the table."""
        if name in self.commands:
            return self.commands[name]
        return click.Command(name, help=self.lazy[name].summary)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OutreachError as exc:
            from rich.markup import escape

            from outreach.cli.common import err

            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, markup=True)
            sys.exit(2)


def log_format_option(default: str | None) -> Callable[[F], F]:
    """`--log-format text|json`: of the `outreach` group, and of `run`."""
    return click.option("--log-format", type=click.Choice(["text", "json"]), default=default,
                        show_default=default is not None,
                        help="Log lines on stderr as text, or one JSON object per line.")


@click.group(cls=OutreachGroup, lazy=COMMANDS)
@click.option("--config", "config", type=click.Path(path_type=Path), default=None,
              help="Server config file (default: $OUTREACH_CONFIG or config/outreach.toml).")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to stderr.")
@log_format_option("text")
@click.pass_context
def main(ctx: click.Context, config: Path | None, verbose: bool, log_format: str) -> None:
    """Outreach: coalition sign-on campaigns by email."""
    from outreach.logs import configure

    configure(verbose=verbose, json_lines=log_format == "json")
    ctx.ensure_object(dict)
    ctx.obj["config"] = config
    ctx.obj["verbose"] = verbose


def _wait(seconds: float) -> None:
    """Between two refreshes of `status --watch` (tests replace it)."""
    import time

    time.sleep(seconds)
