"""Tables and reports the command line prints (and `outreach demo` at its end): rendering
only; what they show comes from the domain."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from outreach.campaign.campaigns import in_database
from outreach.campaign.config import CampaignConfig
from outreach.campaign.funnel import Funnel, funnels
from outreach.campaign.importer import ImportReport
from outreach.campaign.queries import inbound_outcomes, listed_sign_ons, review_queue
from outreach.campaign.stakeholders import Cell, StakeholderMap, add_up
from outreach.campaign.status import campaign_statuses, outbox_counts
from outreach.campaign.windows import NextMail, next_mail
from outreach.errors import OutreachError
from outreach.tasks.board import TaskView


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


def print_status(out: Console, session: Session, slug: str | None, *,
                 configs: dict[str, CampaignConfig] | None = None,
                 now: datetime | None = None) -> None:
    """Targets per state and the outbox; with `now`, each campaign's funnel first."""
    out.print(status_view(session, slug, configs or {}, now))


def print_review_queue(out: Console, session: Session, slug: str | None) -> None:
    rows = review_queue(session, slug)
    table = Table(title=f"Review queue: {len(rows)} open")
    for column in ("#", "campaign", "organization", "reason", "their words", "proposed name"):
        table.add_column(column)
    for item, org, campaign in rows:
        table.add_row(str(item.id), campaign.slug if campaign else "", org.name if org else "",
                      item.reason, (item.quoted_text or item.summary or "")[:120],
                      item.proposed_name or "")
    out.print(table)
    if rows:
        out.print("Decide with: outreach review accept N [--name NAME] | reject N | "
                  "reclassify N INTENT", highlight=False)


def print_replies(out: Console, session: Session) -> None:
    """What the inbox held and what was done: kinds, outcomes and the sign-ons recorded."""
    table = Table(title="Inbound mail")
    for column in ("kind", "outcome", "messages"):
        table.add_column(column)
    rows = inbound_outcomes(session)
    for status, kind, outcome, count in rows:
        label = kind or status.value
        table.add_row(label.replace("_", " "), (outcome or "").replace("_", " "), str(count))
    out.print(table)
    signers = Table(title="Signers")
    for column in ("name as listed", "evidence", "their words", "decided by"):
        signers.add_column(column)
    for sign_on in listed_sign_ons(session):
        signers.add_row(sign_on.name_as_listed, sign_on.evidence_kind,
                        (sign_on.quoted_text or "")[:80], sign_on.decided_by)
    out.print(signers)


# --- Tasks, the funnel and the stakeholder map (issue 4) ----------------------------------


def _local(at: datetime | None, zone: str) -> str:
    if at is None:
        return ""
    return at.astimezone(ZoneInfo(zone)).strftime("%a %-d %b %H:%M")


def print_tasks(out: Console, views: list[TaskView], *, zones: Mapping[str, str],
                show_status: bool = False, title: str = "Tasks") -> None:
    """The task board; due times in each task's campaign time zone."""
    table = Table(title=f"{title}: {len(views)}")
    for column in ("#", "pri", "due", "assignee", "kind", "organization", "contact", "phone"):
        table.add_column(column, justify="right" if column in ("#", "pri") else "left")
    if show_status:
        table.add_column("status")
    for view in views:
        zone = zones.get(view.campaign or "", "UTC")
        row = [str(view.id), str(view.priority), _local(view.due_at, zone),
               view.assignee or "[dim]nobody[/]", view.kind.replace("_", " "),
               view.organization or view.title, view.contact or "", view.phone or ""]
        if show_status:
            row.append(view.status.value.replace("_", " "))
        table.add_row(*row)
    out.print(table)
    if views and not show_status:
        out.print("Close with: outreach tasks done N [--outcome done|no_answer|left_message|"
                  "cancelled] [--note TEXT] [--signed \"Name as listed\"]", highlight=False)


def _funnel_table(funnel: Funnel) -> Table:
    table = Table(title=f"{funnel.title} ({funnel.slug}): funnel")
    table.add_column("stage")
    table.add_column("targets", justify="right")
    table.add_column("of asked", justify="right")
    for stage, count in funnel.stages():
        share = f"{100 * count / funnel.asked:.0f}%" if funnel.asked and stage != "open tasks" \
            else ""
        table.add_row(stage, str(count), share)
    return table


def _funnel_lines(funnel: Funnel) -> Text:
    lines = Text()
    if funnel.target_signers:
        pct = 100 * funnel.signers / funnel.target_signers
        style = "green" if funnel.signers >= funnel.target_signers else "yellow"
        lines.append("Signers: ")
        lines.append(f"{funnel.signers} of {funnel.target_signers} hoped for ({pct:.0f}%)",
                     style=style)
    else:
        lines.append(f"Signers: {funnel.signers}")
    for label, due in (("Soft deadline", funnel.soft_deadline),
                       ("Hard deadline", funnel.hard_deadline)):
        if due is not None:
            lines.append(f"\n{label}: ")
            lines.append(due.describe(funnel.timezone), style="red" if due.passed else "")
    if funnel.soft_deadline is None:
        lines.append("\n(no campaign file loaded: deadlines unknown)", style="dim")
    if funnel.closed_at is not None:
        lines.append(f"\nClosed {funnel.closed_at:%Y-%m-%d %H:%M} UTC: "
                     f"{funnel.closed_reason or ''}", style="bold")
    return lines


def _next_mail_line(upcoming: NextMail | None) -> Text:
    line = Text("Next mail: ")
    if upcoming is None:
        return line.append("nothing waiting", style="dim")
    return line.append(upcoming.describe(), style="" if upcoming.due_now else "yellow")


def status_view(session: Session, slug: str | None, configs: dict[str, CampaignConfig],
                now: datetime | None) -> Group:
    """`outreach status`: each campaign's funnel (with `now`), its targets per state, and
    the outbox."""
    statuses = campaign_statuses(session, slug)
    if slug is not None and not statuses:
        raise OutreachError(f"no campaign {slug!r} in the database; {in_database(session)}")
    funnels_by_slug = {f.slug: f for f in funnels(session, configs, now, slug)} \
        if now is not None else {}
    parts: list[RenderableType] = []
    for st in statuses:
        funnel = funnels_by_slug.get(st.slug)
        if funnel is not None:
            parts += [_funnel_table(funnel), _funnel_lines(funnel)]
        table = Table(title=f"{st.title} ({st.slug})" + (": targets by state" if funnel else ""))
        table.add_column("state")
        table.add_column("targets", justify="right")
        for state, count in st.states.items():
            if count:
                table.add_row(state.value.replace("_", " "), str(count))
        table.add_row("[bold]total[/]", f"[bold]{st.total}[/]")
        parts.append(table)
        if now is not None:
            parts.append(_next_mail_line(next_mail(session, st.slug, configs.get(st.slug), now)))
        bounces = ", ".join(f"{count} {kind}" for kind, count in st.bounces.items())
        parts.append(Text(f"Failed: {st.failed} message(s); bounced: {bounces} "
                          f"(outreach outbox {st.slug} --failed)",
                          style="red" if st.failed or any(st.bounces.values()) else "dim"))
    table = Table(title="Outbox")
    table.add_column("status")
    table.add_column("messages", justify="right")
    for outbox_status, count in outbox_counts(session).items():
        table.add_row(outbox_status.value, str(count))
    parts.append(table)
    if now is not None:
        parts.append(Text(f"as of {now.astimezone():%Y-%m-%d %H:%M:%S %Z}", style="dim"))
    return Group(*parts)


def print_stakeholders(out: Console, smap: StakeholderMap) -> None:
    """The stakeholder map as a list that reads at 80 columns: for each kind, a line per
    level of engagement with targets, asked/signed and how many are not asked yet, then
    the kind's total; then the totals per level."""
    out.print(Text(smap.title, style="bold"), soft_wrap=False)
    out.print(Text(f"{smap.slug}: stakeholders, asked/signed"), soft_wrap=False)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("kind", max_width=24, overflow="fold")
    table.add_column("engagement", no_wrap=True)
    table.add_column("asked/signed", justify="right", no_wrap=True)
    table.add_column("not asked yet", justify="right", no_wrap=True)
    for kind in smap.kinds:
        _add_group(table, kind, [(level, smap.cell(level, kind)) for level in smap.levels],
                   smap.kind_total(kind))
        table.add_section()
    _add_group(table, "every kind", [(level, smap.level_total(level)) for level in smap.levels],
               add_up(smap.level_total(level) for level in smap.levels), style="bold")
    out.print(table)
    gaps = smap.unasked_kinds
    if gaps:
        out.print(f"[yellow]Nobody asked yet from:[/] {', '.join(gaps)}", highlight=False,
                  soft_wrap=False)
    else:
        out.print("Every kind of stakeholder has been asked.", highlight=False)


def _add_group(table: Table, label: str, cells: list[tuple[str, Cell]], total: Cell,
               style: str = "") -> None:
    """One kind's lines (or the totals' lines): a line per level with targets, then "all"."""
    shown = [(level, cell) for level, cell in cells if cell.targets]
    if not shown:
        table.add_row(label, "[dim]nobody on the list[/]", "", "", style=style)
        return
    for row, (level, cell) in enumerate(shown):
        table.add_row(label if row == 0 else "", level, *_counts(cell), style=style)
    if len(shown) > 1:
        table.add_row("", "[italic]all[/]", *_counts(total), style="bold")


def _counts(cell: Cell) -> tuple[str, str]:
    unasked = cell.targets - cell.asked
    return f"{cell.asked}/{cell.signed}", str(unasked) if unasked else "[dim]·[/]"
