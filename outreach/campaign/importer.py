"""Importing organizations and contacts from CSV.

One row is one contact at one organization. Re-importing updates rows instead of
duplicating them (organizations by folded name, contacts by email). Each bad row is
reported with its line number and reason; the good rows go in.

Columns (header names are case-insensitive; only `organization` and `email` are required):
organization, sort_name, size, engagement, stakeholder_kind, tags (separated by ';'),
parent, needs_parent_approval, owner, contact_name, greeting_name, first_name, email, phone,
role, decision_maker.

What a greeting calls the contact ("Dear ...,"): `greeting_name` as written, else
`first_name` (the older column, kept for the files that have it), else the first name
found in `contact_name` past any honorific ("Dr. Priya Raman" → "Priya"; see
`outreach.people.names`). Likewise a sort name: `sort_name` as written, else the
organization's name without a leading article (`default_sort_name`). A greeting or sort
name given once stays when a later file leaves it empty; one made from a name follows the
name when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from outreach.campaign.models import Campaign, Target, TargetState
from outreach.csvfile import read_csv
from outreach.people.blocklist import forgotten_among
from outreach.people.models import Contact, Engagement, Organization, Size
from outreach.people.names import greeting_name
from outreach.people.organizations import default_sort_name, org_key

COLUMNS = (
    "organization", "sort_name", "size", "engagement", "stakeholder_kind", "tags", "parent",
    "needs_parent_approval", "owner", "contact_name", "greeting_name", "first_name", "email",
    "phone", "role", "decision_maker",
)
ALIASES = {"org": "organization", "organisation": "organization", "name": "contact_name",
           "contact": "contact_name", "e-mail": "email", "email_address": "email",
           "kind": "stakeholder_kind", "engagement_level": "engagement"}
TRUE = {"yes", "y", "true", "1", "x"}
FALSE = {"no", "n", "false", "0", ""}


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class ImportReport:
    path: Path
    rows: int = 0
    organizations_created: int = 0
    organizations_updated: int = 0
    contacts_created: int = 0
    contacts_updated: int = 0
    targets_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.rows - len(self.errors)


@dataclass
class Row:
    line: int
    organization: str
    sort_name: str | None  # as given, or None
    size: Size | None
    engagement: Engagement | None
    stakeholder_kind: str | None
    tags: list[str] | None
    parent: str | None
    needs_parent_approval: bool | None
    owner: str | None
    contact_name: str
    greeting_name: str | None  # as given (greeting_name, else first_name), or None
    email: str
    phone: str | None
    role: str | None
    decision_maker: bool


def _engagement(value: str) -> Engagement | None:
    if not value:
        return None
    wanted = " ".join(value.replace("-", " ").replace("_", " ").split()).casefold()
    for level in Engagement:
        if level.value.casefold() == wanted:
            return level
    raise ValueError(f"unknown engagement level {value!r} "
                     f"(use one of: {', '.join(e.value for e in Engagement)})")


def _size(value: str) -> Size | None:
    if not value:
        return None
    try:
        return Size(value.strip().lower())
    except ValueError:
        raise ValueError(f"unknown size {value!r} (use small, medium or large)") from None


def _flag(value: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise ValueError(f"{column} must be yes or no, not {value!r}")


def _email(value: str) -> str:
    if not value:
        raise ValueError("missing email")
    try:
        # SMTP without SMTPUTF8 carries only ASCII addresses: a non-ASCII local part is
        # refused here, with its line, rather than failing at send time; a non-ASCII
        # domain is kept in its ASCII (IDNA) form.
        valid = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(f"invalid email {value!r}: {exc}") from None
    return (valid.ascii_email or valid.normalized).lower()


def parse_row(line: int, raw: dict[str, str]) -> Row:
    def get(column: str) -> str:
        return (raw.get(column) or "").strip()

    organization = " ".join(get("organization").split())
    if not organization:
        raise ValueError("missing organization name")
    email = _email(get("email"))
    contact_name = " ".join(get("contact_name").split())
    if not contact_name:
        raise ValueError("missing contact name")
    tags_text = get("tags")
    return Row(
        line=line,
        organization=organization,
        sort_name=get("sort_name") or None,
        size=_size(get("size")),
        engagement=_engagement(get("engagement")),
        stakeholder_kind=get("stakeholder_kind").lower() or None,
        tags=[t.strip() for t in tags_text.split(";") if t.strip()] if tags_text else None,
        parent=get("parent") or None,
        needs_parent_approval=(_flag(get("needs_parent_approval"), "needs_parent_approval")
                               if get("needs_parent_approval") else None),
        owner=get("owner") or None,
        contact_name=contact_name,
        greeting_name=" ".join((get("greeting_name") or get("first_name")).split()) or None,
        email=email,
        phone=get("phone") or None,
        role=get("role") or None,
        decision_maker=_flag(get("decision_maker"), "decision_maker"),
    )


def read_rows(path: Path, report: ImportReport) -> list[Row]:
    rows: list[Row] = []
    seen_emails: dict[str, int] = {}
    for line, values in read_csv(path, columns=COLUMNS, aliases=ALIASES,
                                 required=("organization", "email")):
        report.rows += 1
        if isinstance(values, str):
            report.errors.append(RowError(line, values))
            continue
        try:
            row = parse_row(line, values)
        except ValueError as exc:
            report.errors.append(RowError(line, str(exc)))
            continue
        if row.email in seen_emails:
            report.errors.append(RowError(
                line, f"duplicate: {row.email} already on line {seen_emails[row.email]}"))
            continue
        seen_emails[row.email] = line
        rows.append(row)
    return rows


def import_csv(session: Session, path: Path, *, now: datetime,
               campaign: Campaign | None = None) -> ImportReport:
    """Load `path` into the database in the caller's transaction; bad rows are only reported."""
    report = ImportReport(path=path)
    rows = read_rows(path, report)
    forgotten = forgotten_among(session, [row.email for row in rows])
    report.errors += [RowError(row.line, f"{row.email} asked to be forgotten and may not be "
                               "imported again") for row in rows if row.email in forgotten]
    rows = [row for row in rows if row.email not in forgotten]
    orgs: dict[str, Organization] = {
        o.key: o for o in session.scalars(
            select(Organization).where(Organization.key.in_({org_key(r.organization)
                                                              for r in rows}))
        )
    }
    contacts: dict[str, Contact] = {
        c.email: c for c in session.scalars(
            select(Contact).where(Contact.email.in_({r.email for r in rows}))
        )
    }
    created_orgs: set[str] = set()
    accepted: list[tuple[Row, Organization, Contact]] = []
    for row in rows:
        key = org_key(row.organization)
        contact = contacts.get(row.email)
        org = orgs.get(key)
        if contact is not None and (org is None or contact.organization_id != org.id):
            other = session.get(Organization, contact.organization_id)
            report.errors.append(RowError(
                row.line, f"{row.email} is already a contact of "
                          f"{other.name if other else 'another organization'}"))
            continue
        if org is None:
            org = Organization(key=key, name=row.organization,
                               sort_name=row.sort_name or default_sort_name(row.organization),
                               size=row.size or Size.SMALL, engagement=row.engagement,
                               stakeholder_kind=row.stakeholder_kind, tags=row.tags or [],
                               needs_parent_approval=bool(row.needs_parent_approval),
                               owner=row.owner, created_at=now, updated_at=now)
            session.add(org)
            orgs[key] = org
            created_orgs.add(key)
            report.organizations_created += 1
        else:
            if _update_org(org, row, now) and key not in created_orgs:
                report.organizations_updated += 1
        if org.id is None:
            session.flush()  # the new organization's id, for its contact
        if contact is None:
            contact = Contact(organization_id=org.id, name=row.contact_name,
                              greeting_name=row.greeting_name or greeting_name(row.contact_name),
                              email=row.email, phone=row.phone,
                              role=row.role, is_decision_maker=row.decision_maker,
                              created_at=now, updated_at=now)
            session.add(contact)
            contacts[row.email] = contact
            report.contacts_created += 1
        elif _update_contact(contact, row, now):
            report.contacts_updated += 1
        accepted.append((row, org, contact))
    session.flush()
    _link_parents(session, accepted, orgs, report)
    if campaign is not None:
        report.targets_created = _ensure_targets(session, campaign, accepted, now)
    report.errors.sort(key=lambda e: e.line)
    return report


def _update_org(org: Organization, row: Row, now: datetime) -> bool:
    sort_name = row.sort_name
    if sort_name is None and org.sort_name == default_sort_name(org.name):
        sort_name = default_sort_name(row.organization)  # made from the name: follows it
    changes = {"name": row.organization, "sort_name": sort_name, "size": row.size,
               "engagement": row.engagement, "stakeholder_kind": row.stakeholder_kind,
               "tags": row.tags, "needs_parent_approval": row.needs_parent_approval,
               "owner": row.owner}
    changed = False
    for attr, value in changes.items():
        if value is not None and getattr(org, attr) != value:
            setattr(org, attr, value)
            changed = True
    if changed:
        org.updated_at = now
    return changed


def _update_contact(contact: Contact, row: Row, now: datetime) -> bool:
    greeting = row.greeting_name
    if greeting is None and contact.greeting_name == greeting_name(contact.name):
        greeting = greeting_name(row.contact_name)  # found in the name: follows the name
    changes = {"name": row.contact_name, "greeting_name": greeting, "phone": row.phone,
               "role": row.role, "is_decision_maker": row.decision_maker}
    changed = False
    for attr, value in changes.items():
        if value is not None and getattr(contact, attr) != value:
            setattr(contact, attr, value)
            changed = True
    if changed:
        contact.updated_at = now
    return changed


def _link_parents(session: Session, accepted: list[tuple[Row, Organization, Contact]],
                  orgs: dict[str, Organization], report: ImportReport) -> None:
    for row, org, _contact in accepted:
        if row.parent is None:
            continue
        key = org_key(row.parent)
        parent = orgs.get(key) or session.scalars(
            select(Organization).where(Organization.key == key)).first()
        if parent is None:
            report.warnings.append(RowError(
                row.line, f"parent organization {row.parent!r} is not known; "
                          "import it first or in the same file (row kept without a parent)"))
        elif parent.id == org.id:
            report.warnings.append(RowError(row.line, "an organization cannot be its own parent"))
        else:
            org.parent_id = parent.id


def _ensure_targets(session: Session, campaign: Campaign,
                    accepted: list[tuple[Row, Organization, Contact]], now: datetime) -> int:
    """One target per organization, asked through its decision-maker when it has one."""
    existing = {t.organization_id: t for t in session.scalars(
        select(Target).where(Target.campaign_id == campaign.id))}
    chosen: dict[int, Contact] = {}
    for row, org, contact in accepted:
        if org.id not in chosen or (row.decision_maker and not chosen[org.id].is_decision_maker):
            chosen[org.id] = contact
    created = 0
    for org_id, contact in chosen.items():
        target = existing.get(org_id)
        if target is None:
            session.add(Target(campaign_id=campaign.id, organization_id=org_id,
                               contact_id=contact.id, state_changed_at=now, created_at=now))
            created += 1
        elif target.state == TargetState.QUEUED and contact.is_decision_maker:
            target.contact_id = contact.id
    session.flush()
    return created
