"""`outreach contacts`: one person's record, blocks and the blocklist, their export, and
forgetting them."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from outreach.app import App
from outreach.campaign.blocking import block_address, import_blocklist, unblock_address
from outreach.campaign.forgetting import forget as forget_person
from outreach.campaign.personal_data import personal_export
from outreach.cli.common import app_for, by_option, console, err
from outreach.cli.params import ADDRESS
from outreach.clock import utc_now
from outreach.db.session import transaction
from outreach.errors import OutreachError
from outreach.feature import PersonalData
from outreach.people.blocklist import blocklist, forgotten_count
from outreach.people.blocklist_file import write_blocklist


def _write(out: Path | None, write: Callable[[TextIO], object]) -> None:
    """Call `write(fh)` on standard output, or on the file `out`."""
    if out is None:
        write(sys.stdout)
        return
    with out.open("w", newline="", encoding="utf-8") as fh:
        write(fh)


@click.group()
def contacts() -> None:
    """One person: what we hold about them, blocking them from mail, the blocklist, their
    export, and forgetting them."""


@contacts.command()
@click.argument("address", type=ADDRESS)
@click.pass_context
def show(ctx: click.Context, address: str) -> None:
    """ADDRESS's contact: name, organization, whether we may email them, and their targets."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        held = personal_export(session, address, utc_now())
        for data in _personal_data(app):
            held[data.key] = data.export(session, address)
    contact = held["contact"]
    if contact is None:
        raise OutreachError(f"no contact has the address {address}")
    if held["forgotten"] is not None:
        console.print(f"{address}: forgotten; only its hash is kept "
                      f"({held['forgotten']['hash_scheme']})", highlight=False)
    else:
        console.print(f"{contact['name']} <{contact['email']}>", markup=False)
    details = [("organization", held["organization"]["name"]), ("role", contact["role"]),
               ("phone", contact["phone"])]
    mail = "may be emailed" if contact["suppression"] == "none" else \
        f"{contact['suppression']} since {contact['suppressed_at']}"
    details.append(("mail", f"{mail} ({contact['suppression_reason']})"
                    if contact["suppression_reason"] else mail))
    for target in held["targets"]:
        details.append((f"campaign {target['campaign']}", target["state"]))
    details.append(("held", f"{len(held['messages_sent'])} message(s) sent, "
                            f"{len(held['messages_received'])} received, "
                            f"{len(held['sign_ons'])} sign-on(s), "
                            f"{len(held['review_items'])} review item(s), "
                            f"{len(held['tasks'])} task(s)"))
    for label, value in details:
        if value:
            console.print(f"  {label}: {value}", markup=False, highlight=False)


@contacts.command("block")
@click.argument("address", type=ADDRESS)
@click.option("--reason", required=True, help="Why, in a sentence (kept with the block).")
@by_option("Who records it")
@click.pass_context
def block_command(ctx: click.Context, address: str, reason: str, by: str) -> None:
    """Stop all mail to ADDRESS (say, they phoned to ask), as an unsubscribe does."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        blocked = block_address(session, address, by=by, why=reason, now=utc_now())
        standing = blocked.contact.suppression.value
    if not blocked.changed:
        console.print(f"{address} was already {standing}: nothing changed", highlight=False)
        return
    console.print(f"{address} blocked by {by}: no more mail goes to them", highlight=False)
    for name in blocked.closed:
        console.print(f"  no longer asking {name}", markup=False, highlight=False)


@contacts.command("unblock")
@click.argument("address", type=ADDRESS)
@by_option("Who lifts it")
@click.pass_context
def unblock_command(ctx: click.Context, address: str, by: str) -> None:
    """Lift a block on ADDRESS; the organizations it stopped asking are queued again."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        unblocked = unblock_address(session, address, by=by, now=utc_now())
    console.print(f"{address} unblocked by {by}", highlight=False)
    for name in unblocked.reopened:
        console.print(f"  {name} will be asked again", markup=False, highlight=False)


@contacts.command("import-blocklist")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reason", default=None, help="Why these are blocked (default: the file's "
              "name).")
@by_option("Who records it")
@click.pass_context
def import_blocklist_command(ctx: click.Context, file: Path, reason: str | None,
                             by: str) -> None:
    """Block every address in FILE: one address per line, or CSV with an address column;
    bad lines are reported with their number and the good ones are blocked."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        report = import_blocklist(session, file, by=by, why=reason or f"listed in {file.name}",
                                  now=utc_now())
    for line, problem in report.file.problems:
        err.print(f"{file}:{line}: {problem}", markup=False, highlight=False)
    console.print(f"{report.blocked} address(es) blocked, {report.already} already "
                  f"suppressed, {len(report.file.problems)} bad line(s); "
                  f"{report.closed} target(s) no longer asked", highlight=False)
    if report.file.problems:
        sys.exit(1)


@contacts.command("export-blocklist")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def export_blocklist(ctx: click.Context, out: Path | None) -> None:
    """Write every blocked or unsubscribed address as CSV (address, suppression, since,
    reason), which import-blocklist reads back."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        listed = blocklist(session)
        hashed = forgotten_count(session)
        _write(out, lambda fh: write_blocklist(listed, fh))
    if out is not None:
        err.print(f"wrote {len(listed)} address(es) to {out}", highlight=False)
    if hashed:
        err.print(f"{hashed} forgotten person(s) are kept only as hashes and not listed",
                  highlight=False)


@contacts.command("export")
@click.argument("address", type=ADDRESS)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")
@click.pass_context
def export_person(ctx: click.Context, address: str, out: Path | None) -> None:
    """Everything held about ADDRESS's person, as JSON: contact, organization, targets and
    their events, messages sent and received, sign-ons, review items and tasks."""
    app = app_for(ctx)
    with transaction(app.factory) as session:
        held = personal_export(session, address, utc_now())
        for data in _personal_data(app):
            held[data.key] = data.export(session, address)

    def write(fh: TextIO) -> None:
        json.dump(held, fh, indent=2, ensure_ascii=False)
        fh.write("\n")

    _write(out, write)


@contacts.command()
@click.argument("address", type=ADDRESS)
@click.confirmation_option(prompt="Erase everything held about this person? This cannot be "
                           "undone", help="Do not ask for confirmation.")
@by_option("Who records it")
@click.pass_context
def forget(ctx: click.Context, address: str, by: str) -> None:
    """Erase ADDRESS's person (name, address, phone, their messages, the evidence text),
    keeping only a hash of the address so they are never emailed or imported again."""
    app = app_for(ctx)
    now = utc_now()
    with transaction(app.factory) as session:
        done = forget_person(session, address, by=by, now=now)
        elsewhere = [data.forget(session, address, now) for data in _personal_data(app)]
    console.print(
        f"{'forgotten again' if done.already else 'forgotten'} (kept: the hash "
        f"{done.address_hash[:12]}…): {done.messages_erased} message(s) erased, "
        f"{done.targets_closed} target(s) closed, {done.sign_ons_kept} sign-on(s) kept under "
        f"the organization's name, {done.sign_ons_withdrawn} individual sign-on(s) withdrawn",
        highlight=False)
    for erased in elsewhere:
        console.print(f"  {erased}", highlight=False)


def _personal_data(app: App) -> list[PersonalData]:
    """What each installed feature holds about people beyond the campaign's records."""
    return [data for feature in app.features for data in feature.personal_data]
