"""CSV exports of a campaign's targets and signers."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach.campaign.organizations import collation_key
from outreach.db.models import Campaign, LetterVersion, SignOn, Target

TARGET_COLUMNS = ("organization", "sort_name", "size", "engagement", "stakeholder_kind", "tags",
                  "contact_name", "email", "phone", "state", "state_reason", "wave",
                  "emails_sent", "state_changed_at")
SIGNER_COLUMNS = ("name_as_listed", "sort_name", "signer_type", "letter_version", "signed_at",
                  "evidence", "decided_by", "quoted_text", "classifier_version")


def export_targets(session: Session, campaign: Campaign, out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(TARGET_COLUMNS)
    targets = session.scalars(
        select(Target).where(Target.campaign_id == campaign.id)
        .options(joinedload(Target.organization), joinedload(Target.contact))
        .order_by(Target.id)
    ).all()
    for t in targets:
        org, contact = t.organization, t.contact
        writer.writerow([org.name, org.sort_name, org.size.value,
                         org.engagement.value if org.engagement else "",
                         org.stakeholder_kind or "", ";".join(org.tags), contact.name,
                         contact.email, contact.phone or "", t.state.value, t.state_reason or "",
                         t.wave or "", t.emails_sent, t.state_changed_at.isoformat()])
    return len(targets)


def signer_records(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """Every active signer with its evidence, in the public page's alphabetical order."""
    rows = sorted(session.execute(
        select(SignOn, LetterVersion.number)
        .join(LetterVersion, LetterVersion.id == SignOn.letter_version_id)
        .where(SignOn.campaign_id == campaign.id, SignOn.withdrawn_at.is_(None))
    ).all(), key=lambda row: (collation_key(row[0].sort_name), row[0].sort_name))
    return [
        {"name_as_listed": s.name_as_listed, "sort_name": s.sort_name,
         "signer_type": s.signer_type, "letter_version": version,
         "signed_at": s.signed_at.isoformat(), "evidence": s.evidence_kind,
         "decided_by": s.decided_by, "quoted_text": s.quoted_text or "",
         "classifier_version": s.classifier_version or ""}
        for s, version in rows
    ]


def export_signers(session: Session, campaign: Campaign, out: TextIO) -> int:
    records = signer_records(session, campaign)
    writer = csv.DictWriter(out, fieldnames=SIGNER_COLUMNS)
    writer.writeheader()
    writer.writerows(records)
    return len(records)


def export_signers_json(session: Session, campaign: Campaign, out: TextIO) -> int:
    records = signer_records(session, campaign)
    json.dump({"campaign": campaign.slug, "title": campaign.title, "signers": records}, out,
              ensure_ascii=False, indent=2)
    out.write("\n")
    return len(records)
