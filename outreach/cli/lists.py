"""`outreach list`: the coalition mailing lists' members and held posts, from the terminal.

Every change goes through `outreach.lists.members`, as mail and the web do. An organizer's
`add` is an explicit subscription (it brings back someone who left: say they asked on the
phone); an import never brings back anyone who left.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table
from sqlalchemy import func, select

from outreach.cli.common import app_for, console, err
from outreach.cli.jsonout import json_option, print_json
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.lists import members
from outreach.lists.config import ListConfig
from outreach.lists.models import Delivery, ListMember, MemberStatus
from outreach.lists.registry import Lists

if TYPE_CHECKING:
    from outreach.app import App


def lists_for(ctx: click.Context) -> tuple[App, Lists]:
    """The app, and the lists it runs."""
    from outreach.lists.feature import lists_of

    app = app_for(ctx)
    return app, lists_of(app)


def list_config(lists: Lists, name: str) -> ListConfig:
    """The list called `name`; an error naming the lists there are."""
    config = lists.get(name)
    if config is None:
        known = ", ".join(sorted(lists.configs)) or f"none in {lists.settings.lists_dir}"
        raise OutreachError(f"no list {name!r}; lists: {known}")
    return config


@click.group("list")
def list_group() -> None:
    """The coalition mailing lists: members, and posts held for a moderator."""


@list_group.command("show")
@json_option("the lists")
@click.pass_context
def show(ctx: click.Context, as_json: bool) -> None:
    """The lists configured, with their addresses and member counts."""
    app, lists = lists_for(ctx)
    with app.factory() as session:
        counts = {(name, status): count for name, status, count in session.execute(
            select(ListMember.list_name, ListMember.status, func.count())
            .group_by(ListMember.list_name, ListMember.status))}
    configs = sorted(lists.configs.values(), key=lambda c: c.slug)
    subscribed = {c.slug: counts.get((c.slug, MemberStatus.SUBSCRIBED), 0) for c in configs}
    left = {c.slug: counts.get((c.slug, MemberStatus.UNSUBSCRIBED), 0) for c in configs}
    if as_json:
        print_json([{"list": c.slug, "title": c.title, "address": c.posting_address,
                     "posting": c.posting, "subscribed": subscribed[c.slug],
                     "unsubscribed": left[c.slug], "signers_of": c.subscribe_signers_of}
                    for c in configs])
        return
    if not configs:
        console.print(f"No lists are configured in {escape(str(app.settings.lists_dir))}.",
                      highlight=False)
        return
    table = Table(title="Lists")
    for column in ("list", "title", "address", "members", "left"):
        table.add_column(column, justify="right" if column in ("members", "left") else "left",
                         no_wrap=column != "title")
    for c in configs:
        table.add_row(c.slug, escape(c.title), c.posting_address, str(subscribed[c.slug]),
                      str(left[c.slug]))
    console.print(table)


@list_group.command("add")
@click.argument("list_name", metavar="LIST")
@click.argument("address")
@click.option("--name", default="", help="The member's name, as the list shows it.")
@click.option("--moderated", is_flag=True, help="Hold every post of theirs for a moderator.")
@click.option("--no-welcome", is_flag=True, help="Send no welcome message.")
@click.pass_context
def add(ctx: click.Context, list_name: str, address: str, name: str, moderated: bool,
        no_welcome: bool) -> None:
    """Subscribe ADDRESS to LIST (again, if they had left): only for someone who asked."""
    app, lists = lists_for(ctx)
    config = list_config(lists, list_name)
    with transaction(app.factory) as session:
        before = members.find_member(session, config.slug, address)
        was = before.status if before is not None else None
        member = members.subscribe(session, lists, config, address, name=name, source="cli",
                                   now=utc_now(), welcome=not no_welcome)
        if moderated:
            members.set_moderated(session, config.slug, member.address, True)
        what = _added(was, welcome=not no_welcome)
        console.print(f"{config.slug}: {member.address} {what}"
                      + (", moderated" if member.moderated else ""), highlight=False)


def _added(was: MemberStatus | None, *, welcome: bool) -> str:
    if was == MemberStatus.SUBSCRIBED:
        return "was already subscribed"
    done = "subscribed again" if was == MemberStatus.UNSUBSCRIBED else "subscribed"
    return f"{done}, welcome queued" if welcome else f"{done}, no welcome"


@list_group.command("remove")
@click.argument("list_name", metavar="LIST")
@click.argument("address")
@click.option("--no-goodbye", is_flag=True, help="Send no goodbye message.")
@click.pass_context
def remove(ctx: click.Context, list_name: str, address: str, no_goodbye: bool) -> None:
    """Unsubscribe ADDRESS from LIST."""
    app, lists = lists_for(ctx)
    config = list_config(lists, list_name)
    with transaction(app.factory) as session:
        before = members.existing_member(session, config.slug, address)
        if before.status == MemberStatus.UNSUBSCRIBED:
            console.print(f"{config.slug}: {before.address} had already left "
                          f"({_since(before)})", highlight=False)
            return
        members.unsubscribe(session, lists, config, address, by="cli", now=utc_now(),
                            goodbye=not no_goodbye)
        console.print(f"{config.slug}: {before.address} unsubscribed"
                      + (", no goodbye" if no_goodbye else ", goodbye queued"), highlight=False)


@list_group.command("import")
@click.argument("list_name", metavar="LIST")
@click.argument("csv_file", metavar="CSV",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--no-welcome", is_flag=True, help="Send no welcome messages.")
@click.pass_context
def import_command(ctx: click.Context, list_name: str, csv_file: Path,
                   no_welcome: bool) -> None:
    """Subscribe the addresses of CSV (columns email and name) to LIST.

    Bad rows are reported with their line and skipped; the good ones go in. Anyone who
    left the list is not subscribed again.
    """
    app, lists = lists_for(ctx)
    config = list_config(lists, list_name)
    with transaction(app.factory) as session:
        report = members.import_members(session, lists, config, csv_file, now=utc_now(),
                                        welcome=not no_welcome)
    for problem in report.errors:
        err.print(f"{escape(str(problem.path))}:{problem.line}: [red]{escape(problem.reason)}[/]",
                  highlight=False)
    console.print(f"{config.slug}: {report.rows} row(s) read, {report.subscribed} subscribed, "
                  f"{report.already} already members, {len(report.errors)} rejected",
                  highlight=False)
    if report.errors:
        sys.exit(1)


def _since(member: ListMember) -> str:
    if member.status == MemberStatus.UNSUBSCRIBED and member.unsubscribed_at is not None:
        return f"left {member.unsubscribed_at:%Y-%m-%d} ({member.unsubscribed_by or 'unknown'})"
    return f"since {member.subscribed_at:%Y-%m-%d}"


def _changed(member: ListMember) -> datetime:
    """When the member's status last changed."""
    if member.status == MemberStatus.UNSUBSCRIBED and member.unsubscribed_at is not None:
        return member.unsubscribed_at
    return member.subscribed_at


def _member_row(member: ListMember) -> dict[str, Any]:
    return {"address": member.address, "name": member.display_name,
            "status": member.status, "delivery": member.delivery,
            "moderated": member.moderated, "source": member.source,
            "subscribed_at": member.subscribed_at, "unsubscribed_at": member.unsubscribed_at,
            "unsubscribed_by": member.unsubscribed_by}


@list_group.command("members")
@click.argument("list_name", metavar="LIST")
@click.option("--all", "show_all", is_flag=True, help="Those who left too.")
@json_option("the members")
@click.pass_context
def members_command(ctx: click.Context, list_name: str, show_all: bool,
                    as_json: bool) -> None:
    """The members of LIST, by address."""
    app, lists = lists_for(ctx)
    config = list_config(lists, list_name)
    with app.factory() as session:
        found = members.members(session, config.slug,
                                None if show_all else MemberStatus.SUBSCRIBED)
        if as_json:
            print_json([_member_row(m) for m in found])
            return
        table = Table(title=f"{config.title}: {len(found)} "
                            + ("rows" if show_all else "members"))
        for column in ("address", "name", "status", "delivery", "moderated", "source",
                       "since"):
            table.add_column(column, no_wrap=column in ("address", "status", "since"))
        for m in found:
            table.add_row(m.address, escape(m.display_name), m.status.value, m.delivery.value,
                          "yes" if m.moderated else "", escape(m.source), f"{_changed(m):%Y-%m-%d}")
    console.print(table)


@list_group.command("set")
@click.argument("list_name", metavar="LIST")
@click.argument("address")
@click.option("--delivery", type=click.Choice([d.value for d in Delivery]), default=None,
              help="all: receives every post; none: on vacation, still a member.")
@click.option("--moderated/--not-moderated", default=None,
              help="Hold every post of theirs for a moderator, or not.")
@click.pass_context
def set_command(ctx: click.Context, list_name: str, address: str, delivery: str | None,
                moderated: bool | None) -> None:
    """Change how ADDRESS is on LIST: its delivery, or whether its posts are held."""
    if delivery is None and moderated is None:
        raise OutreachError("say what to change: --delivery all|none, --moderated or "
                            "--not-moderated")
    app, lists = lists_for(ctx)
    config = list_config(lists, list_name)
    with transaction(app.factory) as session:
        member = members.existing_member(session, config.slug, address)
        if delivery is not None:
            members.set_delivery(session, config.slug, member.address, Delivery(delivery))
        if moderated is not None:
            members.set_moderated(session, config.slug, member.address, moderated)
        console.print(f"{config.slug}: {member.address}: delivery {member.delivery.value}, "
                      + ("moderated" if member.moderated else "not moderated"),
                      highlight=False)


def _add_moderation_commands() -> None:
    from outreach.cli.list_moderation import approve, discard, held, reject

    for command in (held, approve, reject, discard):
        list_group.add_command(command)


_add_moderation_commands()
