"""CSV exports of a campaign's targets and signers."""

from __future__ import annotations

import csv
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from outreach.db.models import Campaign, LetterVersion, SignOn, Target

TARGET_COLUMNS = ("organization", "sort_name", "size", "engagement", "stakeholder_kind", "tags",
                  "contact_name", "email", "phone", "state", "state_reason", "wave",
                  "emails_sent", "state_changed_at")
SIGNER_COLUMNS = ("name_as_listed", "sort_name", "signer_type", "letter_version", "signed_at",
                  "evidence", "decided_by", "quoted_text")


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


def export_signers(session: Session, campaign: Campaign, out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(SIGNER_COLUMNS)
    rows = session.execute(
        select(SignOn, LetterVersion.number)
        .join(LetterVersion, LetterVersion.id == SignOn.letter_version_id)
        .where(SignOn.campaign_id == campaign.id, SignOn.withdrawn_at.is_(None))
        .order_by(SignOn.sort_name)
    ).all()
    for sign_on, version in rows:
        writer.writerow([sign_on.name_as_listed, sign_on.sort_name, sign_on.signer_type, version,
                         sign_on.signed_at.isoformat(), sign_on.evidence_kind,
                         sign_on.decided_by, sign_on.quoted_text or ""])
    return len(rows)
