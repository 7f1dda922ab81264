"""Tables and reports the command line prints."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from outreach.campaign.importer import ImportReport
from outreach.campaign.status import campaign_statuses, outbox_counts
from outreach.errors import OutreachError


def print_import_report(out: Console, err: Console, report: ImportReport) -> None:
    for problem in report.errors:
        err.print(f"{report.path}:{problem.line}: [red]{problem.reason}[/]", highlight=False)
    for problem in report.warnings:
        err.print(f"{report.path}:{problem.line}: [yellow]{problem.reason}[/]", highlight=False)
    table = Table(title=f"Import of {report.path.name}")
    table.add_column("")
    table.add_column("count", justify="right")
    for label, value in [
        ("rows read", report.rows),
        ("rows accepted", report.accepted),
        ("rows rejected", len(report.errors)),
        ("organizations created", report.organizations_created),
        ("organizations updated", report.organizations_updated),
        ("contacts created", report.contacts_created),
        ("contacts updated", report.contacts_updated),
        ("targets created", report.targets_created),
    ]:
        table.add_row(label, str(value))
    out.print(table)


def print_status(out: Console, session: Session, slug: str | None) -> None:
    statuses = campaign_statuses(session, slug)
    if slug is not None and not statuses:
        raise OutreachError(f"no campaign {slug!r} in the database")
    for st in statuses:
        table = Table(title=f"{st.title} ({st.slug})")
        table.add_column("state")
        table.add_column("targets", justify="right")
        for state, count in st.states.items():
            if count:
                table.add_row(state.value.replace("_", " "), str(count))
        table.add_row("[bold]total[/]", f"[bold]{st.total}[/]")
        out.print(table)
    table = Table(title="Outbox")
    table.add_column("status")
    table.add_column("messages", justify="right")
    for outbox_status, count in outbox_counts(session).items():
        table.add_row(outbox_status.value, str(count))
    out.print(table)
