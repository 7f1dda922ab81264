"""Tables and reports the command line prints."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from outreach.campaign.importer import ImportReport
from outreach.campaign.status import campaign_statuses, outbox_counts
from outreach.db.models import (
    Campaign,
    InboundMessage,
    Organization,
    ReviewItem,
    ReviewStatus,
    SignOn,
    Target,
)
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


def print_review_queue(out: Console, session: Session, slug: str | None) -> None:
    query = (select(ReviewItem, Target, Organization, Campaign)
             .outerjoin(Target, Target.id == ReviewItem.target_id)
             .outerjoin(Organization, Organization.id == Target.organization_id)
             .outerjoin(Campaign, Campaign.id == ReviewItem.campaign_id)
             .where(ReviewItem.status == ReviewStatus.OPEN).order_by(ReviewItem.id))
    if slug is not None:
        query = query.where(Campaign.slug == slug)
    rows = session.execute(query).all()
    table = Table(title=f"Review queue: {len(rows)} open")
    for column in ("#", "campaign", "organization", "reason", "their words", "proposed name"):
        table.add_column(column)
    for item, _target, org, campaign in rows:
        table.add_row(str(item.id), campaign.slug if campaign else "", org.name if org else "",
                      item.reason, (item.quoted_text or item.summary or "")[:120],
                      item.proposed_name or "")
    out.print(table)
    if rows:
        out.print("Decide with: outreach review accept N [--name NAME] | reject N | "
                  "reclassify N INTENT", highlight=False)


def print_replies(out: Console, session: Session) -> None:
    """What the inbox held and what was done: kinds, intents and the sign-ons recorded."""
    table = Table(title="Inbound mail")
    for column in ("kind", "intent", "messages"):
        table.add_column(column)
    rows = session.execute(
        select(InboundMessage.status, InboundMessage.kind, InboundMessage.intent, func.count())
        .group_by(InboundMessage.status, InboundMessage.kind, InboundMessage.intent)
        .order_by(InboundMessage.kind, InboundMessage.intent)).all()
    for status, kind, intent, count in rows:
        label = kind or status.value
        table.add_row(label.replace("_", " "), (intent or "").replace("_", " "), str(count))
    out.print(table)
    signers = Table(title="Signers")
    for column in ("name as listed", "evidence", "their words", "decided by"):
        signers.add_column(column)
    for sign_on in session.scalars(select(SignOn).where(SignOn.withdrawn_at.is_(None))
                                   .order_by(SignOn.sort_name)):
        signers.add_row(sign_on.name_as_listed, sign_on.evidence_kind,
                        (sign_on.quoted_text or "")[:80], sign_on.decided_by)
    out.print(signers)
